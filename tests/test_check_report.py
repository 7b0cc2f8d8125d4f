"""What `schemac check` prints for each kind of difference: diffs are built only when printed, so check them."""

from __future__ import annotations

import shutil
import subprocess

from conftest import REPO_SPEC
from helpers import SCHEMAC


def _check(cwd):
    return subprocess.run([SCHEMAC, "check"], cwd=cwd, capture_output=True, text=True)


def test_check_prints_a_diff_for_stale_missing_extra_and_leftover(tmp_path):
    shutil.copy(REPO_SPEC, tmp_path / "schema.yaml")
    assert subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, capture_output=True).returncode == 0
    assert _check(tmp_path).returncode == 0
    sql = tmp_path / "compiled" / "migrations" / "001_initial_schema.sql"
    sql.write_text(sql.read_text(encoding="utf-8").replace("BEGIN;", "BEGIN; -- edited"), encoding="utf-8")
    (tmp_path / "compiled" / "schema.json").unlink()
    (tmp_path / "compiled" / "notes.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / ".schemac-new-abc").mkdir()
    result = _check(tmp_path)
    assert result.returncode == 1
    out = result.stdout
    # a written migration is never regenerated: an edit is a history problem, named with the way back
    assert "compiled/migrations/001_initial_schema.sql: changed after `schemac compile` wrote it" in result.stderr
    assert "missing: compiled/schema.json" in out and "+++ b/schema.json" in out
    assert "extra: compiled/notes.txt" in out and "notes.txt is not produced by the spec" in out
    assert "leftover: " in out and "an interrupted compile left this staging copy" in out
    assert "3 files out of date" in result.stderr
