"""Documentation: a description on every table and column, a retention answer on every table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Violation, rule

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema


@rule("SC114", "every table and column has a description", "warning")
def described(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        if not (t.description or "").strip():
            yield Violation(t.at("description"), t.name, None, f"table '{t.name}' has no description; add 'description:' saying what it holds and why")
        for col in t.columns:
            if not (col.description or "").strip():
                yield Violation(col.at("description"), t.name, col.name, f"column '{t.name}.{col.name}' has no description; add 'description:' saying what it holds")


@rule("SC115", "every table states its retention", "error")
def retention_stated(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        if not (t.retention or "").strip():
            yield Violation(t.at("retention"), t.name, None, f"table '{t.name}' states no retention; add 'retention:' saying how long rows are kept and how they are deleted")
