"""Deterministic names for constraints, indexes and triggers, always within 63 bytes.

Follows PostgreSQL's own conventions (patients_pkey, messages_conversation_id_fkey,
...). A name that would be too long is cut and given a short hash of the full name,
so two long names never collide by truncation.
"""

from __future__ import annotations

import hashlib

from ..sqltext import MAX_IDENTIFIER_BYTES


def fit(name: str) -> str:
    """Shorten `name` to 63 bytes deterministically (prefix + '_' + 8 hex digits of its hash)."""
    if len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return name.encode("utf-8")[: MAX_IDENTIFIER_BYTES - 9].decode("utf-8", "ignore").rstrip("_") + "_" + digest


def primary_key(table: str) -> str:
    return fit(f"{table}_pkey")


def unique(table: str, columns: tuple[str, ...]) -> str:
    return fit(f"{table}_{'_'.join(columns)}_key")


def foreign_key(table: str, columns: tuple[str, ...]) -> str:
    return fit(f"{table}_{'_'.join(columns)}_fkey")


def check(table: str, label: str) -> str:
    return fit(f"{table}_{label}_check")


def index(table: str, columns: tuple[str, ...], unique_: bool) -> str:
    return fit(f"{table}_{'_'.join(columns)}_{'uidx' if unique_ else 'idx'}")


def updated_at_trigger(table: str) -> str:
    return fit(f"{table}_set_updated_at")
