"""`primary_key_name`: an existing database's primary key keeps its name (pk_orders), so import describes it as it is."""

from __future__ import annotations

from helpers import build_errors, write_spec

from schemac.db.apply import run_sql
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import load_schema, render_outputs
from schemac.verify.run import run_verify

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

    write_spec(tmp_path, SPEC)
    schema = load_schema(str(tmp_path / "schema.yaml"))
    out = tmp_path / "compiled"
    (out / "migrations").mkdir(parents=True)
    (out / MIGRATION_PATH).write_text(render_outputs(schema)[MIGRATION_PATH], encoding="utf-8")
    assert run_verify(schema, str(out), db_url).differences == []
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.orders RENAME CONSTRAINT pk_orders TO orders_pkey")
    differences = run_verify(schema, str(out), db_url, apply=False).differences
    assert any("pk_orders" in d for d in differences), differences


def test_a_name_without_a_primary_key_is_an_error(tmp_path):
    spec = SPEC.replace("      order_id: {type: smallint, primary_key: true}", "      order_id: {type: smallint}")
    assert build_errors(tmp_path, spec)[0] == (
        "schema.yaml:4:5: 'primary_key_name' names a primary key, but the table has none; add 'primary_key: true' to "
        "its column (or 'primary_key: [...]' here), or remove the name"
    )
    assert build_errors(tmp_path, SPEC.replace("pk_orders", "Bad Name"))[0].startswith("schema.yaml:4:5: constraint name 'Bad Name' is not a valid name")
