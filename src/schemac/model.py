"""The resolved schema: what every emitter, rule and database check works from.

Everything here is filled in: each column has its classification, each constraint
and index its final name, each node the source position it came from. Frozen
dataclasses, so two versions of a schema can be compared as plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator, Sequence

from .errors import Pos
from .sqltext import quote_ident

CLASSIFICATIONS = ("phi", "administrative", "public_social")  # the PHI profile's vocabulary, most sensitive first
GENERAL_CLASSIFICATIONS = ("pii", "confidential", "internal", "public")  # the general profile's default vocabulary
PROFILES = ("phi", "general", "none")
CLASSIFICATION_LABELS = {"phi": "PHI", "administrative": "administrative", "public_social": "public social", "pii": "PII"}


def classification_label(classification: str) -> str:
    """How a class is written in comments and docs: 'PHI', 'public social', 'PII', else the class itself."""
    return CLASSIFICATION_LABELS.get(classification, classification)


def default_vocabulary(profile: str) -> tuple[str, ...]:
    """The classification vocabulary a profile uses when the spec names none."""
    return CLASSIFICATIONS if profile == "phi" else GENERAL_CLASSIFICATIONS

class KeyPositions:
    """Where each key the spec wrote on a node is, kept as character indexes and made a Pos only when a finding
    asks (a spec of 1,000 tables writes 100,000 keys; a clean one needs none of their positions). Iterates as
    (key, Pos) pairs, as the tuple of a node made elsewhere does. `position` maps an index to a Pos (it must
    not hold the spec's text: the model outlives it)."""

    __slots__ = ("names", "indexes", "position")

    def __init__(self, names: tuple[str, ...], indexes: Sequence[int], position: Callable[[int], Pos]):
        self.names = names
        self.indexes = indexes
        self.position = position

    def __iter__(self) -> Iterator[tuple[str, Pos]]:
        position = self.position
        for name, index in zip(self.names, self.indexes):
            yield name, position(index)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return repr(tuple(self))


Keys = tuple[tuple[str, Pos], ...] | KeyPositions  # the position of each key the spec wrote on a node


class Positioned:
    """A node that remembers where each of its keys was written, so a finding can point at the offending one."""

    __slots__ = ()

    def at(self, key: str) -> Pos:
        """The position of `key` on this node, or of the node itself when the spec did not write it."""
        for name, pos in self.keys:  # type: ignore[attr-defined]
            if name == key:
                return pos
        return self.pos  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class CatalogComment:
    """A COMMENT exactly as a database holds it (None: no comment), for a model read from a database.

    The inspector also parses it into description and classification, but only the text itself
    says faithfully whether it matches what schemac would write.
    """

    text: str | None


@dataclass(frozen=True, slots=True)
class ColumnType:
    """A column's PostgreSQL type. `sql` is how the migration spells it; `catalog` is how format_type() prints it.

    `schema` is set for a type that lives outside pg_catalog: a native enum type, a domain, or an
    extension's type (citext in `extensions`); `sql` qualifies it, `catalog` does when it is not in public.
    """

    base: str  # text, varchar, char, smallint, integer, bigint, boolean, uuid, date, time, timestamp, timestamptz, json, jsonb, numeric, ...
    params: tuple[int, ...] = ()  # (length,) for varchar/char, (precision, scale) for numeric
    array: bool = False
    schema: str | None = None  # the schema of a user-defined or extension type
    of: "ColumnType | None" = None  # a domain's underlying type (what TypeScript and literal defaults go by)

    @property
    def sql(self) -> str:
        if self.schema is not None:
            s = f"{_ident(self.schema)}.{_ident(self.base)}"
        else:
            s = self.base
        if self.params:
            s += "(" + ",".join(str(p) for p in self.params) + ")"
        return s + ("[]" if self.array else "")

    @property
    def catalog(self) -> str:
        if self.schema is not None:
            # names are snake_case (the spec refuses others), which format_type() prints bare
            s = self.base if self.schema == "public" else f"{self.schema}.{self.base}"
        else:
            s = CATALOG_TYPE_NAMES.get(self.base, self.base)
        if self.params:
            s += "(" + ",".join(str(p) for p in self.params) + ")"
        return s + ("[]" if self.array else "")


def _ident(name: str) -> str:
    return quote_ident(name)


CATALOG_TYPE_NAMES = {
    "time": "time without time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "varchar": "character varying",
    "char": "character",
    "real": "real",
    "double precision": "double precision",
    "timetz": "time with time zone",
}


@dataclass(frozen=True, slots=True)
class Default:
    """A column default: a literal value, one of a closed list of functions, or an expression read by PostgreSQL's parser."""

    sql: str  # the SQL expression, already quoted and cast
    function: str | None = None  # 'now()', 'gen_random_uuid()', ... when a function
    value: Any = None  # the Python literal when not a function
    expression: bool = False  # written as `default_expression` (or a serial column's nextval)


@dataclass(frozen=True, slots=True)
class Identity:
    """GENERATED ALWAYS | BY DEFAULT AS IDENTITY with its sequence options (None: PostgreSQL's default)."""

    generated: str  # 'always' | 'by default'
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False


@dataclass(frozen=True, slots=True)
class Column(Positioned):
    name: str
    type: ColumnType
    nullable: bool
    default: Default | None
    description: str | None
    classification: str | None  # None only when the profile does not require one
    encrypted: bool
    enum: str | None
    pos: Pos = field(compare=False)
    generated_by: str | None = None  # 'timestamps' for created_at / updated_at added by the table flag
    keys: Keys = field(default=(), compare=False)
    identity: Identity | None = None
    serial: str | None = None  # 'smallserial' | 'serial' | 'bigserial': the owned sequence and its nextval default
    generated: str | None = None  # GENERATED ALWAYS AS (expression) STORED
    collation: str | None = None  # None for the database default
    catalog_comment: CatalogComment | None = field(default=None, compare=False)  # set by the inspector only
    # Migration hints: how to get here from the last migration's state. Not part of the schema itself,
    # so they never make two schemas differ.
    renamed_from: str | None = field(default=None, compare=False)
    backfill: str | None = field(default=None, compare=False)  # SQL expression filling NULLs before NOT NULL
    using: str | None = field(default=None, compare=False)  # SQL expression converting the old value on a type change

    @property
    def writable(self) -> bool:
        """Whether INSERT and UPDATE may set the column (not GENERATED ALWAYS, as identity or expression)."""
        return self.generated is None and not (self.identity is not None and self.identity.generated == "always")


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]
    pos: Pos = field(compare=False)
    renamed_from: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    pos: Pos = field(compare=False)
    nulls_not_distinct: bool = False
    renamed_from: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    expression: str  # SQL boolean expression
    description: str | None
    enum: str | None  # set when the check enforces an enum column
    pos: Pos = field(compare=False)
    renamed_from: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str  # cascade | restrict | set null | set default | no action
    pos: Pos = field(compare=False)
    on_update: str = "no action"
    match: str = "simple"  # simple | full
    deferrable: bool = False
    initially_deferred: bool = False
    renamed_from: str | None = field(default=None, compare=False)

    @property
    def ref_qualified(self) -> str:
        return f"{self.ref_schema}.{self.ref_table}"


