"""The data inventory: every sensitive field (PHI and administrative under the PHI profile), who can read it, how long it is kept.

The document a compliance reviewer asks for, derived from the model alone: for each
API role, what it can read (all rows, own rows, rows a policy allows, none) under the
table's select policies; service_role bypasses row level security. Operations left out of a table's user_operations and waivers are
listed with their reasons. Pure: model in, text out.
"""

from __future__ import annotations

from ..model import USER_OPERATIONS, Column, Policy, Schema, Table, classification_label
from .jsontext import dumps_built, encode_built
from .mdtext import cell, code

INVENTORY_MD_PATH = "DATA_INVENTORY.md"
INVENTORY_JSON_PATH = "data_inventory.json"
API_ROLES = ("anon", "authenticated", "service_role")
BYPASS_ROLE = "service_role"


def table_label(t: Table) -> str:
    """The table as the inventory names it: bare in public, schema.table in another schema."""
    return t.name if t.schema == "public" else t.qualified_name


def ordered_tables(schema: Schema) -> list[Table]:
    """public's tables, then each other schema's by schema name; the spec's order within a schema."""
    return sorted(schema.tables, key=lambda t: (t.schema != "public", t.schema))


def _waiver_table(schema: Schema, name: str) -> str:
    t = next((t for t in schema.tables if t.name == name), None)
    return table_label(t) if t is not None else name


def read_policies(table: Table) -> list[Policy]:
    """The policies that let rows be read: select or all."""
    return [p for p in table.policies if p.command in ("select", "all")]


def access_roles(table: Table) -> tuple[str, ...]:
    """The roles the inventory reports on for a table: Supabase's API roles, then any other role its
    policies grant to (as the spec names them; `public` means every role, so it adds none)."""
    named = [r for p in table.policies for r in p.roles if r != "public"]
    return tuple(dict.fromkeys([*API_ROLES, *named]))


def readers(table: Table) -> tuple[str, ...]:
    """Roles that can read some of the table's rows: those whose access is not none."""
    return _readers(read_access(table))


def _readers(access: dict[str, str]) -> tuple[str, ...]:
    return tuple(role for role in access if access[role] != NO_ROWS)


def listed_classes(schema: Schema) -> tuple[str, ...]:
    """The classes the inventory lists: every class of the vocabulary but the least sensitive (public data)."""
    return schema.classifications[:-1] if len(schema.classifications) > 1 else schema.classifications


ALL_ROWS, OWN_ROWS, SOME_ROWS, NO_ROWS = "all rows", "own rows", "rows its policy allows", "none"


def read_access(table: Table) -> dict[str, str]:
    """What each API role can read of the table: all rows, own rows, rows a policy's condition allows, or none.

    service_role bypasses row level security; with RLS off every role reads every row. Otherwise the
    role's select policies (public = every role) decide; they are permissive, so one that allows all
    rows wins, and `owner:` policies mean the rows the signed-in user owns.
    """
    if not table.rls:
        return {role: ALL_ROWS for role in access_roles(table)}
    access = {}
    for role in access_roles(table):
        policies = [p for p in read_policies(table) if role in p.roles or "public" in p.roles]
        if role == BYPASS_ROLE or any(p.owner is None and (p.using or "true").strip().lower() == "true" for p in policies):
            access[role] = ALL_ROWS
        elif policies and all(p.owner for p in policies):
            access[role] = OWN_ROWS
        elif policies:
            access[role] = SOME_ROWS
        else:
            access[role] = NO_ROWS
    return access


def inventory(schema: Schema) -> dict:
    """The inventory as plain data (the JSON twin is exactly this)."""
    fields = []
    listed = listed_classes(schema)
    for t in ordered_tables(schema):
        access = None  # a table's access, worked out once for all its fields (not per field)
        for c in t.columns:
            if c.classification in listed:
                access = access or read_access(t)
                fields.append(_field(t, c, access))
    return {
        "source": schema.source,
        "source_sha256": schema.source_sha256,
        "fields": fields,
        "tables": [_table(t) for t in ordered_tables(schema)],
        "user_operations_left_out": [_left_out(t) for t in ordered_tables(schema) if _left_out(t)["left_out"]],
        "waivers": [
            {"rule": w.rule, "table": _waiver_table(schema, w.table), "column": w.column, "reason": w.reason, "line": w.pos.line}
            for w in schema.lint.waivers
        ],
    }


def _left_out(t: Table) -> dict:
    """What the application's users do not do on t (only service_role does), and the written reason."""
    left_out = [op for op in USER_OPERATIONS if op not in t.user_operations]
    return {"table": table_label(t), "user_operations": list(t.user_operations), "left_out": left_out, "reason": t.user_operations_reason}


