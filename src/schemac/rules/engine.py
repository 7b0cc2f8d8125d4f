"""Run every rule over the model, apply the spec's severities and waivers, and report unused waivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Pos
from .base import Violation
from .profiles import profile_severity
from .registry import RULES, UNUSED_WAIVER

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema, Waiver


@dataclass(frozen=True, order=True)
class Finding:
    """A violation with its rule's code, title and effective severity."""

    pos: Pos
    code: str
    severity: str
    title: str
    message: str
    table: str
    column: str | None = None


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Waiver]] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def run_rules(schema: Schema) -> LintResult:
    """Every finding of every rule not turned off, sorted by position; waived ones set aside."""
    severities = dict(schema.lint.severities)
    result = LintResult()
    used: set[Waiver] = set()
    for r in RULES:
        severity = severities.get(r.code, profile_severity(schema.profile, r.code, r.severity))
        if severity == "off":
            continue
        for v in r.check(schema):
            finding = _finding(r.code, severity, r.title, v)
            waiver = _waiver_for(schema.lint.waivers, r.code, v)
            if waiver is None:
                result.findings.append(finding)
            else:
                used.add(waiver)
                result.waived.append((finding, waiver))
    severity = severities.get(UNUSED_WAIVER.code, profile_severity(schema.profile, UNUSED_WAIVER.code, UNUSED_WAIVER.severity))
    for w in schema.lint.waivers:
        if w not in used and severity != "off":
            target = f"{w.table}.{w.column}" if w.column else w.table
            message = f"the waiver of {w.rule} for {target} matches no finding (the rule passes there, or is off); remove the waiver"
            result.findings.append(_finding(UNUSED_WAIVER.code, severity, UNUSED_WAIVER.title, Violation(w.pos, w.table, w.column, message)))
    result.findings.sort()
    result.waived.sort(key=lambda fw: fw[0])
    return result


def _finding(code: str, severity: str, title: str, v: Violation) -> Finding:
    return Finding(v.pos, code, severity, title, v.message, v.table, v.column)


def _waiver_for(waivers: tuple[Waiver, ...], code: str, v: Violation) -> Waiver | None:
    """The waiver for this rule and table (and column, when the waiver names one)."""
    for w in waivers:
        if w.rule == code and w.table == v.table and (w.column is None or w.column == v.column):
            return w
    return None
