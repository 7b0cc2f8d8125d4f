"""Verify external tables: the table and its declared columns exist, and its policies are exactly the spec's.

schemac never creates an external table (Supabase does), so a missing one or a declared column of
another type is reported, not planned. The application's policies on it (storage.objects) are
compared like a spec table's: the spec's expressions spelled by this server on a temporary table
with the declared columns, then command, roles, USING and WITH CHECK; a policy on it the spec does
not declare is reported too.
"""

from __future__ import annotations

import psycopg

from ..db.catalog import read_schema
from ..model import Schema
from .matching import differ
from .policies import _normalize_table
from ..db.rollback import rolled_back


def compare_externals(conn: psycopg.Connection, schema: Schema, diffs: list[str]) -> int:
    """Append every difference of the external tables; return how many facts were compared."""
    checked = 0
    live_schemas = {}
    for table in schema.externals:
        if table.schema not in live_schemas:
            live_schemas[table.schema] = read_schema(conn, table.schema)
        label = f"external table {table.qualified_name}"
        live = live_schemas[table.schema].tables.get(table.name)
        if live is None:
            diffs.append(f"{label}: not in the database (schemac never creates it; the platform does)")
            continue
        for c in table.columns:
            checked += 1
            if c.name not in live.columns:
                diffs.append(f"{label}: column {c.name}: declared in the spec but not in the database")
            else:
                differ(diffs, f"{label}: column {c.name}: type", live.columns[c.name].type, c.type.catalog)
        if not table.policies and not live.policies:
            continue
        with rolled_back(conn, "schemac_external_policies"):
            expected = {name: exp for (_t, name), exp in _normalize_table(conn, table).items()} if table.policies else {}
        for name in sorted(set(live.policies) - set(expected)):
            diffs.append(f"policy {table.qualified_name}.{name}: in the database but not in the spec")
        for name, exp in expected.items():
            where = f"policy {table.qualified_name}.{name}"
            if name not in live.policies:
                diffs.append(f"{where}: missing from the database")
                continue
            if exp.problem:
                diffs.append(f"{where}: the spec's expressions could not be checked on this database: {exp.problem}")
                continue
            checked += 1
            lp = live.policies[name]
            differ(diffs, f"{where}: command", lp.command, exp.command)
            differ(diffs, f"{where}: roles", ", ".join(lp.roles), ", ".join(exp.roles))
            differ(diffs, f"{where}: USING", lp.using, exp.using)
            differ(diffs, f"{where}: WITH CHECK", lp.with_check, exp.with_check)
            differ(diffs, f"{where}: kind", "permissive" if lp.permissive else "restrictive", "permissive")
    return checked