def _field(t: Table, c: Column, access: dict[str, str]) -> dict:
    """One listed field; `access` is read_access(t), each field given its own copy."""
    return {
        "table": table_label(t),
        "column": c.name,
        "type": c.type.sql,
        "classification": c.classification,
        "encrypted": c.encrypted,
        "readable_by": list(_readers(access)),
        "read_access": dict(access),
        "retention": t.retention,
    }


def _table(t: Table) -> dict:
    access = read_access(t)
    return {
        "table": table_label(t),
        "rls": t.rls,
        "log": t.log,
        "retention": t.retention,
        "readable_by": list(_readers(access)),
        "read_access": access,
        "read_policies": [
            {"name": p.name, "roles": list(p.roles), "owner": p.owner, "using": p.using} for p in read_policies(t)
        ],
    }


def render_inventory_json(schema: Schema) -> str:
    return dumps_built(lambda: inventory(schema))


def encode_inventory_json(schema: Schema) -> bytes:
    """render_inventory_json's UTF-8 bytes (what compile writes)."""
    return encode_built(lambda: inventory(schema))


def render_inventory_markdown(schema: Schema) -> str:
    """DATA_INVENTORY.md: one section per table (retention, read access, fields), then the waivers."""
    out = [
        "# Data inventory",
        "",
        f"Generated by schemac from {cell(schema.source)} (sha256 `{schema.source_sha256[:12]}`). Do not edit by hand.",
        "",
        f"Every {' and '.join(classification_label(c) for c in listed_classes(schema))} field, what each role can read of it under the row level security policies, "
        "and how long it is kept: *all rows*, *own rows* (the rows the signed-in user owns, by an `owner:` policy), "
        "*rows its policy allows* (a policy's own condition) or *none*. `service_role` bypasses row level security "
        f"(backend jobs only). {classification_label(schema.classifications[-1]).capitalize()} fields are not listed.",
        "",
    ]
    for t in ordered_tables(schema):
        out += _table_section(t, listed_classes(schema))
    out += _left_out_section(schema)
    out += ["## Waivers", ""]
    if not schema.lint.waivers:
        out += ["None.", ""]
    else:
        out += ["| Rule | Table | Column | Reason |", "| --- | --- | --- | --- |"]
        out += [
            f"| {cell(w.rule)} | {cell(_waiver_table(schema, w.table))} | {cell(w.column) or '(whole table)'} | {cell(w.reason)} |"
            for w in schema.lint.waivers
        ]
        out.append("")
    return "\n".join(out)


def _left_out_section(schema: Schema) -> list[str]:
    """Operations users do not perform, by table: no policy is needed for them, so the reason is shown instead."""
    rows = [_left_out(t) for t in ordered_tables(schema) if _left_out(t)["left_out"]]
    out = ["## Operations users do not perform", ""]
    if not rows:
        return out + ["None: users may perform every operation on every table, under its policies.", ""]
    out += ["Left out of the table's `user_operations`: only `service_role` does these, so no policy covers them.", ""]
    out += ["| Table | Users perform | Left to service_role | Reason |", "| --- | --- | --- | --- |"]
    for r in rows:
        reason = cell(r["reason"]) if r["reason"] else "(none written; required only on tables with PHI)"
        out.append(f"| {cell(r['table'])} | {', '.join(r['user_operations']) or '(nothing)'} | {', '.join(r['left_out'])} | {reason} |")
    return out + [""]


def _table_section(t: Table, listed: tuple[str, ...]) -> list[str]:
    cols = [c for c in t.columns if c.classification in listed]
    out = [f"## {cell(table_label(t))}", ""]
    out.append(f"- Retention: {cell(t.retention) or 'NOT STATED'}")
    access = read_access(t)
    out.append("- Read access: " + "; ".join(f"{role}: {access[role]}" for role in access) + ("" if t.rls else " (row level security is off)"))
    for p in read_policies(t):
        rows = f"rows owned through {code(p.owner)}" if p.owner else f"rows where {code(p.using or 'true')}"
        out.append(f"  - policy {code(p.name)} ({', '.join(p.roles)}): {rows}")
    if t.log:
        out.append("- Log table: holds IDs, never PHI.")
    out.append("")
    if not cols:
        return out + [f"No {' or '.join(classification_label(c) for c in listed)} fields.", ""]
    roles = " | ".join(access[role] for role in access)
    out += ["| Column | Type | Classification | Encrypted | " + " | ".join(access) + " |", "|" + " --- |" * (4 + len(access))]
    out += [f"| {cell(c.name)} | {cell(c.type.sql)} | {c.classification} | {'yes' if c.encrypted else 'no'} | {roles} |" for c in cols]
    return out + [""]

