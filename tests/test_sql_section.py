"""The sql: section: hand-written SQL kept in the migration, its objects neither extra nor unchecked in verify."""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from schemac.cli import app

from helpers import build_errors, write_spec

runner = CliRunner()

SPEC = """\
tables:
  items:
    description: Items.
    classification: administrative
    retention: Kept forever.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      name: {type: text, description: Name.}
sql:
  name_search:
    description: A trigram-free search helper with OUT parameters, which functions cannot declare.
    sql: |
      CREATE OR REPLACE FUNCTION public.item_stats(OUT total bigint, OUT longest integer)
      LANGUAGE sql STABLE AS $$ SELECT count(*), coalesce(max(length(name)), 0) FROM public.items $$;
      CREATE INDEX IF NOT EXISTS items_lower_name_idx ON public.items (lower(name));
"""


def compile_spec(tmp_path, text=SPEC):
    spec = write_spec(tmp_path, text)
    result = runner.invoke(app, ["compile", "--spec", str(spec), "--out", str(tmp_path / "compiled")])
    assert result.exit_code == 0, result.output
    return spec


def verify(spec, tmp_path, *args):
    return runner.invoke(app, ["verify", "--spec", str(spec), "--out", str(tmp_path / "compiled"), *args])


def test_the_block_is_in_the_migration_and_verify_passes(tmp_path):
    spec = compile_spec(tmp_path)
    migration = (tmp_path / "compiled" / "migrations" / "001_initial_schema.sql").read_text()
    assert "-- sql: name_search (hand-written in the spec" in migration
    assert migration.index("item_stats") < migration.index("COMMIT;")
    result = verify(spec, tmp_path)
    assert result.exit_code == 0, result.output
    assert "in the database but not in the spec" not in result.output
    assert "the objects of the spec's sql: section are as the migrations create them" in result.output


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            "CREATE OR REPLACE FUNCTION public.item_stats(OUT total bigint, OUT longest integer) LANGUAGE sql STABLE "
            "AS $$ SELECT 0::bigint, 0 $$",
            "function public.item_stats(OUT total bigint, OUT longest integer) (from the spec's sql: section)",
        ),
        ("DROP INDEX public.items_lower_name_idx", "index items.items_lower_name_idx (from the spec's sql: section): missing"),
        ("CREATE FUNCTION public.not_declared() RETURNS int LANGUAGE sql AS 'SELECT 1'", "function public.not_declared: in the database but not in the spec"),
    ],
)
def test_verify_catches_a_change_to_what_a_block_creates(tmp_path, db_url, change, expected):
    spec = compile_spec(tmp_path)
    applied = runner.invoke(app, ["apply", "--spec", str(spec), "--out", str(tmp_path / "compiled"), "--database-url", db_url])
    assert applied.exit_code == 0, applied.output
    first = verify(spec, tmp_path, "--database-url", db_url)
    assert first.exit_code == 0, first.output
    assert "built a reference database for the objects of the spec's sql: section" in first.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(change)
    result = verify(spec, tmp_path, "--database-url", db_url)
    assert result.exit_code == 1
    assert expected in result.output, result.output


def test_errors_are_positioned_and_transaction_control_refused(tmp_path):
    bad = SPEC.replace("CREATE INDEX IF", "CREATE INDX IF")
    errors = build_errors(tmp_path, bad)
    assert errors == ['schema.yaml:15:14: SQL syntax error: syntax error at or near "INDX"; fix it at this point']
    escaping = SPEC.replace("      CREATE INDEX", "      COMMIT;\n      CREATE INDEX")
    errors = build_errors(tmp_path, escaping)
    assert errors == [
        "schema.yaml:15:7: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) cannot be used here: the whole migration is one transaction"
    ]


SEQUENCE_SPEC = """\
tables:
  tickets:
    description: Tickets numbered from a sequence the spec's grammar cannot declare on its own.
    classification: administrative
    retention: Kept forever.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      number: {type: bigint, default_expression: "nextval('public.ticket_numbers')", description: Number.}
sql:
  ticket_numbers:
    description: A sequence a column default uses, so the block runs before the tables.
    sql: CREATE SEQUENCE IF NOT EXISTS public.ticket_numbers START WITH 1000;
"""


def test_a_block_of_sequences_and_types_runs_before_the_tables_that_use_it(tmp_path):
    """A block that only creates sequences, types or domains runs before the tables (a column's default or type may
    use it); verify applies the migration on a real PostgreSQL, so a block placed after the tables fails it."""
    spec = compile_spec(tmp_path, SEQUENCE_SPEC)
    migration = (tmp_path / "compiled" / "migrations" / "001_initial_schema.sql").read_text()
    assert migration.index("CREATE SEQUENCE IF NOT EXISTS public.ticket_numbers") < migration.index('CREATE TABLE IF NOT EXISTS "public"."tickets"')
    result = verify(spec, tmp_path)
    assert result.exit_code == 0, result.output
    # a later migration: a new sequence block and a column whose default uses it, planned into one migration whose
    # statements run in order on PostgreSQL (the block before the ADD COLUMN)
    later = SEQUENCE_SPEC.replace(
        "      number: {",
        "      rank: {type: bigint, default_expression: \"nextval('public.ticket_ranks')\", description: Rank.}\n      number: {",
    ).replace("sql:\n", "sql:\n  ticket_ranks:\n    sql: CREATE SEQUENCE IF NOT EXISTS public.ticket_ranks;\n")
    spec.write_text(later)
    result = runner.invoke(app, ["compile", "--spec", str(spec), "--out", str(tmp_path / "compiled"), "--name", "rank"])
    assert result.exit_code == 0, result.output
    second = (tmp_path / "compiled" / "migrations" / "002_rank.sql").read_text()
    assert second.index("CREATE SEQUENCE IF NOT EXISTS public.ticket_ranks") < second.index('ADD COLUMN "rank"')
    result = verify(spec, tmp_path)
    assert result.exit_code == 0, result.output


def test_a_block_with_anything_else_runs_after_everything_the_spec_creates(tmp_path):
    from schemac.pipeline import load_schema

    spec = write_spec(tmp_path, SPEC)
    assert [b.runs_first for b in load_schema(str(spec)).sql_blocks] == [False]
    mixed = SEQUENCE_SPEC.replace("START WITH 1000;", "START WITH 1000;\n      SELECT 1;")
    spec = write_spec(tmp_path, mixed)
    assert [b.runs_first for b in load_schema(str(spec)).sql_blocks] == [False]
