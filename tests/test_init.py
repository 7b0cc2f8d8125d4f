"""`schemac init` starts a project that works with no edits: compile, check, lint, the
generated workflow's schemac commands and the repo's pre-commit hooks all pass in it, and
verify proves its migration on a real PostgreSQL. It never overwrites a file.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from importlib.metadata import version
from pathlib import Path

import yaml
from conftest import ROOT
from helpers import SCHEMAC, run_cli

from schemac.scaffold import WORKFLOW_PATH, project_files

FILES = ["schema.yaml", "pyproject.toml", "docs/schema.md", WORKFLOW_PATH]


def workflow_commands(project: Path) -> tuple[list[str], list[list[str]]]:
    """(the pip install steps, the schemac steps as argument lists) of the generated workflow."""
    workflow = yaml.safe_load((project / WORKFLOW_PATH).read_text())
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    installs = [r for r in runs if "pip install" in r]
    commands = [shlex.split(r) for r in runs if r.startswith("schemac ")]
    return installs, commands


def test_init_in_an_empty_folder_then_compile_check_and_the_workflow_pass(tmp_path):
    project = tmp_path / "new-project"
    created = run_cli("init", str(project), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == sorted(FILES)

    spec = (project / "schema.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=compiled/schemac.schema.json\n")
    assert tomllib.loads((project / "pyproject.toml").read_text())["tool"]["schemac"]["inject"] == ["docs/schema.md"]
    page = (project / "docs" / "schema.md").read_text()
    assert "<!-- schemac:begin -->\n<!-- schemac:end -->" in page

    compiled = run_cli("compile", cwd=project)
    assert compiled.returncode == 0, compiled.stderr
    assert compiled.stderr == ""  # no findings, not even warnings
    assert "### Table `notes`" in (project / "docs" / "schema.md").read_text()
    assert run_cli("check", cwd=project).returncode == 0

    installs, commands = workflow_commands(project)
    assert installs == [f'python -m pip install "schemac=={version("schemac")}"']
    assert commands == [["schemac", "lint", "--format", "github"], ["schemac", "check"]]
    for command in commands:
        result = run_cli(*command[1:], cwd=project)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "::error" not in result.stdout and "::warning" not in result.stdout

    # the compiled schema's own JSON Schema accepts the spec the modeline points at it with
    import jsonschema

    import json

    schema = json.loads((project / "compiled" / "schemac.schema.json").read_text())
    jsonschema.validate(yaml.safe_load(spec), schema)


def test_init_project_verifies_on_postgresql(tmp_path, pg_server):
    assert run_cli("init", cwd=tmp_path).returncode == 0
    assert run_cli("compile", cwd=tmp_path).returncode == 0
    result = run_cli("verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "verified: the database matches schema.yaml" in result.stdout


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "schema.md").write_text("mine\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 1
    assert "pyproject.toml: already exists; init never overwrites a file" in result.stderr
    assert "docs/schema.md: already exists" in result.stderr
    assert "nothing written" in result.stderr
    assert not (tmp_path / "schema.yaml").exists() and not (tmp_path / ".github").exists()
    assert (tmp_path / "docs" / "schema.md").read_text() == "mine\n"
    assert (tmp_path / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"


def test_init_into_a_file_path_is_refused(tmp_path):
    (tmp_path / "taken").write_text("x")
    result = run_cli("init", "taken", cwd=tmp_path)
    assert result.returncode == 1 and "taken: already exists" in result.stderr


def test_init_output_is_deterministic():
    assert project_files("1.2.3") == project_files("1.2.3")
    assert "schemac==1.2.3" in project_files("1.2.3")[WORKFLOW_PATH]


def test_pre_commit_hooks_run_in_an_initialised_project(tmp_path):
    """Each hook of .pre-commit-hooks.yaml is well formed and its entry passes in a fresh project."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"schemac-check", "schemac-compile", "schemac-lint"}
    assert run_cli("init", cwd=tmp_path).returncode == 0
    assert run_cli("compile", cwd=tmp_path).returncode == 0
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        assert hook["pass_filenames"] is False  # schemac reads schema.yaml itself
        argv = shlex.split(hook["entry"])
        assert argv[0] == "schemac"
        result = run_cli(*argv[1:], cwd=tmp_path)
        assert result.returncode == 0, (hook["id"], result.stderr)
        assert hook["id"] != "schemac-compile" or result.stdout == ""  # quiet when nothing changed
    # and the check hook fails when the spec changed without a compile
    spec = tmp_path / "schema.yaml"
    spec.write_text(spec.read_text().replace("What the note says.", "The note's text."))
    check = next(h for h in hooks if h["id"] == "schemac-check")
    assert run_cli(*shlex.split(check["entry"])[1:], cwd=tmp_path).returncode == 1
    assert os.path.isfile(SCHEMAC)
