"""The table grammar real applications use, on a real PostgreSQL.

tests/fixtures/constructs.yaml holds every construct: identity and serial columns, foreign key
ON UPDATE / MATCH / DEFERRABLE, native enum types, default expressions, generated columns,
collations, the wider type list and extensions. For each: the migration applies (twice), verify
passes, the database behaves as the construct says, and verify names a hand-made change to it.
"""

from __future__ import annotations

import psycopg
import pytest

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema
from schemac.verify.run import compare_schema, normalize_expressions

from conftest import ROOT
from helpers import build_errors

CONSTRUCTS = ROOT / "tests" / "fixtures" / "constructs.yaml"


@pytest.fixture(scope="module")
def schema():
    return load_schema(str(CONSTRUCTS))


@pytest.fixture
def applied(conn, schema):
    run_sql(conn, render_migration(schema))
    return conn


def differences(conn: psycopg.Connection, schema) -> list[str]:
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    return diffs


def test_migration_applies_twice_and_verifies(applied, schema):
    run_sql(applied, render_migration(schema))  # idempotent: the second run changes nothing
    assert differences(applied, schema) == []


def test_identity_and_serial_fill_keys(applied):
    c = applied
    c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('A@example.org', 'a', 'Ann')")
    row = c.execute("SELECT id, plan::text, nickname_lower, score, expires_at > now() + interval '6 days' FROM accounts").fetchone()
    assert row == (1, "free", "ann", 1.5, True)
    with pytest.raises(psycopg.errors.GeneratedAlways):  # identity ALWAYS refuses a given value
        c.execute("INSERT INTO accounts (id, email, handle, nickname) VALUES (9, 'b@example.org', 'b', 'B')")
    c.execute("INSERT INTO orders (account_id) VALUES (1)")
    c.execute("INSERT INTO orders (account_id, starts_at, ends_at) VALUES (1, '2026-01-02 09:00+00', '2026-01-02 09:30+00')")
    assert c.execute("SELECT id, code FROM orders ORDER BY id").fetchall() == [(1, 1000), (2, 1005)]
    # serial: the sequence PostgreSQL names and owns, exactly as `serial` creates it
    assert c.execute("SELECT pg_get_serial_sequence('public.orders', 'id')").fetchone()[0] == "public.orders_id_seq"
    attidentity = dict(c.execute("SELECT attname, attidentity FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0"))
    assert attidentity["id"] == "a"
    assert c.execute("SELECT attidentity FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'code'").fetchone()[0] == "d"


def test_timestamps_under_other_names(applied):
    c = applied
    c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('a@example.org', 'a', 'n')")
    c.execute("INSERT INTO orders (account_id) VALUES (1)")
    c.execute("UPDATE orders SET last_update = '2000-01-01Z', inserted_at = '2000-01-01Z'")
    c.execute("UPDATE orders SET other_id = NULL")
    inserted, updated = c.execute("SELECT inserted_at, last_update FROM orders").fetchone()
    assert inserted.year == 2000 and updated.year >= 2026  # the trigger sets only the 'updated' column
    assert c.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname IN ('created_at', 'updated_at')").fetchone()[0] == 0


def test_foreign_key_options_in_the_catalog_and_in_behaviour(applied):
    c = applied
    rows = dict(
        (name, rest)
        for name, *rest in c.execute(
            "SELECT conname, confupdtype, confdeltype, confmatchtype, condeferrable, condeferred FROM pg_constraint "
            "WHERE conrelid = 'orders'::regclass AND contype = 'f'"
        )
    )
    assert rows["orders_account_id_fkey"] == ["c", "c", "s", True, True]
    assert rows["orders_other_id_fkey"] == ["n", "a", "f", False, False]
    # initially deferred: a child row may come before its parent within one transaction
    with c.transaction():
        c.execute("INSERT INTO orders (account_id) VALUES (77)")
        c.execute("INSERT INTO accounts (id, email, handle, nickname) OVERRIDING SYSTEM VALUE VALUES (77, 'x@example.org', 'x', 'x')")
    assert c.execute("SELECT account_id FROM orders").fetchall() == [(77,)]
    with pytest.raises(psycopg.errors.ForeignKeyViolation):  # ... but the check still runs at commit
        with c.transaction():
            c.execute("INSERT INTO orders (account_id) VALUES (78)")


