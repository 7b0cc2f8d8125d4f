"""The pipeline in one place: load the spec → build the model → check the rules → render every output.

Pure apart from reading the spec file; writing and comparing outputs is in outputs.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from .resolve.schema import build_schema
from .errors import Pos, SpecError, SpecErrors
from .spec.load import decode_source, load_yaml
from .model import Schema
from .rules import LintResult, run_rules


SAFE_FILE_NAME = re.compile(r"[\w.\- ]+")


def load_schema(spec_path: str) -> Schema:
    """Read, validate and resolve a spec file; raises SpecErrors.

    Errors name the file as the user gave it (so editors can jump to it); generated
    files name only its base name, so they never carry a machine path.
    """
    with open(spec_path, "rb") as fh:
        raw = fh.read()
    name = os.path.basename(spec_path)
    if not SAFE_FILE_NAME.fullmatch(name):
        # the name is written into every generated file's header (SQL, TypeScript and HTML comments)
        raise SpecErrors(
            [SpecError(Pos(repr(spec_path), 1, 1), "the spec's file name may hold only letters, digits, '.', '_', '-' and spaces; rename the file")]
        )
    text = decode_source(raw, spec_path)
    loaded = load_yaml(text, spec_path)
    return build_schema(loaded, raw, name)


def lint_schema(schema: Schema) -> LintResult:
    """Run the compliance rules; findings of severity error must stop compile and check."""
    return run_rules(schema)


def render_outputs(schema: Schema) -> dict[str, str]:
    """Every file a new project's first compile writes: the documents and the initial migration."""
    from .emit.sql import MIGRATION_PATH, render_migration

    return {MIGRATION_PATH: render_migration(schema), **render_documents(schema)}


def render_documents(schema: Schema) -> dict[str, str]:
    """The files compile regenerates from the spec every time (everything but migrations, which are append-only)."""
    return {path: render(schema) for path, render in document_emitters().items()}


def document_emitters(encoded: bool = False) -> dict[str, Callable[[Schema], str | bytes]]:
    """Each file compile regenerates every time, with the emitter that renders it: compile and check render them one
    at a time and let each text go once written or compared. With `encoded` the two large JSON documents come as
    their UTF-8 bytes, as orjson writes them (decoding 100 MB into a second copy as text is compile's peak memory).
    The emitters are imported here: validate never needs them."""
    from .emit.inventory import INVENTORY_JSON_PATH, INVENTORY_MD_PATH, encode_inventory_json, render_inventory_json, render_inventory_markdown
    from .emit.markdown import DB_SCHEMA_PATH, render_db_schema
    from .emit.normalized import SCHEMA_JSON_PATH, encode_schema_json, render_schema_json
    from .emit.spec_schema import SPEC_SCHEMA_PATH, render_spec_schema
    from .emit.typescript import TYPESCRIPT_PATH, render_typescript

    return {
        INVENTORY_MD_PATH: render_inventory_markdown,
        INVENTORY_JSON_PATH: encode_inventory_json if encoded else render_inventory_json,
        DB_SCHEMA_PATH: render_db_schema,
        SCHEMA_JSON_PATH: encode_schema_json if encoded else render_schema_json,
        SPEC_SCHEMA_PATH: lambda _schema: render_spec_schema(),
        TYPESCRIPT_PATH: render_typescript,
    }
