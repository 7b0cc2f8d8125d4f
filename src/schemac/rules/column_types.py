"""Column types: TIMESTAMPTZ and TEXT only, and now() defaults on row timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Violation, rule

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema

ROW_TIMESTAMPS = ("created_at", "updated_at")


@rule("SC102", "timestamps are timestamptz, never timestamp without time zone", "error")
def timestamptz_only(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        for col in t.columns:
            if col.type.base == "timestamp":
                yield Violation(col.at("type"), t.name, col.name, f"'{t.name}.{col.name}' is {col.type.sql} (without time zone); write 'type: timestamptz' so instants stay correct across time zones")


@rule("SC103", "created_at and updated_at are timestamptz NOT NULL DEFAULT now()", "error")
def row_timestamp_defaults(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        for name in ROW_TIMESTAMPS:
            if not t.has_column(name):
                continue
            col = t.column(name)
            fn = col.default.function if col.default else None
            wrong = [key for key, bad in (("type", col.type.sql != "timestamptz"), ("default", fn != "now()"), ("nullable", col.nullable)) if bad]
            if wrong:
                yield Violation(col.at(wrong[0]), t.name, name, f"'{t.name}.{name}' must be 'type: timestamptz' with 'default: now()' and not nullable (or use 'timestamps: true' on the table)")


@rule("SC104", "strings are text, never varchar(n) or char(n)", "error")
def text_not_varchar(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        for col in t.columns:
            if col.type.base in ("varchar", "char", "bpchar"):
                yield Violation(col.at("type"), t.name, col.name, f"'{t.name}.{col.name}' is {col.type.sql}; write 'type: text' (add a CHECK on length(...) if a limit matters)")
