"""The renderer: changes in, ordered statements with their hazards out.

Order is by phase, so that nothing is created before what it needs or dropped while something
still depends on it: renames first (everything after uses the new names), then policies,
triggers, foreign keys and other constraints and indexes are dropped, then columns and tables;
new tables, columns and types come next, then data (backfills, enum value renames), then
checks, NOT NULL, keys and foreign keys, triggers, row level security, policies and comments.
Indexes on existing tables are built CONCURRENTLY, each in its own non-transactional part.
"""

from __future__ import annotations

from ..emit.sql import (
    API_ROLES_SQL,
    schema_sql,
    column_and_key_lines,
    column_comment,
    column_sql,
    create_policy_sql,
    domain_sql,
    element_sql,
    enum_type_sql,
    exclusion_sql,
    foreign_key_sql,
    identity_options,
    idents,
    publication_add_sql,
    sql_block_text,
    unique_sql,
    render_trigger,
    table_comment,
    updated_at_function_sql,
)
from ..emit.routines import create_function_sql, function_comment, function_comment_sql, function_grants_sql, function_sql_name, trigger_comment
from ..emit.views import create_view_sql, render_view, view_column_comment, view_comment, view_grants_sql, view_kind
from ..model import UPDATED_AT_FUNCTION, Check, Exclusion, ForeignKey, Index, PrimaryKey, Table, Unique
from ..resolve import naming
from ..sqltext import qualified, quote_ident, quote_literal
from . import changes as ch
from .changes import Change, Constraint
from .hazards import (
    ACCESS_EXCLUSIVE_LOCK,
    AUTHORIZATION_CHANGE,
    CONSTRAINT_NOT_VALID_MISSING,
    DELETES_DATA,
    INDEX_NOT_CONCURRENT,
    ROWS_MAY_VIOLATE,
    TABLE_REWRITE,
    UPDATES_ROWS,
    hazard,
)
from .statements import PlanPart, Statement

VOLATILE_DEFAULTS = {"gen_random_uuid()"}  # a volatile default makes ADD COLUMN rewrite the table


def render_parts(changes: list[Change], where: dict[str, str] | None = None) -> tuple[PlanPart, ...]:
    """One transactional part with every statement in dependency order, then one part per concurrent index;
    `where` maps the tables outside public to their schema."""
    ordered = sorted(enumerate(changes), key=lambda ic: (_phase(ic[1]), ic[0]))
    statements: list[Statement] = []
    concurrent: list[PlanPart] = []
    for _i, change in ordered:
        if isinstance(change, ch.AddIndex) and change.concurrent:
            concurrent.append(PlanPart((_create_index(change, where),), transactional=False))
        else:
            statements.extend(render_change(change, where))
    parts = ([PlanPart(tuple(statements))] if statements else []) + concurrent
    return tuple(parts)


def _phase(c: Change) -> int:
    if isinstance(c, ch.RunSqlBlock) and c.block.runs_first:
        return 8  # after domains, before tables and columns that may use what it creates
    if isinstance(c, ch.DropConstraint):
        return 30 if isinstance(c.constraint, ForeignKey) else 40
    if isinstance(c, ch.AddConstraint):
        if isinstance(c.constraint, Check):
            return 160
        return 180 if isinstance(c.constraint, (PrimaryKey, Unique, Exclusion)) else 190
    return PHASES[type(c)]


