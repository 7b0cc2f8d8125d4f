"""Resolve the spec's `lint:` section (severities and waivers) into the model, with positioned errors.

Grammar errors in the section are reported by build.py's validation of the whole
spec; here the meaning is checked: known rule codes, existing tables and columns,
and a written reason on every waiver.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from ..model import LintConfig, Table, Waiver
from ..rules.registry import RULES_BY_CODE
from ..spec.language import LintSpec

MIN_REASON_WORDS = 3


def build_lint(raw: Any, tables: dict[str, Table], all_names: set[str], problems) -> LintConfig:
    """The LintConfig of the spec; problems collects unknown codes, tables, columns and missing reasons."""
    if raw is None:
        return LintConfig()
    try:
        spec = LintSpec.model_validate(raw)
    except ValidationError:
        return LintConfig()  # already reported against the whole spec
    for code in spec.severity:
        _known_rule(code, ("lint", "severity", code), problems)
    waivers = []
    for i, w in enumerate(spec.waivers):
        path = ("lint", "waivers", i)
        ok = _known_rule(w.rule, path + ("rule",), problems)
        ok = _known_target(w.table, w.column, path, tables, all_names, problems) and ok
        reason = (w.reason or "").strip()
        if len(reason.split()) < MIN_REASON_WORDS:
            problems.add(path + (("reason",) if w.reason is not None else ()), f"waiver of {w.rule} for {w.table} needs a 'reason' of at least {MIN_REASON_WORDS} words saying why the rule does not apply; reviewers read it in DATA_INVENTORY.md")
            ok = False
        if ok and (overlap := _overlap(w.rule, w.table, w.column, waivers)):
            problems.add(path, overlap)
        elif ok:
            waivers.append(Waiver(w.rule, w.table, w.column, reason, problems.loaded.pos(path)))
    return LintConfig(tuple(sorted(spec.severity.items())), tuple(waivers))


def _overlap(rule: str, table: str, column: str | None, earlier: list[Waiver]) -> str | None:
    """Why this waiver repeats an earlier one (it could never be used, and SC100 would misreport it), or None."""
    target = f"{table}.{column}" if column else table
    for e in earlier:
        if (e.rule, e.table) != (rule, table):
            continue
        if e.column == column:
            return f"duplicate waiver: {rule} for {target} is already waived at line {e.pos.line}; remove one of them"
        if e.column is None:
            return f"duplicate waiver: {rule} is already waived for the whole table {table} at line {e.pos.line}, which includes {target}; remove one of them"
        if column is None:
            return f"duplicate waiver: the waiver of {rule} for {e.table}.{e.column} at line {e.pos.line} is included in this whole-table one; remove one of them"
    return None


def _known_rule(code: str, path, problems) -> bool:
    if code in RULES_BY_CODE:
        return True
    close = difflib.get_close_matches(code, sorted(RULES_BY_CODE), n=1)
    hint = f"did you mean '{close[0]}'?" if close else "run `schemac lint --help` for the list"
    problems.add(path, f"unknown rule '{code}'; {hint}")
    return False


def _known_target(table: str, column: str | None, path, tables: dict[str, Table], all_names: set[str], problems) -> bool:
    if table not in all_names:
        close = difflib.get_close_matches(table, sorted(all_names), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"tables: {', '.join(sorted(all_names))}"
        problems.add(path + ("table",), f"waiver names unknown table '{table}'; {hint}")
        return False
    if column is not None and table in tables and not tables[table].has_column(column):
        names = [c.name for c in tables[table].columns]
        close = difflib.get_close_matches(column, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"columns: {', '.join(names)}"
        problems.add(path + ("column",), f"waiver names unknown column '{column}' of table '{table}'; {hint}")
        return False
    return True
