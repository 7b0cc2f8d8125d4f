"""`primary_key_name`: an existing database's primary key keeps its name (pk_orders), so import describes it as it is."""

from __future__ import annotations

from helpers import build_errors, write_spec
from migration_project import compiled, new_project

from schemac.db.apply import run_sql
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import load_schema, render_outputs

SPEC = """
profile: none
tables:
  orders:
    primary_key_name: pk_orders
    columns:
      order_id: {type: smallint, primary_key: true}
  order_lines:
    primary_key: [order_id, line]
    primary_key_name: pk_order_lines
    columns:
      order_id: {type: smallint, references: orders.order_id}
      line: {type: smallint}
"""


def test_the_named_primary_key_is_created_and_referenced(tmp_path, conn):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    assert [t.primary_key.name for t in schema.tables] == ["pk_orders", "pk_order_lines"]
    run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
    names = conn.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1"
    ).fetchall()
    assert names == [("order_lines", "pk_order_lines"), ("orders", "pk_orders")]


def test_verify_catches_a_renamed_primary_key(tmp_path, db_url):
    import psycopg

    project = new_project(tmp_path, SPEC)
    compiled(project)
    applied = project.run("apply", "--database-url", db_url)
    assert applied.exit_code == 0, applied.output
    clean = project.run("verify", "--database-url", db_url)
    assert clean.exit_code == 0, clean.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.orders RENAME CONSTRAINT pk_orders TO orders_pkey")
    drifted = project.run("verify", "--database-url", db_url)
    assert drifted.exit_code == 1 and "pk_orders" in drifted.output, drifted.output
