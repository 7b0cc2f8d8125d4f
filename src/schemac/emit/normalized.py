"""compiled/schema.json: the fully resolved schema as plain JSON, for the docs site and other tools.

Pure. Every default and inherited classification is filled in (it is the model);
source positions are left out (they move with every edit of the YAML). The shape
is written out here key by key rather than derived from the model's fields, so a
refactor of model.py cannot change it unnoticed; it is documented in the README.
Bump SCHEMA_JSON_VERSION on any change that is not a pure addition.
"""

from __future__ import annotations

from typing import Any

from ..model import Column, Function, IndexElement, Schema, SqlType, Table, Trigger, View
from .jsontext import ExactFloat, dumps_built, encode_built

SCHEMA_JSON_PATH = "schema.json"
SCHEMA_JSON_VERSION = 1


def render_schema_json(schema: Schema) -> str:
    """The schema as indented JSON with a trailing newline."""
    return dumps_built(lambda: _document(schema))


def encode_schema_json(schema: Schema) -> bytes:
    """render_schema_json's UTF-8 bytes (what compile writes)."""
    return encode_built(lambda: _document(schema))


def _document(schema: Schema) -> dict[str, Any]:
    return {
        "version": SCHEMA_JSON_VERSION,
        "source": schema.source,
        "source_sha256": schema.source_sha256,
        "enums": [{"name": e.name, "values": list(e.values), "description": e.description, "native": e.native} for e in schema.enums],
        "extensions": [{"name": e.name, "schema": e.schema} for e in schema.extensions],
        "domains": [{"name": d.name, "type": d.type.sql, "check": d.check, "description": d.description} for d in schema.domains],
        "tables": [_table(t) for t in schema.tables],
        "external": [_external(t) for t in schema.externals],
        "functions": [_function(f) for f in schema.functions],
        "triggers": [_trigger(t) for t in schema.triggers],
        "views": [_view(v) for v in schema.views],
    }


def _external(t: Table) -> dict[str, Any]:
    """A table the app uses but does not create: its schema, the declared columns and the app's policies on it."""
    return {
        "schema": t.schema,
        "name": t.name,
        "description": t.description,
        "columns": [{"name": c.name, "type": c.type.sql} for c in t.columns],
        "policies": _policies(t),
    }


def _table(t: Table) -> dict[str, Any]:
    pk = t.primary_key
    return {
        "name": t.name,
        "schema": t.schema,
        "description": t.description,
        "classification": t.classification,
        "retention": t.retention,
        "log": t.log,
        "rls": t.rls,
        "timestamps": t.timestamps,
        "timestamp_columns": list(t.timestamp_columns) if t.timestamps else None,
        "columns": [_column(c) for c in t.columns],
        "primary_key": {"name": pk.name, "columns": list(pk.columns)} if pk else None,
        "uniques": [{"name": u.name, "columns": list(u.columns), "nulls_not_distinct": u.nulls_not_distinct} for u in t.uniques],
        "exclusions": [
            {
                "name": x.name,
                "using": x.using,
                "elements": [{**_element(e), "operator": op} for e, op in x.elements],
                "where": x.where,
                "description": x.description,
            }
            for x in t.exclusions
        ],
        "checks": [{"name": c.name, "expression": c.expression, "description": c.description, "enum": c.enum} for c in t.checks],
        "foreign_keys": [
            {
                "name": fk.name,
                "columns": list(fk.columns),
                "ref_schema": fk.ref_schema,
                "ref_table": fk.ref_table,
                "ref_columns": list(fk.ref_columns),
                "on_delete": fk.on_delete,
                "on_update": fk.on_update,
                "match": fk.match,
                "deferrable": fk.deferrable,
                "initially_deferred": fk.initially_deferred,
            }
            for fk in t.foreign_keys
        ],
        "indexes": [
            {
                "name": ix.name,
                "columns": list(ix.columns),
                "unique": ix.unique,
                "where": ix.where,
                "using": ix.using,
                "description": ix.description,
                "elements": [_element(e) for e in ix.elements] if ix.elements else [_element(IndexElement(c)) for c in ix.columns],
                "include": list(ix.include),
                "nulls_not_distinct": ix.nulls_not_distinct,
            }
            for ix in t.indexes
        ],
        "triggers": [
            {"name": tr.name, "timing": tr.timing, "events": list(tr.events), "function": tr.function} for tr in t.triggers
        ],
        "policies": _policies(t),
        "user_operations": list(t.user_operations),
        "user_operations_reason": t.user_operations_reason,
        "realtime": t.realtime,
        "replica_identity": t.replica_identity,
    }


