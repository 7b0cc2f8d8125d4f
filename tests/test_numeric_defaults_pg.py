"""A legal numeric default at any precision PostgreSQL allows compiles, and the server stores exactly it."""

from __future__ import annotations

from decimal import Decimal

from schemac.db.apply import run_sql
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import load_schema, render_outputs

SPEC = """\
version: 1
tables:
  amounts:
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      wide: {type: 'numeric(40,2)', default: 123456789012345678901234567890.12}
      long_int: {type: 'numeric(1000,0)', default: '%s'}
      huge: {type: numeric, default: 1e999}
      tiny: {type: numeric, default: -1.5e-300}
""" % ("9" * 1000)


def test_wide_numeric_defaults_reach_the_server_exactly(conn, tmp_path):
    (tmp_path / "schema.yaml").write_text(SPEC)
    run_sql(conn, render_outputs(load_schema(str(tmp_path / "schema.yaml")))[MIGRATION_PATH])
    conn.execute("INSERT INTO public.amounts DEFAULT VALUES")
    wide, long_int, huge, tiny = conn.execute("SELECT wide, long_int, huge, tiny FROM public.amounts").fetchone()
    assert wide == Decimal("123456789012345678901234567890.12")
    assert long_int == Decimal("9" * 1000)
    assert huge == Decimal("1e999")
    assert tiny == Decimal("-1.5e-300")
