"""Documentation: a description on every table and column, a retention answer on every table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .access import phi_tables
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


@rule("SC115", "every table with PHI states its retention", "error")
def retention_stated(schema: Schema) -> Iterator[Violation]:
    """Retention is a question about sensitive records: tables holding or linking to the most sensitive class."""
    for name, why in phi_tables(schema).items():
        t = schema.table(name)
        if not (t.retention or "").strip():
            yield Violation(t.at("retention"), t.name, None, f"table '{t.name}' {why} but states no retention; add 'retention:' saying how long rows are kept and how they are deleted")
