"""The spec language: what a schema.yaml may say, as Pydantic models.

These models are the grammar only. Resolving names, filling in defaults and
inherited classification happens in build.py, which produces the model (model.py).
Attribute docstrings become descriptions in the generated JSON Schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .docstrings import attribute_docstrings

Classification = str  # a class of the spec's vocabulary (see Spec.classifications); checked when the model is built
Profile = Literal["phi", "general", "none"]
OnDelete = Literal["cascade", "restrict", "set null", "set default", "no action"]
Match = Literal["simple", "full"]  # PostgreSQL has not implemented MATCH PARTIAL
Operation = Literal["select", "insert", "update", "delete", "all"]
Role = Literal["anon", "authenticated", "service_role", "public"]


class SpecModel(BaseModel):
    # strict: 'yes', 1 or "true" are not booleans, 12 is not a string; YAML already typed every value
    model_config = ConfigDict(extra="forbid", json_schema_extra=attribute_docstrings, frozen=True, strict=True)


class EnumValueSpec(SpecModel):
    """An enum value written with a migration hint."""

    value: str
    """The value."""
    renamed_from: str
    """The value's spelling in the last migration; the next migration updates rows holding it. Remove the hint (write the value as plain text) once that migration is written."""


class EnumSpec(SpecModel):
    """A named set of allowed text values; compiles to TEXT plus a CHECK constraint."""

    values: list[str | EnumValueSpec] = Field(min_length=1)
    """The allowed values, in display order; `{value: new, renamed_from: old}` renames a value in the next migration."""
    description: str | None = None
    """What the values mean."""
    native: bool = False
    """A PostgreSQL enum type (CREATE TYPE ... AS ENUM) instead of text with a CHECK; application SQL can then cast to it (`::name`)."""


class DomainSpec(SpecModel):
    """A named type with a rule (CREATE DOMAIN name AS type CHECK (...)); columns use it through `type:`."""

    type: str
    """The underlying type, e.g. text or citext."""
    check: str | None = None
    """A SQL boolean expression over VALUE, e.g. VALUE ~ '^[^@]+@[^@]+$'."""
    description: str | None = None
    """What the domain stands for."""


