"""Resolve the spec's row level security policies into one model Policy per PostgreSQL command.

A spec policy may list several operations and use the owner shorthand; PostgreSQL
policies cover one command and hold SQL. This pass (run by build.py once foreign
keys are known) expands the list, checks the owner path against the model's foreign
keys, and writes the USING / WITH CHECK SQL every later stage reads.
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata

from . import naming
from ..errors import SpecError
from ..model import Policy, Table
from ..spec.language import PolicySpec, TableSpec
from ..sqltext import MAX_IDENTIFIER_BYTES, qualified, quote_ident
from .expressions import POLICY_USING, POLICY_WITH_CHECK, Scope

UID = "(SELECT auth.uid())"  # the sub-select form Supabase recommends: evaluated once per statement
USES_USING = ("select", "update", "delete", "all")
USES_CHECK = ("insert", "update", "all")


def resolve_policies(tables: dict[str, Table], specs: dict[str, TableSpec], problems) -> None:
    """Replace every table's policies with resolved, one-command policies (problems collects errors)."""
    # every table's columns, for subqueries in policy expressions: built once (per policy, it made this step quadratic)
    columns = {t.name: frozenset(c.name for c in t.columns) for t in tables.values()}
    for tname, table in list(tables.items()):
        resolved: list[Policy] = []
        for i, spec in enumerate(specs[tname].policies):
            resolved += _resolve(table, tables, spec, ("tables", tname, "policies", i), problems, columns)
        seen: dict[str, Policy] = {}
        for p in resolved:
            if p.name in seen:
                problems.errors.append(SpecError(p.pos, f"policy name '{p.name}' is used twice on table '{tname}'; rename one of the policies"))
            seen[p.name] = p
        tables[tname] = dataclasses.replace(table, policies=tuple(resolved))


def policy_name_problem(name: str) -> str | None:
    """Policy names are free text in Supabase ("Allow logged-in read access"): always quoted, so only
    PostgreSQL's own limits apply: not empty, no control characters, at most 63 bytes."""
    if not name.strip():
        return "a policy name must not be empty"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return "a policy name cannot hold control characters (tabs, newlines, ...); write it on one line"
    if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        return f"policy name '{name[:20]}…' is {len(name.encode('utf-8'))} bytes; PostgreSQL truncates names longer than {MAX_IDENTIFIER_BYTES} bytes: shorten it"
    return None


def _resolve(table: Table, tables: dict[str, Table], spec: PolicySpec, path, problems, columns: dict[str, frozenset[str]]) -> list[Policy]:
    ops = list(dict.fromkeys(spec.operations))
    ok = True
    if problem := policy_name_problem(spec.name):
        problems.add(path + ("name",), problem)
        ok = False
    if "all" in ops and len(ops) > 1:
        problems.add(path + ("for",), "'all' already covers every operation; list 'all' alone or the operations without it")
        ok = False
    ok = _check_expressions(spec, ops, path, problems) and ok
    scope = Scope(table.name, columns[table.name], columns)
    expressions = {}
    for key, place in (("using", POLICY_USING), ("with_check", POLICY_WITH_CHECK)):
        if getattr(spec, key) is not None:  # read even when something else is wrong: every error at once
            expressions[key] = problems.expression(path + (key,), getattr(spec, key), place, scope)
            ok = expressions[key] is not None and ok
    owner_sql = None
    if spec.owner is not None:
        owner_sql = owner_expression(table, tables, spec.owner, path + ("owner",), problems)
        ok = ok and owner_sql is not None
    if not ok:
        return []
    pos = problems.loaded.pos(path)
    result = []
    for op in ops:
        name = spec.name if len(ops) == 1 else naming.fit(f"{spec.name}_{op}")
        using = owner_sql or expressions.get("using")
        check = owner_sql or expressions.get("with_check")
        result.append(
            Policy(
                name,
                (op,),
                tuple(dict.fromkeys(spec.to)),
                spec.owner,
                using if op in USES_USING else None,
                check if op in USES_CHECK else None,
                spec.description,
                pos,
                problems.keys(path, spec),
            )
        )
    return result