PHASES: dict[type, int] = {
    ch.RenameTable: 1,
    ch.RenameColumn: 2,
    ch.RenameSequence: 2,
    ch.RenameConstraint: 3,
    ch.RenameIndex: 3,
    ch.AddExtension: 4,
    ch.CreateSchema: 3,
    ch.CreateUpdatedAtFunction: 5,
    ch.CreateEnumType: 6,
    ch.AddEnumValue: 6,
    ch.RenameEnumValue: 6,
    ch.AddDomain: 7,
    ch.DropIdentity: 115,
    ch.DropGenerated: 115,
    ch.SetGenerated: 135,
    ch.AddIdentity: 145,
    ch.DropPolicy: 10,
    ch.DropTrigger: 20,
    ch.DropIndex: 40,
    ch.DropColumn: 80,
    ch.DropTable: 90,
    ch.AddTable: 100,
    ch.AddColumn: 110,
    ch.DropDefault: 120,
    ch.AlterColumnType: 130,
    ch.SetDefault: 140,
    ch.DropNotNull: 140,
    ch.UpdateEnumValue: 150,
    ch.Backfill: 150,
    ch.SetNotNull: 170,
    ch.AddIndex: 175,
    ch.AddTrigger: 200,
    ch.SetRowLevelSecurity: 210,
    ch.AddPolicy: 220,
    ch.SetTableComment: 230,
    ch.SetColumnComment: 230,
    ch.DropUpdatedAtFunction: 240,
    ch.DropEnumType: 245,
    ch.DropDomain: 245,
    ch.DropExtension: 250,
    # functions, views, section triggers, realtime, sql: blocks (see objects.py for what depends on what)
    ch.DropView: 15,
    ch.DropViewIndex: 16,
    ch.CreateFunction: 185,
    ch.ReplaceFunction: 185,
    ch.RecreateFunction: 185,
    ch.SetFunctionGrants: 186,
    ch.CreateView: 195,
    ch.ReplaceView: 195,
    ch.AddViewIndex: 196,
    ch.SetViewOptions: 196,
    ch.SetViewGrants: 196,
    ch.SetReplicaIdentity: 205,
    ch.SetRealtime: 205,
    ch.SetFunctionComment: 230,
    ch.SetViewComments: 230,
    ch.SetTriggerComment: 230,
    ch.DropFunction: 242,
    ch.RunSqlBlock: 255,
}


def _t(where: dict[str, str], table: str) -> str:
    """A table's qualified name: `where` maps the tables outside public to their schema."""
    return qualified(where.get(table, "public"), table)


def _on(where: dict[str, str], table: str) -> str:
    """A table as trigger changes name it: a spec table by name (`where` gives its schema), a table outside the spec
    schema-qualified (auth.users)."""
    schema, _, name = table.rpartition(".")
    return qualified(schema, name) if schema else _t(where, name)


def _pub(name: str) -> str:
    return qualified("public", name)


def _trigger_comment(where: dict[str, str], table: str, trigger) -> Statement:
    return Statement(f"COMMENT ON TRIGGER {quote_ident(trigger.name)} ON {_on(where, table)} IS {_comment_literal(trigger_comment(trigger))};", (), f"comment on trigger {trigger.name} on {table}")


