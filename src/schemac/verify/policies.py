"""Verify row level security policies: command, roles, USING and WITH CHECK, as the server spells them.

Expected expressions are normalized by creating each table's policies on a temporary
table of the same name (so outer references print the same way) inside a transaction
that is rolled back; one table at a time, so no temporary table shadows another that a
policy reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from ..db.rollback import rolled_back

from ..db.catalog import LivePolicy
from ..emit.sql import create_policy_sql
from .matching import differ
from ..model import Policy, Schema, Table
from ..sqltext import qualified, quote_ident


@dataclass(frozen=True)
class ExpectedPolicy:
    command: str  # SELECT, INSERT, UPDATE, DELETE, ALL (as pg_policies prints it)
    roles: tuple[str, ...]
    using: str | None
    with_check: str | None
    problem: str | None = None  # why the server could not normalize it


def normalize_policies(conn: psycopg.Connection, schema: Schema) -> dict[tuple[str, str], ExpectedPolicy]:
    """Every spec policy in the server's own spelling, keyed by (table, policy)."""
    result: dict[tuple[str, str], ExpectedPolicy] = {}
    with rolled_back(conn, "schemac_policies_all"):
        for table in schema.tables:
            if table.policies:
                result.update(_normalize_table(conn, table))
    return result


def _normalize_table(conn: psycopg.Connection, table: Table) -> dict[tuple[str, str], ExpectedPolicy]:
    conn.execute("SAVEPOINT schemac_policies")
    try:
        cols = ", ".join(f"{quote_ident(c.name)} {c.type.sql}" for c in table.columns)
        conn.execute(f"CREATE TEMP TABLE {quote_ident(table.name)} ({cols})")
        temp = qualified("pg_temp", table.name)
        for p in table.policies:
            conn.execute(create_policy_sql(temp, p))
        rows = conn.execute(
            "SELECT polname, pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) "
            "FROM pg_policy WHERE polrelid = %s::regclass",
            (temp,),
        ).fetchall()
        spelled = {name: (using, check) for name, using, check in rows}
        return {(table.name, p.name): _expected(p, *spelled[p.name]) for p in table.policies}
    except psycopg.Error as exc:
        problem = str(exc).strip().splitlines()[0]
        return {(table.name, p.name): _expected(p, p.using, p.with_check, problem) for p in table.policies}
    finally:
        conn.execute("ROLLBACK TO SAVEPOINT schemac_policies")


def _expected(p: Policy, using: str | None, check: str | None, problem: str | None = None) -> ExpectedPolicy:
    return ExpectedPolicy(p.command.upper(), tuple(sorted(p.roles)), using, check, problem)


def compare_policies(table: str, pairs: list[tuple[str, ExpectedPolicy, LivePolicy]], changed: set[str], diffs: list[str]) -> int:
    """Append the differences of the policies on both sides (the differ found which changed); return how many were compared."""
    checked = 0
    for name, exp, lp in pairs:
        label = f"policy {table}.{name}"
        if exp.problem:
            diffs.append(f"{label}: the spec's expressions could not be checked on this database: {exp.problem}")
            continue
        checked += 1
        if name in changed:
            differ(diffs, f"{label}: command", lp.command, exp.command)
            differ(diffs, f"{label}: roles", ", ".join(lp.roles), ", ".join(exp.roles))
            differ(diffs, f"{label}: USING", lp.using, exp.using)
            differ(diffs, f"{label}: WITH CHECK", lp.with_check, exp.with_check)
        differ(diffs, f"{label}: kind", "permissive" if lp.permissive else "restrictive", "permissive")
    return checked
