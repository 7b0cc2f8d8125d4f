"""compiled/schemac.schema.json: a JSON Schema of the spec language, for editors.

Generated from the Pydantic models in spec.py, so it cannot drift from what the
loader accepts; attribute docstrings become `description`s. Keys are the YAML
names (by_alias: a policy's operations are `for`).
"""

from __future__ import annotations

import json

from ..spec.language import Spec

SPEC_SCHEMA_PATH = "schemac.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def spec_json_schema() -> dict:
    """The JSON Schema of a schema.yaml, as data."""
    document = Spec.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DIALECT, **document}


def render_spec_schema() -> str:
    """The JSON Schema as indented JSON with a trailing newline."""
    return json.dumps(spec_json_schema(), indent=2, ensure_ascii=False) + "\n"
