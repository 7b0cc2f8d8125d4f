"""What a rule is: a code, a title, a default severity and a check over the model.

A check is a plain function from the resolved Schema to Violations; the engine
(engine.py) applies severities and waivers, so a check never needs to know about them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Pos

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema

SEVERITIES = ("error", "warning", "off")


@dataclass(frozen=True)
class Violation:
    """One place a rule is broken, and how to fix the spec."""

    pos: Pos
    table: str
    column: str | None
    message: str


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str  # the default: error | warning | off
    check: Callable[[Schema], Iterable[Violation]]


def rule(code: str, title: str, severity: str) -> Callable[[Callable[[Schema], Iterable[Violation]]], Rule]:
    """Decorator: turn a check function into a Rule with a stable code."""

    def wrap(check: Callable[[Schema], Iterable[Violation]]) -> Rule:
        return Rule(code, title, severity, check)

    return wrap
