"""The command line: compile writes all or nothing, check catches drift, errors never dump a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from schemac.cli import app
from schemac.outputs import existing_files, write_atomically

from conftest import ROOT

runner = CliRunner()


@pytest.fixture
def project(tmp_path):
    """A copy of the repo's spec in an empty directory, run from there."""
    shutil.copy(ROOT / "schema.yaml", tmp_path / "schema.yaml")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


def run(*args):
    return runner.invoke(app, list(args))


def test_compile_then_check(project):
    assert run("check").exit_code == 1  # nothing compiled yet
    result = run("compile")
    assert result.exit_code == 0, result.output
    assert (project / "compiled/migrations/001_initial_schema.sql").is_file()
    assert run("check").exit_code == 0
    assert "up to date" in run("compile").output


def test_compile_is_deterministic_and_free_of_machine_paths(project, tmp_path_factory):
    run("compile")
    first = existing_files("compiled")
    other = tmp_path_factory.mktemp("elsewhere")
    shutil.copy("schema.yaml", other / "schema.yaml")
    assert run("compile", "--spec", str(other / "schema.yaml"), "--out", str(other / "compiled")).exit_code == 0
    assert existing_files(str(other / "compiled")) == first
    for text in first.values():
        assert str(project) not in text and str(other) not in text
        assert "/tmp" not in text and "/root" not in text


def test_check_lists_stale_missing_and_extra_files_with_a_diff(project):
    run("compile")
    migration = project / "compiled/migrations/001_initial_schema.sql"
    migration.write_text(migration.read_text().replace("ON DELETE CASCADE", "ON DELETE RESTRICT", 1))
    (project / "compiled/stray.txt").write_text("left over\n")
    (project / "compiled/DB_SCHEMA.md").write_text("# edited\n")
    result = run("check")
    assert result.exit_code == 1
    # a written migration is never regenerated: an edit is reported as one, against migrations.sum
    assert "compiled/migrations/001_initial_schema.sql: changed after `schemac compile` wrote it" in result.output
    assert "stale: compiled/DB_SCHEMA.md" in result.output and "-# edited" in result.output
    assert "extra: compiled/stray.txt" in result.output
    migration.unlink()
    result = run("check")
    assert "compiled/migrations/001_initial_schema.sql: listed in compiled/migrations.sum but missing" in result.output
    assert result.exit_code == 1


def test_check_writes_nothing(project):
    run("check")
    assert not (project / "compiled").exists()


def test_invalid_spec_writes_nothing_and_keeps_previous_outputs(project):
    run("compile")
    before = existing_files("compiled")
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("type: timestamptz", "type: timestampz", 1))
    result = run("compile")
    assert result.exit_code == 1
    assert "schema.yaml:" in result.output and "unknown column type 'timestampz'" in result.output
    assert "nothing written" in result.output
    assert existing_files("compiled") == before
    assert sorted(os.listdir(project)) == ["compiled", "schema.yaml"]  # no staging directories left behind


