"""What the planner hands back: statements with their hazards, grouped into the migrations that must run apart."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SpecError
from .hazards import Hazard


@dataclass(frozen=True)
class Statement:
    sql: str  # one statement, ending in ';'
    hazards: tuple[Hazard, ...] = ()
    summary: str = ""  # one human line, e.g. "add column patients.preferred_language"


@dataclass(frozen=True)
class PlanPart:
    """Statements that run together: in one transaction, or (CREATE INDEX CONCURRENTLY) outside any, in their own file."""

    statements: tuple[Statement, ...]
    transactional: bool = True


@dataclass(frozen=True)
class Plan:
    parts: tuple[PlanPart, ...]  # empty when nothing the database holds changed
    refusals: tuple[SpecError, ...]  # why the plan must not be written, each at its place in schema.yaml
    name: str  # a readable default migration name, snake_case

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for part in self.parts for s in part.statements)