def render_object_change(c: Change, where: dict[str, str]) -> list[Statement] | None:
    """Functions, views, realtime and sql: blocks; None for any other change."""
    match c:
        case ch.CreateFunction(f):
            return [_function_statement(f, f"create function {f.name}")]
        case ch.ReplaceFunction(f):
            return [Statement(create_function_sql(f), (), f"replace function {f.name} (CREATE OR REPLACE: its grants and dependents stay)")]
        case ch.RecreateFunction(old, f):
            drop = Statement(f"DROP FUNCTION {function_sql_name(old)};", (), f"drop function {old.name} (its arguments or return type change)")
            return [drop, _function_statement(f, f"create function {f.name} again")]
        case ch.DropFunction(f):
            return [Statement(f"DROP FUNCTION {function_sql_name(f)};", (), f"drop function {f.name}")]
        case ch.SetFunctionGrants(f):
            return [Statement("\n".join(function_grants_sql(f)), (hazard(AUTHORIZATION_CHANGE, f"who may execute {f.name}"),), f"set EXECUTE grants of function {f.name}")]
        case ch.SetFunctionComment(f):
            comment = function_comment(f)
            return [Statement(f"COMMENT ON FUNCTION {function_sql_name(f)} IS {quote_literal(comment) if comment is not None else 'NULL'};", (), f"comment on function {f.name}")]
        case ch.CreateView(v):
            body = render_view(v).split("\n", 1)[1].rstrip("\n")  # without its heading comment
            return [Statement(body, (), f"create {view_kind(v).lower()} {v.name}")]
        case ch.ReplaceView(v):
            return [Statement(create_view_sql(v), (), f"replace view {v.name} (same columns, new ones appended)")]
        case ch.DropView(v):
            return [Statement(f"DROP {view_kind(v)} {_pub(v.name)};", (), f"drop {view_kind(v).lower()} {v.name}")]
        case ch.SetViewOptions(v):
            option = "SET (security_invoker = true)" if v.security_invoker else "RESET (security_invoker)"
            return [Statement(f"ALTER VIEW {_pub(v.name)} {option};", (hazard(AUTHORIZATION_CHANGE, f"whose rights {v.name} reads with"),), f"view {v.name} reads with {'the caller' if v.security_invoker else 'its owner'}'s rights")]
        case ch.SetViewGrants(v):
            return [Statement("\n".join(view_grants_sql(v)), (hazard(AUTHORIZATION_CHANGE, f"who may read {v.name}"),), f"set SELECT grants of view {v.name}")]
        case ch.SetViewComments(v):
            name = _pub(v.name)
            comment = view_comment(v)
            lines = [f"COMMENT ON {view_kind(v)} {name} IS {quote_literal(comment) if comment is not None else 'NULL'};"]
            for col in v.columns:
                text = view_column_comment(col, v.classification_tag)
                lines.append(f"COMMENT ON COLUMN {name}.{quote_ident(col.name)} IS {quote_literal(text) if text is not None else 'NULL'};")
            return [Statement("\n".join(lines), (), f"comment on view {v.name}")]
        case ch.AddViewIndex(view, ix):
            return [Statement(_index_sql({}, view, ix, concurrently=False), (hazard(INDEX_NOT_CONCURRENT, f"{ix.name} on {view}"),), f"add index {ix.name} on {view}")]
        case ch.DropViewIndex(view, ix):
            return [Statement(f"DROP INDEX {_pub(ix.name)};", (), f"drop index {ix.name} on {view}")]
        case ch.SetReplicaIdentity(table, identity):
            return [Statement(f"ALTER TABLE {_t(where, table)} REPLICA IDENTITY {identity.upper()};", (LOCK,), f"replica identity of {table}: {identity}")]
        case ch.SetRealtime(table, enabled):
            if enabled:
                return [Statement(publication_add_sql(table, where.get(table, "public")), (), f"publish changes of {table} to supabase_realtime")]
            return [Statement(f"ALTER PUBLICATION supabase_realtime DROP TABLE {_t(where, table)};", (), f"stop publishing changes of {table} to supabase_realtime")]
        case ch.RunSqlBlock(block, again):
            return [Statement(sql_block_text(block).rstrip("\n"), (), f"sql: {block.name}" + (" (changed: runs again)" if again else ""))]
    return None


def _function_statement(f, summary: str) -> Statement:
    lines = [create_function_sql(f), *function_grants_sql(f), *function_comment_sql(f)]
    return Statement("\n".join(lines), (), summary)


LOCK = hazard(ACCESS_EXCLUSIVE_LOCK)


