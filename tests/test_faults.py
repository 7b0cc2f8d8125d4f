"""Faults: kill -9 during compile and SIGINT/SIGTERM/SIGHUP during verify, each at least 20 times at random points.

After every fault: no postgres process and no temporary folder of ours is left, and compiled/ is complete and
consistent (exactly the old or exactly the new outputs; the next compile removes staging leftovers)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from schemac.pipeline import load_schema, render_outputs

SCHEMAC = str(Path(sys.executable).parent / "schemac")
ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_kill_9_during_compile_never_leaves_compiled_missing_or_mixed(tmp_path):
    spec_a = (ROOT / "schema.yaml").read_text()
    spec_b = spec_a.replace("version: 1", "version: 1\n# another revision", 1)
    outputs = {}
    for name, text in (("a", spec_a), ("b", spec_b)):
        (tmp_path / "schema.yaml").write_text(text)
        outputs[name] = render_outputs(load_schema(str(tmp_path / "schema.yaml")))
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    rng = random.Random(8)
    for round_ in range(24):
        (tmp_path / "schema.yaml").write_text(spec_b if round_ % 2 == 0 else spec_a)
        proc = subprocess.Popen([SCHEMAC, "compile"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = tree(tmp_path / "compiled")
        assert found in (outputs["a"], outputs["b"]), f"round {round_}: compiled/ is missing or mixed"
    result = subprocess.run([SCHEMAC, "check"], cwd=tmp_path, capture_output=True, text=True)
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    assert sorted(os.listdir(tmp_path)) == ["compiled", "schema.yaml"], "the next compile removes every leftover"
    assert tree(tmp_path / "compiled") == outputs["a"]
    assert result.returncode in (0, 1)


def servers_in(folder: Path) -> list[str]:
    """Our throwaway server folders (platformdirs also keeps a runtime-<uid> lock folder in TMPDIR)."""
    return [name for name in os.listdir(folder) if name.startswith("schemac-pg-")]


def postgres_under(folder: Path) -> list[int]:
    return [
        p.pid
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres" and str(folder) in " ".join(p.info["cmdline"] or [])
    ]


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["INT", "TERM", "HUP"])
def test_a_signal_during_verify_stops_the_server_and_removes_its_folder(sig, code, tmp_path):
    (tmp_path / "schema.yaml").write_text((ROOT / "schema.yaml").read_text())
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    private_tmp = tmp_path / "tmp"  # verify's throwaway server lives here, so only our own leftovers count
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    rng = random.Random(sig)
    for round_ in range(20):
        proc = subprocess.Popen([SCHEMAC, "verify"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.8, 4.5))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert servers_in(private_tmp) == [], f"round {round_}: left {servers_in(private_tmp)}"
        assert postgres_under(private_tmp) == [], f"round {round_}: postgres still running"
        if proc.returncode == 0:
            continue  # verify finished before the signal arrived
        assert proc.returncode == code, (out, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
