"""Pair tests for the change kinds of issue 10's table grammar (see plan_pairs.py).

Each builds the old spec's database, inserts rows, applies the plan to the new spec, and (inside
`migrated`) asserts the catalog equals a fresh build of the new spec, nothing is left to plan
between the two live catalogs, and planning again yields nothing. Here the rows are checked.
"""

from __future__ import annotations

from plan_pairs import migrated, spec
from schemac.plan import plan_migration

BASE = """
tables:
  accounts:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      score: {type: integer, nullable: true}
"""

ROWS = "INSERT INTO accounts (id, name, score) VALUES (1, 'Ann', 3), (7, 'Bob', NULL);"


def pair(pg_server, tmp_path, old: str, new: str, rows: str = ROWS, allow_destructive: bool = False):
    return migrated(pg_server, spec(tmp_path, "old", old), spec(tmp_path, "new", new), rows, allow_destructive)


def summaries(plan) -> list[str]:
    return [s.summary for s in plan.statements]


def test_add_identity_continues_after_the_rows(pg_server, tmp_path):
    new = BASE.replace("id: {type: bigint, primary_key: true}", "id: {type: bigint, primary_key: true, identity: by default}")
    with pair(pg_server, tmp_path, BASE, new) as (conn, plan):
        assert "make accounts.id an identity column" in summaries(plan)
        conn.execute("INSERT INTO accounts (name) VALUES ('Cy')")
        assert conn.execute("SELECT id FROM accounts WHERE name = 'Cy'").fetchone() == (8,)  # after the largest id, 7


def test_drop_and_change_identity(pg_server, tmp_path):
    old = BASE.replace("id: {type: bigint, primary_key: true}", "id: {type: bigint, primary_key: true, identity: always}")
    new = BASE.replace("id: {type: bigint, primary_key: true}", "id: {type: bigint, primary_key: true, identity: {generated: by default, start: 100}}")
    rows = "INSERT INTO accounts (name, score) VALUES ('Ann', 3), ('Bob', NULL);"
    with pair(pg_server, tmp_path, old, new, rows) as (conn, plan):
        assert summaries(plan)[:2] == ["drop identity of accounts.id", "make accounts.id an identity column"]
        assert conn.execute("SELECT id, name FROM accounts ORDER BY id").fetchall() == [(1, "Ann"), (2, "Bob")]
    with pair(pg_server, tmp_path, old, BASE, rows) as (conn, plan):
        assert summaries(plan) == ["drop identity of accounts.id"]
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (2,)


def test_generated_column_expression_changed_and_dropped(pg_server, tmp_path):
    old = BASE + "      double_score: {type: integer, nullable: true, generated: score * 2}\n"
    changed = BASE + "      double_score: {type: integer, nullable: true, generated: score * 3}\n"
    plain = BASE + "      double_score: {type: integer, nullable: true}\n"
    with pair(pg_server, tmp_path, old, changed) as (conn, plan):
        assert conn.execute("SELECT double_score FROM accounts ORDER BY id").fetchall() == [(9,), (None,)]
    with pair(pg_server, tmp_path, old, plain) as (conn, plan):
        assert summaries(plan) == ["make accounts.double_score a plain column (values kept)"]
        assert conn.execute("SELECT double_score FROM accounts ORDER BY id").fetchall() == [(6,), (None,)]


def test_add_generated_column_and_refuse_making_one_generated(pg_server, tmp_path):
    new = BASE + "      double_score: {type: integer, nullable: true, generated: score * 2}\n"
    with pair(pg_server, tmp_path, BASE, new) as (conn, plan):
        assert conn.execute("SELECT double_score FROM accounts ORDER BY id").fetchall() == [(6,), (None,)]
    plain = spec(tmp_path, "plain", BASE + "      double_score: {type: integer, nullable: true}\n")
    refused = plan_migration(plain, spec(tmp_path, "gen", new))
    assert any("cannot make an existing column generated" in r.message for r in refused.refusals)


FK = """
  notes:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, references: accounts.id}
"""


