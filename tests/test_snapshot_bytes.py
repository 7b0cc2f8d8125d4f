"""A state snapshot is written through orjson (the pure-Python indenting encoder was a third of compile at 1,000
tables) and must be, byte for byte, what `json.dumps(..., indent=2, ensure_ascii=False)` wrote: written states
are checksummed and never change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import REPO_SPEC, ROOT

from schemac.emit.jsontext import dumps_indented
from schemac.migrations import snapshot
from schemac.pipeline import load_schema

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

GOLDEN = sorted(p for p in (ROOT / "tests" / "golden").glob("*/schema.yaml") if p.parent.name != "error_many")


def _as_json_wrote_it(schema) -> str:
    return json.dumps({"snapshot_version": snapshot.SNAPSHOT_VERSION, "schema": snapshot._dump(schema)}, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("spec", [REPO_SPEC, *GOLDEN], ids=lambda p: Path(p).parent.name)
def test_snapshot_bytes_are_the_standard_encoders(spec):
    schema = load_schema(str(spec))
    text = snapshot.snapshot_json(schema)
    assert text == _as_json_wrote_it(schema)
    assert snapshot.load_snapshot(text, "state.json") == schema


def test_snapshot_of_a_generated_spec(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text(generate(12), encoding="utf-8")
    schema = load_schema(str(spec))
    assert snapshot.snapshot_json(schema) == _as_json_wrote_it(schema)


@pytest.mark.parametrize("value", [1e16, 1.5, -0.0, 1e-7, 2.5e300, float("inf"), float("nan"), 10**20, "é\u2028\ud800", [1, 2.0, None, True]])
def test_floats_and_odd_values_are_spelled_as_json_spells_them(value):
    """orjson spells 1e16 without the '+', refuses big integers and lone surrogates: floats go through ExactFloat,
    the rest falls back to the standard encoder."""
    document = {"schema": {"default": value}}
    assert dumps_indented(snapshot._dump(document)) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