@dataclass(frozen=True, slots=True)
class IndexElement:
    """A column or an expression (canonical SQL) of an index or exclusion constraint, with its options."""

    column: str | None
    expression: str | None = None
    opclass: str | None = None
    collation: str | None = None
    order: str | None = None  # asc | desc
    nulls: str | None = None  # first | last

    @property
    def label(self) -> str:
        """How docs and the index's `columns` name it: the column, or the expression."""
        return self.column if self.column is not None else self.expression  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]  # each element's label: the column name, or the expression's SQL
    unique: bool
    where: str | None
    using: str
    description: str | None
    pos: Pos = field(compare=False)
    elements: tuple[IndexElement, ...] = ()  # empty: plain columns, as `columns` says
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    renamed_from: str | None = field(default=None, compare=False)

    @property
    def plain(self) -> bool:
        """Only plain columns, no options: what a key (or a foreign key's covering index) can be made of."""
        return not self.elements or all(e == IndexElement(e.column) for e in self.elements)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """EXCLUDE USING method (element WITH operator, ...) WHERE (predicate)."""

    name: str
    using: str
    elements: tuple[tuple[IndexElement, str], ...]  # (element, operator)
    where: str | None
    description: str | None
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger: the updated_at one `timestamps: true` adds, or one from the spec's `triggers:` section."""

    name: str
    timing: str  # BEFORE | AFTER | INSTEAD OF
    events: tuple[str, ...]  # ('INSERT', 'UPDATE', ...)
    function: str  # schema-qualified function name
    level: str = "ROW"  # ROW | STATEMENT
    update_of: tuple[str, ...] = ()
    when: str | None = None  # the WHEN condition, as PostgreSQL's parser deparsed it
    old_table: str | None = None  # REFERENCING OLD TABLE AS ...
    new_table: str | None = None  # REFERENCING NEW TABLE AS ...
    arguments: tuple[str, ...] = ()  # string arguments passed to the function (TG_ARGV)
    description: str | None = None
    table_schema: str = "public"
    table: str = ""  # the table it is on; empty for the timestamps trigger, which lives on its Table
    pos: Pos | None = field(default=None, compare=False)

    @property
    def table_qualified(self) -> str:
        return f"{self.table_schema}.{self.table}"