class ExtensionSpec(SpecModel):
    """A PostgreSQL extension the schema needs (CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA ...)."""

    schema_: str = Field("extensions", alias="schema")
    """The schema the extension's objects live in; Supabase uses `extensions`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=attribute_docstrings, frozen=True, populate_by_name=True, strict=True)


class IdentitySpec(SpecModel):
    """An identity column with sequence options: GENERATED ALWAYS | BY DEFAULT AS IDENTITY (START WITH ...)."""

    generated: Literal["always", "by default"] = "by default"
    """always: the database always assigns the value (inserts may not give one); by default: it assigns one when none is given."""
    start: int | None = None
    """START WITH: the first value."""
    increment: int | None = None
    """INCREMENT BY: the step (negative for a descending sequence)."""
    min_value: int | None = None
    """MINVALUE."""
    max_value: int | None = None
    """MAXVALUE."""
    cache: int | None = None
    """CACHE: how many values are allocated at once."""
    cycle: bool = False
    """CYCLE: wrap around at the end instead of failing."""


class ColumnSpec(SpecModel):
    """One column of a table."""

    type: str | None = None
    """PostgreSQL type: text, integer, bigint, boolean, uuid, date, time, timestamptz, jsonb, numeric(p,s), real, double precision, bytea, inet, interval, tsvector, ranges (tstzrange, ...), an extension's type such as citext or pgvector's vector(n), or any of these followed by [] for an array; serial, bigserial and smallserial for a key with its owned sequence. Omit when `enum` is given."""
    enum: str | None = None
    """Name of an enum declared under `enums`; the column is TEXT with a CHECK listing the values."""
    nullable: bool = False
    """Whether NULL is allowed. Columns are NOT NULL unless this is true."""
    default: Any = None
    """A literal of the column's type, or one of the functions now(), gen_random_uuid(), current_date, auth.uid()."""
    default_expression: str | None = None
    """Any SQL expression as the default, read by PostgreSQL's parser, e.g. `timezone('utc', now())` or `now() + interval '7 days'` (instead of `default`)."""
    identity: Literal["always", "by default"] | IdentitySpec | None = None
    """An identity column: `always`, `by default`, or a mapping with `generated` and sequence options."""
    generated: str | None = None
    """A generated (stored) column: GENERATED ALWAYS AS (this expression) STORED; immutable functions of this row's columns only."""
    collation: str | None = None
    """The column's collation, e.g. C or und-x-icu."""
    primary_key: bool = False
    """This column alone is the primary key."""
    unique: bool = False
    """Values must be unique across the table."""
    references: str | None = None
    """Foreign key shorthand: `table.column`, or `auth.users.id` for Supabase users."""
    on_delete: OnDelete | None = None
    """What happens to this row when the referenced row is deleted (with `references`)."""
    on_update: OnDelete | None = None
    """What happens to this row when the referenced key changes (with `references`)."""
    match: Match | None = None
    """MATCH simple (default) or full (with `references`)."""
    deferrable: bool = False
    """The foreign key may be checked at commit (with `references`)."""
    initially_deferred: bool = False
    """The foreign key is checked at commit unless SET CONSTRAINTS says otherwise (needs `deferrable`)."""
    description: str | None = None
    """What the column holds; becomes a COMMENT in the database."""
    classification: Classification | None = None
    """A class of the vocabulary (phi, administrative or public_social under the PHI profile); inherited from the table when omitted."""
    encrypted: bool = False
    """Marks PHI that must be encrypted at rest (and in transit)."""
    backfill: str | None = None
    """Migration hint: a SQL expression giving existing rows a value when the column becomes NOT NULL (or is added NOT NULL without a default)."""
    using: str | None = None
    """Migration hint: a SQL expression computing the new value from the old when the column's type changes (ALTER COLUMN ... TYPE ... USING); `column::newtype` when omitted."""
    renamed_from: str | None = None
    """Migration hint: the name this column had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class IndexElementSpec(SpecModel):
    """One element of an index (or exclusion constraint): a column or an expression, with its options."""

    column: str | None = None
    """A column of the table (or give `expression`)."""
    expression: str | None = None
    """An SQL expression over the table's columns, e.g. lower(email); immutable functions only."""
    opclass: str | None = None
    """Operator class, e.g. text_pattern_ops, jsonb_path_ops, or extensions.gin_trgm_ops."""
    collation: str | None = None
    """Collation of this element, e.g. C."""
    order: Literal["asc", "desc"] | None = None
    """Sort order (btree)."""
    nulls: Literal["first", "last"] | None = None
    """Where NULLs sort (btree)."""


class IndexSpec(SpecModel):
    """An index on one or more columns or expressions."""

    columns: list[str | IndexElementSpec] = Field(min_length=1)
    """Indexed columns, in order: a column name, or a mapping with `column` or `expression` and options."""
    unique: bool = False
    """A unique index."""
    nulls_not_distinct: bool = False
    """A unique index that treats NULLs as equal (NULLS NOT DISTINCT)."""
    include: list[str] = Field(default_factory=list)
    """Non-key columns stored in the index (INCLUDE), for index-only scans."""
    where: str | None = None
    """A SQL predicate: makes this a partial index."""
    using: Literal["btree", "gin", "gist", "hash", "brin", "spgist", "hnsw", "ivfflat"] = "btree"
    """The index method (hnsw and ivfflat: pgvector's, for nearest-neighbour search on vector columns)."""
    name: str | None = None
    """Explicit name; derived from table and columns when omitted."""
    description: str | None = None
    """Why the index exists (which query it serves)."""
    renamed_from: str | None = None
    """Migration hint: the name this index had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class ExclusionElementSpec(IndexElementSpec):
    """One element of an exclusion constraint: a column or expression and the operator two rows may not both satisfy."""

    with_: str = Field(alias="with")
    """The operator, e.g. = or && (overlaps)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=attribute_docstrings, frozen=True, populate_by_name=True, strict=True)


class ExclusionSpec(SpecModel):
    """An exclusion constraint: no two rows may match on every element's operator (e.g. overlapping bookings)."""

    elements: list[ExclusionElementSpec] = Field(min_length=1)
    """The elements, e.g. [{column: doctor_id, with: "="}, {expression: "tstzrange(starts_at, ends_at)", with: "&&"}]."""
    using: Literal["gist", "spgist", "btree", "hash"] = "gist"
    """The index method; gist for ranges (btree_gist adds = on scalars)."""
    where: str | None = None
    """A SQL predicate: only rows that satisfy it are constrained."""
    name: str | None = None
    """Explicit name; derived from the table when omitted."""
    description: str | None = None
    """The rule the constraint enforces, in words."""


