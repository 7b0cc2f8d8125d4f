"""Migration planning: compare the schema as of the last migration with the spec, and write the statements between.

`plan_migration(current, desired)` is the whole interface: the differ (diff.py) lists the
changes, the renderer (render.py) orders them into statements with hazards, and this module
refuses destructive changes unless they are allowed and names the migration.
"""

from __future__ import annotations

import re

from ..model import Schema
from . import changes as ch
from .changes import Change
from .diff import Diff, classify_type_change, diff_schemas
from .hazards import CODES, Hazard
from .render import render_change, render_parts
from .statements import Plan, PlanPart, Statement

__all__ = [
    "CODES", "Change", "Diff", "Hazard", "Plan", "PlanPart", "Statement",
    "classify_type_change", "diff_schemas", "migration_name", "plan_migration", "render_change", "render_parts",
]


def plan_migration(current: Schema, desired: Schema, *, allow_destructive: bool = False) -> Plan:
    """The statements that take a database at `current` to `desired`, and why they may not be written yet."""
    diff = diff_schemas(current, desired)
    refusals = list(diff.problems)
    if not allow_destructive:
        refusals += diff.destructive
    where = {t.name: t.schema for t in (*current.tables, *desired.tables) if t.schema != "public"}
    return Plan(render_parts(diff.changes, where), tuple(sorted(set(refusals))), migration_name(diff.changes))


# Changes that follow from others (a new table's keys and policies, comments, the trigger function) do not name a migration.
SECONDARY = (
    ch.SetTableComment, ch.SetColumnComment, ch.CreateUpdatedAtFunction, ch.DropUpdatedAtFunction, ch.Backfill,
    ch.AddExtension, ch.DropExtension,  # an extension comes or goes with what uses it
    ch.SetFunctionComment, ch.SetViewComments, ch.SetTriggerComment,
    ch.CreateSchema,  # comes with the tables in it
    ch.RenameSequence,  # comes with its table's or column's rename
)
HEADLINE = (
    ch.AddTable, ch.DropTable, ch.RenameTable, ch.AddColumn, ch.DropColumn, ch.RenameColumn, ch.AlterColumnType,
    ch.SetNotNull, ch.DropNotNull, ch.SetDefault, ch.DropDefault, ch.UpdateEnumValue,
)
MAX_NAME = 60


def migration_name(changes: list[Change]) -> str:
    """A snake_case name saying what the migration does, e.g. add_patients_preferred_language."""
    primary = [c for c in changes if not isinstance(c, SECONDARY) and not getattr(c, "new_table", False)]
    new_tables = {c.table.name for c in changes if isinstance(c, ch.AddTable)}
    primary = [c for c in primary if not (isinstance(c, ch.AddPolicy) and c.table in new_tables)]
    headline = [c for c in primary if isinstance(c, HEADLINE)]  # keys, indexes and policies often just follow these
    primary = headline or primary
    slugs = list(dict.fromkeys(_slug(c) for c in (primary or changes)))
    if not slugs:
        return "no_changes"
    name = slugs[0]
    if len(slugs) == 2 and len(f"{slugs[0]}_and_{slugs[1]}") <= MAX_NAME:
        name = f"{slugs[0]}_and_{slugs[1]}"
    elif len(slugs) > 1:
        name = f"{slugs[0]}_and_more"
    name = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return name[:MAX_NAME].rstrip("_") or "migration"


def _slug(c: Change) -> str:
    match c:
        case ch.AddTable(table):
            return f"create_{table.name}"
        case ch.DropTable(table):
            return f"drop_{table.name}"
        case ch.RenameTable(old, new):
            return f"rename_{old}_to_{new}"
        case ch.AddColumn(table, column):
            return f"add_{table}_{column.name}"
        case ch.DropColumn(table, column):
            return f"drop_{table}_{column.name}"
        case ch.RenameColumn(table, old, new):
            return f"rename_{table}_{old}_to_{new}"
        case ch.AlterColumnType(table, column):
            return f"change_{table}_{column}_type"
        case ch.SetNotNull(table, column):
            return f"require_{table}_{column}"
        case ch.DropNotNull(table, column):
            return f"allow_null_{table}_{column}"
        case ch.SetDefault(table, column) | ch.DropDefault(table, column):
            return f"change_{table}_{column}_default"
        case ch.UpdateEnumValue(table, column):
            return f"rename_{table}_{column}_value"
        case ch.AddConstraint(table, constraint) | ch.DropConstraint(table, constraint):
            return f"change_{constraint.name}"
        case ch.RenameConstraint(table, old, new) | ch.RenameIndex(table, old, new):
            return f"rename_{old}"
        case ch.AddIndex(table, index):
            return f"add_{index.name}"
        case ch.DropIndex(table, index):
            return f"drop_{index.name}"
        case ch.AddTrigger(table, trigger) | ch.DropTrigger(table, trigger) if trigger.table:
            verb = "add" if isinstance(c, ch.AddTrigger) else "drop"
            return f"{verb}_trigger_{trigger.name}"
        case ch.AddTrigger(table) | ch.DropTrigger(table):
            return f"change_{table}_timestamps"
        case ch.CreateFunction(f):
            return f"create_function_{f.name}"
        case ch.ReplaceFunction(f) | ch.RecreateFunction(_, f) | ch.SetFunctionGrants(f) | ch.SetFunctionComment(f):
            return f"change_function_{f.name}"
        case ch.DropFunction(f):
            return f"drop_function_{f.name}"
        case ch.CreateView(v):
            return f"create_view_{v.name}"
        case ch.DropView(v):
            return f"drop_view_{v.name}"
        case ch.ReplaceView(v) | ch.SetViewOptions(v) | ch.SetViewGrants(v) | ch.SetViewComments(v):
            return f"change_view_{v.name}"
        case ch.AddViewIndex(view, index) | ch.DropViewIndex(view, index):
            return f"change_{view}_indexes"
        case ch.SetTriggerComment(table, trigger):
            return f"comment_trigger_{trigger.name}"
        case ch.SetReplicaIdentity(table) | ch.SetRealtime(table):
            return f"change_{table}_realtime"
        case ch.RunSqlBlock(block):
            return f"sql_{block.name}"
        case ch.SetRowLevelSecurity(table, enabled):
            return f"{'enable' if enabled else 'disable'}_{table}_rls"
        case ch.AddPolicy(table) | ch.DropPolicy(table):
            return f"change_{table}_policies"
        case ch.SetTableComment(table) | ch.SetColumnComment(table):
            return f"comment_{table}"
        case ch.AddExtension(ext):
            return f"add_extension_{ext.name}"
        case ch.CreateSchema(name):
            return f"create_schema_{name}"
        case ch.DropExtension(ext):
            return f"drop_extension_{ext.name}"
        case ch.CreateEnumType(enum) | ch.DropEnumType(enum):
            return f"{'create' if isinstance(c, ch.CreateEnumType) else 'drop'}_type_{enum.name}"
        case ch.AddEnumValue(enum) | ch.RenameEnumValue(enum):
            return f"change_type_{enum}"
        case ch.AddDomain(domain) | ch.DropDomain(domain):
            return f"{'create' if isinstance(c, ch.AddDomain) else 'drop'}_domain_{domain.name}"
        case ch.AddIdentity(table, column) | ch.DropIdentity(table, column):
            return f"change_{table}_{column}_identity"
        case ch.SetGenerated(table, column) | ch.DropGenerated(table, column):
            return f"change_{table}_{column}_expression"
    return "update_timestamps_function"