def _policies(t: Table) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "operations": list(p.operations),
            "roles": list(p.roles),
            "owner": p.owner,
            "using": p.using,
            "with_check": p.with_check,
            "description": p.description,
        }
        for p in t.policies
    ]


def _column(c: Column) -> dict[str, Any]:
    default = c.default
    return {
        "name": c.name,
        "type": {"sql": c.type.sql, "base": c.type.base, "params": list(c.type.params), "array": c.type.array, "schema": c.type.schema},
        "nullable": c.nullable,
        "default": {"sql": default.sql, "function": default.function, "value": _canonical(default.value), "expression": default.expression} if default else None,
        "description": c.description,
        "classification": c.classification,
        "encrypted": c.encrypted,
        "enum": c.enum,
        "generated_by": c.generated_by,
        "identity": _identity(c),
        "serial": c.serial,
        "generated": c.generated,
        "collation": c.collation,
    }


def _element(e: IndexElement) -> dict[str, Any]:
    return {"column": e.column, "expression": e.expression, "opclass": e.opclass, "collation": e.collation, "order": e.order, "nulls": e.nulls}


def _identity(c: Column) -> dict[str, Any] | None:
    i = c.identity
    if i is None:
        return None
    return {"generated": i.generated, "start": i.start, "increment": i.increment, "min_value": i.min_value,
            "max_value": i.max_value, "cache": i.cache, "cycle": i.cycle}


def _canonical(value: Any) -> Any:
    """A literal default with its mapping keys sorted, the order the SQL default uses."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return ExactFloat(value)
    return value


def _sql_type(t: SqlType) -> dict[str, Any]:
    return {"sql": t.sql, "name": t.name, "schema": t.schema, "array": t.array}


def _function(f: Function) -> dict[str, Any]:
    return {
        "name": f.name,
        "schema": "public",
        "arguments": [{"name": a.name, "type": _sql_type(a.type), "default": a.default} for a in f.arguments],
        "returns": {
            "sql": f.returns.sql,
            "setof": f.returns.setof,
            "type": _sql_type(f.returns.type) if f.returns.type else None,
            "columns": [{"name": n, "type": _sql_type(t)} for n, t in f.returns.columns],
        },
        "language": f.language,
        "body": f.body,
        "volatility": f.volatility,
        "security": "definer" if f.security_definer else "invoker",
        "search_path": list(f.search_path) if f.search_path is not None else None,
        "execute": list(f.execute),
        "description": f.description,
        "classification": f.classification,
        "reads": [f"{s}.{t}" for s, t in f.reads],
    }


def _trigger(t: Trigger) -> dict[str, Any]:
    return {
        "name": t.name,
        "table": t.table_qualified,
        "timing": t.timing,
        "events": list(t.events),
        "update_of": list(t.update_of),
        "level": t.level,
        "when": t.when,
        "old_table": t.old_table,
        "new_table": t.new_table,
        "function": t.function,
        "arguments": list(t.arguments),
        "description": t.description,
    }


def _view(v: View) -> dict[str, Any]:
    return {
        "name": v.name,
        "schema": "public",
        "description": v.description,
        "materialized": v.materialized,
        "security_invoker": v.security_invoker,
        "query": v.query,
        "columns": [
            {
                "name": c.name,
                "type": c.type_sql,
                "source": f"{c.source[0]}.{c.source[1]}" if c.source else None,
                "classification": c.classification,
                "description": c.description,
            }
            for c in v.columns
        ],
        "select_roles": list(v.select_roles),
        "reads": [f"{s}.{t}" for s, t in v.reads],
        "updatable": v.updatable,
        "indexes": [{"name": ix.name, "columns": list(ix.columns), "unique": ix.unique} for ix in v.indexes],
    }
