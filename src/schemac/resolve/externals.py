"""External tables: tables the application uses but does not create, declared by reference.

`external: {storage.objects: {columns: {...}, policies: [...]}}` names the table by its schema, lists
the columns the spec refers to (foreign keys, policy expressions), and may put the application's row
level security policies on it. The model holds each as a `Table` with its schema, its declared columns
and its resolved policies; the migration creates the policies, never the table. Supabase's
`auth.users(id)` is known without a declaration.
"""

from __future__ import annotations

import dataclasses

from ..errors import SpecError
from ..model import Column, ColumnType, Table
from ..spec.language import ExternalTableSpec
from .column_types import parse_type
from .foreign_keys import EXTERNAL_TABLES
from .policies import _resolve
from .problems import Problems

BUILT_IN = EXTERNAL_TABLES  # known without a declaration (a declaration adds columns to it)


def build_externals(specs: dict[str, ExternalTableSpec], table_schemas: set[str], problems: Problems) -> tuple[Table, ...]:
    """Each declared external table with its columns (policies are resolved later, see resolve_external_policies).
    An external table is never in a schema of the spec's own tables (public, or a table's `schema:`)."""
    out = []
    for key, spec in specs.items():
        path = ("external", key)
        schema, dot, name = key.partition(".")
        if not dot or "." in name:
            problems.add(path, f"'{key}' must be schema.table, e.g. storage.objects")
            continue
        if not (problems.name(path, schema, "schema") & problems.name(path, name, "table")):
            continue
        if schema in table_schemas:
            problems.add(path, f"'{key}' is in {schema}, a schema of the spec's own tables: declare it under 'tables:' (schemac creates those)")
            continue
        columns = []
        for cname, text in spec.columns.items():
            cpath = path + ("columns", cname)
            if not problems.name(cpath, cname, "column"):
                continue
            ctype = parse_type(text) if isinstance(text, str) else None
            if ctype is None:
                problems.add(cpath, f"'{text}' is not a type schemac knows; write a PostgreSQL type such as uuid, text or timestamptz")
                continue
            columns.append(Column(cname, ctype, True, None, None, None, False, None, problems.loaded.pos(cpath)))
        for built_in, ctype in BUILT_IN.get(key, {}).items():
            if not any(c.name == built_in for c in columns):
                columns.insert(0, Column(built_in, ctype, False, None, None, None, False, None, problems.loaded.pos(path)))
        out.append(
            Table(
                name=name, description=spec.description, classification=None, retention=None, log=False, rls=True,
                timestamps=False, columns=tuple(columns), primary_key=None, uniques=(), checks=(), foreign_keys=(), indexes=(),
                triggers=(), policies=(), pos=problems.loaded.pos(path), schema=schema,
            )
        )
    return tuple(out)


def foreign_key_targets(externals: tuple[Table, ...]) -> dict[str, dict[str, ColumnType]]:
    """What a foreign key may point at outside the spec's tables: schema.table -> its columns' types."""
    targets = {name: dict(columns) for name, columns in BUILT_IN.items()}
    for t in externals:
        targets[t.qualified_name] = {c.name: c.type for c in t.columns}
    return targets


def resolve_external_policies(externals: tuple[Table, ...], specs: dict[str, ExternalTableSpec], tables: dict[str, Table], problems: Problems) -> tuple[Table, ...]:
    """The policies each external table's spec puts on it, resolved like a spec table's (expressions through
    PostgreSQL's parser, in the scope of the declared columns)."""
    columns = {t.name: frozenset(c.name for c in t.columns) for t in tables.values()}
    out = []
    for t in externals:
        key = t.qualified_name
        scope = {**columns, t.name: frozenset(c.name for c in t.columns)}
        resolved = []
        for i, spec in enumerate(specs[key].policies):
            resolved += _resolve(t, tables, spec, ("external", key, "policies", i), problems, scope)
        seen: set[str] = set()
        for p in resolved:
            if p.name in seen:
                problems.errors.append(SpecError(p.pos, f"policy name '{p.name}' is used twice on table '{key}'; rename one of the policies"))
            seen.add(p.name)
        out.append(dataclasses.replace(t, policies=tuple(resolved)))
    return tuple(out)
