"""The hostile corpus (tests/hostile_cases.py) through the real CLI: every case is refused at its exact FILE:LINE:COL,
exit 1, no traceback, the output folder untouched; the specs that compile are applied with plain `psql -f`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from schemac.cli import app
from schemac.db.server import install_supabase_stand_in, scratch_database
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import load_schema, render_outputs

from hostile_cases import BASE, HOSTILE_TEXTS, MARK, compiling_spec, refused_cases

CASES = refused_cases()
POSITION = re.compile(r"^schema\.yaml:(\d+):(\d+): ", re.M)


def test_the_corpus_is_large_and_every_case_is_marked_once():
    assert len(CASES) >= 150
    assert len({name for name, _ in CASES}) == len(CASES)
    assert all(text.count(MARK) == 1 for _, text in CASES), [name for name, text in CASES if text.count(MARK) != 1]


def expected_position(text: str) -> tuple[int, int]:
    """Line and column of the marker, counted as editors count (LF, CRLF and lone CR end lines)."""
    before = text[: text.index(MARK)]
    lines = re.split(r"\r\n|\r|\n", before)
    return len(lines), len(lines[-1]) + 1


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def compiled_base(tmp_path_factory) -> Path:
    """A compiled/ folder from the valid BASE spec, copied into each case's folder."""
    folder = tmp_path_factory.mktemp("base")
    (folder / "schema.yaml").write_text(BASE)
    result = CliRunner().invoke(app, ["compile", "--spec", str(folder / "schema.yaml"), "--out", str(folder / "compiled")])
    assert result.exit_code == 0, result.output
    return folder / "compiled"


@pytest.mark.parametrize("name, text", CASES, ids=[name for name, _ in CASES])
def test_a_hostile_spec_is_refused_at_its_position_and_writes_nothing(name, text, tmp_path, compiled_base, monkeypatch):
    line, col = expected_position(text)
    (tmp_path / "schema.yaml").write_bytes(text.replace(MARK, "").encode("utf-8", "surrogateescape"))
    shutil.copytree(compiled_base, tmp_path / "compiled")
    before = tree(tmp_path / "compiled")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compile", "--spec", "schema.yaml", "--out", "compiled"])
    output = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 1, output[:2000]
    assert "Traceback" not in output
    assert f"schema.yaml:{line}:{col}: " in output, f"expected schema.yaml:{line}:{col}, got:\n{output[:3000]}"
    assert len(output) < 20_000  # a huge bad value is not echoed whole
    assert tree(tmp_path / "compiled") == before
    assert sorted(os.listdir(tmp_path)) == ["compiled", "schema.yaml"]


def psql() -> str:
    found = shutil.which("psql")
    if found is None:
        if os.environ.get("CI") or os.environ.get("REQUIRE_PG"):
            pytest.fail("psql is not installed (scripts/setup.sh installs postgresql-client)")
        pytest.skip("psql is not installed")
    return found


@pytest.mark.parametrize("conforming", ["on", "off"])
def test_hostile_text_survives_plain_psql_f_and_is_stored_literally(pg_server, tmp_path, conforming):
    """No ON_ERROR_STOP, one transaction per statement: the way a migration pasted into a SQL editor runs."""
    text, texts = compiling_spec()
    (tmp_path / "schema.yaml").write_text(text)
    schema = load_schema(str(tmp_path / "schema.yaml"))
    migration = tmp_path / "migration.sql"
    migration.write_text(render_outputs(schema)[MIGRATION_PATH])
    with scratch_database(pg_server, "schemac_psql") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            install_supabase_stand_in(conn)
            conn.execute("CREATE TABLE public.sentinel (id int)")
            conn.execute(f"ALTER DATABASE {conn.info.dbname} SET standard_conforming_strings = {conforming}")
        run = subprocess.run([psql(), "-X", "-q", "-f", str(migration), url], capture_output=True, text=True, timeout=120)
        assert "ERROR" not in run.stderr, run.stderr
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('public.sentinel') IS NOT NULL").fetchone()[0]
            comments = {r[0] for r in conn.execute(
                "SELECT col_description('public.patients'::regclass, attnum) FROM pg_attribute "
                "WHERE attrelid = 'public.patients'::regclass AND attnum > 0 UNION SELECT obj_description('public.patients'::regclass)"
            )}
            for t in texts:  # comments carry the text whole, after a classification prefix
                assert any(c is not None and " ".join(t.split()) in " ".join(c.split()) for c in comments), t
            defaults = {r[0] for r in conn.execute(
                "SELECT column_default FROM information_schema.columns WHERE table_name = 'patients' AND column_default IS NOT NULL"
            )}
            stored = {conn.execute(f"SELECT {d}").fetchone()[0] for d in defaults if "gen_random_uuid" not in d}
            for t in [HOSTILE_TEXTS[4], *HOSTILE_TEXTS[6:]]:  # defaults: stored byte for byte
                assert t in stored, t
            checks = conn.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.patients'::regclass AND contype = 'c'").fetchone()[0]
            assert checks == sum(1 for c in schema.table("patients").checks)
            policies = conn.execute("SELECT count(*) FROM pg_policies WHERE tablename = 'patients'").fetchone()[0]
            assert policies == len(schema.table("patients").policies)