def render_change(c: Change, where: dict[str, str] | None = None) -> list[Statement]:
    """The statements for one change, in the order they run; `where` maps tables outside public to their schema."""
    where = where or {}
    match c:
        case ch.AddTable(table):
            return [_create_table(table)]
        case ch.DropTable(table):
            return [Statement(f"DROP TABLE {_t(where, table.name)};", (hazard(DELETES_DATA, f"every row of {table.name}"), LOCK), f"drop table {table.name}")]
        case ch.RenameTable(old, new):
            return [Statement(f"ALTER TABLE {_t(where, old)} RENAME TO {quote_ident(new)};", (LOCK,), f"rename table {old} to {new}")]
        case ch.AddColumn(table, column, tag):
            hazards = [LOCK]
            if column.default is not None and column.default.function in VOLATILE_DEFAULTS:
                hazards.insert(0, hazard(TABLE_REWRITE, f"the volatile default {column.default.sql} is computed for every row"))
            return [
                Statement(f"ALTER TABLE {_t(where, table)} ADD COLUMN {column_sql(column)};", tuple(hazards), f"add column {table}.{column.name}"),
                _column_comment(where, table, column.name, column_comment(column, tag)),
            ]
        case ch.DropColumn(table, column):
            return [Statement(f"ALTER TABLE {_t(where, table)} DROP COLUMN {quote_ident(column.name)};", (hazard(DELETES_DATA, f"every value of {table}.{column.name}"), LOCK), f"drop column {table}.{column.name}")]
        case ch.RenameSequence(table, old, new):
            schema = where.get(table, "public")
            return [Statement(f"ALTER SEQUENCE {qualified(schema, old)} RENAME TO {quote_ident(new)};", (), f"rename sequence {old} to {new}")]
        case ch.RenameColumn(table, old, new):
            return [Statement(f"ALTER TABLE {_t(where, table)} RENAME COLUMN {quote_ident(old)} TO {quote_ident(new)};", (LOCK,), f"rename column {table}.{old} to {new}")]
        case ch.AlterColumnType():
            return [_alter_type(c, where)]
        case ch.SetNotNull(table, column):
            return _set_not_null(where, table, column)
        case ch.DropNotNull(table, column):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} DROP NOT NULL;", (LOCK,), f"allow NULL in {table}.{column}")]
        case ch.SetDefault(table, column, default):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} SET DEFAULT {default.sql};", (LOCK,), f"set default of {table}.{column}")]
        case ch.DropDefault(table, column):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} DROP DEFAULT;", (LOCK,), f"drop default of {table}.{column}")]
        case ch.Backfill(table, column, expression):
            return [Statement(f"UPDATE {_t(where, table)} SET {quote_ident(column)} = ({expression}) WHERE {quote_ident(column)} IS NULL;", (hazard(UPDATES_ROWS, f"rows of {table} where {column} is NULL"),), f"backfill {table}.{column}")]
        case ch.UpdateEnumValue(table, column, old, new):
            return [Statement(f"UPDATE {_t(where, table)} SET {quote_ident(column)} = {quote_literal(new)} WHERE {quote_ident(column)} = {quote_literal(old)};", (hazard(UPDATES_ROWS, f"rows of {table} holding {old!r}"),), f"rename value {old!r} to {new!r} in {table}.{column}")]
        case ch.AddConstraint():
            return _add_constraint(c, where)
        case ch.DropConstraint(table, constraint):
            return [Statement(f"ALTER TABLE {_t(where, table)} DROP CONSTRAINT {quote_ident(constraint.name)};", (LOCK,), f"drop constraint {table}.{constraint.name}")]
        case ch.RenameConstraint(table, old, new):
            return [Statement(f"ALTER TABLE {_t(where, table)} RENAME CONSTRAINT {quote_ident(old)} TO {quote_ident(new)};", (LOCK,), f"rename constraint {table}.{old} to {new}")]
        case ch.AddIndex():
            return [_create_index(c, where)]
        case ch.DropIndex(table, index):
            return [Statement(f"DROP INDEX {qualified(where.get(table, 'public'), index.name)};", (LOCK,), f"drop index {index.name} on {table}")]
        case ch.RenameIndex(table, old, new):
            return [Statement(f"ALTER INDEX {qualified(where.get(table, 'public'), old)} RENAME TO {quote_ident(new)};", (LOCK,), f"rename index {old} on {table} to {new}")]
        case ch.AddTrigger(table, trigger):
            out = [Statement(render_trigger(None, trigger, on=_on(where, table)), (), f"add trigger {trigger.name} on {table}")]  # type: ignore[arg-type]
            if trigger.description:
                out.append(_trigger_comment(where, table, trigger))
            return out
        case ch.DropTrigger(table, trigger):
            return [Statement(f"DROP TRIGGER {quote_ident(trigger.name)} ON {_on(where, table)};", (LOCK,), f"drop trigger {trigger.name} on {table}")]
        case ch.SetTriggerComment(table, trigger):
            return [_trigger_comment(where, table, trigger)]
        case ch.CreateUpdatedAtFunction():
            schema, name = UPDATED_AT_FUNCTION.split(".")
            return [Statement(updated_at_function_sql(qualified(schema, name)).rstrip("\n"), (), "create function " + UPDATED_AT_FUNCTION)]
        case ch.DropUpdatedAtFunction():
            schema, name = UPDATED_AT_FUNCTION.split(".")
            return [Statement(f"DROP FUNCTION {qualified(schema, name)}();", (), "drop function " + UPDATED_AT_FUNCTION)]
        case ch.SetRowLevelSecurity(table, enabled):
            verb = "ENABLE" if enabled else "DISABLE"
            return [Statement(f"ALTER TABLE {_t(where, table)} {verb} ROW LEVEL SECURITY;", (hazard(AUTHORIZATION_CHANGE, f"row level security {'on' if enabled else 'off'} for {table}"), LOCK), f"{verb.lower()} row level security on {table}")]
        case ch.AddPolicy(table, policy, schema):
            where = table if schema == "public" else f"{schema}.{table}"
            return [Statement(create_policy_sql(qualified(schema, table), policy) + ";", (hazard(AUTHORIZATION_CHANGE, f"policy {policy.name} on {where}"), LOCK), f"create policy {policy.name} on {where}")]
        case ch.DropPolicy(table, policy, schema):
            where = table if schema == "public" else f"{schema}.{table}"
            return [Statement(f"DROP POLICY {quote_ident(policy.name)} ON {qualified(schema, table)};", (hazard(AUTHORIZATION_CHANGE, f"policy {policy.name} on {where}"), LOCK), f"drop policy {policy.name} on {where}")]
        case ch.SetTableComment(table, comment):
            return [Statement(f"COMMENT ON TABLE {_t(where, table)} IS {_comment_literal(comment)};", (), f"comment on table {table}")]
        case ch.SetColumnComment(table, column, comment):
            return [_column_comment(where, table, column, comment)]
        case ch.CreateSchema(name):
            return [Statement(schema_sql(name), (hazard(AUTHORIZATION_CHANGE, f"usage of schema {name} and its tables granted to {API_ROLES_SQL}"),), f"create schema {name}")]
        case ch.AddExtension(ext):
            out = [] if ext.schema == "public" else [Statement(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(ext.schema)};", (), f"create schema {ext.schema}")]
            return out + [Statement(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(ext.name)} WITH SCHEMA {quote_ident(ext.schema)};", (), f"create extension {ext.name}")]
        case ch.DropExtension(ext):
            return [Statement(f"DROP EXTENSION {quote_ident(ext.name)};", (), f"drop extension {ext.name}")]
        case ch.CreateEnumType(enum):
            return [Statement(enum_type_sql(qualified("public", enum.name), enum.values) + ";", (), f"create enum type {enum.name}")]
        case ch.DropEnumType(enum):
            return [Statement(f"DROP TYPE {qualified('public', enum.name)};", (), f"drop enum type {enum.name}")]
        case ch.AddEnumValue(enum, value, before):
            where = f" BEFORE {quote_literal(before)}" if before is not None else ""
            return [Statement(f"ALTER TYPE {qualified('public', enum)} ADD VALUE {quote_literal(value)}{where};", (), f"add value {value!r} to enum type {enum} (usable once this migration commits)")]
        case ch.RenameEnumValue(enum, old, new):
            return [Statement(f"ALTER TYPE {qualified('public', enum)} RENAME VALUE {quote_literal(old)} TO {quote_literal(new)};", (), f"rename value {old!r} of enum type {enum} to {new!r}")]
        case ch.AddDomain(domain):
            return [Statement(domain_sql(qualified("public", domain.name), domain) + ";", (), f"create domain {domain.name}")]
        case ch.DropDomain(domain):
            return [Statement(f"DROP DOMAIN {qualified('public', domain.name)};", (), f"drop domain {domain.name}")]
        case ch.AddIdentity(table, column, identity):
            col = quote_ident(column)
            add = f"ALTER TABLE {_t(where, table)} ALTER COLUMN {col} ADD GENERATED {identity.generated.upper()} AS IDENTITY{identity_options(identity)};"
            out = [Statement(add, (LOCK,), f"make {table}.{column} an identity column")]
            if identity.start is None:  # continue after the rows' values, as a serial's data moved to identity would
                out.append(Statement(
                    f"SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({quote_literal(_t(where, table))}, {quote_literal(column)}), "
                    f"COALESCE(MAX({col}), 0) + 1, false) FROM {_t(where, table)};",
                    (), f"start the identity of {table}.{column} after its largest value",
                ))
            return out
        case ch.DropIdentity(table, column):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} DROP IDENTITY;", (LOCK,), f"drop identity of {table}.{column}")]
        case ch.SetGenerated(table, column, expression):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} SET EXPRESSION AS ({expression});", (hazard(TABLE_REWRITE, f"{table}, to recompute {column}"), LOCK), f"change the expression of {table}.{column}")]
        case ch.DropGenerated(table, column):
            return [Statement(f"ALTER TABLE {_t(where, table)} ALTER COLUMN {quote_ident(column)} DROP EXPRESSION;", (LOCK,), f"make {table}.{column} a plain column (values kept)")]
    if (statements := render_object_change(c, where)) is not None:
        return statements
    raise TypeError(f"no renderer for {c!r}")


