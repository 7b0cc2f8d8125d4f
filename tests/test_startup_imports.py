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
    for heavy in ("schemac.pipeline", "schemac.spec.language", "pydantic", "yaml", "pglast", "schemac.emit", "schemac.db", "psycopg"):
        assert not _imported(modules, heavy), heavy


def test_validate_imports_no_emitter_and_no_database_layer(project):
    modules = modules_after(["validate"], project)
    assert "schemac.pipeline" in modules
    for unused in ("schemac.emit.markdown", "schemac.emit.sql", "schemac.emit.typescript", "schemac.outputs", "schemac.db", "schemac.verify", "psycopg"):
        assert not _imported(modules, unused), unused


def test_check_imports_no_database_layer(project):
    assert subprocess.run([SCHEMAC, "compile"], cwd=project, capture_output=True).returncode == 0
    modules = modules_after(["check"], project)
    assert "schemac.emit.markdown" in modules  # it did render
    for unused in ("schemac.db", "schemac.verify", "psycopg"):
        assert not _imported(modules, unused), unused
