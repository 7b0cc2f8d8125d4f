"""compiled/schema.json: the fully resolved schema as plain JSON, for the docs site and other tools.

Pure. Every default and inherited classification is filled in (it is the model),
source positions are left out (they move with every edit of the YAML), and keys
keep the model's field order, so the same spec always gives the same bytes.
The shape is documented in the README; bump SCHEMA_JSON_VERSION on any change
that is not a pure addition.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..model import ColumnType, Schema

SCHEMA_JSON_PATH = "schema.json"
SCHEMA_JSON_VERSION = 1

# Model fields that are not schema facts: source positions and output configuration.
OMITTED_FIELDS = frozenset({"pos", "keys", "doc_targets"})


def render_schema_json(schema: Schema) -> str:
    """The schema as indented JSON with a trailing newline."""
    plain = to_plain(schema)
    document = {"version": SCHEMA_JSON_VERSION, **{k: plain[k] for k in ("source", "source_sha256", "enums", "tables")}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_plain(value: Any) -> Any:
    """A model value as JSON data: dataclasses become objects, tuples lists."""
    if isinstance(value, ColumnType):
        return {"sql": value.sql, "base": value.base, "params": list(value.params), "array": value.array}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in OMITTED_FIELDS}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in sorted(value.items())}
    return value
