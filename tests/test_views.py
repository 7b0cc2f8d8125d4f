"""views: on a real PostgreSQL: they apply, row level security holds through security_invoker, verify passes and catches changes."""

from __future__ import annotations

import json

import psycopg
import pytest

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema
from schemac.verify.run import compare_schema, normalize_expressions

from helpers import build_errors, write_spec

SPEC = """\
tables:
  notes:
    description: Notes.
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      author_id: {type: uuid, references: auth.users.id, description: The author.}
      title: {type: text}
      body: {type: text, classification: phi, encrypted: true, description: The note.}
      words: {type: integer, default: 0}
    policies:
      - {name: own_notes, for: [all], owner: author_id}
views:
  note_titles:
    description: Titles without the PHI body.
    security_invoker: true
    query: |
      SELECT n.id, n.author_id, n.title, upper(n.title)::text AS shout, n.words * 2 AS double_words
      FROM public.notes n
    columns:
      double_words: {type: integer, description: Twice the words.}
  note_bodies:
    security_invoker: true
    query: SELECT n.id, n.body, length(n.body)::integer AS body_length FROM public.notes n
  note_stats:
    materialized: true
    query: SELECT n.author_id, count(*) AS notes FROM public.notes n GROUP BY n.author_id
    grant_select: [service_role]
    indexes:
      - {columns: [author_id], unique: true}
"""


def diffs_of(conn, schema) -> list[str]:
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    return diffs


@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    return conn, schema


def test_classification_is_derived_from_the_source_columns(tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    views = {v.name: v for v in schema.views}
    assert {c.name: c.classification for c in views["note_bodies"].columns} == {"id": "administrative", "body": "phi", "body_length": "phi"}
    titles = {c.name: c for c in views["note_titles"].columns}
    assert titles["author_id"].description == "The author."  # passed through from the source column
    assert titles["double_words"].type.sql == "integer" and titles["shout"].type.name == "text"
    assert views["note_titles"].updatable and not views["note_stats"].updatable


def test_applies_verifies_and_reapplies(applied):
    conn, schema = applied
    assert diffs_of(conn, schema) == []
    run_sql(conn, render_migration(schema))
    assert diffs_of(conn, schema) == []
    kinds = dict(conn.execute("SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')").fetchall())
    assert kinds == {"note_titles": "v", "note_bodies": "v", "note_stats": "m"}


def test_security_invoker_keeps_row_level_security_and_grants_are_exact(applied):
    conn, _ = applied
    a, b = (conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id", (f"{x}@t.test",)).fetchone()[0] for x in "ab")
    for author in (a, b):
        conn.execute("INSERT INTO notes (author_id, title, body) VALUES (%s, 'hi', 'secret')", (author,))
    conn.execute("REFRESH MATERIALIZED VIEW note_stats")
    conn.execute("SELECT set_config('request.jwt.claims', %s, false)", (json.dumps({"sub": str(a)}),))
    conn.execute("SET ROLE authenticated")
    assert conn.execute("SELECT author_id FROM note_titles").fetchall() == [(a,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM note_stats")  # materialized: service_role only
    conn.execute("RESET ROLE")
    conn.execute("SET ROLE anon")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM note_titles")
    conn.execute("RESET ROLE")


def test_an_owners_rights_view_would_show_every_row(applied):
    """Why SC132 exists: the same view without security_invoker shows a user rows their policies hide."""
    conn, _ = applied
    a, b = (conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id", (f"{x}@t.test",)).fetchone()[0] for x in "ab")
    for author in (a, b):
        conn.execute("INSERT INTO notes (author_id, title, body) VALUES (%s, 'hi', 'secret')", (author,))
    conn.execute("ALTER VIEW note_titles SET (security_invoker = false)")
    conn.execute("SELECT set_config('request.jwt.claims', %s, false)", (json.dumps({"sub": str(a)}),))
    conn.execute("SET ROLE authenticated")
    assert len(conn.execute("SELECT author_id FROM note_titles").fetchall()) == 2
    conn.execute("RESET ROLE")


@pytest.mark.parametrize(
    "statement, expected",
    [
        (
            "CREATE OR REPLACE VIEW note_titles WITH (security_invoker = true) AS SELECT n.id, n.author_id, n.title, "
            "upper(n.title)::text AS shout, n.words * 2 AS double_words FROM public.notes n WHERE n.words > 0",
            "view note_titles: query",
        ),
        ("ALTER VIEW note_titles SET (security_invoker = false)", "view note_titles: options"),
        ("GRANT SELECT ON note_stats TO anon", "materialized view note_stats: SELECT granted to"),
        ("DROP INDEX note_stats_author_id_uidx", "index note_stats.note_stats_author_id_uidx: missing"),
        ("COMMENT ON COLUMN note_bodies.body IS 'harmless'", "view note_bodies: comment on column body"),
        ("DROP VIEW note_bodies", "view note_bodies: missing from the database"),
        ("CREATE VIEW extra AS SELECT 1 AS one", "view extra: in the database but not in the spec"),
        (
            "DROP MATERIALIZED VIEW note_stats; CREATE VIEW note_stats AS SELECT n.author_id, count(*) AS notes FROM public.notes n GROUP BY n.author_id",
            "view note_stats: kind",
        ),
    ],
)
def test_verify_catches_a_hand_made_change(applied, statement, expected):
    conn, schema = applied
    conn.execute(statement)
    found = diffs_of(conn, schema)
    assert any(d.startswith(expected) for d in found), found


def test_query_errors_are_positioned_in_the_spec(tmp_path):
    spec = SPEC.replace("FROM public.notes n\n    columns", "FROM public.notez n\n    columns").replace(
        "SELECT n.id, n.body, length", "SELECT n.id, n.bodyy, length"
    )
    assert build_errors(tmp_path, spec) == [
        "schema.yaml:19:12: unknown table 'notez'; did you mean 'notes'?",
        "schema.yaml:24:25: unknown column 'bodyy'; did you mean 'body'?",
    ]


def test_a_query_is_one_select_and_nothing_else(tmp_path):
    spec = SPEC.replace("GROUP BY n.author_id", "GROUP BY n.author_id; DROP TABLE notes")
    errors = build_errors(tmp_path, spec)
    assert errors == ["schema.yaml:27:90: the query must be exactly one SELECT statement (no ';' and nothing after it)"], errors
