"""Objects the spec's `sql:` blocks create: found in a reference database, never reported as extra, compared whole.

The spec cannot describe them, so the expected state is what the compiled migrations build on
a fresh database with the Supabase stand-in (the reference). Each object a block creates
(a function, view, trigger, index, policy, type, sequence or table) is compared between the
database and the reference, so a hand-made change to one is a difference like any other.
"""

from __future__ import annotations

import dataclasses

import psycopg

from collections.abc import Callable

from ..db.apply import apply_migrations
from ..db.catalog import LiveSchema, read_schema
from ..db.server import throwaway_server
from ..migrations.files import MigrationFile
from ..model import Schema
from .matching import differ


def declared(schema: Schema) -> dict[str, set[str]]:
    """kind -> names the sql: blocks create."""
    found: dict[str, set[str]] = {}
    for block in schema.sql_blocks:
        for kind, name in block.creates:
            found.setdefault(kind, set()).add(name)
    return found


def without_sql_objects(schema: Schema, live: LiveSchema) -> LiveSchema:
    """The live schema minus what the sql: blocks create, so the spec's comparison does not call them extra."""
    objects = declared(schema)
    if not objects:
        return live
    functions = {k: v for k, v in live.functions.items() if k.split("(")[0] not in objects.get("function", set())}
    views = {k: v for k, v in live.views.items() if k not in objects.get("view", set())}
    others = {k: v for k, v in live.others.items() if k not in objects.get("other", set())}
    enums = {k: v for k, v in live.enums.items() if k not in objects.get("other", set())}  # CREATE TYPE ... AS ENUM
    domains = {k: v for k, v in live.domains.items() if k not in objects.get("other", set())}
    tables = {}
    for name, t in live.tables.items():
        if name in objects.get("table", set()):
            continue
        tables[name] = dataclasses.replace(
            t,
            triggers={k: v for k, v in t.triggers.items() if f"{name}.{k}" not in objects.get("trigger", set())},
            indexes={k: v for k, v in t.indexes.items() if f"{name}.{k}" not in objects.get("index", set())},
            policies={k: v for k, v in t.policies.items() if f"{name}.{k}" not in objects.get("policy", set())},
        )
    return dataclasses.replace(live, tables=tables, functions=functions, views=views, others=others, enums=enums, domains=domains)


def build_reference(migrations: list[MigrationFile], state_of: Callable[[MigrationFile], Schema | None]) -> LiveSchema:
    """The catalog a fresh database with the stand-in has after the compiled migrations."""
    with throwaway_server() as url, psycopg.connect(url, autocommit=True) as conn:
        apply_migrations(conn, migrations, state_of, throwaway=True)
        return read_schema(conn)


def compare_sql_objects(schema: Schema, live: LiveSchema, reference: LiveSchema, diffs: list[str]) -> int:
    """Each object a sql: block creates, in the database against the reference build."""
    objects = declared(schema)
    checked = 0

    def pair(label: str, current, expected) -> None:
        nonlocal checked
        checked += 1
        if current is None:
            diffs.append(f"{label} (from the spec's sql: section): missing from the database")
        else:
            differ(diffs, f"{label} (from the spec's sql: section)", _show(current), _show(expected))

    for name in sorted(objects.get("function", set())):
        keys = sorted(k for k in reference.functions if k.split("(")[0] == name)
        for key in keys:
            pair(f"function public.{key}", live.functions.get(key), reference.functions[key])
    for name in sorted(objects.get("view", set())):
        if name in reference.views:
            pair(f"view {name}", live.views.get(name), reference.views[name])
    for kind, attr in (("trigger", "triggers"), ("index", "indexes"), ("policy", "policies")):
        for qualified in sorted(objects.get(kind, set())):
            table, _, name = qualified.partition(".")
            expected = getattr(reference.tables.get(table), attr, {}).get(name)
            if expected is not None:
                current = getattr(live.tables.get(table), attr, {}).get(name)
                pair(f"{kind} {table}.{name}", current, expected)
    for name in sorted(objects.get("table", set())):
        if name in reference.tables:
            pair(f"table {name}", live.tables.get(name), reference.tables[name])
    for name in sorted(objects.get("other", set())):
        if name in reference.others:
            pair(f"{reference.others[name]} {name}", live.others.get(name), reference.others[name])
        elif name in reference.enums:
            pair(f"enum type {name}", live.enums.get(name), reference.enums[name])
        elif name in reference.domains:
            pair(f"domain {name}", live.domains.get(name), reference.domains[name])
    return checked


def _show(value) -> str:
    """A comparable, readable form of a live object."""
    return repr(value)
