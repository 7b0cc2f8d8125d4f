"""Declarative policies: the owner shorthand, owner paths through foreign keys, and their errors."""

from __future__ import annotations

from helpers import build_errors, write_spec

from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema

SPEC = """
tables:
  threads:
    description: Threads.
    classification: administrative
    retention: One year.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      doctor_id: {type: uuid, references: auth.users.id, description: Owner.}
      title: {type: text, description: Title.}
    indexes:
      - columns: [doctor_id]
  posts:
    description: Posts.
    classification: administrative
    retention: One year.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      thread_id: {type: uuid, references: threads.id, description: Thread.}
    indexes:
      - columns: [thread_id]
    policies:
"""


def policies(tmp_path, text):
    schema = load_schema(str(write_spec(tmp_path, SPEC + text)))
    return schema.table("posts").policies


def test_owner_column_expands_per_operation(tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC.removesuffix("    policies:\n").replace("      - columns: [doctor_id]\n", "      - columns: [doctor_id]\n    policies:\n      - {name: own, for: [select, insert], owner: doctor_id}\n"))))
    [sel, ins] = schema.table("threads").policies
    assert (sel.name, sel.command, sel.roles, sel.using, sel.with_check) == (
        "own_select", "select", ("authenticated",), '"doctor_id" = (SELECT auth.uid())', None
    )
    assert (ins.name, ins.command, ins.using, ins.with_check) == ("own_insert", "insert", None, '"doctor_id" = (SELECT auth.uid())')


def test_owner_path_through_a_foreign_key(tmp_path):
    [p] = policies(tmp_path, "      - {name: own, for: [update], owner: thread_id.doctor_id}\n")
    expected = (
        'EXISTS (SELECT 1 FROM "public"."threads" p1 WHERE p1."id" = "posts"."thread_id" '
        'AND p1."doctor_id" = (SELECT auth.uid()))'
    )
    assert (p.name, p.using, p.with_check) == ("own", expected, expected)


def test_policies_compile_to_guarded_create_policy(tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC + "      - {name: own, for: [delete], owner: thread_id.doctor_id}\n")))
    sql = render_migration(schema)
    assert "WHERE schemaname = 'public' AND tablename = 'posts' AND policyname = 'own') THEN" in sql
    assert 'CREATE POLICY "own" ON "public"."posts" AS PERMISSIVE FOR DELETE TO authenticated USING (EXISTS' in sql
    assert sql.index("CREATE POLICY") > sql.index('CREATE TABLE IF NOT EXISTS "public"."posts"')


def test_a_dollar_tag_inside_an_expression_cannot_end_the_block(tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC + "      - {name: odd, for: [select], using: \"'a$schemac$' IS NOT NULL\"}\n")))
    sql = render_migration(schema)
    assert "DO $schemac_$" in sql and "END\n$schemac_$;" in sql


def test_owner_path_errors_are_positioned(tmp_path):
    errors = build_errors(
        tmp_path,
        SPEC
        + "      - {name: a, for: [select], owner: thread.doctor_id}\n"
        + "      - {name: b, for: [select], owner: id.doctor_id}\n"
        + "      - {name: c, for: [select], owner: thread_id.title}\n"
        + "      - {name: d, for: [select], owner: thread_id.doctor_id.id}\n"
        + "      - {name: e, for: [select], owner: thread_id, using: 'true'}\n"
        + "      - {name: f, for: [select]}\n",
    )
    assert errors == [
        "schema.yaml:22:34: owner path names unknown column 'thread' of table 'posts'; did you mean 'thread_id'?",
        "schema.yaml:23:34: 'posts.id' is not a foreign key; each step of an owner path before the last must be a single-column foreign key, e.g. conversation_id.doctor_id",
        "schema.yaml:24:34: owner column 'threads.title' is text; it must be a uuid holding the owning user's id (auth.uid())",
        "schema.yaml:25:34: 'threads.doctor_id' points at auth.users, which has no owner column; end the path at 'doctor_id'",
        "schema.yaml:26:34: give either 'owner' or 'using'/'with_check', not both; write the whole condition in 'using' if you need more than ownership",
        "schema.yaml:27:9: policy 'f' says nothing about rows; add 'owner: <column>' or a 'using' / 'with_check' expression",
    ]


def test_raw_expressions_must_fit_the_command_and_stay_one_expression(tmp_path):
    errors = build_errors(
        tmp_path,
        SPEC
        + "      - {name: a, for: [insert], using: 'true', with_check: 'true'}\n"
        + "      - {name: b, for: [select], using: 'true); DROP TABLE posts; --'}\n"
        + "      - {name: c, for: [insert]}\n"
        + "      - {name: d, for: [all, select], using: 'true'}\n",
    )
    assert errors == [
        "schema.yaml:22:34: 'using' does not apply to insert; PostgreSQL uses USING for select, update and delete",
        'schema.yaml:23:46: SQL syntax error in the expression: syntax error at or near ")"; fix it at this point',
        "schema.yaml:24:9: policy 'c' says nothing about rows; add 'owner: <column>' or a 'using' / 'with_check' expression",
        "schema.yaml:25:19: 'all' already covers every operation; list 'all' alone or the operations without it",
    ]


def test_duplicate_policy_names_after_expansion(tmp_path):
    errors = build_errors(
        tmp_path,
        SPEC + "      - {name: own, for: [select, update], owner: thread_id.doctor_id}\n"
        + "      - {name: own_select, for: [select], owner: thread_id.doctor_id}\n",
    )
    assert errors == ["schema.yaml:23:9: policy name 'own_select' is used twice on table 'posts'; rename one of the policies"]


def test_any_policy_name_is_kept_verbatim_and_inert(tmp_path, conn):
    """Supabase-style names with spaces, and hostile ones, are quoted everywhere: the policy exists under exactly that name."""
    from schemac.db.apply import run_sql
    from schemac.db.catalog import read_schema
    from schemac.verify.run import compare_schema, normalize_expressions

    hostile = 'x"; DROP TABLE posts; --'
    schema = load_schema(str(write_spec(tmp_path, SPEC + f"      - {{name: '{hostile}', for: [select], owner: thread_id.doctor_id}}\n"
                                        + "      - {name: Allow logged-in read access, for: [select, update], owner: thread_id.doctor_id}\n")))
    run_sql(conn, render_migration(schema))
    names = {r[0] for r in conn.execute("SELECT policyname FROM pg_policies WHERE tablename = 'posts'")}
    assert {hostile, "Allow logged-in read access_select", "Allow logged-in read access_update"} <= names
    assert conn.execute("SELECT to_regclass('public.posts') IS NOT NULL").fetchone()[0]
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    assert diffs == []


def test_policy_names_within_postgresqls_limits(tmp_path):
    errors = build_errors(
        tmp_path,
        SPEC + "      - {name: \"tab\\there\", for: [select], owner: thread_id.doctor_id}\n"
        + f"      - {{name: {'x' * 64}, for: [select], owner: thread_id.doctor_id}}\n"
        + "      - {name: ' ', for: [select], owner: thread_id.doctor_id}\n",
    )
    assert errors == [
        "schema.yaml:22:10: a policy name cannot hold control characters (tabs, newlines, ...); write it on one line",
        f"schema.yaml:23:10: policy name '{'x' * 20}…' is 64 bytes; PostgreSQL truncates names longer than 63 bytes: shorten it",
        "schema.yaml:24:10: a policy name must not be empty",
    ]
