"""Pairing what the spec expects with what the database has, by name.

Every kind of object verify compares (tables, columns, constraints, indexes,
triggers, policies, functions) has the same two ways to differ before any
attribute is looked at: it is missing, or it is extra. This module reports those
and hands back the pairs whose attributes are still to be compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

E = TypeVar("E")
L = TypeVar("L")


def pair_by_name(
    label: Callable[[str], str], expected: Mapping[str, E], live: Mapping[str, L], diffs: list[str]
) -> list[tuple[str, E, L]]:
    """Report extra and missing objects; return (name, expected, live) for the ones on both sides, in spec order."""
    for name in sorted(set(live) - set(expected)):
        diffs.append(f"{label(name)}: in the database but not in the spec")
    pairs = []
    for name, exp in expected.items():
        if name in live:
            pairs.append((name, exp, live[name]))
        else:
            diffs.append(f"{label(name)}: missing from the database")
    return pairs


def differ(diffs: list[str], what: str, live_value: Any, expected_value: Any) -> None:
    """Record one attribute difference when the two values are not equal."""
    if live_value != expected_value:
        diffs.append(f"{what}: the database has {show(live_value)}; the spec says {show(expected_value)}")


def show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "(" + ", ".join(value) + ")"
    return repr(value) if isinstance(value, str) else str(value)
