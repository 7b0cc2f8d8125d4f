"""Primary and foreign keys: UUID keys, user references to auth.users, indexed foreign keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Violation, rule

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema, Table

USER_REFERENCE = re.compile(r"^(?:\w+_)?(?:doctor|user)_id$")  # doctor_id, user_id, assigned_user_id, referring_doctor_id


@rule("SC101", "primary key is one uuid column defaulting to gen_random_uuid()", "error")
def uuid_primary_key(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        pk = t.primary_key
        if pk is None:
            yield Violation(t.pos, t.name, None, f"table '{t.name}' has no primary key; add an 'id' column with 'type: uuid', 'primary_key: true', 'default: gen_random_uuid()'")
            continue
        if len(pk.columns) != 1:
            yield Violation(pk.pos, t.name, None, f"the primary key of '{t.name}' is composite ({', '.join(pk.columns)}); use a single uuid 'id' column with default gen_random_uuid() and a unique constraint on ({', '.join(pk.columns)})")
            continue
        col = t.column(pk.columns[0])
        fn = col.default.function if col.default else None
        if col.type.sql != "uuid" or fn != "gen_random_uuid()":
            yield Violation(col.at("type" if col.type.sql != "uuid" else "default"), t.name, col.name, f"primary key '{t.name}.{col.name}' is {col.type.sql} with default {fn or (col.default.sql if col.default else 'none')}; make it 'type: uuid' with 'default: gen_random_uuid()'")


@rule("SC112", "doctor and user references are foreign keys to a user table", "error")
def user_reference_foreign_key(schema: Schema) -> Iterator[Violation]:
    user_tables = _user_tables(schema)
    for t in schema.tables:
        for col in t.columns:
            if not USER_REFERENCE.match(col.name):
                continue
            if not any(fk.columns == (col.name,) and fk.ref_qualified in user_tables for fk in t.foreign_keys):
                yield Violation(col.at("references"), t.name, col.name, f"'{t.name}.{col.name}' names a user but is not a foreign key to a user table; add 'references: auth.users.id' (or the key of your own users table, e.g. 'users.id') and an on_delete to the column")


def _user_tables(schema: Schema) -> set[str]:
    """Tables whose rows are users: auth.users, any table named users, and tables keyed by a reference to one (profiles)."""
    found = {"auth.users"} | {f"public.{t.name}" for t in schema.tables if t.name == "users"}
    changed = True
    while changed:
        changed = False
        for t in schema.tables:
            key = t.primary_key.columns if t.primary_key else None
            if f"public.{t.name}" not in found and key and any(fk.columns == key and fk.ref_qualified in found for fk in t.foreign_keys):
                found.add(f"public.{t.name}")
                changed = True
    return found


@rule("SC113", "every foreign key is covered by an index starting with its columns", "warning")
def foreign_key_index(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        for fk in t.foreign_keys:
            if not _covered(t, fk.columns):
                cols = ", ".join(fk.columns)
                yield Violation(fk.pos, t.name, fk.columns[0] if len(fk.columns) == 1 else None, f"foreign key {t.name}({cols}) has no index starting with ({cols}); deletes on {fk.ref_qualified} and joins will scan {t.name}: add 'indexes: [{{columns: [{cols}]}}]'")


def _covered(table: Table, columns: tuple[str, ...]) -> bool:
    """True when a full (non-partial) index or key has exactly these columns first, in any order."""
    keys = [ix.columns for ix in table.indexes if ix.where is None]
    keys += [u.columns for u in table.uniques]
    keys += [table.primary_key.columns] if table.primary_key else []
    return any(set(k[: len(columns)]) == set(columns) for k in keys)


@rule("SC130", "new keys use identity columns, not serial", "warning")
def identity_not_serial(schema: Schema) -> Iterator[Violation]:
    """serial describes an existing database faithfully; for a new table identity is the SQL-standard key with no loose sequence grants."""
    for t in schema.tables:
        for col in t.columns:
            if col.serial:
                identity = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}[col.serial]
                yield Violation(col.at("type"), t.name, col.name, f"'{t.name}.{col.name}' is {col.serial}; for a new table write 'type: {identity}, identity: by default' (or always) instead, which owns its sequence and needs no separate grant on it")
