"""schemac against the YAML floor and SQLAlchemy, on generated specs of several sizes.

One interleaved run: every round runs each command once per size, in a rotating order, so
a slow moment on a shared machine hurts every command alike; the figure is the median over
rounds. Every command is a new process, as a user runs it. Printed as Markdown:

- seconds per command and size: the floors (PyYAML's C loader loading the spec, and
  composing it into nodes with positions), the peer (SQLAlchemy 2 building a MetaData and
  emitting PostgreSQL DDL from the same YAML), `schemac validate`, `compile` (into an empty
  folder), `check` against that folder (proved by its fingerprint.sum) and `check --full`
  (recompiles and compares), the same two on a copy of the repo's own project, and start-up (`import schemac.cli`, `--help`);
- the ratios the project aims at, taken within this run;
- growth between the two largest sizes, per command and per phase of compile
  (bench/phases.py, in-process), and the peak RSS of each command at the largest size.

    .venv/bin/python bench/run.py                  # sizes 100, 1000, 5000; 5 rounds
    .venv/bin/python bench/run.py --sizes 10,50 --runs 1 --phase-runs 1   # a smoke test

Needs the bench extra (SQLAlchemy): pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402

PY = sys.executable
SCHEMAC = os.environ.get("SCHEMAC_BENCH_EXE") or str(Path(PY).with_name("schemac"))  # another build's script, for a before/after

FLOOR_LOAD = "import sys, yaml; yaml.load(open(sys.argv[1], 'rb').read(), Loader=yaml.CSafeLoader)"
FLOOR_COMPOSE = "import sys, yaml; yaml.compose(open(sys.argv[1], 'rb').read(), Loader=yaml.CSafeLoader)"


def commands(spec: str, out: str) -> dict[str, list[str]]:
    """Each measured command for one spec, by the name it has in the table."""
    return {
        "floor: PyYAML `CSafeLoader` load": [PY, "-c", FLOOR_LOAD, spec],
        "floor: `yaml.compose` with `CSafeLoader` (nodes with positions)": [PY, "-c", FLOOR_COMPOSE, spec],
        "SQLAlchemy 2: MetaData + PostgreSQL DDL from the same YAML": [PY, str(BENCH / "peer_sqlalchemy.py"), spec],
        "`schemac validate`": [SCHEMAC, "validate", "--spec", spec],
        "`schemac compile` (into an empty folder)": [SCHEMAC, "compile", "--spec", spec, "--out", out + "-fresh"],
        "`schemac check` (fingerprint.sum proves the folder current)": [SCHEMAC, "check", "--spec", spec, "--out", out],
        "`schemac check --full` (recompiles and compares)": [SCHEMAC, "check", "--full", "--spec", spec, "--out", out],
    }


START_UP = {
    "`python -c pass`": [PY, "-c", "pass"],
    '`python -c "import schemac.cli"`': [PY, "-c", "import schemac.cli"],
    "`schemac --help`": [SCHEMAC, "--help"],
}

FLOOR = "floor: `yaml.compose` with `CSafeLoader` (nodes with positions)"
PEER = "SQLAlchemy 2: MetaData + PostgreSQL DDL from the same YAML"
COMPILE = "`schemac compile` (into an empty folder)"
CHECK = "`schemac check` (fingerprint.sum proves the folder current)"
CHECK_FULL = "`schemac check --full` (recompiles and compares)"
REPO_FILES = ("schema.yaml", "pyproject.toml", "docs", "compiled")  # the repo's project, copied: the bench writes nothing in the repo


def timed(cmd: list[str], cwd: str, clock: str) -> tuple[float, int]:
    """Seconds (CPU or wall) and peak RSS (bytes) of one process; fails loudly if the command fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start if clock == "wall" else usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        failed = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{failed.stdout}{failed.stderr}")
    return seconds, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="table counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="rounds; each figure is the median")
    parser.add_argument("--phase-runs", type=int, default=3, help="in-process runs per size for the phase profile")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu",
        help="cpu (default): user+system seconds of each process, steady on a busy shared machine; wall: elapsed seconds",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # every command runs from cached bytecode, as an installed schemac does (pip writes it); with
    # PYTHONDONTWRITEBYTECODE set, an edited checkout would recompile its changed modules in every process
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    with tempfile.TemporaryDirectory(prefix="schemac-bench-") as work:
        specs, outs = {}, {}
        for n in sizes:
            specs[n] = os.path.join(work, f"spec_{n}.yaml")
            Path(specs[n]).write_text(generate(n), encoding="utf-8")
            outs[n] = os.path.join(work, f"compiled_{n}")
            subprocess.run([SCHEMAC, "compile", "--spec", specs[n], "--out", outs[n]], check=True, capture_output=True)
        seconds: dict[tuple[str, int], list[float]] = {}
        rss: dict[tuple[str, int], list[int]] = {}
        repo = os.path.join(work, "repo")
        os.mkdir(repo)
        for name in REPO_FILES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, os.path.join(repo, name))
        subprocess.run([SCHEMAC, "compile"], cwd=repo, check=True, capture_output=True)  # writes its fingerprint.sum

        for round_ in range(args.runs):
            jobs = [(name, n, cmd) for n in sizes for name, cmd in commands(specs[n], outs[n]).items()]
            jobs += [(name, 0, cmd) for name, cmd in START_UP.items()]
            jobs += [("repo check", 0, [SCHEMAC, "check"]), ("repo check --full", 0, [SCHEMAC, "check", "--full"])]
            shift = round_ * 7 % len(jobs)
            for name, n, cmd in jobs[shift:] + jobs[:shift]:
                if n:
                    shutil.rmtree(outs[n] + "-fresh", ignore_errors=True)
                s, peak = timed(cmd, repo if name.startswith("repo check") else work, args.clock)
                seconds.setdefault((name, n), []).append(s)
                rss.setdefault((name, n), []).append(peak)
            print(f"round {round_ + 1}/{args.runs} done", file=sys.stderr, flush=True)

        phases, calls = {}, {}
        for n in sizes[-2:]:
            for clock, into in ((args.clock, phases), ("calls", calls)):
                result = subprocess.run(
                    [PY, str(BENCH / "phases.py"), specs[n], "--runs", str(args.phase_runs), "--clock", clock],
                    check=True, capture_output=True, text=True,
                )
                into[n] = json.loads(result.stdout)

    med = {key: statistics.median(v) for key, v in seconds.items()}
    peak = {key: max(v) for key, v in rss.items()}
    report(sizes, med, peak, phases, calls, args.runs, args.clock)


