"""The hazards a migration statement can carry, as stable codes a reviewer (and CI) can grep for.

Named after what pg-schema-diff and squawk warn about. A statement on a table created in the same
migration carries none: nobody else can see that table yet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hazard:
    code: str
    message: str


DELETES_DATA = "deletes-data"
TABLE_REWRITE = "table-rewrite"
ACCESS_EXCLUSIVE_LOCK = "access-exclusive-lock"
INDEX_NOT_CONCURRENT = "index-not-concurrent"
CONSTRAINT_NOT_VALID_MISSING = "constraint-not-valid-missing"
AUTHORIZATION_CHANGE = "authorization-change"
UPDATES_ROWS = "updates-rows"
ROWS_MAY_VIOLATE = "rows-may-violate"

# Every code, with what it means; the README's table is written from this.
CODES = {
    DELETES_DATA: "the statement destroys stored values (dropped table or column, narrowing type change)",
    TABLE_REWRITE: "PostgreSQL rewrites every row of the table while holding an ACCESS EXCLUSIVE lock",
    ACCESS_EXCLUSIVE_LOCK: "blocks every read and write of the table until the transaction ends (bounded by lock_timeout)",
    INDEX_NOT_CONCURRENT: "builds an index while blocking writes to the table (PRIMARY KEY / UNIQUE constraints cannot be built CONCURRENTLY)",
    CONSTRAINT_NOT_VALID_MISSING: "the constraint checks every existing row while holding its lock (PRIMARY KEY / UNIQUE cannot be added NOT VALID)",
    AUTHORIZATION_CHANGE: "changes who may read or write rows (row level security or a policy)",
    UPDATES_ROWS: "updates existing rows (a backfill or an enum value rename): every row touched is locked and rewritten",
    ROWS_MAY_VIOLATE: "VALIDATE fails if existing rows hold a value the new rule forbids; migrate those rows first",
}


def hazard(code: str, detail: str = "") -> Hazard:
    """A hazard with the standard wording for its code, plus what it applies to."""
    return Hazard(code, CODES[code] + (f": {detail}" if detail else ""))