def test_foreign_key_on_update_match_and_deferrable(pg_server, tmp_path):
    new = BASE + FK.replace("references: accounts.id}", "references: accounts.id, on_update: cascade, match: full, deferrable: true, initially_deferred: true}")
    rows = ROWS + "INSERT INTO notes (id, account_id) VALUES (1, 1);"
    with pair(pg_server, tmp_path, BASE + FK, new, rows) as (conn, plan):
        conn.execute("UPDATE accounts SET id = 2 WHERE id = 1")
        assert conn.execute("SELECT account_id FROM notes").fetchone() == (2,)  # ON UPDATE CASCADE


def test_native_enum_created_value_added_and_renamed(pg_server, tmp_path):
    enum = "enums:\n  tier: {values: [free, pro], native: true}\n"
    column = "      tier: {enum: tier, default: free}\n"
    with pair(pg_server, tmp_path, BASE, enum + BASE + column) as (conn, plan):
        assert "create enum type tier" in summaries(plan)
        assert conn.execute("SELECT DISTINCT tier::text FROM accounts").fetchall() == [("free",)]
    added = "enums:\n  tier:\n    native: true\n    values: [free, plus, {value: premium, renamed_from: pro}, team]\n"
    rows = ROWS.replace("(id, name, score) VALUES (1, 'Ann', 3), (7, 'Bob', NULL)", "(id, name, score, tier) VALUES (1, 'Ann', 3, 'pro'), (7, 'Bob', NULL, 'free')")
    with pair(pg_server, tmp_path, enum + BASE + column, added + BASE + column, rows) as (conn, plan):
        assert conn.execute("SELECT tier::text FROM accounts ORDER BY id").fetchall() == [("premium",), ("free",)]
        assert conn.execute("SELECT enum_range(NULL::public.tier)::text").fetchone() == ("{free,plus,premium,team}",)


def test_native_enum_value_removed_is_refused(tmp_path):
    old = spec(tmp_path, "old", "enums:\n  tier: {values: [free, pro], native: true}\n" + BASE)
    new = spec(tmp_path, "new", "enums:\n  tier: {values: [free], native: true}\n" + BASE)
    assert any("cannot drop a value of an enum type" in r.message for r in plan_migration(old, new, allow_destructive=True).refusals)


def test_extension_and_exclusion_constraint_replace_a_unique_index(pg_server, tmp_path):
    """The clinic's change: btree_gist, the partial unique index dropped, an exclusion constraint added."""
    slots = BASE + "      starts: {type: integer}\n      ends: {type: integer}\n"
    old = slots + "    indexes:\n      - {columns: [name, starts], unique: true, name: one_start}\n"
    new = "extensions:\n  btree_gist: {schema: extensions}\n" + slots + (
        "    exclude:\n      - elements:\n          - {column: name, with: \"=\"}\n"
        "          - {expression: \"int4range(starts, ends)\", with: \"&&\"}\n        where: score IS NOT NULL\n"
    )
    rows = "INSERT INTO accounts VALUES (1, 'Ann', 3, 1, 5), (2, 'Ann', 3, 5, 9), (3, 'Bob', NULL, 1, 9);"
    with pair(pg_server, tmp_path, old, new, rows) as (conn, plan):
        assert summaries(plan)[:3] == ["create schema extensions", "create extension btree_gist", "drop index one_start on accounts"]
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (3,)
        try:
            conn.execute("INSERT INTO accounts VALUES (4, 'Ann', 1, 3, 6)")  # overlaps Ann's 1-5
            raise AssertionError("the exclusion constraint let an overlap in")
        except Exception as exc:  # psycopg's ExclusionViolation
            assert type(exc).__name__ == "ExclusionViolation", exc
    with pair(pg_server, tmp_path, new, slots, rows, allow_destructive=True) as (conn, plan):
        assert "drop extension btree_gist" in summaries(plan)


def test_domain_added_and_dropped(pg_server, tmp_path):
    domain = "domains:\n  score_value: {type: integer, check: VALUE >= 0}\n"
    with pair(pg_server, tmp_path, BASE, domain + BASE + "      bonus: {type: score_value, nullable: true}\n") as (conn, plan):
        assert summaries(plan)[0] == "create domain score_value"
    with pair(pg_server, tmp_path, domain + BASE + "      bonus: {type: score_value, nullable: true}\n", BASE, allow_destructive=True) as (conn, plan):
        assert summaries(plan)[-1] == "drop domain score_value"


