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


def exclusion(table: str, label: str) -> str:
    return fit(f"{table}_{label}_excl")


def updated_at_trigger(table: str, column: str = "updated_at") -> str:
    return fit(f"{table}_set_{column}")


def serial_sequence(table: str, column: str) -> str:
    """The sequence PostgreSQL creates for a serial column: makeObjectName(table, column, 'seq').

    Its rule, not fit(): while the two names are too long for 63 bytes with '_' + '_seq',
    the longer one loses its last character.
    """
    available = MAX_IDENTIFIER_BYTES - len("_seq") - 1
    t, c = table.encode("utf-8"), column.encode("utf-8")
    n1, n2 = len(t), len(c)
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    return f"{t[:n1].decode('utf-8', 'ignore')}_{c[:n2].decode('utf-8', 'ignore')}_seq"
