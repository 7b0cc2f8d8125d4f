"""`schemac lint` output formats and exit codes; rule errors stop compile and check, writing nothing."""

from __future__ import annotations

import json

from helpers import run_cli, write_spec

from conftest import REPO_SPEC, ROOT

BROKEN = """
tables:
  notes:
    description: Notes.
    classification: administrative
    rls: false
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      title: {type: varchar(10)}
"""
SC104 = "'notes.title' is varchar(10); write 'type: text' (add a CHECK on length(...) if a limit matters)"
SC114 = "column 'notes.title' has no description; add 'description:' saying what it holds"
SC109 = "table 'notes' turns row level security off; remove its 'rls:' key (or write 'rls: true'): service_role bypasses RLS for backend jobs"


def test_lint_text(tmp_path):
    write_spec(tmp_path, BROKEN)
    result = run_cli("lint", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"schema.yaml:5:5: SC109 {SC109}",
        f"schema.yaml:8:7: SC114 {SC114} (warning)",
        f"schema.yaml:8:15: SC104 {SC104}",
        "schema.yaml: 2 errors, 1 warning",
    ]


def test_lint_github_annotations(tmp_path):
    write_spec(tmp_path, BROKEN)
    result = run_cli("lint", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file=schema.yaml,line=5,col=5,title=SC109 row level security is enabled on every table::{SC109}",
        f"::warning file=schema.yaml,line=8,col=7,title=SC114 every table and column has a description::{SC114}",
        f"::error file=schema.yaml,line=8,col=15,title=SC104 strings are text%2C never varchar(n) or char(n)::{SC104}",
    ]


def test_lint_json(tmp_path):
    write_spec(tmp_path, BROKEN)
    result = run_cli("lint", "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert (data["errors"], data["warnings"]) == (2, 1)
    assert data["findings"][2] == {
        "code": "SC104",
        "severity": "error",
        "title": "strings are text, never varchar(n) or char(n)",
        "message": SC104,
        "file": "schema.yaml",
        "line": 8,
        "col": 15,
        "table": "notes",
        "column": "title",
    }


def test_warnings_alone_do_not_fail(tmp_path):
    write_spec(tmp_path, BROKEN.replace("    rls: false\n", "").replace("varchar(10)", "text"))
    result = run_cli("lint", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.endswith("schema.yaml: 0 errors, 1 warning\n")


def test_rule_errors_stop_compile_and_check_and_write_nothing(tmp_path):
    write_spec(tmp_path, BROKEN)
    for command in ("compile", "check"):
        result = run_cli(command, cwd=tmp_path)
        assert result.returncode == 1, command
        assert f"schema.yaml:8:15: SC104 {SC104}" in result.stderr.splitlines()
        assert result.stderr.splitlines()[-1].startswith("2 errors, 1 warning; nothing written.")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "compiled").exists()


def test_unknown_format(tmp_path):
    write_spec(tmp_path, BROKEN)
    result = run_cli("lint", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2 and "unknown format 'xml'; use one of: text, github, json" in result.stderr


def test_the_repo_schema_passes_every_rule():
    result = run_cli("lint", "--spec", str(REPO_SPEC), cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith(": 0 errors, 0 warnings, 1 waived")


def test_lint_help_lists_every_rule_with_its_default_severity():
    """The rule list is read when lint's help is shown (not when the CLI starts): it must still be all there."""
    from typer.testing import CliRunner

    from schemac.cli import app
    from schemac.rules.registry import RULES

    result = CliRunner().invoke(app, ["lint", "--help"], env={"COLUMNS": "10000", "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert "Check the compliance rules;" in flat
    for r in RULES:
        assert f"{r.code} {r.title} ({r.severity})" in flat, r.code
