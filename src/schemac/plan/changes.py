"""The changes one schema needs to become another, as plain values (the shape of Atlas's schema.Change).

The differ (diff.py) produces them; the renderer (render.py) turns them into ordered statements.
Each names its table by the name it has once the renames of the same migration are done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..model import (
    Check, Column, ColumnType, Default, Domain, Enum, Exclusion, Extension, ForeignKey, Function, Identity, Index, Policy, PrimaryKey, SqlBlock,
    Table, Trigger, Unique, View,
)

Constraint = Union[PrimaryKey, Unique, Check, ForeignKey, Exclusion]


@dataclass(frozen=True)
class AddTable:
    table: Table  # created with its columns, keys, checks, indexes, trigger, RLS and comments; foreign keys come as AddConstraint


@dataclass(frozen=True)
class DropTable:
    table: Table


@dataclass(frozen=True)
class RenameTable:
    old: str
    new: str


@dataclass(frozen=True)
class RenameSequence:
    """An identity or serial column's sequence, renamed with its table or column so it keeps PostgreSQL's
    `<table>_<column>_seq` (PostgreSQL leaves the old name)."""

    table: str
    old: str
    new: str


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: Column  # when NOT NULL without a default on a table with rows, it is added nullable, backfilled, then SetNotNull
    tag: str = "start"  # the table's classification_tag: where the column comment puts the classification


@dataclass(frozen=True)
class DropColumn:
    table: str
    column: Column


@dataclass(frozen=True)
class RenameColumn:
    table: str
    old: str
    new: str


@dataclass(frozen=True)
class AlterColumnType:
    table: str
    column: str
    current: ColumnType
    desired: ColumnType
    using: str | None  # the SQL expression computing the new value; None when PostgreSQL converts implicitly
    narrowing: bool  # values may not fit (or mean the same) in the new type
    rewrite: bool  # PostgreSQL rewrites the table (the new type is not binary-compatible)
    collation: str | None = None  # the desired collation (None: the database default)
    collation_changed: bool = False  # COLLATE is written when the collation changes too (or alone)


@dataclass(frozen=True)
class SetNotNull:
    """On an existing table: through a validated CHECK, so SET NOT NULL needs no scan under its lock."""

    table: str
    column: str


@dataclass(frozen=True)
class DropNotNull:
    table: str
    column: str


@dataclass(frozen=True)
class SetDefault:
    table: str
    column: str
    default: Default


@dataclass(frozen=True)
class DropDefault:
    table: str
    column: str


@dataclass(frozen=True)
class Backfill:
    """Fill NULLs of a column from an expression (an added NOT NULL column without a default)."""

    table: str
    column: str
    expression: str


@dataclass(frozen=True)
class UpdateEnumValue:
    """Rows holding an enum value renamed in the spec get the new spelling."""

    table: str
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class AddConstraint:
    table: str
    constraint: Constraint
    new_table: bool  # the table is created by this migration: no rows, no safe form needed
    removed_values: tuple[str, ...] = ()  # enum checks: values rows may hold that the new check forbids


@dataclass(frozen=True)
class DropConstraint:
    table: str
    constraint: Constraint


@dataclass(frozen=True)
class RenameConstraint:
    table: str
    old: str
    new: str


@dataclass(frozen=True)
class AddIndex:
    table: str
    index: Index
    concurrent: bool  # on an existing table: CREATE INDEX CONCURRENTLY, outside a transaction


@dataclass(frozen=True)
class DropIndex:
    table: str
    index: Index


@dataclass(frozen=True)
class RenameIndex:
    table: str
    old: str
    new: str


@dataclass(frozen=True)
class AddTrigger:
    table: str
    trigger: Trigger


@dataclass(frozen=True)
class DropTrigger:
    table: str
    trigger: Trigger


@dataclass(frozen=True)
class CreateUpdatedAtFunction:
    """The function behind every updated_at trigger; created when the first table gets `timestamps: true`."""


@dataclass(frozen=True)
class DropUpdatedAtFunction:
    """Dropped when the last table with `timestamps: true` is gone."""


@dataclass(frozen=True)
class SetRowLevelSecurity:
    table: str
    enabled: bool


@dataclass(frozen=True)
class AddPolicy:
    table: str
    policy: Policy
    schema: str = "public"  # another for a policy on an external table (storage.objects)


@dataclass(frozen=True)
class DropPolicy:
    table: str
    policy: Policy
    schema: str = "public"


@dataclass(frozen=True)
class SetTableComment:
    table: str
    comment: str


@dataclass(frozen=True)
class SetColumnComment:
    table: str
    column: str
    comment: str


@dataclass(frozen=True)
class CreateSchema:
    """A schema for the app's tables besides public, with the API roles' privileges (never dropped by schemac)."""

    name: str


@dataclass(frozen=True)
class AddExtension:
    extension: Extension


@dataclass(frozen=True)
class DropExtension:
    extension: Extension


@dataclass(frozen=True)
class CreateEnumType:
    """A native enum (CREATE TYPE ... AS ENUM)."""

    enum: Enum


@dataclass(frozen=True)
class DropEnumType:
    enum: Enum


@dataclass(frozen=True)
class AddEnumValue:
    """ALTER TYPE ... ADD VALUE: runs in the migration's transaction (PostgreSQL 12+), but the new value cannot be used
    until that transaction commits, so a default or backfill using it belongs in a later migration."""

    enum: str
    value: str
    before: str | None  # the existing value it goes before; None: at the end


@dataclass(frozen=True)
class RenameEnumValue:
    enum: str
    old: str
    new: str


@dataclass(frozen=True)
class AddDomain:
    domain: Domain


@dataclass(frozen=True)
class DropDomain:
    domain: Domain


@dataclass(frozen=True)
class AddIdentity:
    """ALTER COLUMN ... ADD GENERATED ... AS IDENTITY; the sequence then continues after the rows' largest value."""

    table: str
    column: str
    identity: Identity