def _comment_literal(comment: str | None) -> str:
    return "NULL" if comment is None else quote_literal(comment)


def _column_comment(where: dict[str, str], table: str, column: str, comment: str | None) -> Statement:
    return Statement(f"COMMENT ON COLUMN {_t(where, table)}.{quote_ident(column)} IS {_comment_literal(comment)};", (), f"comment on column {table}.{column}")


def _create_table(table: Table) -> Statement:
    """CREATE TABLE with keys and checks inline, then its indexes, trigger, RLS and comments; foreign keys come later."""
    where = {table.name: table.schema}
    lines = column_and_key_lines(table)
    for chk in table.checks:
        lines.append(f"CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expression})")
    out = [f"CREATE TABLE {_t(where, table.name)} (\n  " + ",\n  ".join(lines) + "\n);"]
    for ix in table.indexes:
        out.append(_index_sql(where, table.name, ix, concurrently=False))
    for trg in table.triggers:
        out.append(render_trigger(table, trg))
    if table.rls:
        out.append(f"ALTER TABLE {_t(where, table.name)} ENABLE ROW LEVEL SECURITY;")
    out.append(f"COMMENT ON TABLE {_t(where, table.name)} IS {_comment_literal(table_comment(table))};")
    for c in table.columns:
        out.append(f"COMMENT ON COLUMN {_t(where, table.name)}.{quote_ident(c.name)} IS {_comment_literal(column_comment(c, table.classification_tag))};")
    return Statement("\n".join(out), (), f"create table {table.name}")