def test_errors_in_a_real_process_have_no_traceback(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      a: {type: nope, classification: phi}\n      a: {type: text}\n")
    exe = shutil.which("schemac", path=os.path.dirname(sys.executable))
    result = subprocess.run([exe, "compile", "--out", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "schema.yaml:4:11: unknown column type 'nope'; use one of: text, integer, bigint, smallint, boolean, uuid, date, time, "
        "timestamptz, jsonb, numeric(p,s), varchar(n), char(n), timestamp, json, real, double precision, bytea, inet, cidr, "
        "macaddr, interval, tsvector, tsquery, timetz, int4range, int8range, numrange, tsrange, tstzrange, daterange, bpchar, serial, "
        "bigserial, smallserial, an extension's citext, hstore, ltree or vector(n) (pgvector), or any of them with []",
        "schema.yaml:5:7: duplicate key 'a' (first defined at line 4); YAML keeps only the last one: remove or rename one of them",
        "2 problems found; nothing written.",
    ]
    assert not (tmp_path / "out").exists()


def test_missing_spec_file_is_a_clear_error(tmp_path):
    result = run("validate", "--spec", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_non_utf8_spec_is_a_clear_error(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_bytes(b"tables:\n  t: \xff\n")
    result = run("validate", "--spec", str(spec))
    assert result.exit_code == 1
    assert f"{spec}:2:6: byte 0xFF here is not valid UTF-8" in result.output


def test_validate_reports_ok(project):
    result = run("validate")
    assert result.exit_code == 0
    assert "ok (8 tables" in result.output


def test_compile_refuses_an_output_directory_that_holds_the_project(project):
    result = run("compile", "--out", ".")
    assert result.exit_code == 2
    assert "refusing to use this as the output directory" in result.output
    assert sorted(os.listdir(project)) == ["schema.yaml"]


@pytest.mark.parametrize("setup", ["src_folder", "a_file"])
def test_compile_refuses_to_replace_what_it_did_not_generate(project, setup):
    if setup == "src_folder":
        (project / "src").mkdir()
        (project / "src" / "app.py").write_text("print('mine')\n")
        out, reason = "src", "it holds files that schemac did not generate"
    else:
        (project / "notes.txt").write_text("mine\n")
        out, reason = "notes.txt", "it is a file, not a folder"
    result = run("compile", "--out", out)
    assert result.exit_code == 2
    assert reason in result.output
    kept = project / "src" / "app.py" if setup == "src_folder" else project / "notes.txt"
    assert kept.read_text() in ("print('mine')\n", "mine\n")
    assert run("compile").exit_code == 0  # a fresh folder, then its own output folder again
    assert run("compile").exit_code == 0


def test_nul_characters_are_refused_at_their_position(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text('tables:\n  t:\n    classification: phi\n    description: "bad \\0 byte"\n    columns: {id: {type: uuid}}\n')
    result = run("validate", "--spec", str(spec))
    assert result.exit_code == 1
    assert f"{spec}:4:18: text cannot contain a NUL character (PostgreSQL rejects it); remove the \\0" in result.output


@pytest.mark.parametrize("command", ["compile", "check", "validate", "verify", "lint"])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--spec" in result.output
    assert len(result.output.splitlines()) < 40


def test_a_failed_write_leaves_the_previous_outputs_intact(tmp_path):
    out = tmp_path / "compiled"
    write_atomically(str(out), {"a.sql": "old\n"})
    with pytest.raises(OSError):
        # 'x' is a file, so 'x/y' cannot be written: the write fails part-way
        write_atomically(str(out), {"a.sql": "new\n", "x": "file\n", "x/y": "boom\n"})
    assert existing_files(str(out)) == {"a.sql": "old\n"}
    assert sorted(os.listdir(tmp_path)) == ["compiled"]


def test_outputs_do_not_depend_on_the_hash_seed_or_the_folder(tmp_path):
    """Two processes with different hash seeds, in different folders, write the same bytes."""
    exe = shutil.which("schemac", path=os.path.dirname(sys.executable))
    results = []
    for seed in ("1", "2"):
        work = tmp_path / f"seed{seed}"
        work.mkdir()
        shutil.copy(ROOT / "schema.yaml", work / "schema.yaml")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([exe, "compile"], cwd=work, env=env, check=True, capture_output=True)
        results.append(existing_files(str(work / "compiled")))
    assert results[0] == results[1]
    assert len(results[0]) == 10  # 7 outputs, the state after 001, migrations.sum and fingerprint.sum


def test_compile_refuses_a_symlinked_output_folder(project):
    (project / "real").mkdir()
    (project / "link").symlink_to(project / "real")
    result = run("compile", "--out", "link")
    assert result.exit_code == 2
    assert "it is a symbolic link" in result.output
    assert (project / "link").is_symlink() and os.listdir(project / "real") == []


def test_check_reports_links_and_fifos_in_the_output_folder_without_hanging(project):
    run("compile")
    os.symlink("/nonexistent", project / "compiled" / "broken")
    os.mkfifo(project / "compiled" / "pipe")
    (project / "compiled" / "empty").mkdir()
    result = run("check")
    assert result.exit_code == 1
    assert "extra: compiled/broken" in result.output and "extra: compiled/pipe" in result.output
    assert "extra: compiled/empty/" in result.output


@pytest.mark.parametrize("fmt, expected", [
    ("github", "::error file=schema.yaml,line=4,col=11,title=SPEC the spec is invalid::unknown column type 'nope'"),
    ("json", '"code": "SPEC"'),
])
def test_lint_reports_spec_errors_in_the_format_asked_for(tmp_path, fmt, expected):
    (tmp_path / "schema.yaml").write_text("tables:\n  t:\n    columns:\n      a: {type: nope, classification: phi}\n")
    exe = shutil.which("schemac", path=os.path.dirname(sys.executable))
    result = subprocess.run([exe, "lint", "--format", fmt], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert expected in result.stdout
