"""Small helpers shared by tests: write an inline spec, lint it, run the CLI for real."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from schemac.errors import SpecErrors
from schemac.pipeline import lint_schema, load_schema

SCHEMAC = str(Path(sys.executable).parent / "schemac")


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schema.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def lint_spec(tmp_path: Path, text: str):
    return lint_schema(load_schema(str(write_spec(tmp_path, text))))


def build_errors(tmp_path: Path, text: str) -> list[str]:
    try:
        load_schema(str(write_spec(tmp_path, text)))
    except SpecErrors as exc:
        # errors name the spec as it was given (here an absolute path); compare from its folder
        return [str(e).replace(f"{tmp_path}/", "", 1) for e in exc.errors]
    raise AssertionError("the spec built without errors")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([SCHEMAC, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