class UniqueSpec(SpecModel):
    """A table-level UNIQUE constraint over one or more columns."""

    columns: list[str] = Field(min_length=1)
    """The columns whose combination must be unique."""
    nulls_not_distinct: bool = False
    """Treat NULLs as equal, so only one row may have NULL there (NULLS NOT DISTINCT)."""
    name: str | None = None
    """Explicit name; derived from table and columns when omitted."""
    renamed_from: str | None = None
    """Migration hint: the name this constraint had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class CheckSpec(SpecModel):
    """A table-level CHECK constraint."""

    expression: str
    """A SQL boolean expression over the table's columns."""
    name: str | None = None
    """Explicit name; derived from the table when omitted."""
    description: str | None = None
    """The rule the check enforces, in words."""
    renamed_from: str | None = None
    """Migration hint: the name this constraint had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class ReferenceSpec(SpecModel):
    """The target of a composite foreign key."""

    table: str
    """Referenced table: a table of this spec, or auth.users."""
    columns: list[str] = Field(min_length=1)
    """Referenced columns, matching the foreign key's columns in order."""


class ForeignKeySpec(SpecModel):
    """A table-level (possibly composite) foreign key."""

    columns: list[str] = Field(min_length=1)
    """Referencing columns of this table."""
    references: ReferenceSpec
    """The referenced table and columns."""
    on_delete: OnDelete = "no action"
    """What happens to this row when the referenced row is deleted."""
    on_update: OnDelete = "no action"
    """What happens to this row when the referenced key changes."""
    match: Match = "simple"
    """MATCH simple or full."""
    deferrable: bool = False
    """The foreign key may be checked at commit."""
    initially_deferred: bool = False
    """The foreign key is checked at commit unless SET CONSTRAINTS says otherwise (needs `deferrable`)."""
    name: str | None = None
    """Explicit name; derived from table and columns when omitted."""
    renamed_from: str | None = None
    """Migration hint: the name this constraint had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class PolicySpec(SpecModel):
    """A row level security policy."""

    name: str
    """Policy name, unique within the table; any text up to 63 bytes, e.g. "Allow logged-in read access"."""
    operations: list[Operation] = Field(min_length=1, alias="for")
    """Operations the policy covers: select, insert, update, delete (or all)."""
    to: list[Role] = Field(default_factory=lambda: ["authenticated"])
    """Roles the policy applies to."""
    owner: str | None = None
    """Owner shorthand: a column holding the owning user's id (`doctor_id`), or a path through a foreign key to a parent's owner column (`conversation_id.doctor_id`)."""
    using: str | None = None
    """Raw SQL USING expression (rows visible / affected)."""
    with_check: str | None = None
    """Raw SQL WITH CHECK expression (rows that may be written)."""
    description: str | None = None
    """Who may do what, in words."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=attribute_docstrings, frozen=True, populate_by_name=True, strict=True)


class ExternalTableSpec(SpecModel):
    """A table the application uses but does not create (Supabase's `auth.users`, `storage.objects`): declared by
    reference, with the columns the spec refers to, so foreign keys can point at it and policies can be put on it."""

    description: str | None = None
    """What the table is and who creates it; shown in DB_SCHEMA.md."""
    columns: dict[str, str] = Field(default_factory=dict)
    """The columns the spec refers to, by name, each with its type (`id: uuid`, `bucket_id: text`)."""
    policies: list[PolicySpec] = Field(default_factory=list)
    """Row level security policies the application puts on the table (e.g. on `storage.objects`); the migration creates them, never the table."""


class TimestampsSpec(SpecModel):
    """Row timestamps under other names, e.g. {created: inserted_at, updated: last_update}."""

    created: str = "created_at"
    """The column set once, when the row is inserted."""
    updated: str = "updated_at"
    """The column the trigger sets on every UPDATE."""