@dataclass(frozen=True, slots=True)
class SqlType:
    """A type written in a function's signature, as PostgreSQL's parser read it."""

    sql: str  # canonical SQL spelling
    name: str  # pg_type.typname: int4, text, timestamptz, a table's name, ...
    schema: str | None = None
    array: bool = False


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    type: SqlType
    default: str | None  # canonical SQL expression


@dataclass(frozen=True, slots=True)
class Returns:
    """RETURNS: `sql` as the migration writes it; `type` is None for TABLE (...), whose columns are listed."""

    sql: str
    setof: bool
    type: SqlType | None
    columns: tuple[tuple[str, SqlType], ...] = ()

    @property
    def trigger(self) -> bool:
        return self.type is not None and self.type.name == "trigger" and self.type.schema is None


@dataclass(frozen=True, slots=True)
class ViewColumn:
    """One output column of a view: where it comes from decides its type, classification and updatability."""

    name: str
    column: Column | None  # the table column it passes through unchanged (through other views), if any
    source: tuple[str, str] | None  # (table, column) of that table column
    type: SqlType | None  # the declared or inferred type when it is not a plain table column
    classification: str
    description: str | None

    @property
    def type_sql(self) -> str:
        return self.column.type.sql if self.column is not None else self.type.sql  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class View(Positioned):
    """A view or materialized view from the spec's `views:` section (in public)."""

    name: str
    query: str  # the SELECT as PostgreSQL's parser deparsed it
    materialized: bool
    security_invoker: bool
    columns: tuple[ViewColumn, ...]
    description: str | None
    select_roles: tuple[str, ...]  # API roles granted SELECT
    reads: tuple[tuple[str, str], ...]  # (schema, relation) the query names
    updatable: bool  # PostgreSQL can insert into and update it (a simple view over one table)
    indexes: tuple[Index, ...] = ()  # materialized views only
    classification_tag: str = "start"  # where column comments carry the classification: start | none (the spec's comments:)
    pos: Pos = field(default=None, compare=False)  # type: ignore[assignment]
    keys: Keys = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class SqlBlock:
    """A block of the `sql:` section: statements kept verbatim, and the objects they create, as verify finds them."""

    name: str
    sql: str
    description: str | None
    creates: tuple[tuple[str, str], ...]  # (kind, name): function f, view v, trigger table.t, index i, policy table.p, type t, sequence s, table t
    pos: Pos = field(default=None, compare=False)  # type: ignore[assignment]
    runs_first: bool = field(default=False, compare=False)  # derived from `sql`: only sequences, types, domains, schemas, extensions (a column may use them), so before the tables


@dataclass(frozen=True, slots=True)
class Function(Positioned):
    """A function from the spec's `functions:` section (in public)."""

    name: str
    arguments: tuple[Argument, ...]
    returns: Returns
    language: str  # sql | plpgsql
    body: str  # verbatim, dollar-quoted in the migration
    volatility: str  # VOLATILE | STABLE | IMMUTABLE
    security_definer: bool
    search_path: tuple[str, ...] | None  # None: not fixed
    execute: tuple[str, ...]  # API roles granted EXECUTE (public: everyone)
    description: str | None
    classification: str | None  # of what it returns
    reads: tuple[tuple[str, str], ...]  # (schema, table) its body names
    pos: Pos = field(compare=False)
    keys: Keys = field(default=(), compare=False)

    @property
    def signature(self) -> str:
        """name(type, ...) as GRANT and COMMENT name the function."""
        return f"{self.name}(" + ", ".join(a.type.sql for a in self.arguments) + ")"