def test_native_enum_citext_and_collation_behave(applied):
    c = applied
    with pytest.raises(psycopg.errors.CheckViolation):  # the domain's CHECK, on the column and inside its array
        c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('not-an-address', 'z', 'z')")
    with pytest.raises(psycopg.errors.CheckViolation):
        c.execute("INSERT INTO accounts (email, handle, nickname, backup_emails) VALUES ('z@example.org', 'z', 'z', ARRAY['nope'])")
    assert c.execute("SELECT 'pro'::plan::text, enum_range(NULL::plan)::text[]").fetchone() == ("pro", ["free", "pro", "it's"])
    c.execute("INSERT INTO accounts (email, handle, nickname, plan) VALUES ('A@example.org', 'b', 'n1', 'pro')")
    with pytest.raises(psycopg.errors.UniqueViolation):  # citext: the same address in other case is a duplicate
        c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('a@EXAMPLE.org', 'a', 'n2')")
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        c.execute("INSERT INTO accounts (email, handle, nickname, plan) VALUES ('c@example.org', 'c', 'n3', 'gold')")
    c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('d@example.org', 'C', 'n4')")
    # COLLATE "C": byte order, upper case first
    assert [r[0] for r in c.execute("SELECT handle FROM accounts ORDER BY handle")] == ["C", "b"]
    assert c.execute("SELECT attcollation::regcollation::text FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'handle'").fetchone()[0] == '"C"'



def test_indexes_and_exclusion_behave(applied):
    c = applied
    c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('a@example.org', 'Ann', 'n')")
    with pytest.raises(psycopg.errors.UniqueViolation):  # unique on lower(handle)
        c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('b@example.org', 'ann', 'n')")
    with pytest.raises(psycopg.errors.UniqueViolation):  # NULLS NOT DISTINCT: NULL mood twice with one nickname is a duplicate
        c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('c@example.org', 'c', 'n')")
    c.execute("INSERT INTO accounts (email, handle, nickname) VALUES ('d@example.org', 'd', 'm')")
    orders = "INSERT INTO orders (account_id, starts_at, ends_at) VALUES (1, %s, %s)"
    c.execute(orders, ("2026-01-01 09:00+00", "2026-01-01 09:30+00"))
    c.execute(orders, ("2026-01-01 09:30+00", "2026-01-01 10:00+00"))  # adjacent: [) ranges do not overlap
    with pytest.raises(psycopg.errors.ExclusionViolation):
        c.execute(orders, ("2026-01-01 09:15+00", "2026-01-01 09:45+00"))
    methods = dict(c.execute("SELECT i.relname, am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam WHERE i.relname LIKE 'accounts_%%idx'"))
    assert {methods[n] for n in ("accounts_search_idx", "accounts_created_idx", "accounts_ip_idx", "accounts_active_idx")} == {"gin", "brin", "hash", "gist"}