def _index_sql(where: dict[str, str], table: str, ix: Index, concurrently: bool) -> str:
    unique = "UNIQUE " if ix.unique else ""
    conc = "CONCURRENTLY " if concurrently else ""
    elements = ", ".join(element_sql(e) for e in ix.elements) if ix.elements else idents(ix.columns)
    s = f"CREATE {unique}INDEX {conc}{quote_ident(ix.name)} ON {_t(where, table)} USING {ix.using} ({elements})"
    if ix.include:
        s += f" INCLUDE ({idents(ix.include)})"
    if ix.nulls_not_distinct:
        s += " NULLS NOT DISTINCT"
    if ix.where:
        s += f" WHERE ({ix.where})"
    return s + ";"


def _create_index(c: ch.AddIndex, where: dict[str, str] | None = None) -> Statement:
    where = where or {}
    hazards = (hazard(ROWS_MAY_VIOLATE, f"existing duplicates in {c.table} make the unique index fail"),) if c.index.unique else ()
    if not c.concurrent:
        hazards += (hazard(INDEX_NOT_CONCURRENT, f"{c.index.name} on {c.table}"),)
    return Statement(_index_sql(where, c.table, c.index, concurrently=c.concurrent), hazards, f"add index {c.index.name} on {c.table}")


def _alter_type(c: ch.AlterColumnType, where: dict[str, str]) -> Statement:
    sql = f"ALTER TABLE {_t(where, c.table)} ALTER COLUMN {quote_ident(c.column)} TYPE {c.desired.sql}"
    if c.collation_changed or c.collation:
        sql += f" COLLATE {quote_ident(c.collation or 'default')}"
    if c.using is not None:
        sql += f" USING ({c.using})"
    hazards = []
    if c.narrowing:
        hazards.append(hazard(DELETES_DATA, f"{c.current.sql} to {c.desired.sql} may not keep every value of {c.table}.{c.column}"))
    if c.rewrite:
        hazards.append(hazard(TABLE_REWRITE, f"{c.table}, to convert {c.column}"))
    hazards.append(LOCK)
    if c.current == c.desired:
        summary = f"change collation of {c.table}.{c.column} to {c.collation or 'the database default'} (its indexes are rebuilt)"
    else:
        summary = f"change type of {c.table}.{c.column} from {c.current.sql} to {c.desired.sql}"
    return Statement(sql + ";", tuple(hazards), summary)


