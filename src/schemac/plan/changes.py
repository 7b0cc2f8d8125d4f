"""The changes one schema needs to become another, as plain values (the shape of Atlas's schema.Change).

The differ (diff.py) produces them; the renderer (render.py) turns them into ordered statements.
Each names its table by the name it has once the renames of the same migration are done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..model import Check, Column, ColumnType, Default, ForeignKey, Index, Policy, PrimaryKey, Table, Trigger, Unique

Constraint = Union[PrimaryKey, Unique, Check, ForeignKey]


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
class AddColumn:
    table: str
    column: Column  # when NOT NULL without a default on a table with rows, it is added nullable, backfilled, then SetNotNull


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


@dataclass(frozen=True)
class DropPolicy:
    table: str
    policy: Policy


@dataclass(frozen=True)
class SetTableComment:
    table: str
    comment: str


@dataclass(frozen=True)
class SetColumnComment:
    table: str
    column: str
    comment: str


Change = Union[
    AddTable, DropTable, RenameTable, AddColumn, DropColumn, RenameColumn, AlterColumnType, SetNotNull, DropNotNull,
    SetDefault, DropDefault, Backfill, UpdateEnumValue, AddConstraint, DropConstraint, RenameConstraint, AddIndex,
    DropIndex, RenameIndex, AddTrigger, DropTrigger, CreateUpdatedAtFunction, DropUpdatedAtFunction,
    SetRowLevelSecurity, AddPolicy, DropPolicy, SetTableComment, SetColumnComment,
]
