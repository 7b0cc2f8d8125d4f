"""Mutation fuzzing of the spec: whatever the input, schemac answers with positioned errors or with outputs.

Each case takes the repo's schema.yaml, changes a few values, keys or lines (seeded, so a
failure is reproducible from its id), and runs the whole pure pipeline. The only allowed
outcomes are SpecErrors whose every message has a position, or a model every emitter and
the rules can render. Any other exception would be a traceback for a user.
"""

from __future__ import annotations

import random
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemac.resolve.schema import build_schema
from schemac.errors import SpecErrors
from schemac.spec.load import decode_source, load_yaml
from schemac.pipeline import lint_schema, render_outputs

from conftest import REPO_SPEC

HOSTILE_VALUES = [
    "", " ", "'", '"', "''; DROP TABLE patients; --", "$$", "$x$", ";", "\\", "\\x00", "é日本🩺", "a" * 70,
    "-1", "0", "1e309", "NaN", ".inf", "null", "~", "yes", "no", "on", "2026-13-45", "09:00", "12:30:61",
    "[]", "{}", "[1, 2]", "{a: 1}", "true", "false", "numeric(1000,1000)", "text[][]", "varchar(0)",
    "auth.users.id", "patients.id", "patients", "now()", "gen_random_uuid()", "x()", "select", "all",
    "phi", "public_social", "btree", "gin", "cascade", "set null", "SC101", "off", "error",
]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        line = lines[i]
        op = rng.random()
        if op < 0.55 and ":" in line:  # replace a value
            key, _, _ = line.partition(":")
            value = rng.choice(HOSTILE_VALUES)
            quoted = rng.random() < 0.5
            lines[i] = f"{key}: " + (yaml.safe_dump(value, default_style='"').strip() if quoted else value)
        elif op < 0.7:  # drop a line
            del lines[i]
        elif op < 0.85:  # duplicate a line (duplicate keys, repeated items)
            lines.insert(i, line)
        else:  # shift indentation
            lines[i] = (" " * rng.choice([0, 1, 2, 4])) + line.lstrip()
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(400))
def test_any_mutation_gives_positioned_errors_or_outputs(seed):
    rng = random.Random(seed)
    text = mutate(REPO_SPEC.read_text(encoding="utf-8"), rng)
    try:
        schema = build_schema(load_yaml(text, "schema.yaml"), text.encode(), "schema.yaml")
    except SpecErrors as exc:
        assert exc.errors, "SpecErrors without any error"
        for e in exc.errors:
            assert e.pos.file == "schema.yaml" and e.pos.line >= 1 and e.pos.col >= 1, str(e)
            assert e.message and "\n" not in e.message, str(e)
        return
    lint_schema(schema)
    outputs = render_outputs(schema)
    assert all(text.endswith("\n") for text in outputs.values())


BYTE_NOISE = [b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\xc2\x85", b"\r", b"\r\n", b"\t", b"\x00", b'"', b"'", b"[", b"{", b"&a ",
              b"*a", b"!!int ", b"!!bool ", b"!!float ", b"!!null ", b"!!str ", b"!!map ", b"<<: ", b"---\n", b"\\e", b"#", b": ", b"- "]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_byte_mutation_gives_errors_at_real_positions_or_outputs(data):
    """Bytes in, through the whole pure path (decoding, YAML, build, compliance of the clean part, render): every error
    names a line and column that exist in the file (as editors count lines), or the outputs render."""
    raw = bytearray(REPO_SPEC.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[i:i] = data.draw(st.sampled_from(BYTE_NOISE))
        else:
            del raw[i : i + data.draw(st.integers(1, 40))]
    raw = bytes(raw)
    try:
        text = decode_source(raw, "schema.yaml")
        schema = build_schema(load_yaml(text, "schema.yaml"), raw, "schema.yaml")
    except SpecErrors as exc:
        lines = re.split(rb"\r\n|\r|\n", raw)
        for e in exc.errors:
            assert 1 <= e.pos.line <= len(lines) and e.pos.col >= 1, str(e)
            assert e.pos.col <= len(lines[e.pos.line - 1].decode("utf-8", "replace")) + 1, str(e)
            assert e.message and "\n" not in e.message, str(e)
        if exc.partial is not None:
            lint_schema(exc.partial)
        return
    lint_schema(schema)
    assert all(out.endswith("\n") for out in render_outputs(schema).values())
