"""INSTEAD OF triggers on views: a view that is not auto-updatable (it computes or joins) made writable by a trigger.

On a real PostgreSQL: the trigger applies and routes writes through the view to its table, verify passes and
catches a hand-made change, the spec refuses what PostgreSQL refuses (WHEN, UPDATE OF, statement level, a table),
and the planner re-creates the trigger when its view is rebuilt.
"""

from __future__ import annotations

import psycopg
import pytest

from helpers import build_errors, write_spec
from plan_pairs import migrated, spec
from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema, read_triggers
from schemac.emit.sql import render_migration
from schemac.pipeline import load_schema
from schemac.verify.run import compare_external_triggers, compare_schema, normalize_expressions

SPEC = """\
tables:
  items:
    description: Things for sale.
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      price_cents: {type: integer}
functions:
  write_item_prices:
    description: Writes a row of item_prices back into items (euros into cents).
    returns: trigger
    language: plpgsql
    body: |
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO public.items (id, name, price_cents) VALUES (NEW.id, NEW.name, round(NEW.price * 100));
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE public.items SET name = NEW.name, price_cents = round(NEW.price * 100) WHERE id = OLD.id;
        ELSE
          DELETE FROM public.items WHERE id = OLD.id;
          RETURN OLD;
        END IF;
        RETURN NEW;
      END;
views:
  item_prices:
    description: Items with their price in euros.
    security_invoker: true
    query: SELECT i.id, i.name, (i.price_cents / 100.0)::numeric(12, 2) AS price FROM public.items i
triggers:
  item_prices_write:
    description: Makes item_prices writable.
    table: item_prices
    timing: instead of
    events: [insert, update, delete]
    function: write_item_prices
"""


def diffs_of(conn, schema) -> list[str]:
    diffs: list[str] = []
    norm = normalize_expressions(conn, schema)
    compare_schema(schema, read_schema(conn), norm, diffs)
    external = {key: read_triggers(conn, *key.split(".")) for key in norm.external_triggers}
    compare_external_triggers(norm, external, diffs)
    return diffs


@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    return conn, schema


def test_the_view_is_writable_through_its_trigger_and_verify_passes(applied):
    conn, schema = applied
    assert diffs_of(conn, schema) == []
    conn.execute("INSERT INTO item_prices (id, name, price) VALUES (1, 'pen', 2.50)")
    conn.execute("UPDATE item_prices SET price = 3 WHERE id = 1")
    assert conn.execute("SELECT price_cents FROM items WHERE id = 1").fetchone() == (300,)
    conn.execute("DELETE FROM item_prices WHERE id = 1")
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (0,)
    [trigger] = schema.triggers
    assert (trigger.timing, trigger.table, trigger.level) == ("INSTEAD OF", "item_prices", "ROW")


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("DROP TRIGGER item_prices_write ON public.item_prices", "trigger public.item_prices.item_prices_write: missing from the database"),
        (
            "CREATE OR REPLACE TRIGGER item_prices_write INSTEAD OF INSERT ON public.item_prices FOR EACH ROW EXECUTE FUNCTION public.write_item_prices()",
            "trigger public.item_prices.item_prices_write",
        ),
        (
            "CREATE TRIGGER extra INSTEAD OF DELETE ON public.item_prices FOR EACH ROW EXECUTE FUNCTION public.write_item_prices()",
            "trigger public.item_prices.extra: in the database but not in the spec",
        ),
    ],
)
def test_verify_catches_a_hand_made_change(applied, statement, expected):
    conn, schema = applied
    conn.execute(statement)
    found = diffs_of(conn, schema)
    assert any(d.startswith(expected) for d in found), found


def test_what_postgresql_refuses_is_refused_at_its_place(tmp_path):
    bad = SPEC.replace("    events: [insert, update, delete]\n", "    events: [insert, update, truncate]\n    when: new.id > 0\n    for_each: statement\n")
    errors = build_errors(tmp_path, bad)
    assert any("an INSTEAD OF trigger fires for each row" in e for e in errors), errors
    assert any("an INSTEAD OF trigger cannot have WHEN" in e for e in errors), errors
    assert any("TRUNCATE" in e for e in errors), errors
    on_table = SPEC.replace("    table: item_prices\n", "    table: items\n")
    assert any("INSTEAD OF triggers go on views" in e for e in build_errors(tmp_path, on_table))
    on_view = SPEC.replace("    timing: instead of\n", "    timing: before\n")
    assert any("a view takes only INSTEAD OF triggers" in e for e in build_errors(tmp_path, on_view))


def test_a_rebuilt_view_gets_its_trigger_back(pg_server, tmp_path):
    new = SPEC.replace("AS price FROM public.items i", "AS price, i.price_cents FROM public.items i").replace(
        "i.id, i.name, (i.price_cents", "i.name, i.id, (i.price_cents"
    )
    rows = "INSERT INTO items (id, name, price_cents) VALUES (1, 'pen', 250);"
    with migrated(pg_server, spec(tmp_path, "old", SPEC), spec(tmp_path, "new", new), rows) as (conn, plan):
        lines = [s.summary for s in plan.statements]
        assert lines[:2] == ["drop view item_prices", "create view item_prices"]
        assert "add trigger item_prices_write on item_prices" in lines
        assert "drop trigger item_prices_write on item_prices" not in lines  # went with the view
        conn.execute("UPDATE item_prices SET price = 4 WHERE id = 1")
        assert conn.execute("SELECT price_cents FROM items").fetchone() == (400,)


def test_import_reads_the_trigger_back_and_the_round_trip_is_exact(pg_server, tmp_path):
    from roundtrip import round_trip, shares_line

    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    result = round_trip(pg_server, render_migration(schema), tmp_path)
    assert result.imported.left_out == ()
    [trigger] = result.imported.inspection.schema.triggers
    assert (trigger.name, trigger.table, trigger.timing, trigger.events) == ("item_prices_write", "item_prices", "INSTEAD OF", ("INSERT", "DELETE", "UPDATE"))
    assert result.totals["views"] == 1 and all(result.exact[k] == result.totals[k] for k in result.totals), shares_line("instead of", result)


def test_import_reports_a_trigger_on_a_view_it_cannot_hold(conn):
    from schemac.db.importing import import_database

    conn.execute("CREATE TABLE public.t (id int PRIMARY KEY)")
    conn.execute("CREATE VIEW public.v WITH (check_option = local) AS SELECT id FROM public.t")
    conn.execute("CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$")
    conn.execute("CREATE TRIGGER v_write INSTEAD OF INSERT ON public.v FOR EACH ROW EXECUTE FUNCTION public.f()")
    imported = import_database(conn, ("public",))
    reported = {(i.kind, i.table, i.name): i for i in imported.left_out}
    assert reported[("trigger", "public.v", "v_write")].reason == "it is on v, a view the spec does not hold"
    assert "sql:\n  view_v:\n" in imported.text and "  trigger_v_write:\n" in imported.text
    assert imported.text.index("  view_v:") < imported.text.index("  trigger_v_write:")