def test_index_elements_include_and_nulls_not_distinct(pg_server, tmp_path):
    old = BASE + "    indexes:\n      - {columns: [name], name: by_name}\n"
    new = BASE + (
        "    indexes:\n      - {columns: [{expression: lower(name), order: desc}], name: by_name, include: [score]}\n"
        "    unique:\n      - {columns: [score], nulls_not_distinct: true}\n"
    )
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert "drop index by_name on accounts" in summaries(plan)
        try:
            conn.execute("INSERT INTO accounts VALUES (9, 'Di', NULL)")  # a second NULL score
            raise AssertionError("NULLS NOT DISTINCT let a second NULL in")
        except Exception as exc:
            assert type(exc).__name__ == "UniqueViolation", exc


def test_renaming_a_table_or_column_renames_its_identity_and_serial_sequences(pg_server, tmp_path):
    """PostgreSQL keeps a sequence's name when its table or column is renamed; a fresh build names it
    `<table>_<column>_seq`, so the plan renames it too, and inserts keep numbering after the rows."""
    old = """
tables:
  tickets:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      number: {type: serial}
      title: {type: text}
"""
    new = """
tables:
  issues:
    renamed_from: tickets
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      seq_no: {type: serial, renamed_from: number}
      title: {type: text}
"""
    with pair(pg_server, tmp_path, old, new, rows="INSERT INTO tickets (title) VALUES ('a'), ('b');") as (conn, plan):
        assert {"rename sequence tickets_id_seq to issues_id_seq", "rename sequence tickets_number_seq to issues_number_seq",
                "rename sequence issues_number_seq to issues_seq_no_seq"} <= set(summaries(plan)), summaries(plan)
        conn.execute("INSERT INTO issues (title) VALUES ('c')")
        assert conn.execute("SELECT id, seq_no FROM issues WHERE title = 'c'").fetchone() == (3, 3)


def test_vector_column_and_hnsw_index_added(pg_server, tmp_path):
    """pgvector's type and index method through the planner: the extension, the column and the index arrive in
    one migration that applies over rows."""
    new = "extensions:\n  vector: {schema: extensions}\n" + BASE + (
        "      embedding: {type: vector(3), nullable: true}\n"
        "    indexes:\n"
        "      - {columns: [{column: embedding, opclass: extensions.vector_cosine_ops}], using: hnsw, name: accounts_embedding_hnsw}\n"
    )
    with pair(pg_server, tmp_path, BASE, new) as (conn, plan):
        assert "create extension vector" in summaries(plan)
        conn.execute("UPDATE accounts SET embedding = '[1,0,0]' WHERE id = 1")
        assert conn.execute("SELECT embedding::text FROM accounts WHERE id = 1").fetchone() == ("[1,0,0]",)


def test_ready_made_trigger_functions_with_one_name_on_two_tables(pg_server, tmp_path):
    """moddatetime triggers of one name (`name:`) on two tables added by a migration; one later dropped alone."""
    two = BASE + (
        "      touched_at: {type: timestamptz, default: now()}\n"
        "  notes:\n    classification: administrative\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      touched_at: {type: timestamptz, default: now()}\n"
    )
    both = "extensions:\n  moddatetime: {schema: extensions}\n" + two + (
        "triggers:\n"
        "  touched_accounts: {name: touched, table: accounts, timing: before, events: [update], function: moddatetime, arguments: [touched_at]}\n"
        "  touched_notes: {name: touched, table: notes, timing: before, events: [update], function: moddatetime, arguments: [touched_at]}\n"
    )
    with pair(pg_server, tmp_path, two, both) as (conn, plan):
        conn.execute("UPDATE accounts SET touched_at = '2020-01-01'")  # moddatetime overrides it with now()
        assert conn.execute("SELECT bool_and(touched_at > '2020-01-02') FROM accounts").fetchone() == (True,)
    one = both.replace(both[both.index("  touched_notes:"):], "")
    with pair(pg_server, tmp_path, both, one) as (conn, plan):
        assert [s for s in summaries(plan) if "touched" in s] == ["drop trigger touched on notes"]
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'touched'").fetchone() == (1,)