@dataclass(frozen=True, slots=True)
class Policy(Positioned):
    name: str
    operations: tuple[str, ...]
    roles: tuple[str, ...]
    owner: str | None
    using: str | None
    with_check: str | None
    description: str | None
    pos: Pos = field(compare=False)
    keys: Keys = field(default=(), compare=False)

    @property
    def command(self) -> str:
        """The one PostgreSQL command (select, insert, update, delete or all) the resolved policy covers."""
        return self.operations[0]


USER_OPERATIONS = ("select", "insert", "update", "delete")


@dataclass(frozen=True, slots=True)
class Table(Positioned):
    name: str
    description: str | None
    classification: str | None  # the table's default, if stated
    retention: str | None
    log: bool
    rls: bool
    timestamps: bool
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None
    uniques: tuple[Unique, ...]
    checks: tuple[Check, ...]
    foreign_keys: tuple[ForeignKey, ...]
    indexes: tuple[Index, ...]
    triggers: tuple[Trigger, ...]
    policies: tuple[Policy, ...]
    pos: Pos = field(compare=False)
    user_operations: tuple[str, ...] = USER_OPERATIONS
    user_operations_reason: str | None = None  # why users do not perform the operations left out
    keys: Keys = field(default=(), compare=False)
    realtime: bool = False  # in the supabase_realtime publication
    replica_identity: str = "default"  # default | full
    exclusions: tuple[Exclusion, ...] = ()
    timestamp_columns: tuple[str, str] = ("created_at", "updated_at")  # (created, updated) when timestamps is on
    classification_tag: str = "start"  # where column comments carry the classification: start | end | none
    comment_details: bool = True  # the table comment adds classification mix, log note and retention
    renamed_from: str | None = field(default=None, compare=False)  # migration hint, see Column
    catalog_comment: CatalogComment | None = field(default=None, compare=False)  # set by the inspector only
    schema: str = "public"  # the PostgreSQL schema; spec tables are in public, external ones name theirs

    @property
    def qualified_name(self) -> str:
        """schema.table as the spec writes it (unquoted)."""
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def unique_keys(self) -> list[tuple[str, ...]]:
        """Column sets PostgreSQL treats as keys: the primary key, unique constraints, full unique indexes."""
        keys = [self.primary_key.columns] if self.primary_key else []
        keys += [u.columns for u in self.uniques]
        keys += [ix.columns for ix in self.indexes if ix.unique and ix.where is None and ix.plain]
        return keys

    @property
    def classifications(self) -> tuple[str, ...]:
        """The classifications present among the columns: the known vocabularies' order, then others by name."""
        present = {c.classification for c in self.columns if c.classification is not None}
        known = CLASSIFICATIONS + GENERAL_CLASSIFICATIONS
        return tuple(c for c in known if c in present) + tuple(sorted(present - set(known)))


@dataclass(frozen=True, slots=True)
class Enum:
    name: str
    values: tuple[str, ...]
    description: str | None
    pos: Pos = field(compare=False)
    native: bool = False  # a PostgreSQL enum type in public rather than text + CHECK
    # migration hints: (old value, new value) for each value written with renamed_from
    renamed_values: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    value_pos: tuple[Pos, ...] = field(default=(), compare=False)  # where each value is written


@dataclass(frozen=True, slots=True)
class Domain:
    """CREATE DOMAIN public.name AS type [CHECK (expression over VALUE)]."""

    name: str
    type: ColumnType
    check: str | None
    description: str | None
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Extension:
    """CREATE EXTENSION name WITH SCHEMA schema."""

    name: str
    schema: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class Waiver:
    """A rule switched off for one table or column, with the reason a reviewer reads."""

    rule: str
    table: str
    column: str | None
    reason: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class DocTarget:
    """A hand-written Markdown file (path relative to the spec file) that receives the schema reference."""

    path: str
    pos: Pos = field(compare=False)


