"""Triggers that run a function PostgreSQL or a contrib extension ships (Supabase's moddatetime), without a
`functions:` entry: compiled, applied and exercised on a real PostgreSQL, verified, and refused clearly when wrong."""

from __future__ import annotations

import time

import pytest

from helpers import build_errors, write_spec
from schemac.db.apply import run_sql
from schemac.emit.markdown import render_db_schema
from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema
from schemac.verify.run import catalog_differences

SPEC = """\
profile: general
extensions:
  moddatetime: {schema: extensions}
tables:
  notes:
    description: Notes.
    classification: internal
    columns:
      id: {type: bigint, primary_key: true, identity: always, description: Id.}
      body: {type: text, description: The note.}
      search: {type: tsvector, nullable: true, description: Its words.}
      touched_at: {type: timestamptz, default: now(), description: Last change.}
triggers:
  notes_touched:
    table: notes
    timing: before
    events: [update]
    function: moddatetime
    arguments: [touched_at]
  notes_search:
    table: notes
    timing: before
    events: [insert, update]
    function: tsvector_update_trigger
    arguments: [search, pg_catalog.english, body]
"""



@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    return conn, schema


def test_ready_made_trigger_functions_run_and_verify(applied):
    conn, schema = applied
    assert [t.function for t in schema.triggers] == ["extensions.moddatetime", "pg_catalog.tsvector_update_trigger"]
    run_sql(conn, render_migration(schema))  # idempotent
    assert catalog_differences(conn, schema) == []
    conn.execute("INSERT INTO public.notes (body, touched_at) VALUES ('the quick brown fox', '2020-01-01')")
    assert conn.execute("SELECT search::text FROM public.notes").fetchone()[0] == "'brown':3 'fox':4 'quick':2"
    time.sleep(0.01)
    conn.execute("UPDATE public.notes SET body = 'lazy dogs'")
    touched, search = conn.execute("SELECT touched_at > '2020-01-02', search::text FROM public.notes").fetchone()
    assert touched and search == "'dog':2 'lazi':1"
    conn.execute("DROP TRIGGER notes_touched ON public.notes")
    assert any("notes_touched" in d for d in catalog_differences(conn, schema))


def test_the_reference_names_the_function_without_a_link_to_a_section_it_does_not_have(tmp_path):
    text = render_db_schema(load_schema(str(write_spec(tmp_path, SPEC))))
    assert "`extensions.moddatetime()`" in text and "(#function-moddatetime)" not in text


@pytest.mark.parametrize(
    "change, error",
    [
        (("extensions:\n  moddatetime: {schema: extensions}\n", ""),
         "schema.yaml:16:5: moddatetime comes from the moddatetime extension; declare it: 'extensions: {moddatetime: {schema: extensions}}'"),
        (("function: moddatetime", "function: public.moddatetime"),
         "schema.yaml:18:5: moddatetime lives in schema extensions, not public; write 'extensions.moddatetime' or 'moddatetime'"),
        (("arguments: [touched_at]", "arguments: [nope]"),
         "schema.yaml:19:5: moddatetime takes one argument, the timestamp column it sets: e.g. 'arguments: [updated_at]'"),
        (("timing: before\n    events: [update]\n    function: moddatetime", "timing: after\n    events: [update]\n    function: moddatetime"),
         "schema.yaml:16:5: moddatetime sets NEW's column, so it runs 'timing: before' for each row"),
    ],
)
def test_wrong_uses_are_refused_at_their_key(tmp_path, change, error):
    assert build_errors(tmp_path, SPEC.replace(*change)) == [error]
