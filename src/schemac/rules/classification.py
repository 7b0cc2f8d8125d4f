"""Data classification: every table classified, PHI encrypted, no PHI (or free-form data) in logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Violation, rule

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema


@rule("SC105", "log tables hold no free-form json/jsonb column that could carry PHI", "warning")
def log_free_form(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        if not t.log:
            continue
        for col in t.columns:
            if col.type.base in ("json", "jsonb"):
                yield Violation(col.at("type"), t.name, col.name, f"log table '{t.name}' has free-form column '{col.name}' ({col.type.sql}), which can carry PHI unnoticed; store IDs and codes in typed columns, or waive SC105 for it with the reason it only ever holds IDs")


@rule("SC106", "every table states its data classification", "error")
def table_classified(schema: Schema) -> Iterator[Violation]:
    # Columns cannot be unclassified: build.py refuses them, because every emitter
    # prints the classification. This rule covers what build lets through.
    for t in schema.tables:
        if t.classification is None:
            yield Violation(t.at("classification"), t.name, None, f"table '{t.name}' states no classification; add 'classification: {'|'.join(schema.classifications)}' to the table (the default for its columns)")


@rule("SC107", "every PHI column is marked encrypted", "error")
def phi_encrypted(schema: Schema) -> Iterator[Violation]:
    from ..model import classification_label  # at run time: importing the rules must not import the model

    for t in schema.tables:
        for col in t.columns:
            if col.classification == schema.most_sensitive and not col.encrypted:
                yield Violation(col.at("encrypted"), t.name, col.name, f"{classification_label(schema.most_sensitive)} column '{t.name}.{col.name}' is not marked encrypted; add 'encrypted: true' (encrypted at rest and in transit)")


@rule("SC108", "a log table holds no PHI column", "error")
def log_without_phi(schema: Schema) -> Iterator[Violation]:
    from ..model import classification_label  # at run time: importing the rules must not import the model

    for t in schema.tables:
        if not t.log:
            continue
        for col in t.columns:
            if col.classification == schema.most_sensitive:
                yield Violation(col.at("classification"), t.name, col.name, f"log table '{t.name}' holds {classification_label(schema.most_sensitive)} column '{col.name}'; logs keep IDs only: store the id of the record instead, or move the column to a non-log table")