HAND_MADE = {
    "identity kind": ("ALTER TABLE accounts ALTER COLUMN id SET GENERATED BY DEFAULT", "column accounts.id: identity"),
    "identity dropped": ("ALTER TABLE orders ALTER COLUMN code DROP IDENTITY", "column orders.code: identity"),
    "identity options": ("ALTER TABLE orders ALTER COLUMN code SET INCREMENT BY 1", "column orders.code: sequence"),
    "serial default": ("ALTER TABLE orders ALTER COLUMN id DROP DEFAULT", "column orders.id: default"),
    "serial ownership": ("ALTER SEQUENCE orders_id_seq OWNED BY NONE", "column orders.id: owned sequence"),
    "fk on update": (
        "ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey, ADD CONSTRAINT orders_account_id_fkey FOREIGN KEY (account_id) "
        "REFERENCES accounts (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED",
        "foreign key orders.orders_account_id_fkey: ON UPDATE",
    ),
    "fk deferrable": ("ALTER TABLE orders ALTER CONSTRAINT orders_account_id_fkey NOT DEFERRABLE", "orders_account_id_fkey: deferrable"),
    "fk match": (
        "ALTER TABLE orders DROP CONSTRAINT orders_other_id_fkey, ADD CONSTRAINT orders_other_id_fkey FOREIGN KEY (other_id) "
        "REFERENCES accounts (id) ON UPDATE SET NULL",
        "foreign key orders.orders_other_id_fkey: MATCH",
    ),
    "enum values": ("ALTER TYPE plan ADD VALUE 'team'", "enum type plan: values"),
    "enum renamed value": ("ALTER TYPE plan RENAME VALUE 'pro' TO 'premium'", "enum type plan: values"),
    "default expression": ("ALTER TABLE accounts ALTER COLUMN created SET DEFAULT now()", "column accounts.created: default"),
    "generation expression": (
        "ALTER TABLE accounts ALTER COLUMN nickname_lower SET EXPRESSION AS (upper(nickname))",
        "column accounts.nickname_lower: generation expression",
    ),
    "generated dropped": ("ALTER TABLE accounts ALTER COLUMN nickname_lower DROP EXPRESSION", "column accounts.nickname_lower: generated"),
    "collation": ('ALTER TABLE accounts ALTER COLUMN handle TYPE text COLLATE "POSIX"', "column accounts.handle: collation"),
    "type": ("ALTER TABLE accounts ALTER COLUMN score TYPE real", "column accounts.score: type"),
    "extension schema": ("ALTER EXTENSION citext SET SCHEMA public", "extension citext: schema"),
    "index expression": (
        "DROP INDEX accounts_handle_lower_uidx; CREATE UNIQUE INDEX accounts_handle_lower_uidx ON accounts (upper(handle))",
        "index accounts.accounts_handle_lower_uidx: columns",
    ),
    "index opclass": (
        "DROP INDEX accounts_nickname_pattern_idx; CREATE INDEX accounts_nickname_pattern_idx ON accounts (nickname) INCLUDE (score)",
        "index accounts.accounts_nickname_pattern_idx: definition",
    ),
    "index include": (
        "DROP INDEX accounts_nickname_pattern_idx; CREATE INDEX accounts_nickname_pattern_idx ON accounts (nickname text_pattern_ops)",
        "index accounts.accounts_nickname_pattern_idx: columns",  # pg_index lists INCLUDE columns after the key columns
    ),
    "index order and nulls": (
        'DROP INDEX accounts_recent_idx; CREATE INDEX accounts_recent_idx ON accounts (created, handle COLLATE "POSIX")',
        "index accounts.accounts_recent_idx: definition",
    ),
    "index collation": (
        "DROP INDEX accounts_recent_idx; CREATE INDEX accounts_recent_idx ON accounts (created DESC NULLS FIRST, handle)",
        "index accounts.accounts_recent_idx: definition",
    ),
    "index method": (
        "DROP INDEX accounts_nickname_trgm_idx; CREATE INDEX accounts_nickname_trgm_idx ON accounts USING gist (nickname extensions.gist_trgm_ops)",
        "index accounts.accounts_nickname_trgm_idx: method",
    ),
    "index nulls not distinct": (
        "DROP INDEX accounts_avatar_handle_uidx; CREATE UNIQUE INDEX accounts_avatar_handle_uidx ON accounts (avatar, handle)",
        "index accounts.accounts_avatar_handle_uidx: definition",
    ),
    "unique nulls not distinct": (
        "ALTER TABLE accounts DROP CONSTRAINT accounts_mood_nickname_key, ADD CONSTRAINT accounts_mood_nickname_key UNIQUE (mood, nickname)",
        "unique constraint accounts.accounts_mood_nickname_key: definition",
    ),
    "exclusion operator": (
        "ALTER TABLE orders DROP CONSTRAINT orders_no_overlap_excl, ADD CONSTRAINT orders_no_overlap_excl "
        "EXCLUDE USING gist (account_id WITH =, tstzrange(starts_at, ends_at) WITH =) WHERE (code > 0)",
        "exclusion constraint orders.orders_no_overlap_excl: definition",
    ),
    "exclusion predicate": (
        "ALTER TABLE orders DROP CONSTRAINT orders_no_overlap_excl, ADD CONSTRAINT orders_no_overlap_excl "
        "EXCLUDE USING gist (account_id WITH =, tstzrange(starts_at, ends_at) WITH &&)",
        "exclusion constraint orders.orders_no_overlap_excl: definition",
    ),
    "timestamp trigger function": (
        "CREATE OR REPLACE FUNCTION public.schemac_set_last_update() RETURNS trigger LANGUAGE plpgsql SET search_path = '' "
        "AS $f$BEGIN NEW.last_update := now() - interval '1 day'; RETURN NEW; END;$f$",
        "function public.schemac_set_last_update: body",
    ),
    "timestamp trigger": ("DROP TRIGGER orders_set_last_update ON orders", "trigger orders.orders_set_last_update: missing"),
    "domain check": ("ALTER DOMAIN email_address DROP CONSTRAINT email_address_check", "domain email_address: definition"),
    "domain not null": ("ALTER DOMAIN score_value SET NOT NULL", "domain score_value: definition"),
    "exclusion dropped": ("ALTER TABLE orders DROP CONSTRAINT orders_no_overlap_excl", "exclusion constraint orders.orders_no_overlap_excl: missing"),
}


