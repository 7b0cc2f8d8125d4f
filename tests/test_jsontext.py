"""The fast JSON writer gives exactly the bytes of json.dumps(indent=2, ensure_ascii=False)."""

from __future__ import annotations

import json

import pytest

from schemac.emit.jsontext import ExactFloat, dumps_indented

EVERY_CONTROL = "".join(chr(i) for i in range(0x20))
DOCUMENTS = [
    {},
    [],
    {"empty_list": [], "empty_map": {}, "nested": [[], {}, [[]], {"a": {}}]},
    {"text": EVERY_CONTROL + '"\\/ \x7f\u0085\u2028\u2029é€😀\ufeff'},
    {"numbers": [0, -1, 2**63 - 1, -(2**63), True, False, None]},
    {"floats": [0.1, 1e16, 1e-05, 123456789.123, -0.0, float("inf"), float("-inf"), float("nan"), 2.5]},
    {"lone surrogate": "\ud800"},  # orjson refuses it: the standard library writes it
    {"big": 2**80},  # beyond 64 bits: likewise
    {"ünïcode kéy": {"nested": ["x", 1, {"y": None}]}},
]


def _wrap_floats(value):
    if isinstance(value, dict):
        return {k: _wrap_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap_floats(v) for v in value]
    return ExactFloat(value) if isinstance(value, float) else value


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_same_bytes_as_the_standard_library(document):
    expected = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert dumps_indented(_wrap_floats(document)) == expected


def test_float_defaults_in_schema_json_keep_pythons_spelling(tmp_path):
    from helpers import write_spec
    from schemac.emit.normalized import render_schema_json
    from schemac.pipeline import load_schema

    spec = write_spec(
        tmp_path,
        """
        version: 1
        tables:
          t:
            description: T.
            classification: administrative
            rls: false
            columns:
              id: {type: uuid, primary_key: true, description: Id.}
              settings: {type: jsonb, default: {big: 1.0e+16, small: 0.00001}, description: S.}
        """,
    )
    text = render_schema_json(load_schema(str(spec)))
    assert '"big": 1e+16' in text and '"small": 1e-05' in text
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
