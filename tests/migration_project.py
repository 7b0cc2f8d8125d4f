"""A throwaway schemac project for the migration-history tests: a spec, its pyproject, the CLI run on it."""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from helpers import SCHEMAC
from schemac.cli import app

NOTES = """
tables:
  notes:
    description: Notes a doctor keeps.
    classification: administrative
    retention: Kept forever.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Note id.}
      body: {type: text, description: The note.}
"""

TITLE = "      title: {type: text, nullable: true, description: A short title.}\n"


@dataclass
class Project:
    root: Path

    @property
    def spec(self) -> Path:
        return self.root / "schema.yaml"

    @property
    def compiled(self) -> Path:
        return self.root / "compiled"

    def write_spec(self, text: str) -> None:
        self.spec.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")

    def edit_spec(self, old: str, new: str) -> None:
        text = self.spec.read_text(encoding="utf-8")
        assert old in text
        self.spec.write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, command: str, *args: str):
        """The CLI in this process (fast); paths are absolute."""
        return CliRunner().invoke(app, [command, "--spec", str(self.spec), "--out", str(self.compiled), *args])

    def process(self, command: str, *args: str, **popen) -> subprocess.Popen:
        """The CLI as its own process, from the project's folder, as a user runs it."""
        return subprocess.Popen([SCHEMAC, command, *args], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)

    def migrations(self, folder: str = "compiled/migrations") -> list[str]:
        return sorted(p.name for p in (self.root / folder).iterdir()) if (self.root / folder).is_dir() else []

    def bytes_of(self, folder: str = "compiled") -> dict[str, bytes]:
        base = self.root / folder
        return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def new_project(tmp_path: Path, spec: str = NOTES, pyproject: str | None = None, name: str = "project") -> Project:
    project = Project(tmp_path / name)
    project.root.mkdir()
    project.write_spec(spec)
    if pyproject is not None:
        (project.root / "pyproject.toml").write_text(textwrap.dedent(pyproject).lstrip("\n"), encoding="utf-8")
    return project


def compiled(project: Project, *args: str):
    result = project.run("compile", *args)
    assert result.exit_code == 0, result.output
    return result


def two_migrations(tmp_path: Path, name: str = "project", pyproject: str | None = None) -> Project:
    """A project whose history is 001 (notes) and 002 (notes.title)."""
    project = new_project(tmp_path, name=name, pyproject=pyproject)
    compiled(project)
    project.edit_spec("      body:", TITLE + "      body:")
    compiled(project)
    assert project.migrations() == ["001_initial_schema.sql", "002_add_notes_title.sql"]
    return project