def not_null_check_name(table: str, column: str) -> str:
    """The temporary CHECK that proves a column holds no NULL, so SET NOT NULL skips its own scan."""
    return naming.fit(f"schemac_{table}_{column}_not_null")


def _set_not_null(where: dict[str, str], table: str, column: str) -> list[Statement]:
    check = quote_ident(not_null_check_name(table, column))
    t, col = _t(where, table), quote_ident(column)
    what = f"make {table}.{column} NOT NULL"
    return [
        Statement(f"ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;", (LOCK,), what + " (check added NOT VALID)"),
        Statement(f"ALTER TABLE {t} VALIDATE CONSTRAINT {check};", (hazard(ROWS_MAY_VIOLATE, f"NULLs left in {table}.{column}"),), what + " (validate, without blocking writes)"),
        Statement(f"ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL;", (LOCK,), what + " (no scan: the validated check proves it)"),
        Statement(f"ALTER TABLE {t} DROP CONSTRAINT {check};", (LOCK,), what + " (temporary check dropped)"),
    ]


def _constraint_sql(c: Constraint) -> str:
    if isinstance(c, PrimaryKey):
        return f"CONSTRAINT {quote_ident(c.name)} PRIMARY KEY ({idents(c.columns)})"
    if isinstance(c, Unique):
        return f"CONSTRAINT {quote_ident(c.name)} {unique_sql(c)}"
    if isinstance(c, Exclusion):
        return f"CONSTRAINT {quote_ident(c.name)} {exclusion_sql(c)}"
    if isinstance(c, Check):
        return f"CONSTRAINT {quote_ident(c.name)} CHECK ({c.expression})"
    return foreign_key_sql(c)


def _add_constraint(c: ch.AddConstraint, where: dict[str, str]) -> list[Statement]:
    t = _t(where, c.table)
    body = _constraint_sql(c.constraint)
    what = f"add constraint {c.table}.{c.constraint.name}"
    if c.new_table:
        return [Statement(f"ALTER TABLE {t} ADD {body};", (), what)]
    if isinstance(c.constraint, (PrimaryKey, Unique, Exclusion)):
        return [Statement(
            f"ALTER TABLE {t} ADD {body};",
            (hazard(INDEX_NOT_CONCURRENT, f"the index behind {c.constraint.name}"), hazard(CONSTRAINT_NOT_VALID_MISSING, c.constraint.name), LOCK),
            what,
        )]
    add_hazards = (LOCK,) if isinstance(c.constraint, Check) else ()  # a foreign key takes SHARE ROW EXCLUSIVE
    if c.removed_values:
        reason = f"rows of {c.table} still holding {', '.join(repr(v) for v in c.removed_values)}"
    elif isinstance(c.constraint, ForeignKey):
        reason = f"rows of {c.table} referencing no row of {c.constraint.ref_table}"
    else:
        reason = f"rows of {c.table} failing the check"
    return [
        Statement(f"ALTER TABLE {t} ADD {body} NOT VALID;", add_hazards, what + " (NOT VALID: no scan under the lock)"),
        Statement(f"ALTER TABLE {t} VALIDATE CONSTRAINT {quote_ident(c.constraint.name)};", (hazard(ROWS_MAY_VIOLATE, reason),), f"validate constraint {c.table}.{c.constraint.name}"),
    ]
