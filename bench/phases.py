"""Where compile's time goes, phase by phase, in one process.

Runs the same steps `schemac compile` runs, in its order, on one spec and prints each
phase's seconds (the median of --runs) as JSON, so bench/run.py can show the shares and
how each phase grows with the spec. The phases are schemac's own functions, called as
the CLI calls them.

    python bench/phases.py spec.yaml [--runs N] [--clock cpu|wall|calls]

`--clock calls` counts each phase's function calls (cProfile) instead of timing it: the proof that
no phase is quadratic does not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time


class CallCounter:
    """A clock that counts function calls instead of seconds: cProfile's call count of each phase. A phase that
    does the same work per table calls its functions exactly N/M times as often at N tables as at M; a quadratic
    step shows as (N/M)^2, however the heap or the machine's load bends the seconds."""

    def __init__(self):
        import cProfile

        self.profile = cProfile.Profile()
        self.calls = 0
        self.running = False

    def __call__(self) -> float:
        import pstats

        if not self.running:  # a phase starts
            self.profile = type(self.profile)()
            self.profile.enable()
            self.running = True
            return float(self.calls)
        self.profile.disable()
        self.running = False
        self.calls += pstats.Stats(self.profile).total_calls
        return float(self.calls)


def one_run(spec: str, clock=time.perf_counter) -> dict[str, float]:
    from schemac import outputs
    from schemac.emit import inventory, markdown, normalized, spec_schema, sql, typescript
    from schemac.inject import read_documents
    from schemac.pipeline import lint_schema
    from schemac.resolve.schema import build_schema
    from schemac.spec.load import load_yaml

    times: dict[str, float] = {}

    def timed(name, fn, *args):
        start = clock()
        result = fn(*args)
        times[name] = times.get(name, 0.0) + clock() - start
        return result

    with open(spec, "rb") as fh:
        raw = fh.read()
    text = timed("read and decode", raw.decode, "utf-8")
    loaded = timed("YAML with positions", load_yaml, text, spec)
    schema = timed("build the model", build_schema, loaded, raw, os.path.basename(spec))
    timed("rules", lint_schema, schema)
    files = {
        sql.MIGRATION_PATH: timed("migration SQL", sql.render_migration, schema),
        inventory.INVENTORY_MD_PATH: timed("DATA_INVENTORY.md", inventory.render_inventory_markdown, schema),
        inventory.INVENTORY_JSON_PATH: timed("data_inventory.json", inventory.render_inventory_json, schema),
        markdown.DB_SCHEMA_PATH: timed("DB_SCHEMA.md", markdown.render_db_schema, schema),
        normalized.SCHEMA_JSON_PATH: timed("schema.json", normalized.render_schema_json, schema),
        spec_schema.SPEC_SCHEMA_PATH: timed("schemac.schema.json", spec_schema.render_spec_schema),
        typescript.TYPESCRIPT_PATH: timed("database.ts", typescript.render_typescript, schema),
    }
    timed("injected pages", _documents, read_documents, spec, schema, markdown)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "compiled")
        timed("compare with the output folder", outputs.compare, out, files)
        timed("write the outputs", outputs.write_outputs, out, files, {})
        timed("compare with the output folder", outputs.compare, out, files)  # as check does, on a full folder
    return times


def _turns_collector_off() -> bool:
    """Whether the `schemac` script (schemac.launch.main) turns the garbage collector off."""
    import inspect as _source  # stdlib; read the entry point's own code

    try:
        from schemac import launch
    except ImportError:
        return False
    return "gc.disable()" in _source.getsource(launch.main)


def _documents(read_documents, spec, schema, markdown):
    """The configured pages, read as the CLI reads them: the reference rendered only for a page
    where read_documents takes it as a function (before that, the CLI rendered it every time)."""
    if "Callable" in str(read_documents.__annotations__.get("block", "")):
        return read_documents(spec, schema, lambda: markdown.render_injected(schema), "compiled")
    return read_documents(spec, schema, markdown.render_injected(schema), "compiled")


def main() -> None:
    """Runs with the garbage collector as the `schemac` script leaves it."""
    if _turns_collector_off():
        gc.disable()
    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clock", choices=("cpu", "wall", "calls"), default="cpu")
    args = parser.parse_args()
    if args.clock == "calls":  # one run: the counts do not vary
        print(json.dumps(one_run(args.spec, CallCounter())))
        return
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    runs = [one_run(args.spec, clock) for _ in range(args.runs)]
    gc.collect()
    print(json.dumps({name: statistics.median(r[name] for r in runs) for name in runs[0]}))


if __name__ == "__main__":
    main()