class TableSpec(SpecModel):
    """One table in the public schema."""

    description: str | None = None
    """What the table holds and why it exists; becomes a COMMENT in the database."""
    classification: Classification | None = None
    """Default classification for columns that do not state one."""
    retention: str | None = None
    """How long rows are kept and how they are deleted."""
    log: bool = False
    """Marks a log table (audit, idempotency): it must hold IDs, never PHI."""
    rls: bool = True
    """Row level security; on unless explicitly turned off."""
    timestamps: bool | TimestampsSpec = False
    """Adds created_at and updated_at (timestamptz, default now()) and the trigger that maintains updated_at; a mapping {created, updated} names the two columns otherwise."""
    realtime: bool = False
    """Publish the table's changes to Supabase Realtime (adds it to the supabase_realtime publication)."""
    replica_identity: Literal["default", "full"] = "default"
    """REPLICA IDENTITY: `full` sends the old row's every column with UPDATE and DELETE events (Realtime needs it for filters on them)."""
    columns: dict[str, ColumnSpec] = Field(min_length=1)
    """The table's columns, in order."""
    primary_key: list[str] | None = None
    """A composite primary key (use `primary_key: true` on a column for a single-column key)."""
    unique: list[UniqueSpec] = Field(default_factory=list)
    """Table-level UNIQUE constraints."""
    checks: list[CheckSpec] = Field(default_factory=list)
    """Table-level CHECK constraints."""
    foreign_keys: list[ForeignKeySpec] = Field(default_factory=list)
    """Table-level (composite) foreign keys."""
    exclude: list[ExclusionSpec] = Field(default_factory=list)
    """Exclusion constraints (EXCLUDE USING gist ...), e.g. against double booking."""
    indexes: list[IndexSpec] = Field(default_factory=list)
    """Indexes."""
    policies: list[PolicySpec] = Field(default_factory=list)
    """Row level security policies."""
    user_operations: list[Literal["select", "insert", "update", "delete"]] = Field(
        default_factory=lambda: ["select", "insert", "update", "delete"]
    )
    """Operations the application's users (anon, authenticated) perform on this table; a table touching PHI needs a policy for each (rule SC110)."""
    user_operations_reason: str | None = None
    """Why users do not perform the operations left out of `user_operations` (who does instead, e.g. the backend as service_role); required on a table touching PHI that leaves any out (rule SC116), and printed in the data inventory."""
    schema_: str = Field("public", alias="schema")
    """The PostgreSQL schema the table lives in (`billing`); the migration creates the schema. Table names stay unique across schemas."""
    primary_key_name: str | None = None
    """Explicit name of the primary key constraint (an existing database's `pk_orders`); `<table>_pkey` when omitted."""
    renamed_from: str | None = None
    """Migration hint: the name this table had in the last migration; the next migration renames it (keeping its data) instead of dropping and adding. Remove the hint once that migration is written."""


class ArgumentSpec(SpecModel):
    """One argument of a function."""

    name: str
    """The argument's name; supabase-js passes arguments by name (`.rpc('fn', { name: value })`)."""
    type: str
    """Its PostgreSQL type, e.g. uuid, text, integer[], timestamp with time zone."""
    default: str | None = None
    """A SQL expression: the argument may then be left out (it is optional in the TypeScript Args)."""


class FunctionSpec(SpecModel):
    """A function in the public schema: callable with supabase.rpc(), from policies, or by triggers."""

    description: str | None = None
    """What the function does; becomes its COMMENT."""
    arguments: list[ArgumentSpec] = Field(default_factory=list)
    """The arguments, in order."""
    returns: str
    """A type (`uuid`, `boolean`, `appointments`), `setof <table>`, `table (column type, ...)`, `trigger` or `void`."""
    language: Literal["sql", "plpgsql"]
    """The body's language."""
    body: str
    """The function's body, without dollar quotes; parsed at compile time by PostgreSQL's parser."""
    volatility: Literal["volatile", "stable", "immutable"] = "volatile"
    """VOLATILE (the default), STABLE or IMMUTABLE."""
    security: Literal["invoker", "definer"] = "invoker"
    """SECURITY INVOKER (the caller's rights, the default) or DEFINER (the owner's rights: then fix `search_path`)."""
    search_path: list[str] | None = None
    """Schemas the body resolves names in, fixed for the function (`[]` means none: qualify every name)."""
    grant_execute: list[Role] | None = None
    """API roles that may EXECUTE it; the default is [authenticated, service_role], or none for a trigger function."""
    classification: Classification | None = None
    """Classification of what the function returns; the strictest of the tables its body reads when omitted."""