def _fmt(s: float) -> str:
    return f"{s:.3f}" if s < 1 else f"{s:.2f}"


def report(sizes, med, peak, phases, calls, runs, clock) -> None:
    names = list(commands("", ""))
    what = "CPU seconds (user + system)" if clock == "cpu" else "Wall seconds"
    print(f"{what}, median of {runs} interleaved rounds (each a new process):\n")
    print("| | " + " | ".join(f"n={n:,}" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name in names:
        print(f"| {name} | " + " | ".join(_fmt(med[(name, n)]) for n in sizes) + " |")
    for name in START_UP:
        print(f"| {name} | " + " | ".join([_fmt(med[(name, 0)])] * 1 + [""] * (len(sizes) - 1)) + " |")
    print(f"| `schemac check` on the repo's own schema.yaml | {_fmt(med[('repo check', 0)])} |" + " |" * (len(sizes) - 1))
    print(f"| `schemac check --full` on the repo's own schema.yaml | {_fmt(med[('repo check --full', 0)])} |" + " |" * (len(sizes) - 1))

    big = sizes[-1]
    mid = sizes[-2] if len(sizes) > 1 else big
    target = 1000 if 1000 in sizes else mid
    print("\nRatios (same run):\n")
    print("| ratio | value | aim |")
    print("|---|---|---|")
    print(f"| compile / compose floor, n={target:,} | {med[(COMPILE, target)] / med[(FLOOR, target)]:.2f}× | ≤ 2.0× |")
    print(f"| compile / SQLAlchemy, n={target:,} | {med[(COMPILE, target)] / med[(PEER, target)]:.2f}× | ≤ 0.5× |")
    print(f"| check / compile, n={target:,} | {med[(CHECK, target)] / med[(COMPILE, target)]:.2f}× | ≤ 1.0× |")
    print(f"| check --full / compile, n={target:,} | {med[(CHECK_FULL, target)] / med[(COMPILE, target)]:.2f}× | ≤ 1.0× |")
    print(f"| compile growth n={mid:,} → {big:,} | {med[(COMPILE, big)] / med[(COMPILE, mid)]:.2f}× | ≤ {5.5 * big / mid / 5:.1f}× |")
    print(f"| peak RSS of compile / compose floor, n={big:,} | {peak[(COMPILE, big)] / peak[(FLOOR, big)]:.2f}× "
          f"({peak[(COMPILE, big)] / 2**20:.0f} MB / {peak[(FLOOR, big)] / 2**20:.0f} MB) | ≤ 2.0× |")
    over = med[('`python -c "import schemac.cli"`', 0)] - med[("`python -c pass`", 0)]
    print(f"| `import schemac.cli` over `python -c pass` | {over:.3f} s | ≤ 0.06 s |")
    print(f"| `schemac check` on the repo's own schema | {med[('repo check', 0)]:.3f} s (`python -c pass`: {med[('`python -c pass`', 0)]:.3f} s) | ≤ 0.25 s |")
    print(f"| `schemac check --full` on the repo's own schema | {med[('repo check --full', 0)]:.3f} s | ≤ 0.25 s |")

    print(f"\nGrowth n={mid:,} → {big:,} and peak RSS at n={big:,}:\n")
    print("| command | growth | peak RSS |")
    print("|---|---|---|")
    for name in names:
        print(f"| {name} | {med[(name, big)] / med[(name, mid)]:.2f}× | {peak[(name, big)] / 2**20:.0f} MB |")

    print(f"\nCompile in one process, by phase (median of in-process runs), n={mid:,} and n={big:,}:\n")
    print(f"| phase | n={mid:,} | share | n={big:,} | share | growth | calls growth |")
    print("|---|---|---|---|---|---|---|")
    total_mid, total_big = sum(phases[mid].values()), sum(phases[big].values())
    for name in phases[big]:
        a, b = phases[mid][name], phases[big][name]
        ca, cb = calls[mid][name], calls[big][name]
        print(f"| {name} | {_fmt(a)} | {a / total_mid:.0%} | {_fmt(b)} | {b / total_big:.0%} | {b / a if a else 0:.2f}× | {cb / ca if ca else 0:.2f}× |")
    all_calls = sum(calls[big].values()) / sum(calls[mid].values())
    print(f"| all | {_fmt(total_mid)} | | {_fmt(total_big)} | | {total_big / total_mid:.2f}× | {all_calls:.2f}× |")
    print(f"\nCalls growth: each phase's function calls (cProfile) at n={big:,} over n={mid:,}; linear work grows "
          f"{big / mid:.1f}×, a quadratic step {(big / mid) ** 2:.0f}×, whatever the machine's load does to the seconds.")


if __name__ == "__main__":
    main()
