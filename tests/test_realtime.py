"""realtime / replica_identity on a real PostgreSQL: the publication and replica identity are set, verify proves them."""

from __future__ import annotations

import pytest

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema
from schemac.verify.run import compare_schema, normalize_expressions

from helpers import write_spec

SPEC = """\
tables:
  messages:
    description: Chat messages, pushed to clients through Supabase Realtime.
    classification: administrative
    realtime: true
    replica_identity: full
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      body: {type: text}
  notes:
    description: Not published.
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
"""


def diffs_of(conn, schema):
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    return diffs


@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    run_sql(conn, render_migration(schema))  # re-runnable: the publication and membership are not added twice
    return conn, schema


def test_publication_and_replica_identity(applied):
    conn, schema = applied
    published = conn.execute("SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'").fetchall()
    assert published == [("messages",)]
    identities = dict(conn.execute("SELECT relname, relreplident FROM pg_class WHERE relname IN ('messages', 'notes')").fetchall())
    assert identities == {"messages": "f", "notes": "d"}
    assert diffs_of(conn, schema) == []


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("ALTER PUBLICATION supabase_realtime DROP TABLE public.messages", "table messages: in the supabase_realtime publication"),
        ("ALTER PUBLICATION supabase_realtime ADD TABLE public.notes", "table notes: in the supabase_realtime publication"),
        ("ALTER TABLE public.messages REPLICA IDENTITY DEFAULT", "table messages: replica identity"),
    ],
)
def test_verify_catches_a_change(applied, statement, expected):
    conn, schema = applied
    conn.execute(statement)
    found = diffs_of(conn, schema)
    assert any(d.startswith(expected) for d in found), found