class ReferencingSpec(SpecModel):
    """Transition tables of a statement-level AFTER trigger."""

    old_table: str | None = None
    """Name under which the old rows are visible (UPDATE, DELETE)."""
    new_table: str | None = None
    """Name under which the new rows are visible (INSERT, UPDATE)."""


class TriggerSpec(SpecModel):
    """A trigger on a table of the spec, or on a Supabase table such as auth.users."""

    table: str
    """The table: a table of this spec, or `auth.users`."""
    name: str | None = None
    """Its name in PostgreSQL when not the key (names are per table: several tables can each have `last_updated`)."""
    timing: Literal["before", "after", "instead of"]
    """BEFORE or AFTER the event."""
    events: list[Literal["insert", "update", "delete", "truncate"]] = Field(min_length=1)
    """The events that fire it."""
    update_of: list[str] = Field(default_factory=list)
    """Fire on UPDATE only when one of these columns is set."""
    for_each: Literal["row", "statement"] = "row"
    """FOR EACH ROW (the default) or FOR EACH STATEMENT."""
    when: str | None = None
    """A SQL condition over OLD and NEW (row triggers)."""
    referencing: ReferencingSpec | None = None
    """Transition tables (AFTER ... FOR EACH STATEMENT)."""
    function: str
    """The function it runs: a function of this spec returning `trigger`."""
    arguments: list[str] = Field(default_factory=list)
    """String arguments passed to the function (TG_ARGV)."""
    description: str | None = None
    """Why the trigger exists; becomes its COMMENT."""


class ViewColumnSpec(SpecModel):
    """What the spec says about one output column of a view."""

    description: str | None = None
    """What the column holds; the source column's description when omitted."""
    classification: Classification | None = None
    """Overrides the classification derived from the source columns."""
    type: str | None = None
    """Its PostgreSQL type, needed only for a computed column whose type schemac cannot tell (e.g. a CASE)."""


class ViewIndexSpec(SpecModel):
    """An index on a materialized view."""

    columns: list[str] = Field(min_length=1)
    """Indexed columns, in order."""
    unique: bool = False
    """A unique index (REFRESH MATERIALIZED VIEW CONCURRENTLY needs one)."""
    name: str | None = None
    """Explicit name; derived from view and columns when omitted."""


class ViewSpec(SpecModel):
    """A view or materialized view in the public schema, read with .from('view') in supabase-js."""

    description: str | None = None
    """What the view shows; becomes its COMMENT."""
    query: str
    """One SELECT statement, read by PostgreSQL's parser; name tables schema-qualified (public.appointments)."""
    materialized: bool = False
    """A materialized view: stored rows, refreshed with REFRESH MATERIALIZED VIEW; row level security does not apply to it."""
    security_invoker: bool = False
    """Read the underlying tables with the caller's rights, so their row level security applies (PostgreSQL 15+). Required by lint when the view reads a table with RLS."""
    columns: dict[str, ViewColumnSpec] = Field(default_factory=dict)
    """Descriptions, classifications or types of output columns, by name."""
    grant_select: list[Role] = Field(default_factory=lambda: ["authenticated", "service_role"])
    """API roles that may SELECT from it."""
    indexes: list[ViewIndexSpec] = Field(default_factory=list)
    """Indexes (materialized views only)."""


class SqlBlockSpec(SpecModel):
    """SQL the spec cannot express, kept in the migration; verify compares what it creates with a reference build."""

    description: str | None = None
    """Why this is hand-written SQL (what the spec cannot say)."""
    sql: str
    """One or more SQL statements, read by PostgreSQL's parser; no transaction control (BEGIN, COMMIT, ...)."""


Severity = Literal["error", "warning", "off"]


class WaiverSpec(SpecModel):
    """Turns one rule off for one table (or one column of it), with the reason written down."""

    rule: str
    """The rule code, e.g. SC105."""
    table: str
    """The table the waiver applies to."""
    column: str | None = None
    """The column the waiver applies to; the whole table when omitted."""
    reason: str | None = None
    """Why the rule does not apply here; required, and printed in the data inventory."""


class LintSpec(SpecModel):
    """Compliance rule settings: severities and waivers."""

    severity: dict[str, Severity] = Field(default_factory=dict)
    """Rule code → error, warning or off, overriding the rule's default."""

    @field_validator("severity", mode="before")
    @classmethod
    def _unquoted_off(cls, value: Any) -> Any:
        """YAML 1.1 reads a bare `off` as false; take it to mean "off"."""
        if isinstance(value, dict):
            return {k: "off" if v is False else v for k, v in value.items()}
        return value
    waivers: list[WaiverSpec] = Field(default_factory=list)
    """Rules waived for a named table or column, each with a reason."""


