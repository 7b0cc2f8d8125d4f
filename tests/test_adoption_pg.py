"""Adopting an existing database: import, compile, baseline, then evolve it like any schemac project.

The whole path a user with a live database and no schema.yaml takes, on a real PostgreSQL and through
the real command line: `schemac import` writes the spec, `schemac compile` writes 001, `schemac apply
--baseline 001` records 001 without running it (the database already is 001), `schemac verify` finds
nothing; then a spec edit compiles to 002, which `schemac apply` runs on the same database, keeping its
rows, and verify is clean again.
"""

from __future__ import annotations

import psycopg
from helpers import SCHEMAC
from migration_project import Project
from roundtrip import read_fixture

import subprocess

from schemac.db.apply import run_sql


def run(project: Project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCHEMAC, *args], cwd=project.root, capture_output=True, text=True, timeout=300)


def ok(project: Project, *args: str) -> str:
    result = run(project, *args)
    assert result.returncode == 0, f"schemac {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_an_existing_database_is_adopted_and_then_evolved(tmp_path, db_url):
    with psycopg.connect(db_url, autocommit=True) as conn:
        run_sql(conn, read_fixture("northwind.sql"))  # a database made without schemac
        conn.execute("INSERT INTO region VALUES (1, 'Eastern'), (2, 'Western')")
    project = Project(tmp_path / "adopted")
    project.root.mkdir()

    report = ok(project, "import", "--database-url", db_url, "--output", "schema.yaml")
    assert "imported 14 tables" in report
    ok(project, "compile")
    assert project.migrations() == ["001_initial_schema.sql"]

    baselined = ok(project, "apply", "--database-url", db_url, "--baseline", "001")
    assert "recorded as applied without running (--baseline 001): 001_initial_schema" in baselined
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM region").fetchone() == (2,)  # nothing was re-created
    assert "the database is up to date" in ok(project, "plan", "--database-url", db_url)
    ok(project, "verify", "--database-url", db_url)

    # the team's first change after adopting schemac: a new column on a table with rows
    project.edit_spec("\n  region:\n", "\n  region:\n    description: Sales regions.\n")
    text = project.spec.read_text(encoding="utf-8")
    start = text.index("\n  region:\n")
    columns = text.index("    columns:\n", start) + len("    columns:\n")
    project.spec.write_text(text[:columns] + "      manager_email: {type: text, nullable: true}\n" + text[columns:], encoding="utf-8")
    ok(project, "compile")
    [second] = project.migrations()[1:]
    assert second.startswith("002_")
    assert f"pending  compiled/migrations/{second}" in ok(project, "plan", "--database-url", db_url)
    assert f"applied  {second[:-4]}" in ok(project, "apply", "--database-url", db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute("SELECT region_id, manager_email FROM region ORDER BY 1").fetchall()
        comment = conn.execute("SELECT obj_description('public.region'::regclass, 'pg_class')").fetchone()[0]
    assert rows == [(1, None), (2, None)]
    assert comment.startswith("Sales regions.")
    ok(project, "verify", "--database-url", db_url)

    # and verify still sees a hand-made change on the adopted database
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE region DROP COLUMN manager_email")
    drifted = run(project, "verify", "--database-url", db_url)
    assert drifted.returncode == 1 and "manager_email" in drifted.stderr + drifted.stdout
