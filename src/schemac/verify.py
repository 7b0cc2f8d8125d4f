"""Prove a live database is exactly the spec: apply, read the catalog, compare.

Expressions (defaults, CHECKs, index predicates) are compared in the server's own
normalized form: the expected ones are rendered by creating them on temporary
tables in a transaction that is rolled back, so both sides are spelled by the
same PostgreSQL.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import psycopg

from .db.apply import apply_migrations, read_migrations
from .db.catalog import LiveSchema, read_schema
from .db.server import has_auth_users, install_supabase_stand_in, throwaway_server
from .emit.sql import column_comment, table_comment
from .model import UPDATED_AT_FUNCTION, Schema, Table
from .sqltext import quote_ident
from .verify_policies import ExpectedPolicy, compare_policies, normalize_policies


@dataclass
class Report:
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0


@dataclass
class Normalized:
    """Server-spelled expressions, keyed by (table, name)."""

    defaults: dict[tuple[str, str], str | None]
    checks: dict[tuple[str, str], str]
    predicates: dict[tuple[str, str], str]
    policies: dict[tuple[str, str], ExpectedPolicy] = field(default_factory=dict)


def run_verify(schema: Schema, out_dir: str, database_url: str | None, apply: bool = True) -> Report:
    """Verify against the given database, or a throwaway server with the Supabase stand-in."""
    with contextlib.ExitStack() as stack:
        report = Report()
        if database_url is None:
            database_url = stack.enter_context(throwaway_server())
            report.notes.append("started a throwaway PostgreSQL with the Supabase stand-in")
        with psycopg.connect(database_url, autocommit=True) as conn:
            if not has_auth_users(conn):
                install_supabase_stand_in(conn)
                if not report.notes:
                    report.notes.append("auth.users was missing: installed the Supabase stand-in")
            if apply:
                migrations = read_migrations(out_dir)
                if not migrations:
                    report.differences.append(f"no compiled migrations in {out_dir}/migrations; run `schemac compile`")
                    return report
                applied, problems = apply_migrations(conn, migrations)
                report.differences += problems
                report.notes.append(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else " (all already applied)"))
            live = read_schema(conn)
            normalized = normalize_expressions(conn, schema)
        report.checked = compare_schema(schema, live, normalized, report.differences)
        return report


def normalize_expressions(conn: psycopg.Connection, schema: Schema) -> Normalized:
    """Let the server spell every expected default, CHECK and index predicate, then roll back."""
    defaults: dict[tuple[str, str], str | None] = {}
    checks: dict[tuple[str, str], str] = {}
    predicates: dict[tuple[str, str], str] = {}
    conn.execute("BEGIN")
    try:
        for i, table in enumerate(schema.tables):
            tmp = f"schemac_norm_{i}"
            cols = ", ".join(
                f"{quote_ident(c.name)} {c.type.sql}" + (f" DEFAULT {c.default.sql}" if c.default else "") for c in table.columns
            )
            conn.execute(f"CREATE TEMP TABLE {tmp} ({cols}) ON COMMIT DROP")
            for c in table.columns:
                row = conn.execute(
                    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                    "WHERE a.attrelid = %s::regclass AND a.attname = %s",
                    (f"pg_temp.{tmp}", c.name),
                ).fetchone()
                defaults[(table.name, c.name)] = row[0]
            for ch in table.checks:
                conn.execute(f"ALTER TABLE {tmp} ADD CONSTRAINT {quote_ident(ch.name)} CHECK ({ch.expression})")
                checks[(table.name, ch.name)] = conn.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                    (f"pg_temp.{tmp}", ch.name),
                ).fetchone()[0]
            for j, ix in enumerate(table.indexes):
                if ix.where:
                    cols_sql = ", ".join(quote_ident(c) for c in ix.columns)
                    conn.execute(f"CREATE INDEX schemac_norm_{i}_{j} ON {tmp} ({cols_sql}) WHERE ({ix.where})")
                    predicates[(table.name, ix.name)] = conn.execute(
                        "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = %s::regclass",
                        (f"pg_temp.schemac_norm_{i}_{j}",),
                    ).fetchone()[0]
    finally:
        conn.execute("ROLLBACK")
    return Normalized(defaults, checks, predicates, normalize_policies(conn, schema))


def compare_schema(schema: Schema, live: LiveSchema, norm: Normalized, diffs: list[str]) -> int:
    """Append every difference between spec and database to diffs; return how many facts were compared."""
    checked = 0
    expected_tables = {t.name: t for t in schema.tables}
    for name in sorted(set(live.tables) - set(expected_tables)):
        diffs.append(f"table {name}: in the database but not in the spec")
    for table in schema.tables:
        lt = live.tables.get(table.name)
        if lt is None:
            diffs.append(f"table {table.name}: missing from the database")
            continue
        checked += _compare_table(table, lt, norm, diffs)

    for name, kind in sorted(live.others.items()):
        diffs.append(f"{kind} {name}: in the database but not in the spec")

    expected_functions = {UPDATED_AT_FUNCTION.split(".")[1]} if any(t.timestamps for t in schema.tables) else set()
    for fname in sorted(set(live.functions) - expected_functions):
        diffs.append(f"function public.{fname}: in the database but not in the spec")
    for fname in sorted(expected_functions - set(live.functions)):
        diffs.append(f"function public.{fname}: missing from the database")
    for fname in sorted(expected_functions & set(live.functions)):
        if "NEW.updated_at := now();" not in live.functions[fname]:
            diffs.append(f"function public.{fname}: its body no longer sets NEW.updated_at := now()")
    return checked + len(expected_functions)


def _compare_table(table: Table, lt, norm: Normalized, diffs: list[str]) -> int:
    t = table.name
    checked = 2

    def differ(what: str, live_value, expected_value) -> None:
        diffs.append(f"{what}: the database has {_show(live_value)}; the spec says {_show(expected_value)}")

    if lt.rls != table.rls:
        differ(f"table {t}: row level security", "enabled" if lt.rls else "disabled", "enabled" if table.rls else "disabled")
    if lt.comment != table_comment(table):
        differ(f"table {t}: comment", lt.comment, table_comment(table))

    expected_cols = {c.name: c for c in table.columns}
    for name in [n for n in lt.columns if n not in expected_cols]:
        diffs.append(f"column {t}.{name}: in the database but not in the spec")
    for c in table.columns:
        lc = lt.columns.get(c.name)
        if lc is None:
            diffs.append(f"column {t}.{c.name}: missing from the database")
            continue
        checked += 4
        if lc.type != c.type.catalog:
            differ(f"column {t}.{c.name}: type", lc.type, c.type.catalog)
        if lc.nullable != c.nullable:
            differ(f"column {t}.{c.name}: nullability", "NULL" if lc.nullable else "NOT NULL", "NULL" if c.nullable else "NOT NULL")
        if lc.default != norm.defaults[(t, c.name)]:
            differ(f"column {t}.{c.name}: default", lc.default, norm.defaults[(t, c.name)])
        if lc.comment != column_comment(c):
            differ(f"column {t}.{c.name}: comment", lc.comment, column_comment(c))

    expected_cons: dict[str, tuple] = {}
    if table.primary_key:
        expected_cons[table.primary_key.name] = ("p", table.primary_key.columns)
    for u in table.uniques:
        expected_cons[u.name] = ("u", u.columns)
    for fk in table.foreign_keys:
        expected_cons[fk.name] = ("f", fk.columns, fk.ref_qualified, fk.ref_columns, fk.on_delete)
    for ch in table.checks:
        expected_cons[ch.name] = ("c", norm.checks[(t, ch.name)])
    kinds = {"p": "primary key", "u": "unique constraint", "f": "foreign key", "c": "check constraint", "x": "exclusion constraint"}
    for name in sorted(set(lt.constraints) - set(expected_cons)):
        diffs.append(f"{kinds[lt.constraints[name].kind]} {t}.{name}: in the database but not in the spec")
    for name, exp in expected_cons.items():
        lc = lt.constraints.get(name)
        label = f"{kinds[exp[0]]} {t}.{name}"
        if lc is None:
            diffs.append(f"{label}: missing from the database")
            continue
        checked += 1
        if lc.kind != exp[0]:
            differ(label, kinds[lc.kind], kinds[exp[0]])
        elif exp[0] in ("p", "u") and lc.columns != exp[1]:
            differ(f"{label}: columns", lc.columns, exp[1])
        elif exp[0] == "f":
            live_fk = (lc.columns, lc.ref_table, lc.ref_columns, lc.on_delete)
            if live_fk[:3] != exp[1:4]:
                differ(f"{label}: target", f"({', '.join(lc.columns)}) -> {lc.ref_table}({', '.join(lc.ref_columns)})", f"({', '.join(exp[1])}) -> {exp[2]}({', '.join(exp[3])})")
            if lc.on_delete != exp[4]:
                differ(f"{label}: ON DELETE", lc.on_delete.upper(), exp[4].upper())
        elif exp[0] == "c" and lc.definition != exp[1]:
            differ(f"{label}: expression", lc.definition, exp[1])

    expected_ix = {ix.name: ix for ix in table.indexes}
    for name in sorted(set(lt.indexes) - set(expected_ix)):
        diffs.append(f"index {t}.{name}: in the database but not in the spec")
    for ix in table.indexes:
        li = lt.indexes.get(ix.name)
        if li is None:
            diffs.append(f"index {t}.{ix.name}: missing from the database")
            continue
        checked += 1
        if li.columns != ix.columns:
            differ(f"index {t}.{ix.name}: columns", li.columns, ix.columns)
        if li.unique != ix.unique:
            differ(f"index {t}.{ix.name}: uniqueness", "unique" if li.unique else "not unique", "unique" if ix.unique else "not unique")
        if li.method != ix.using:
            differ(f"index {t}.{ix.name}: method", li.method, ix.using)
        if li.predicate != norm.predicates.get((t, ix.name)):
            differ(f"index {t}.{ix.name}: predicate", li.predicate, norm.predicates.get((t, ix.name)))

    expected_trg = {trg.name: trg for trg in table.triggers}
    for name in sorted(set(lt.triggers) - set(expected_trg)):
        diffs.append(f"trigger {t}.{name}: in the database but not in the spec")
    for trg in table.triggers:
        ltr = lt.triggers.get(trg.name)
        if ltr is None:
            diffs.append(f"trigger {t}.{trg.name}: missing from the database")
            continue
        checked += 1
        if (ltr.timing, ltr.events, ltr.function) != (trg.timing, trg.events, trg.function):
            differ(f"trigger {t}.{trg.name}", f"{ltr.timing} {' OR '.join(ltr.events)} -> {ltr.function}", f"{trg.timing} {' OR '.join(trg.events)} -> {trg.function}")
        if not ltr.enabled:
            differ(f"trigger {t}.{trg.name}", "disabled", "enabled")

    checked += compare_policies(table, lt.policies, norm.policies, diffs)
    return checked


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "(" + ", ".join(value) + ")"
    return repr(value) if isinstance(value, str) and (" " in value or not value) else str(value)
