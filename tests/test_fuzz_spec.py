"""Mutation fuzzing of the spec: whatever the input, schemac answers with positioned errors or with outputs.

Each case takes the repo's schema.yaml, changes a few values, keys or lines (seeded, so a
failure is reproducible from its id), and runs the whole pure pipeline. The only allowed
outcomes are SpecErrors whose every message has a position, or a model every emitter and
the rules can render. Any other exception would be a traceback for a user.
"""

from __future__ import annotations

import random

import pytest
import yaml

from schemac.resolve.schema import build_schema
from schemac.errors import SpecErrors
from schemac.spec.load import load_yaml
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
