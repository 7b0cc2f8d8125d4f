"""The text of a generated migration (after the first): pure, one PlanPart in, one file out.

The header says where it came from and whether it runs in a transaction; SET lock_timeout
and statement_timeout come next (from `[tool.schemac]`), so DDL behind a busy table fails
fast instead of queueing every other session behind it; then each statement, its summary
and its hazards (`-- hazard <code>: <message>`) as comments above it.
"""

from __future__ import annotations

from ..emit.sql import GENERATED_MARK
from ..sqltext import quote_literal
from .config import Settings
from .files import NO_TRANSACTION


def _comment(text: str) -> str:
    """Text safe inside a `--` comment: no line breaks or control characters that could end it."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def render_part(part, source: str, settings: Settings, stem: str) -> str:
    hazards = sorted({h.code for st in part.statements for h in st.hazards})
    out = [
        f"{GENERATED_MARK} from {source}. Do not edit by hand: a written migration never changes;",
        "-- change the spec and run `schemac compile` to write the next one.",
        f"-- Migration {stem}: " + "; ".join(_comment(st.summary) for st in part.statements if st.summary),
        "-- Hazards: " + (", ".join(hazards) if hazards else "none"),
    ]
    if not part.transactional:
        out += [NO_TRANSACTION, "-- Each statement commits on its own (CREATE INDEX CONCURRENTLY cannot run in a transaction)."]
    out += [
        "",
        f"SET lock_timeout = {quote_literal(settings.lock_timeout)};",
        f"SET statement_timeout = {quote_literal(settings.statement_timeout)};",
        "",
    ]
    if part.transactional:
        out += ["BEGIN;", ""]
    for st in part.statements:
        if st.summary:
            out.append(f"-- {_comment(st.summary)}")
        out += [f"-- hazard {h.code}: {_comment(h.message)}" for h in st.hazards]
        sql = st.sql.strip()
        out += [sql if sql.endswith(";") else sql + ";", ""]
    if part.transactional:
        out += ["COMMIT;", ""]
    return "\n".join(out)