RESERVED_SCHEMA_SPEC = """\
version: 1
profile: none
tables:
  accounts:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
  orders:
    schema: select
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      account_id: {type: uuid, references: accounts.id}
      "from": {type: text, default: "$$; DROP TABLE sentinel; $$"}
    indexes:
      - {columns: ["from"]}
    policies:
      - {name: "Read; DROP TABLE sentinel; -- $$ ünï \\"q\\"", for: [select], to: [authenticated], using: "\\"from\\" <> '$$; DROP TABLE sentinel; --'"}
  payments:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      order_id: {type: bigint, references: select.orders.id}
external:
  storage.objects:
    columns: {name: text, bucket_id: text}
    policies:
      - {name: "x\\"; DROP TABLE sentinel; -- $$ ünï", for: [select], to: [authenticated], using: "name <> '$$; DROP'"}
  order.items:
    columns: {sku: text}
    policies:
      - {name: "it's $a$ mine", for: [select], using: "sku <> ''"}
"""


def test_a_reserved_word_schema_and_hostile_external_names_are_quoted_on_postgresql(pg_server, tmp_path):
    """`schema: select` (a reserved word), a column named "from", hostile policy names on the app's and on external
    tables (one in schema "order"): applied with plain psql -f, the catalog holds each name literally, no statement fails."""
    (tmp_path / "schema.yaml").write_text(RESERVED_SCHEMA_SPEC)
    schema = load_schema(str(tmp_path / "schema.yaml"))
    migration = tmp_path / "migration.sql"
    migration.write_text(render_outputs(schema)[MIGRATION_PATH])
    with scratch_database(pg_server, "schemac_reserved") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            install_supabase_stand_in(conn)
            conn.execute("CREATE TABLE public.sentinel (id int)")
            conn.execute('CREATE TABLE IF NOT EXISTS storage.objects (name text, bucket_id text); CREATE SCHEMA "order"; CREATE TABLE "order".items (sku text)')
        run = subprocess.run([psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(migration), url], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and "ERROR" not in run.stderr, run.stderr
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('public.sentinel') IS NOT NULL").fetchone()[0]
            assert conn.execute("SELECT relnamespace::regnamespace::text FROM pg_class WHERE relname = 'orders'").fetchone() == ('"select"',)
            assert conn.execute("""SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'public.payments'::regclass AND contype = 'f'""").fetchone() == ('"select".orders',)
            assert conn.execute("""SELECT column_default FROM information_schema.columns WHERE table_schema = 'select' AND column_name = 'from'""").fetchone() == ("'$$; DROP TABLE sentinel; $$'::text",)
            policies = {(s, t, n) for s, t, n in conn.execute("SELECT schemaname, tablename, policyname FROM pg_policies")}
            assert ("select", "orders", 'Read; DROP TABLE sentinel; -- $$ ünï "q"') in policies
            assert ("storage", "objects", 'x"; DROP TABLE sentinel; -- $$ ünï') in policies
            assert ("order", "items", "it's $a$ mine") in policies
            assert conn.execute("""SELECT count(*) FROM pg_indexes WHERE schemaname = 'select' AND tablename = 'orders'""").fetchone() == (2,)


def test_verify_passes_on_a_key_into_a_reserved_word_schema(tmp_path):
    """The catalog writes the target as "select".orders; verify's reading unquotes it (it used to report a false
    difference '"select".orders' against 'select.orders')."""
    spec = RESERVED_SCHEMA_SPEC[: RESERVED_SCHEMA_SPEC.index("  order.items:")]
    (tmp_path / "schema.yaml").write_text(spec)
    runner = CliRunner()
    compiled = runner.invoke(app, ["compile", "--spec", str(tmp_path / "schema.yaml"), "--out", str(tmp_path / "compiled")])
    assert compiled.exit_code == 0, compiled.output
    result = runner.invoke(app, ["verify", "--spec", str(tmp_path / "schema.yaml"), "--out", str(tmp_path / "compiled")])
    assert result.exit_code == 0, result.output
    assert "verified: the database matches" in result.output
