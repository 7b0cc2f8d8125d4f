"""The pipeline in one place: load the spec → build the model → render every output.

Pure apart from reading the spec file; writing and comparing outputs is in outputs.py.
"""

from __future__ import annotations

import os

from .build import build_schema
from .emit.sql import MIGRATION_PATH, render_migration
from .emit.typescript import TYPESCRIPT_PATH, render_typescript
from .load import load_yaml
from .model import Schema


def load_schema(spec_path: str) -> Schema:
    """Read, validate and resolve a spec file; raises SpecErrors."""
    with open(spec_path, "rb") as fh:
        raw = fh.read()
    name = os.path.basename(spec_path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        from .errors import Pos, SpecError, SpecErrors

        raise SpecErrors([SpecError(Pos(name, 1, 1), f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8")]) from None
    loaded = load_yaml(text, name)
    return build_schema(loaded, raw, name)


def render_outputs(schema: Schema) -> dict[str, str]:
    """Every generated file, by path relative to the output directory."""
    return {
        MIGRATION_PATH: render_migration(schema),
        TYPESCRIPT_PATH: render_typescript(schema),
    }
