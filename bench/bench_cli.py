"""How long compile, check and verify take on the repo's schema.yaml.

Each command runs as a user runs it (a new process), several times; the figure is the
median. The baseline, measured in the same run, is a process that only imports
schemac's CLI: the part of every command's time that is Python start-up, not work.

    .venv/bin/python bench/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(cmd: list[str], cwd: str, runs: int, fresh_out: bool = False) -> float:
    """Median wall time of `cmd`; with fresh_out, each run writes into a new output directory."""
    subprocess.run(cmd if not fresh_out else [*cmd, "--out", "warmup"], cwd=cwd, check=True, capture_output=True)  # warm caches
    times = []
    for i in range(runs):
        run_cmd = [*cmd, "--out", f"fresh{i}"] if fresh_out else cmd
        start = time.perf_counter()
        subprocess.run(run_cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = shutil.which("schemac", path=os.path.dirname(sys.executable)) or "schemac"
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(ROOT / "schema.yaml", Path(work) / "schema.yaml")
        baseline = median_seconds([sys.executable, "-c", "import schemac.cli"], work, args.runs)
        subprocess.run([exe, "compile"], cwd=work, check=True, capture_output=True)
        rows = [
            ("compile (writes every file)", median_seconds([exe, "compile"], work, args.runs, fresh_out=True)),
            ("compile (up to date)", median_seconds([exe, "compile"], work, args.runs)),
            ("lint", median_seconds([exe, "lint"], work, args.runs)),
            ("check", median_seconds([exe, "check"], work, args.runs)),
            ("verify (throwaway PostgreSQL)", median_seconds([exe, "verify"], work, max(1, args.runs // 2))),
        ]
    print(f"baseline: python -c 'import schemac.cli'  {baseline * 1000:7.0f} ms")
    for name, seconds in rows:
        print(f"{name:<30} {seconds * 1000:7.0f} ms  ({seconds / baseline:5.1f}x baseline)")


if __name__ == "__main__":
    main()
