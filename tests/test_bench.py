"""The benchmark runs: a smoke test at a tiny size. Timing is never asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import SCHEMAC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402


def test_generated_spec_is_clean_and_sized(tmp_path):
    """The generator's spec passes validate without a finding, with the tables and columns asked for."""
    spec = tmp_path / "schema.yaml"
    spec.write_text(generate(7), encoding="utf-8")
    assert generate(7) == spec.read_text(encoding="utf-8")  # deterministic
    result = subprocess.run([SCHEMAC, "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no finding, not even a warning
    assert "ok (7 tables, 126 columns)" in result.stdout


def test_peer_emits_ddl_for_every_table(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text(generate(5), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "peer_sqlalchemy.py"), str(spec)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("CREATE TABLE public.") == 5
    assert "REFERENCES public.table_00001 (id)" in result.stdout  # table 3's parent


def test_benchmark_runs_and_prints_its_tables():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "3,6", "--runs", "1", "--phase-runs", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for heading in ("| | n=3 | n=6 |", "| compile / compose floor, n=3 |", "| `schemac check` |", "| YAML with positions |"):
        assert heading in result.stdout