@pytest.mark.parametrize("change", HAND_MADE.values(), ids=list(HAND_MADE))
def test_verify_names_a_hand_made_change(applied, schema, change):
    sql, expected = change
    applied.execute(sql)
    diffs = differences(applied, schema)
    assert any(expected in d for d in diffs), diffs


def test_verify_when_a_native_enum_type_is_gone(conn, schema):
    """With the type dropped (and the column changed to text), the spec's columns cannot be built: said, not a crash."""
    run_sql(conn, render_migration(schema))
    conn.execute("ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT, ALTER COLUMN plan TYPE text; DROP TYPE plan")
    diffs = differences(conn, schema)
    assert "enum type plan: missing from the database" in diffs
    assert any(d.startswith("table accounts: the spec's columns cannot be built") for d in diffs), diffs


BASE = """
version: 1
tables:
  t:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
"""


@pytest.mark.parametrize(
    "column, message",
    [
        ("{type: text, identity: always}", "an identity column must be smallint, integer or bigint, not text"),
        ("{type: bigint, identity: always, default: 1}", "'default' and 'identity' both decide the column's value; keep one"),
        ("{type: bigint, identity: by default, nullable: true}", "an identity column is always NOT NULL; remove 'nullable: true'"),
        ("{type: serial, default_expression: '1'}", "'type: serial' makes a sequence default and 'default_expression' both decide"),
        ("{type: citext}", "citext comes from the citext extension; declare it: 'extensions: {citext: {schema: extensions}}'"),
        ("{type: bigint, references: t.id, initially_deferred: true}", "'initially_deferred: true' needs 'deferrable: true' as well"),
        ("{type: bigint, on_update: cascade}", "'on_update' needs 'references' on the same column"),
        ("{type: bigint, references: t.id, match: partial}", "match"),
        ("{type: timestamptz, default_expression: 'id + 1'}", "a default expression cannot read columns ('id')"),
        ("{type: timestamptz, generated: 'now()'}", "now() is not immutable; a generated column expression may only use immutable functions"),
        ("{type: bigint, generated: 'idd * 2'}", "names unknown column 'idd' of table 't'; did you mean 'id'?"),
        ("{type: integer, collation: C}", "a collation applies to text types, not integer"),
        ("{type: timestamptz, default: 'now() + 1'}", "for any other SQL write 'default_expression: \"now() + 1\"' instead of 'default'"),
        ("{type: inet, default: '10.0.0.1'}", "write the SQL under 'default_expression' instead"),
        ("{type: emial}", "unknown column type 'emial'"),
    ],
)
def test_construct_errors_are_positioned_and_say_how_to_fix(tmp_path, column, message):
    errors = build_errors(tmp_path, BASE + f"      x: {column}\n")
    assert any(message in e for e in errors), errors
    assert all(e.startswith("schema.yaml:") for e in errors)


def test_native_enum_default_must_be_a_value(tmp_path):
    spec = "version: 1\nenums:\n  e: {values: [a, b], native: true}\n" + BASE.split("\n", 2)[2] + "      x: {enum: e, default: c}\n"
    assert any("default 'c' is not a value of enum e" in e for e in build_errors(tmp_path, spec))


TABLE = BASE + "      name: {type: text}\n      during: {type: tstzrange}\n"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("indexes: [{columns: [{expression: 'lower(nmae)'}]}]", "the index expression names unknown column 'nmae' of table 't'; did you mean 'name'?"),
        ("indexes: [{columns: [{expression: 'now()'}]}]", "now() is not immutable; an index expression may only use immutable functions"),
        ("indexes: [{columns: [{column: name, expression: 'lower(name)'}]}]", "needs either 'column' or 'expression'"),
        ("indexes: [{columns: [{column: nam}]}]", "index names unknown column 'nam' of table 't'; did you mean 'name'?"),
        ("indexes: [{columns: [name], nulls_not_distinct: true}]", "'nulls_not_distinct' applies to unique indexes"),
        ("indexes: [{columns: [name], using: gin, include: [id]}]", "INCLUDE columns need a btree, gist or spgist index, not gin"),
        ("indexes: [{columns: [{column: name, opclass: 'x; drop'}]}]", "'x; drop' is not an operator class name"),
        ("exclude: [{elements: [{column: during, with: '&& ; DROP TABLE t'}]}]", "is not an operator; write one such as =, && or <>"),
        ("exclude: [{elements: [{column: during, with: '--'}]}]", "'--' is not an operator"),
        ("exclude: [{elements: [{column: during, with: '&&'}], where: 'random() > 0'}]", "random() is not immutable"),
    ],
)
def test_index_and_exclusion_errors(tmp_path, extra, message):
    errors = build_errors(tmp_path, TABLE + "    " + extra + "\n")
    assert any(message in e for e in errors), errors