@dataclass(frozen=True)
class DropIdentity:
    table: str
    column: str


@dataclass(frozen=True)
class SetGenerated:
    """ALTER COLUMN ... SET EXPRESSION AS (...) (PostgreSQL 17+): every row is recomputed."""

    table: str
    column: str
    expression: str


@dataclass(frozen=True)
class DropGenerated:
    """ALTER COLUMN ... DROP EXPRESSION: the column keeps its values and becomes a plain column."""

    table: str
    column: str


@dataclass(frozen=True)
class CreateFunction:
    """CREATE FUNCTION with its EXECUTE grants and comment."""

    function: Function


@dataclass(frozen=True)
class ReplaceFunction:
    """CREATE OR REPLACE FUNCTION: body, language, volatility, SECURITY or settings changed; same arguments and return type,
    so its grants, comment and dependents (triggers, policies, views) stay."""

    function: Function


@dataclass(frozen=True)
class RecreateFunction:
    """Arguments or return type changed, which CREATE OR REPLACE cannot do: DROP, then CREATE with grants and comment.
    The differ drops what depends on it (triggers, policies, views) before and creates them again after."""

    current: Function
    desired: Function


@dataclass(frozen=True)
class DropFunction:
    function: Function


@dataclass(frozen=True)
class SetFunctionGrants:
    """EXECUTE revoked from everyone, then granted to the spec's roles."""

    function: Function


@dataclass(frozen=True)
class SetFunctionComment:
    function: Function


@dataclass(frozen=True)
class CreateView:
    """CREATE [MATERIALIZED] VIEW with its indexes, grants and comments."""

    view: View


@dataclass(frozen=True)
class ReplaceView:
    """CREATE OR REPLACE VIEW: a plain view whose columns keep their names and types, new ones appended at the end."""

    view: View


@dataclass(frozen=True)
class DropView:
    view: View


@dataclass(frozen=True)
class SetViewOptions:
    """ALTER VIEW ... SET / RESET (security_invoker)."""

    view: View


@dataclass(frozen=True)
class SetViewGrants:
    """SELECT revoked from everyone, then granted to the spec's roles."""

    view: View


@dataclass(frozen=True)
class SetViewComments:
    """COMMENT ON the view and each of its columns (descriptions and classifications)."""

    view: View


@dataclass(frozen=True)
class AddViewIndex:
    view: str  # a materialized view
    index: Index


@dataclass(frozen=True)
class DropViewIndex:
    view: str
    index: Index


@dataclass(frozen=True)
class SetTriggerComment:
    table: str  # schema-qualified for a table outside public (auth.users)
    trigger: Trigger


@dataclass(frozen=True)
class SetReplicaIdentity:
    table: str
    identity: str  # default | full


@dataclass(frozen=True)
class SetRealtime:
    """Add the table to Supabase's supabase_realtime publication (created when missing), or remove it."""

    table: str
    enabled: bool


@dataclass(frozen=True)
class RunSqlBlock:
    """A `sql:` block, verbatim: new, or changed since the last migration (then it runs again, so blocks are written
    to be re-runnable: CREATE OR REPLACE, IF NOT EXISTS, DROP ... IF EXISTS)."""

    block: SqlBlock
    again: bool  # changed since the last migration


Change = Union[
    AddTable, DropTable, RenameTable, AddColumn, DropColumn, RenameColumn, AlterColumnType, SetNotNull, DropNotNull,
    SetDefault, DropDefault, Backfill, UpdateEnumValue, AddConstraint, DropConstraint, RenameConstraint, AddIndex,
    DropIndex, RenameIndex, AddTrigger, DropTrigger, CreateUpdatedAtFunction, DropUpdatedAtFunction,
    SetRowLevelSecurity, AddPolicy, DropPolicy, SetTableComment, SetColumnComment, AddExtension, DropExtension,
    CreateEnumType, DropEnumType, AddEnumValue, RenameEnumValue, AddDomain, DropDomain, AddIdentity, DropIdentity,
    SetGenerated, DropGenerated, CreateFunction, ReplaceFunction, RecreateFunction, DropFunction, SetFunctionGrants,
    SetFunctionComment, CreateView, ReplaceView, DropView, SetViewOptions, SetViewGrants, SetViewComments, AddViewIndex,
    DropViewIndex, SetTriggerComment, SetReplicaIdentity, SetRealtime, RunSqlBlock,
]