def _check_expressions(spec: PolicySpec, ops: list[str], path, problems) -> bool:
    """Owner or raw expressions, never both; each expression fits the commands it is used for."""
    ok = True
    if spec.owner is not None and (spec.using is not None or spec.with_check is not None):
        problems.add(path + ("owner",), "give either 'owner' or 'using'/'with_check', not both; write the whole condition in 'using' if you need more than ownership")
        return False
    if spec.owner is None and spec.using is None and spec.with_check is None:
        problems.add(path, f"policy '{spec.name}' says nothing about rows; add 'owner: <column>' or a 'using' / 'with_check' expression")
        return False
    for key, fits in (("using", USES_USING), ("with_check", USES_CHECK)):
        expr = getattr(spec, key)
        if expr is None:
            continue
        if not any(op in fits for op in ops):
            problems.add(path + (key,), f"'{key}' does not apply to {', '.join(ops)}; PostgreSQL uses {'USING for select, update and delete' if key == 'using' else 'WITH CHECK for insert and update'}")
            ok = False
    if spec.owner is None:
        for op in ops:
            if op in ("select", "delete") and spec.using is None:
                problems.add(path, f"policy '{spec.name}' covers {op} but has no 'using'; add the condition rows must meet")
                ok = False
            if op == "insert" and spec.with_check is None:
                problems.add(path, f"policy '{spec.name}' covers insert but has no 'with_check'; add the condition new rows must meet")
                ok = False
    return ok


def owner_expression(table: Table, tables: dict[str, Table], owner: str, path, problems) -> str | None:
    """SQL for `owner: col` or `owner: fk_col.….owner_col`, or None after reporting why the path is wrong."""
    parts = owner.split(".")
    current = table
    hops: list[tuple[Table, str, Table, str]] = []  # (child, fk column, parent, parent key column)
    for part in parts[:-1]:
        if not _has_column(current, part, path, problems):
            return None
        fk = next((f for f in current.foreign_keys if f.columns == (part,)), None)
        if fk is None:
            problems.add(path, f"'{current.name}.{part}' is not a foreign key; each step of an owner path before the last must be a single-column foreign key, e.g. conversation_id.doctor_id")
            return None
        if fk.ref_table not in tables or tables[fk.ref_table].schema != fk.ref_schema:
            problems.add(path, f"'{current.name}.{part}' points at {fk.ref_qualified}, which has no owner column; end the path at '{part}'")
            return None
        parent = tables[fk.ref_table]
        hops.append((current, part, parent, fk.ref_columns[0]))
        current = parent
    last = parts[-1]
    if not _has_column(current, last, path, problems):
        return None
    if current.column(last).type.sql != "uuid":
        problems.add(path, f"owner column '{current.name}.{last}' is {current.column(last).type.sql}; it must be a uuid holding the owning user's id (auth.uid())")
        return None
    if not hops:
        return f"{quote_ident(last)} = {UID}"
    return _exists_sql(table, hops, last)


def _has_column(table: Table, name: str, path, problems) -> bool:
    if name and table.has_column(name):
        return True
    close = difflib.get_close_matches(name, [c.name for c in table.columns], n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"columns of {table.name}: {', '.join(c.name for c in table.columns)}"
    problems.add(path, f"owner path names unknown column '{name}' of table '{table.name}'; {hint}")
    return False


def _exists_sql(table: Table, hops: list[tuple[Table, str, Table, str]], owner_column: str) -> str:
    """EXISTS over the chain of parents, joined key to foreign key, ending at the owner column."""
    _, first_fk, first_parent, first_key = hops[0]
    sql = f"EXISTS (SELECT 1 FROM {qualified(first_parent.schema, first_parent.name)} p1"
    for n, (_, fk_col, parent, key) in enumerate(hops[1:], start=2):
        sql += f" JOIN {qualified(parent.schema, parent.name)} p{n} ON p{n}.{quote_ident(key)} = p{n - 1}.{quote_ident(fk_col)}"
    sql += (
        f" WHERE p1.{quote_ident(first_key)} = {quote_ident(table.name)}.{quote_ident(first_fk)}"
        f" AND p{len(hops)}.{quote_ident(owner_column)} = {UID})"
    )
    return sql
