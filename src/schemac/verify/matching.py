"""Messages for verify's differences, and pairing by name for what the model does not hold.

Tables, columns, constraints, indexes, triggers and policies are paired by the differ
(schemac.plan, through verify/run.py's Drift); functions are not part of the model, so they
are still paired here: missing, extra, or both (to compare attributes).
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
