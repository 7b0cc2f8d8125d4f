"""The changes one schema needs to become another, as plain values (the shape of Atlas's schema.Change).

The differ (diff.py) produces them; the renderer (render.py) turns them into ordered statements.
Each names its table by the name it has once the renames of the same migration are done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..model import Check, Column, ColumnType, Default, Domain, Enum, Exclusion, Extension, ForeignKey, Identity, Index, Policy, PrimaryKey, Table, Trigger, Unique

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


Change = Union[
    AddTable, DropTable, RenameTable, AddColumn, DropColumn, RenameColumn, AlterColumnType, SetNotNull, DropNotNull,
    SetDefault, DropDefault, Backfill, UpdateEnumValue, AddConstraint, DropConstraint, RenameConstraint, AddIndex,
    DropIndex, RenameIndex, AddTrigger, DropTrigger, CreateUpdatedAtFunction, DropUpdatedAtFunction,
    SetRowLevelSecurity, AddPolicy, DropPolicy, SetTableComment, SetColumnComment, AddExtension, DropExtension,
    CreateEnumType, DropEnumType, AddEnumValue, RenameEnumValue, AddDomain, DropDomain, AddIdentity, DropIdentity,
    SetGenerated, DropGenerated,
]