class CommentsSpec(SpecModel):
    """How COMMENT ON texts are written: schemac's tags (default) or the descriptions verbatim."""

    classification_tag: Literal["start", "end", "none"] = "start"
    """Where a column comment carries its classification tag ([PHI], [administrative], ...): before the description, after it, or not at all (the description verbatim)."""
    table_details: bool = True
    """Whether a table comment adds its classification mix, log-table note and retention after the description; false keeps the description verbatim."""


class DocsSpec(SpecModel):
    """Where the generated schema reference goes besides compiled/."""

    inject: list[str] = Field(default_factory=list)
    """Hand-written Markdown files, relative to this spec file, whose part between `<!-- schemac:begin -->` and `<!-- schemac:end -->` `schemac compile` replaces with the schema reference (and `schemac check` keeps current)."""
    er_direction: Literal["TB", "BT", "LR", "RL"] = "TB"
    """Direction of the whole-schema ER diagram: TB (parents above children, the default), BT, LR (parents left of children) or RL. Try LR when a wide schema's lines cross boxes."""


class TypeScriptSpec(SpecModel):
    """Settings of the generated TypeScript types (compiled/types/database.ts)."""

    postgrest_version: str = "12"
    """The PostgREST version of your Supabase project, written to `__InternalSupabase.PostgrestVersion` as `supabase gen types` does (e.g. "13" or "12.2.3"). "12" is what supabase-js assumes; hosted projects on 13 or later need it set to get `maxAffected` and spread typing."""

    @field_validator("postgrest_version", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        """`postgrest_version: 13` (a YAML integer) means "13"."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Spec(SpecModel):
    """A schemac schema: every table, column, enum, key, index and policy, with data classification."""

    version: Literal[1] = 1
    """Version of the spec language."""
    profile: Profile = "phi"
    """The compliance profile: `phi` (the clinic's rules, classification required), `general` (common good practice, classification optional) or `none` (no rules)."""
    classifications: list[str] | None = Field(default=None, min_length=1)
    """The classification vocabulary, most sensitive first; `phi`, `administrative`, `public_social` under the PHI profile (which allows no other), `pii`, `confidential`, `internal`, `public` by default otherwise."""
    extensions: dict[str, ExtensionSpec] = Field(default_factory=dict)
    """PostgreSQL extensions, by name (citext, pg_trgm, btree_gist, ...), each with the schema it lives in."""
    enums: dict[str, EnumSpec] = Field(default_factory=dict)
    """Named enums, used by columns through `enum:`."""
    domains: dict[str, DomainSpec] = Field(default_factory=dict)
    """Named domains (a type with a CHECK), used by columns through `type:`."""
    tables: dict[str, TableSpec] = Field(min_length=1)
    """The tables, by name."""
    external: dict[str, ExternalTableSpec] = Field(default_factory=dict)
    """Tables outside the spec the application uses, by schema-qualified name (`storage.objects`); `auth.users` (its `id`) needs no declaration."""
    lint: LintSpec = Field(default_factory=LintSpec)
    """Compliance rule severities and waivers (see `schemac lint`)."""
    comments: CommentsSpec = Field(default_factory=CommentsSpec)
    """How table and column comments are written in the database."""
    docs: DocsSpec = Field(default_factory=DocsSpec)
    """Documentation outputs beyond compiled/ (see `inject`)."""
    functions: dict[str, FunctionSpec] = Field(default_factory=dict)
    """Functions in public, by name (supabase.rpc(), policies, triggers)."""
    triggers: dict[str, TriggerSpec] = Field(default_factory=dict)
    """Triggers, by name, on tables of the spec or on auth.users."""
    views: dict[str, ViewSpec] = Field(default_factory=dict)
    """Views and materialized views in public, by name."""
    sql: dict[str, SqlBlockSpec] = Field(default_factory=dict)
    """Hand-written SQL for what the spec cannot say, by name, run at the end of the migration in this order."""
    typescript: TypeScriptSpec = Field(default_factory=TypeScriptSpec)
    """Settings of the generated TypeScript types."""