@dataclass(frozen=True, slots=True)
class LintConfig:
    """The spec's `lint:` section: severity overrides (code → error|warning|off) and waivers."""

    severities: tuple[tuple[str, str], ...] = ()
    waivers: tuple[Waiver, ...] = ()


@dataclass(frozen=True)
class Schema:
    """A whole resolved spec. `source` names the file; `source_sha256` hashes its bytes."""

    tables: tuple[Table, ...]
    enums: tuple[Enum, ...]
    source: str
    source_sha256: str
    lint: LintConfig = LintConfig()
    profile: str = "phi"  # the compliance profile: phi | general | none
    classifications: tuple[str, ...] = CLASSIFICATIONS  # the vocabulary, most sensitive first
    doc_targets: tuple[DocTarget, ...] = field(default=(), compare=False)  # docs.inject: output config, not schema
    extensions: tuple[Extension, ...] = ()
    domains: tuple[Domain, ...] = ()
    externals: tuple[Table, ...] = ()  # tables the app uses but does not create (storage.objects), with its policies on them
    pos: Pos | None = field(default=None, compare=False)  # the `tables:` key: where a dropped table is reported
    postgrest_version: str = field(default="12", compare=False)  # typescript.postgrest_version: output config, not schema
    er_direction: str = field(default="TB", compare=False)  # docs.er_direction: output config, not schema
    functions: tuple[Function, ...] = ()
    triggers: tuple[Trigger, ...] = ()  # the `triggers:` section; a Table's own triggers hold only the timestamps one
    views: tuple[View, ...] = ()
    sql_blocks: tuple[SqlBlock, ...] = ()

    def triggers_on(self, schema: str, table: str) -> tuple[Trigger, ...]:
        """Every trigger on a table: the timestamps one and those of the `triggers:` section."""
        return self._triggers_by_table.get((schema, table), ())

    @cached_property
    def _triggers_by_table(self) -> dict[tuple[str, str], tuple[Trigger, ...]]:
        """Built once: a scan of every table per call made DB_SCHEMA.md quadratic in the table count."""
        by_table: dict[tuple[str, str], tuple[Trigger, ...]] = {}
        for t in self.tables:
            by_table.setdefault((t.schema, t.name), t.triggers)  # the first of a name, as a scan finds it
        for trigger in self.triggers:
            key = (trigger.table_schema, trigger.table)
            by_table[key] = by_table.get(key, ()) + (trigger,)
        return by_table

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def classification_required(self) -> bool:
        """Whether every column must carry a class (the PHI profile) or may go without one."""
        return self.profile == "phi"

    @property
    def most_sensitive(self) -> str:
        """The vocabulary's first class (phi, pii): what encryption, redaction and retention rules are about."""
        return self.classifications[0]

    def table(self, name: str) -> Table:
        return self._tables_by_name[name]

    @cached_property
    def _tables_by_name(self) -> dict[str, Table]:
        """Looked up once per rule and table: a scan each time made the rules step quadratic."""
        by_name: dict[str, Table] = {}
        for t in self.tables:
            by_name.setdefault(t.name, t)  # the first of a name, as a scan finds it
        return by_name

    def owns(self, fk: ForeignKey) -> bool:
        """Whether the foreign key points at one of the spec's own tables (not an external one such as auth.users)."""
        target = self._tables_by_name.get(fk.ref_table)
        return target is not None and target.schema == fk.ref_schema

    @property
    def schemas(self) -> tuple[str, ...]:
        """The schemas of the spec's own tables, public first (the migration creates the others)."""
        return tuple(dict.fromkeys(["public", *sorted(t.schema for t in self.tables)]))

    def enum(self, name: str) -> Enum:
        for e in self.enums:
            if e.name == name:
                return e
        raise KeyError(name)


UPDATED_AT_FUNCTION = "public.schemac_set_updated_at"


def updated_at_function(column: str) -> str:
    """The trigger function that sets `column` to now(): one per column name, updated_at's keeps its name."""
    if column == "updated_at":
        return UPDATED_AT_FUNCTION
    name = f"schemac_set_{column}"
    if len(name.encode("utf-8")) > 63:
        import hashlib  # only for a name too long for PostgreSQL; its import costs start-up

        name = name.encode("utf-8")[:54].decode("utf-8", "ignore") + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"public.{name}"
