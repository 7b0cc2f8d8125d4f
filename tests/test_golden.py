"""Golden cases: tests/golden/<case>/schema.yaml and the exact files it compiles to.

Each case is compared as a whole set, so a missing or extra file fails too. Error
cases keep the CLI's stderr in expected/errors.txt. Refresh with UPDATE_GOLDEN=1
and review the diff like code. The behaviour tests below prove the outputs work.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest

# ON DELETE RESTRICT: PostgreSQL 18 reports restrict_violation, 15 foreign_key_violation.
BLOCKED_BY_REFERENCE = (psycopg.errors.RestrictViolation, psycopg.errors.ForeignKeyViolation)
from typer.testing import CliRunner

from schemac.cli import app
from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import MIGRATION_PATH
from schemac.outputs import existing_files
from schemac.pipeline import load_schema, render_documents, render_outputs
from schemac.verify.run import compare_schema, normalize_expressions

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "schema.yaml").exists())
VALID = [c for c in CASES if not c.startswith("error")]


def actual_files(case: str) -> dict[str, str]:
    spec = GOLDEN / case / "schema.yaml"
    if case.startswith("error"):
        cwd = os.getcwd()
        os.chdir(spec.parent)
        try:
            result = CliRunner().invoke(app, ["validate"])
        finally:
            os.chdir(cwd)
        assert result.exit_code == 1
        return {"errors.txt": result.output}
    return render_outputs(load_schema(str(spec)))


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case):
    expected_dir = GOLDEN / case / "expected"
    actual = actual_files(case)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, text in actual.items():
            target = expected_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
    expected = existing_files(str(expected_dir))
    assert sorted(actual) == sorted(expected), "the set of output files changed; rerun with UPDATE_GOLDEN=1 and review"
    for rel in actual:
        assert actual[rel] == expected[rel], f"{case}/{rel} differs; rerun with UPDATE_GOLDEN=1 and review the diff"


def test_repo_compiled_matches_schema(repo_schema):
    """The committed compiled/ holds exactly what the repo's schema.yaml renders, plus the migration history."""
    root = Path(__file__).resolve().parent.parent
    files = existing_files(str(root / "compiled"))
    documents = render_documents(repo_schema)
    assert {rel: files.get(rel) for rel in documents} == documents
    history = set(files) - set(documents) - {"migrations.sum"}
    assert "migrations.sum" in files and "migrations/001_initial_schema.sql" in history, history
    assert all(rel.startswith(("migrations/", "state/")) for rel in history), history


@pytest.mark.parametrize("case", VALID)
def test_golden_migration_applies_matches_and_is_idempotent(conn, case):
    schema = load_schema(str(GOLDEN / case / "schema.yaml"))
    sql = render_outputs(schema)[MIGRATION_PATH]
    run_sql(conn, sql)
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    assert diffs == []
    before = read_schema(conn)
    run_sql(conn, sql)
    assert read_schema(conn) == before


def test_hostile_strings_reach_the_catalog_intact(conn):
    """Every hostile description, retention note and default survives as data, not SQL."""
    schema = load_schema(str(GOLDEN / "hostile" / "schema.yaml"))
    run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
    table = schema.table("odd")
    comment = conn.execute("SELECT obj_description('public.odd'::regclass, 'pg_class')").fetchone()[0]
    assert table.description in comment and table.retention in comment
    for col in table.columns:
        got = conn.execute("SELECT col_description('public.odd'::regclass, attnum) FROM pg_attribute WHERE attrelid = 'public.odd'::regclass AND attname = %s", (col.name,)).fetchone()[0]
        assert got.endswith(col.description), col.name
    conn.execute("INSERT INTO odd DEFAULT VALUES")
    row = conn.execute("SELECT mood, note, bs FROM odd").fetchone()
    assert row == ("it's", "'; DROP TABLE odd; --", "C:\\temp\\new")
    for value in schema.enum("mood").values:
        conn.execute("INSERT INTO odd (mood) VALUES (%s)", (value,))
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO odd (mood) VALUES ('its')")
    tables = conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").fetchone()[0]
    assert tables == 1


def test_cycle_and_composite_keys_work(conn):
    schema = load_schema(str(GOLDEN / "features" / "schema.yaml"))
    run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
    conn.execute("INSERT INTO departments (id, code) VALUES (1, 'ops')")
    emp = conn.execute("INSERT INTO employees (email, department_id) VALUES ('a@x', 1) RETURNING id").fetchone()[0]
    conn.execute("UPDATE departments SET head_id = %s", (emp,))
    conn.execute("INSERT INTO shifts (department_id, day) VALUES (1, 3)")
    conn.execute("INSERT INTO assignments (department_id, day) VALUES (1, 3)")
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("INSERT INTO assignments (department_id, day) VALUES (1, 4)")
    with pytest.raises(BLOCKED_BY_REFERENCE):
        conn.execute("DELETE FROM shifts")
    row = conn.execute("SELECT skills, salary::text, profile, active, starts_at::text, hired_on = current_date FROM employees").fetchone()
    assert row == ([], "1000.50", {"tags": ["a", "b"], "theme": "dark"}, False, "09:00:00", True)


def test_generated_names_longer_than_63_bytes_are_cut_deterministically(conn, tmp_path):
    """PostgreSQL would silently truncate a long name; schemac cuts it itself (with a hash), so verify still matches."""
    long_table = "t" * 60
    spec = tmp_path / "schema.yaml"
    spec.write_text(
        f"tables:\n  {long_table}:\n    classification: administrative\n    columns:\n"
        "      id: {type: uuid, primary_key: true, default: gen_random_uuid()}\n"
        "      first_column_with_a_long_name: {type: text}\n"
        "      second_column_with_a_long_name: {type: text}\n"
        "    unique:\n      - columns: [first_column_with_a_long_name, second_column_with_a_long_name]\n"
        "    indexes:\n      - columns: [second_column_with_a_long_name, first_column_with_a_long_name]\n"
    )
    schema = load_schema(str(spec))
    table = schema.table(long_table)
    names = [table.primary_key.name, table.uniques[0].name, table.indexes[0].name]
    assert all(len(n.encode()) <= 63 for n in names)
    assert len(set(names)) == 3
    again = load_schema(str(spec)).table(long_table)
    assert [again.primary_key.name, again.uniques[0].name, again.indexes[0].name] == names
    run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    assert diffs == []


def test_two_versions_of_a_schema_compare_as_values(tmp_path):
    """The model compares by meaning, not layout: positions are kept but not compared, so a later diff/plan step can
    compare a current and a desired schema directly."""
    root = Path(__file__).resolve().parent.parent
    original = (root / "schema.yaml").read_text()
    moved = tmp_path / "schema.yaml"
    moved.write_text("# a comment that shifts every line\n\n" + original)
    current, desired = load_schema(str(root / "schema.yaml")), load_schema(str(moved))
    assert current.tables == desired.tables and current.enums == desired.enums
    assert current.table("patients").pos.line != desired.table("patients").pos.line
    changed = tmp_path / "changed.yaml"
    changed.write_text(original.replace("default: 30", "default: 45"))
    assert load_schema(str(changed)).table("appointments") != current.table("appointments")
    assert load_schema(str(changed)).table("patients") == current.table("patients")
