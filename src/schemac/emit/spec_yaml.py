"""The spec emitter: model in, schema.yaml text out (what `schemac import` writes).

Pure and deterministic. It writes the shortest spec that builds back into the same
model: keys PostgreSQL would name the same way go on their column (`unique: true`,
`references:`), classification only where it differs from the table's, defaults left
out. Whole objects of public the spec language cannot say go into the `sql:` section (so compile
creates them and verify checks them); the rest (changes to spec tables, objects of other schemas)
follows as commented SQL, so nothing is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import yaml

from ..model import USER_OPERATIONS, Column, Schema, Table
from ..resolve import naming
from ..resolve.column_types import EXTENSION_TYPES


def counted(n: int, kind: str) -> str:
    """'1 policy', '5 policies', '2 indexes'."""
    if n == 1:
        return f"{n} {kind}"
    plural = kind[:-1] + "ies" if kind.endswith("y") else kind + "es" if kind.endswith(("x", "s")) else kind + "s"
    return f"{n} {plural}"


def render_spec(schema: Schema, left_out: Iterable = (), header: str = "") -> str:
    """schema.yaml for the model; `left_out` (kind, table, name, reason, sql) follows as comments."""
    data: dict = {"version": 1, "profile": schema.profile}
    if schema.profile != "phi" and schema.classifications != _general_default():
        data["classifications"] = list(schema.classifications)
    if schema.extensions:
        data["extensions"] = {x.name: {"schema": x.schema} for x in schema.extensions}
    if schema.enums:
        data["enums"] = {
            e.name: _drop_none({"description": e.description, "values": list(e.values), "native": True if e.native else None}) for e in schema.enums
        }
    if any(t.classification_tag != "start" for t in schema.tables):
        data["comments"] = {"classification_tag": schema.tables[0].classification_tag}
    if schema.domains:
        data["domains"] = {d.name: _drop_none({"type": _spec_type(d.type), "check": d.check, "description": d.description}) for d in schema.domains}
    data["tables"] = {t.name: _table(t) for t in schema.tables}
    if schema.externals:
        data["external"] = {
            t.qualified_name: _drop_none({"description": t.description, "columns": {c.name: c.type.sql for c in t.columns}, "policies": _policies(t) or None})
            for t in schema.externals
        }
    if schema.functions:
        data["functions"] = {f.name: _function(f) for f in schema.functions}
    if schema.views:
        data["views"] = {v.name: _view(v) for v in schema.views}
    if schema.triggers:
        data["triggers"] = trigger_entries(schema.triggers)
    left = list(left_out)
    blocks = sql_blocks(left)
    if blocks:
        data["sql"] = {name: {"description": f"{item.kind} {item.name}: {item.reason}", "sql": item.sql} for name, item in blocks.items()}
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    out = "# yaml-language-server: $schema=compiled/schemac.schema.json\n"
    out += "".join(f"# {line}\n" for line in header.splitlines())
    out += text
    commented = [item for item in left if not runs_as_sql(item)]
    if commented:
        out += _left_out_comments(commented)
    return out


class _Dumper(yaml.SafeDumper):
    """Multi-line text (bodies, queries, SQL) as literal blocks, so it reads as written; PyYAML falls back to a quoted
    string when a block cannot hold the text exactly (trailing spaces)."""

    def ignore_aliases(self, data) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)

# What the spec cannot say but whole objects can be created by hand-written SQL at the end of the migration: these go
# into the `sql:` section (built and checked like the rest); changes to spec tables (a column, a default, a constraint,
# a comment, a rule) stay commented, since running them would change a table the spec describes.
SQL_KINDS = ("type", "sequence", "table", "function", "view", "index", "policy", "trigger")


def runs_as_sql(item) -> bool:
    """Whether a left-out object goes into the `sql:` section: a whole object of public (objects of other schemas, such as
    policies on storage.objects, need what only a Supabase project has, so they stay commented)."""
    return item.kind in SQL_KINDS and item.runnable and (item.table or item.name).startswith("public.")


def sql_blocks(left: list) -> dict:
    """name -> LeftOut, in the order they can run (types first, triggers last), each under a name of its own."""
    out: dict = {}
    for kind in SQL_KINDS:
        for item in left:
            if item.kind != kind or not runs_as_sql(item):
                continue
            base = "_".join(p for p in re.split(r"[^a-z0-9]+", f"{kind}_{item.name.split('(')[0].removeprefix('public.')}".lower()) if p)[:55]
            name, n = base, 1
            while name in out:
                n += 1
                name = f"{base}_{n}"
            out[name] = item
    return out


def _function(f) -> dict:
    out: dict = {}
    if f.description is not None:
        out["description"] = f.description
    if f.arguments:
        out["arguments"] = [_drop_none({"name": a.name, "type": a.type.sql, "default": a.default}) for a in f.arguments]
    out["returns"] = f.returns.sql
    out["language"] = f.language
    if f.volatility != "VOLATILE":
        out["volatility"] = f.volatility.lower()
    if f.security_definer:
        out["security"] = "definer"
    if f.search_path is not None:
        out["search_path"] = list(f.search_path)
    default_execute = () if f.returns.trigger else ("authenticated", "service_role")
    if tuple(f.execute) != default_execute:
        out["grant_execute"] = list(f.execute)
    if f.classification is not None:
        out["classification"] = f.classification
    out["body"] = f.body
    return out


def _view(v) -> dict:
    out: dict = {}
    if v.description is not None:
        out["description"] = v.description
    if v.materialized:
        out["materialized"] = True
    if v.security_invoker:
        out["security_invoker"] = True
    out["query"] = v.query
    # every column typed as the catalog has it (a computed column needs a type the spec can tell)
    out["columns"] = {
        c.name: _drop_none({"description": c.description, "classification": c.classification if c.classification != "unclassified" else None, "type": c.type.sql if c.type else None})
        for c in v.columns
    }
    if tuple(v.select_roles) != ("authenticated", "service_role"):
        out["grant_select"] = list(v.select_roles)
    if v.indexes:
        out["indexes"] = [_drop_none({"columns": list(ix.columns), "unique": True if ix.unique else None, "name": ix.name}) for ix in v.indexes]
    return out


def trigger_entries(triggers) -> dict:
    """The `triggers:` section: keyed by the trigger's name; a name several tables share is keyed `<name>_<table>`
    and carries `name:` (PostgreSQL names triggers per table, the section's keys are unique)."""
    shared = {t.name for t in triggers if sum(1 for u in triggers if u.name == t.name) > 1}
    out: dict = {}
    for t in triggers:
        key = t.name if t.name not in shared else naming.fit(f"{t.name}_{t.table}")
        base, n = key, 1
        while key in out:
            n += 1
            key = naming.fit(f"{base}_{n}")
        out[key] = _trigger(t, named=t.name != key)
    return out


def _trigger(t, named: bool = False) -> dict:
    out: dict = {}
    if t.description is not None:
        out["description"] = t.description
    out["table"] = t.table if t.table_schema == "public" else t.table_qualified
    if named:
        out["name"] = t.name
    out["timing"] = t.timing.lower()
    out["events"] = [e.lower() for e in t.events]
    if t.update_of:
        out["update_of"] = list(t.update_of)
    if t.level != "ROW":
        out["for_each"] = t.level.lower()
    if t.when is not None:
        out["when"] = t.when
    if t.old_table or t.new_table:
        out["referencing"] = _drop_none({"old_table": t.old_table, "new_table": t.new_table})
    out["function"] = t.function.split(".", 1)[1] if t.function.startswith("public.") else t.function
    if t.arguments:
        out["arguments"] = list(t.arguments)
    return out


def _general_default() -> tuple[str, ...]:
    from ..model import GENERAL_CLASSIFICATIONS

    return GENERAL_CLASSIFICATIONS


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _table(t: Table) -> dict:
    pk = t.primary_key.columns if t.primary_key else ()
    column_uniques = {u.columns[0] for u in t.uniques if not u.nulls_not_distinct and _on_column(t.name, u.columns, u.name, naming.unique)}
    column_fks = {fk.columns[0]: fk for fk in t.foreign_keys if _on_column(t.name, fk.columns, fk.name, naming.foreign_key)}
    enum_checks = {ch.name for ch in t.checks if ch.enum}
    out: dict = {}
    if t.schema != "public":
        out["schema"] = t.schema
    if t.description is not None:
        out["description"] = t.description
    if t.classification is not None:
        out["classification"] = t.classification
    if t.retention is not None:
        out["retention"] = t.retention
    if t.log:
        out["log"] = True
    if not t.rls:
        out["rls"] = False
    if t.timestamps:
        created, updated = t.timestamp_columns
        out["timestamps"] = True if (created, updated) == ("created_at", "updated_at") else {"created": created, "updated": updated}
    if t.realtime:
        out["realtime"] = True
    if t.replica_identity != "default":
        out["replica_identity"] = t.replica_identity
    out["columns"] = {
        c.name: _column(t, c, len(pk) == 1 and c.name in pk, c.name in column_uniques, column_fks.get(c.name))
        for c in t.columns
        if c.generated_by is None
    }
    if len(pk) > 1:
        out["primary_key"] = list(pk)
    if t.primary_key and t.primary_key.name != naming.primary_key(t.name):
        out["primary_key_name"] = t.primary_key.name
    uniques = [
        _drop_none({"columns": list(u.columns), "name": u.name, "nulls_not_distinct": True if u.nulls_not_distinct else None})
        for u in t.uniques
        if u.nulls_not_distinct or not _on_column(t.name, u.columns, u.name, naming.unique)
    ]
    if uniques:
        out["unique"] = uniques
    checks = [_drop_none({"name": ch.name, "expression": ch.expression, "description": ch.description}) for ch in t.checks if ch.name not in enum_checks]
    if checks:
        out["checks"] = checks
    fks = [
        {
            "name": fk.name,
            "columns": list(fk.columns),
            "references": {"table": fk.ref_table if fk.ref_schema == "public" else fk.ref_qualified, "columns": list(fk.ref_columns)},
            **_fk_options(fk),
        }
        for fk in t.foreign_keys
        if fk.columns[0] not in column_fks or column_fks[fk.columns[0]] is not fk
    ]
    if fks:
        out["foreign_keys"] = fks
    indexes = [_index(t, ix) for ix in t.indexes]
    if indexes:
        out["indexes"] = indexes
    exclusions = [_exclusion(t, x) for x in t.exclusions]
    if exclusions:
        out["exclude"] = exclusions
    if t.user_operations != USER_OPERATIONS:
        out["user_operations"] = list(t.user_operations)
    if t.user_operations_reason is not None:
        out["user_operations_reason"] = t.user_operations_reason
    policies = _policies(t)
    if policies:
        out["policies"] = policies
    return out


def _spec_type(ctype) -> str:
    """How the spec names a type: a domain or an extension's type by its bare name, the others as their SQL."""
    if ctype.schema and (ctype.of is not None or ctype.base in EXTENSION_TYPES):
        params = "(" + ",".join(str(p) for p in ctype.params) + ")" if ctype.params else ""
        return ctype.base + params + ("[]" if ctype.array else "")
    return ctype.sql


def _policies(t: Table) -> list[dict]:
    return [
        _drop_none({"name": p.name, "for": list(p.operations), "to": list(p.roles), "using": p.using, "with_check": p.with_check, "description": p.description})
        for p in t.policies
    ]


def _on_column(table: str, columns: tuple[str, ...], name: str, derive) -> bool:
    return len(columns) == 1 and name == derive(table, columns)


def _column(t: Table, c: Column, primary_key: bool, unique: bool, fk) -> dict:
    out: dict = {}
    if c.enum:
        out["enum"] = c.enum
    elif c.serial:
        out["type"] = c.serial
    else:
        out["type"] = _spec_type(c.type)
    if c.nullable:
        out["nullable"] = True
    if c.serial:
        pass  # the sequence's nextval is the type's own default
    elif c.default is not None and c.default.expression:
        out["default_expression"] = c.default.sql
    elif c.default is not None:
        out["default"] = c.default.function if c.default.function else c.default.value
    if c.identity is not None:
        out["identity"] = _identity(c.identity)
    if c.generated is not None:
        out["generated"] = c.generated
    if c.collation is not None:
        out["collation"] = c.collation
    if primary_key:
        out["primary_key"] = True
    if unique:
        out["unique"] = True
    if fk is not None:
        target = fk.ref_table if fk.ref_schema == "public" else fk.ref_qualified
        out["references"] = f"{target}.{fk.ref_columns[0]}"
        out.update(_fk_options(fk))
    if c.description is not None:
        out["description"] = c.description
    if c.classification is not None and c.classification != t.classification:
        out["classification"] = c.classification
    if c.encrypted:
        out["encrypted"] = True
    return out


def _exclusion(t: Table, x) -> dict:
    elements = [{**({"column": e.column} if isinstance(_element(e), str) else _element(e)), "with": op} for e, op in x.elements]
    out: dict = {"elements": elements}
    if x.using != "gist":
        out["using"] = x.using
    if x.where is not None:
        out["where"] = x.where
    if x.name != naming.exclusion(t.name, "_".join(e.column or "expr" for e, _ in x.elements)):
        out["name"] = x.name
    if x.description is not None:
        out["description"] = x.description
    return out


def _fk_options(fk) -> dict:
    """on_delete, on_update, match, deferrable, initially_deferred: each only when not PostgreSQL's default."""
    out: dict = {}
    if fk.on_delete != "no action":
        out["on_delete"] = fk.on_delete
    if fk.on_update != "no action":
        out["on_update"] = fk.on_update
    if fk.match != "simple":
        out["match"] = fk.match
    if fk.deferrable:
        out["deferrable"] = True
    if fk.initially_deferred:
        out["initially_deferred"] = True
    return out


def _identity(identity) -> str | dict:
    options = {
        "start": identity.start,
        "increment": identity.increment,
        "min_value": identity.min_value,
        "max_value": identity.max_value,
        "cache": identity.cache,
        "cycle": True if identity.cycle else None,
    }
    if all(v is None for v in options.values()):
        return identity.generated
    return {"generated": identity.generated, **_drop_none(options)}


def _element(e) -> str | dict:
    """A plain column as its name; anything else as a mapping of the keys it sets."""
    if e.column is not None and (e.opclass, e.collation, e.order, e.nulls) == (None, None, None, None):
        return e.column
    return _drop_none({"column": e.column, "expression": e.expression, "opclass": e.opclass, "collation": e.collation, "order": e.order, "nulls": e.nulls})


def _index(t: Table, ix) -> dict:
    out: dict = {"columns": [_element(e) for e in ix.elements] if ix.elements else list(ix.columns)}
    if ix.unique:
        out["unique"] = True
    if ix.nulls_not_distinct:
        out["nulls_not_distinct"] = True
    if ix.include:
        out["include"] = list(ix.include)
    if ix.where is not None:
        out["where"] = ix.where
    if ix.using != "btree":
        out["using"] = ix.using
    derived = tuple(e.column or "expr" for e in ix.elements) if ix.elements else ix.columns
    if ix.name != naming.index(t.name, derived, ix.unique):
        out["name"] = ix.name
    if ix.description is not None:
        out["description"] = ix.description
    return out


def _left_out_comments(left: list) -> str:
    counts = Counter(item.kind for item in left)
    summary = ", ".join(counted(n, kind) for kind, n in sorted(counts.items()))
    out = [
        "",
        "# ---------------------------------------------------------------------------------------------",
        f"# Not expressed in the spec language ({summary}).",
        "# Kept here as SQL so nothing is lost; `schemac compile` does not create them.",
    ]
    for item in left:
        where = f" on {item.table}" if item.table else ""
        out += ["#", f"# {item.kind} {_comment_text(item.name)}{where}: {_comment_text(item.reason)}"]
        out += [f"#   {_comment_text(line)}" for line in item.sql.splitlines()]
    return "\n".join(out) + "\n"


def _comment_text(text: str) -> str:
    """Text safe inside a YAML comment line: control and separator characters escaped."""
    return "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
