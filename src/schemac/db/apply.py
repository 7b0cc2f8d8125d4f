"""Applying compiled migrations, recorded in a history table under an advisory lock."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import psycopg

HISTORY_SCHEMA = "schemac"
# An arbitrary constant: the key of the advisory lock every schemac apply takes.
ADVISORY_LOCK_KEY = 0x5C4E3AC


@dataclass(frozen=True)
class Migration:
    version: str  # file name without .sql, e.g. 001_initial_schema
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def read_migrations(out_dir: str) -> list[Migration]:
    """The compiled migrations in order of their file names."""
    folder = os.path.join(out_dir, "migrations")
    if not os.path.isdir(folder):
        return []
    result = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".sql"):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                result.append(Migration(name[:-4], fh.read()))
    return result


def run_sql(conn: psycopg.Connection, text: str) -> None:
    """Run a multi-statement script on an autocommit connection; roll back what it left open on error."""
    try:
        conn.execute(text)
    except psycopg.Error:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        raise


def apply_migrations(conn: psycopg.Connection, migrations: list[Migration]) -> tuple[list[str], list[str]]:
    """Apply migrations not yet recorded; return (applied versions, problems such as changed checksums)."""
    conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    try:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {HISTORY_SCHEMA}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {HISTORY_SCHEMA}.applied_migrations ("
            " version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = dict(conn.execute(f"SELECT version, checksum FROM {HISTORY_SCHEMA}.applied_migrations").fetchall())
        applied, problems = [], []
        for m in migrations:
            if m.version in done:
                if done[m.version] != m.checksum:
                    problems.append(
                        f"migration {m.version} was changed after it was applied (checksum {done[m.version][:12]} in the "
                        f"database, {m.checksum[:12]} on disk); never edit an applied migration, add a new one"
                    )
                continue
            run_sql(conn, m.sql)
            conn.execute(
                f"INSERT INTO {HISTORY_SCHEMA}.applied_migrations (version, checksum) VALUES (%s, %s)",
                (m.version, m.checksum),
            )
            applied.append(m.version)
        return applied, problems
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
