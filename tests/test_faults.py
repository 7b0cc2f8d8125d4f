"""Faults: kill -9 during compile and SIGINT/SIGTERM/SIGHUP during verify, each at least 20 times at random points.

After every fault: no postgres process and no temporary folder of ours is left, and compiled/ is complete and
consistent (exactly the old or exactly the new outputs; the next compile removes staging leftovers)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from schemac.pipeline import load_schema, render_documents

SCHEMAC = str(Path(sys.executable).parent / "schemac")
ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def migration_history(spec_text: str, scratch: Path) -> dict[str, str]:
    """The migration history (001, its state, migrations.sum) a first compile of spec_text writes: the two
    revisions below differ by a YAML comment only, so compile keeps it as it is and rewrites the documents."""
    scratch.mkdir()
    (scratch / "schema.yaml").write_text(spec_text)
    subprocess.run([SCHEMAC, "compile"], cwd=scratch, check=True, capture_output=True)
    return {rel: text for rel, text in tree(scratch / "compiled").items() if rel.startswith(("migrations", "state/"))}


def test_kill_9_during_compile_never_leaves_compiled_missing_or_mixed(tmp_path):
    spec_a = (ROOT / "schema.yaml").read_text()
    spec_b = spec_a.replace("version: 1", "version: 1\n# another revision", 1)
    history = migration_history(spec_b, tmp_path.parent / f"{tmp_path.name}-history")
    outputs = {}
    for name, text in (("a", spec_a), ("b", spec_b)):
        (tmp_path / "schema.yaml").write_text(text)
        outputs[name] = {**render_documents(load_schema(str(tmp_path / "schema.yaml"))), **history}
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


def write_tree(folder: Path, files: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)


def test_kill_9_at_every_write_and_rename_point_of_compile(tmp_path):
    """SCHEMAC_KILL_AT_STEP=n kills compile at its n-th write or rename; every n up to a full run, in both directions.
    After each kill compiled/ is exactly the old or the new outputs, and the next compile lands and cleans up."""
    spec_a = (ROOT / "schema.yaml").read_text()
    spec_b = spec_a.replace("version: 1", "version: 1\n# another revision", 1)
    history = migration_history(spec_a, tmp_path.parent / f"{tmp_path.name}-history")
    outputs = {}
    for name, text in (("a", spec_a), ("b", spec_b)):
        (tmp_path / "schema.yaml").write_text(text)
        outputs[name] = {**render_documents(load_schema(str(tmp_path / "schema.yaml"))), **history}
    killed = 0
    for revision, old, new in ((spec_b, "a", "b"), (spec_a, "b", "a")):
        step = 1
        while True:
            write_tree(tmp_path / "compiled", outputs[old])
            (tmp_path / "schema.yaml").write_text(revision)
            env = {**os.environ, "SCHEMAC_KILL_AT_STEP": str(step)}
            result = subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, env=env, capture_output=True, text=True)
            assert tree(tmp_path / "compiled") in (outputs[old], outputs[new]), f"step {step}: compiled/ is missing or mixed"
            if result.returncode == 0:
                break  # past the last point: the compile ran to the end
            assert result.returncode == -signal.SIGKILL, result.stderr
            killed += 1
            subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
            assert sorted(os.listdir(tmp_path)) == ["compiled", "schema.yaml"], f"step {step}: the next compile removes every leftover"
            assert tree(tmp_path / "compiled") == outputs[new]
            step += 1
    assert killed >= 16  # 9 file writes (7 documents, the state, migrations.sum), the swap and the clean-up, in each direction


def servers_in(folder: Path) -> list[str]:
    """Our throwaway server folders (platformdirs also keeps a runtime-<uid> lock folder in TMPDIR)."""
    return [name for name in os.listdir(folder) if name.startswith("schemac-pg-")]


def postgres_under(folder: Path) -> list[int]:
    """Processes (postgres, initdb, pg_ctl, ...) whose command line names the folder or that work inside it."""
    return [
        p.pid
        for p in psutil.process_iter(["cmdline", "cwd"])
        if str(folder) in " ".join(p.info["cmdline"] or []) or (p.info["cwd"] or "").startswith(str(folder))
    ]


SIGNALS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def test_sigint_sigterm_sighup_during_verify_stop_the_server_and_remove_its_folder(tmp_path, request):
    """20 rounds; in each, one verify per signal runs side by side (each in its own TMPDIR) and gets its signal at a
    random moment: before, during or after the server's start, or while verify works."""
    (tmp_path / "schema.yaml").write_text((ROOT / "schema.yaml").read_text())
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    rng = random.Random(8)
    interrupted = {sig: 0 for sig in SIGNALS}
    short_tmps: list[Path] = []
    request.addfinalizer(lambda: [shutil.rmtree(p, ignore_errors=True) for p in short_tmps])
    for round_ in range(20):
        runs = []
        for sig in SIGNALS:
            # only this run's leftovers count; a short folder, so the server's socket path stays within
            # PostgreSQL's 107 bytes however deep pytest's own temporary folder is
            private_tmp = Path(tempfile.mkdtemp(prefix="scf-"))
            short_tmps.append(private_tmp)
            env = {**os.environ, "TMPDIR": str(private_tmp)}
            proc = subprocess.Popen([SCHEMAC, "verify"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            runs.append((sig, private_tmp, proc, time.monotonic() + rng.uniform(0.3, 4.0)))
        for sig, _tmp, proc, at in sorted(runs, key=lambda r: r[3]):
            time.sleep(max(0.0, at - time.monotonic()))
            proc.send_signal(sig)
        for sig, private_tmp, proc, _at in runs:
            out, err = proc.communicate(timeout=90)
            assert servers_in(private_tmp) == [], f"round {round_} {sig.name}: left {servers_in(private_tmp)}"
            assert postgres_under(private_tmp) == [], f"round {round_} {sig.name}: a process is still running"
            if proc.returncode == 0:
                continue  # verify finished before the signal arrived
            assert proc.returncode == SIGNALS[sig], (sig.name, out, err)
            assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
            interrupted[sig] += 1
    assert all(n >= 15 for n in interrupted.values()), interrupted


def test_a_server_that_never_starts_is_one_line_and_leaves_nothing(tmp_path):
    """A TMPDIR whose path is too long for PostgreSQL's socket: the server cannot start."""
    (tmp_path / "schema.yaml").write_text((ROOT / "schema.yaml").read_text())
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    long_tmp = tmp_path / ("d" * 110)
    long_tmp.mkdir()
    result = subprocess.run(
        [SCHEMAC, "verify"], cwd=tmp_path, env={**os.environ, "TMPDIR": str(long_tmp)}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("verify: the throwaway PostgreSQL did not start: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert servers_in(long_tmp) == [] and postgres_under(long_tmp) == []


def test_compile_on_a_full_disk_is_one_line_and_changes_nothing(tmp_path):
    """A file-size limit makes the staging writes fail as on a full disk (Python turns SIGXFSZ into an OSError)."""
    import resource

    (tmp_path / "schema.yaml").write_text((ROOT / "schema.yaml").read_text())
    subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, check=True, capture_output=True)
    before = tree(tmp_path / "compiled")
    (tmp_path / "schema.yaml").write_text((ROOT / "schema.yaml").read_text().replace("version: 1", "version: 1\n# changed", 1))

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = subprocess.run([SCHEMAC, "compile"], cwd=tmp_path, capture_output=True, text=True, preexec_fn=small_disk, timeout=120)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "nothing written" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree(tmp_path / "compiled") == before
    assert sorted(os.listdir(tmp_path)) == ["compiled", "schema.yaml"]