COMMENTED = """
version: 1
comments: {classification_tag: TAG, table_details: DETAILS}
tables:
  notes:
    description: Notes, as the application's own migration described them.
    classification: administrative
    retention: One year.
    columns:
      id: {type: bigint, primary_key: true, identity: always, description: "Row id."}
      body: {type: text, classification: phi, encrypted: true, description: "The note's text."}
      plain: {type: text, nullable: true}
"""


@pytest.mark.parametrize(
    "tag, details, table_comment, body_comment, plain_comment",
    [
        ("none", "false", "Notes, as the application's own migration described them.", "The note's text.", None),
        ("end", "false", "Notes, as the application's own migration described them.",
         "The note's text. [ENCRYPTED PHI: encrypted at rest and in transit]", "[administrative]"),
        ("start", "true", "Notes, as the application's own migration described them. Classification: PHI, administrative. Retention: One year.",
         "[ENCRYPTED PHI: encrypted at rest and in transit] The note's text.", "[administrative]"),
    ],
)
def test_comments_verbatim_or_tagged(tmp_path, conn, tag, details, table_comment, body_comment, plain_comment):
    from helpers import write_spec

    schema = load_schema(str(write_spec(tmp_path, COMMENTED.replace("TAG", tag).replace("DETAILS", details))))
    run_sql(conn, render_migration(schema))
    comments = dict(conn.execute(
        "SELECT attname, col_description(attrelid, attnum) FROM pg_attribute WHERE attrelid = 'notes'::regclass AND attnum > 0 "
        "UNION ALL SELECT '-', obj_description('notes'::regclass, 'pg_class')"
    ))
    assert (comments["-"], comments["body"], comments["plain"]) == (table_comment, body_comment, plain_comment)
    assert differences(conn, schema) == []
    conn.execute("COMMENT ON COLUMN notes.body IS 'edited by hand'")
    assert any(d.startswith("column notes.body: comment") for d in differences(conn, schema))


def test_timestamp_column_names_are_checked(tmp_path):
    errors = build_errors(tmp_path, BASE.replace("    columns:", "    timestamps: {created: Bad Name, updated: x}\n    columns:") + "      x: {type: text}\n")
    assert any("timestamp column name 'Bad Name' is not a valid name" in e for e in errors), errors
    assert any("'x' is added by 'timestamps'; remove this column or set timestamps: false" in e for e in errors), errors


def test_domain_errors(tmp_path):
    spec = "version: 1\ndomains:\n  d: {type: text, check: 'length(x) > 0'}\n  e: {type: nope}\n" + BASE.split("\n", 2)[2]
    errors = build_errors(tmp_path, spec)
    assert any("the domain check names unknown column 'x'" in e for e in errors), errors
    assert any("unknown column type 'nope'" in e and e.startswith("schema.yaml:4:") for e in errors), errors


def test_docs_and_schema_json_show_the_constructs(schema):
    import json

    from schemac.emit.markdown import render_db_schema
    from schemac.emit.normalized import render_schema_json

    md = render_db_schema(schema)
    for text in (
        "`GENERATED ALWAYS AS IDENTITY`",
        "`GENERATED BY DEFAULT AS IDENTITY (START WITH 1000 INCREMENT BY 5)`",
        "`serial`",
        "`GENERATED ALWAYS AS (lower(nickname)) STORED`",
        "collate `C`",
        "cascade; on update cascade; deferrable initially deferred",
        "no action; on update set null; match full",
        "PostgreSQL enum type.",
        "| `orders_no_overlap_excl` | exclusion |",
        "`(lower(handle))`",
        "`\"nickname\" \"text_pattern_ops\"`; include `score`",
        "## Domains",
        "| `citext` | `extensions` |",
    ):
        assert text in md, text
    doc = json.loads(render_schema_json(schema))
    accounts = next(t for t in doc["tables"] if t["name"] == "accounts")
    assert next(c for c in accounts["columns"] if c["name"] == "id")["identity"]["generated"] == "always"
    assert doc["domains"][0]["check"] == "value ~ '^[^@]+@[^@]+$'"
    assert [e["name"] for e in doc["enums"] if e["native"]] == ["plan"]
