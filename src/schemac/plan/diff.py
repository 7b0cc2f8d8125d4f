"""The differ: compare two schemas and list the changes that take `current` to `desired`.

Only what the database holds is compared: column types, nullability, defaults, keys, checks,
indexes, triggers, row level security, policies and the COMMENT texts (which carry
descriptions and classification). Everything else (enum and index descriptions, lint
settings, docs targets, retention notes outside comments) is documentation and yields no
change.

Renames come from `renamed_from:` hints, applied to a working copy of `current` first, so
the rest of the comparison is by name. Constraints and indexes whose definitions are equal
but whose names differ (a derived name after a table or column rename) are renamed, not
rebuilt. Hints that name nothing in `current` are reported, never guessed at.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..emit.sql import column_comment, table_comment
from ..errors import Pos, SpecError
from ..model import Check, Column, ColumnType, Enum, Exclusion, ForeignKey, Index, Policy, PrimaryKey, Schema, Table, Unique
from ..resolve import naming
from . import changes as ch
from .changes import Change, Constraint
from .objects import diff_objects

# Every field of the model by what the differ does with it. A field added to the model must be put in
# one of these (tests/test_plan_fields.py fails until it is), and a compared one needs its change kind
# and a pair test.
COMPARED = {
    "Table": {
        "name", "rls", "timestamps", "columns", "primary_key", "uniques", "checks", "foreign_keys", "indexes", "triggers", "policies",
        "exclusions", "realtime", "replica_identity",
        "timestamp_columns",  # through the columns and the trigger (its function is named after the updated column)
        "schema",  # a table that changes schema is refused (never moved); external tables are paired by schema.table
    },
    "Column": {"name", "type", "nullable", "default", "collation", "identity", "serial", "generated"},
    "PrimaryKey": {"name", "columns"},
    "Unique": {"name", "columns", "nulls_not_distinct"},
    "Check": {"name", "expression"},
    "ForeignKey": {"name", "columns", "ref_schema", "ref_table", "ref_columns", "on_delete", "on_update", "match", "deferrable", "initially_deferred"},
    "Index": {"name", "columns", "unique", "where", "using", "elements", "include", "nulls_not_distinct"},
    "IndexElement": {"column", "expression", "opclass", "collation", "order", "nulls"},  # as part of its index or exclusion
    "Exclusion": {"name", "using", "elements", "where"},
    "Trigger": {"name", "timing", "events", "function", "level", "update_of", "when", "old_table", "new_table", "arguments", "table_schema", "table"},
    "Policy": {"name", "operations", "roles", "using", "with_check"},
    "Enum": {"name", "values", "native"},  # a CHECK of each column using it, or (native) a PostgreSQL enum type
    "Domain": {"name", "type", "check"},
    "Extension": {"name", "schema"},
    "Schema": {"tables", "enums", "extensions", "domains", "functions", "triggers", "views", "sql_blocks", "externals"},  # externals: their policies
    # what CREATE OR REPLACE changes (language, body, volatility, security, search_path), the signature (arguments, returns), grants
    "Function": {"name", "arguments", "returns", "language", "body", "volatility", "security_definer", "search_path", "execute"},
    "Argument": {"name", "type", "default"},
    "Returns": {"sql", "setof", "type", "columns"},
    "SqlType": {"sql", "name", "schema", "array"},
    "View": {"name", "query", "materialized", "security_invoker", "columns", "select_roles", "indexes"},
    "ViewColumn": {"name", "column", "type"},  # column and type: through the column's type (type_sql)
    "SqlBlock": {"name", "sql"},  # a new or changed block runs (again) in the next migration
}
IN_COMMENTS = {  # compared through the COMMENT text they are written into
    "Table": {"description", "classification", "retention", "log", "catalog_comment", "classification_tag", "comment_details"},
    "Column": {"description", "classification", "encrypted", "catalog_comment"},
    "Trigger": {"description"},
    "Function": {"description", "classification"},  # the classification of what it returns
    "View": {"description", "classification_tag"},
    "ViewColumn": {"classification", "description"},
}
HINTS = {  # how to get from the last state, never compared
    "Table": {"renamed_from"},
    "Column": {"renamed_from", "backfill", "using"},
    "PrimaryKey": {"renamed_from"},  # a key's name follows its table's: renamed with it when the columns are equal
    "Unique": {"renamed_from"},
    "Check": {"renamed_from"},
    "ForeignKey": {"renamed_from"},
    "Index": {"renamed_from"},
    "Enum": {"renamed_values"},
}
NOT_IN_DATABASE = {  # documentation, rule settings and positions: no migration
    "Table": {"user_operations", "user_operations_reason", "pos", "keys"},
    "Column": {"enum", "generated_by", "pos", "keys"},  # enum: the column's CHECK carries it
    "PrimaryKey": {"pos"},
    "Unique": {"pos"},
    "Check": {"description", "enum", "pos"},
    "ForeignKey": {"pos"},
    "Index": {"description", "pos"},
    "Exclusion": {"description", "pos"},  # an exclusion constraint has no COMMENT of schemac's
    "Domain": {"description", "pos"},
    "Extension": {"pos"},
    "IndexElement": set(),
    "Trigger": {"pos"},
    "Policy": {"owner", "description", "pos", "keys"},  # owner: resolved into using / with_check
    "Enum": {"description", "pos", "value_pos"},
    "Schema": {"source", "source_sha256", "lint", "doc_targets", "pos", "postgrest_version", "er_direction", "profile", "classifications"},
    "Function": {"reads", "pos", "keys"},  # reads: derived from the body
    "Argument": set(),
    "Returns": set(),
    "SqlType": set(),
    "View": {"reads", "updatable", "pos", "keys"},  # derived from the query
    "ViewColumn": {"source"},  # derived from the query
    "SqlBlock": {"description", "creates", "pos", "runs_first"},  # creates, runs_first: derived from the parse
}

INTEGER_WIDTH = {"smallint": 1, "integer": 2, "bigint": 3}
INTEGER_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    problems: list[SpecError] = field(default_factory=list)  # hints that cannot be followed, missing backfills
    destructive: list[SpecError] = field(default_factory=list)  # refused unless destructive changes are allowed


def diff_schemas(current: Schema, desired: Schema) -> Diff:
    """Every change from `current` to `desired`, in desired order; the renderer orders the statements."""
    out = Diff()
    for name in desired.schemas:
        if name not in current.schemas:
            out.changes.append(ch.CreateSchema(name))
    _diff_types(current, desired, out)
    tables = {t.name: t for t in current.tables}
    tables = _rename_tables(tables, desired, out)
    current_enums = {e.name: e for e in current.enums}
    desired_enums = {e.name: e for e in desired.enums}
    _check_enum_hints(current_enums, desired, out)

    desired_names = {t.name for t in desired.tables}
    dropped = [t for t in tables.values() if t.name not in desired_names]
    dropped_names = {t.name for t in dropped}
    for t in dropped:
        for fk in t.foreign_keys:  # between tables dropped together: drop the link first, any table order then works
            if fk.ref_table in dropped_names and tables[fk.ref_table].schema == fk.ref_schema and fk.ref_table != t.name:
                out.changes.append(ch.DropConstraint(t.name, fk))
        out.changes.append(ch.DropTable(t))
        where = desired.pos or desired.tables[0].pos
        out.destructive.append(
            SpecError(where, f"table '{t.name}' is no longer in the spec: dropping it deletes its rows; "
                             f"if it was renamed, add 'renamed_from: {t.name}' to the new table, otherwise allow destructive changes (--allow-destructive)")
        )

    for t in desired.tables:
        if t.name not in tables:
            _add_table(t, out)
        else:
            _diff_table(tables[t.name], t, tables, current_enums, desired_enums, out)

    _replace_dependent_foreign_keys(tables, desired, out)
    _diff_externals(current, desired, out)
    out.changes += diff_objects(current, desired, tables, out.changes)

    _drop_types(current, desired, out)
    had = any(t.timestamps for t in current.tables)
    wants = any(t.timestamps for t in desired.tables)
    if wants and not had:
        out.changes.insert(0, ch.CreateUpdatedAtFunction())
    elif had and not wants:
        out.changes.append(ch.DropUpdatedAtFunction())
    return out


# ---------------------------------------------------------------- extensions, enum types, domains


def _diff_types(current: Schema, desired: Schema, out: Diff) -> None:
    """Extensions, native enum types and domains the tables need, created before them."""
    cur_ext = {e.name: e for e in current.extensions}
    for e in desired.extensions:
        if e.name not in cur_ext:
            out.changes.append(ch.AddExtension(e))
        elif cur_ext[e.name].schema != e.schema:
            out.problems.append(SpecError(e.pos, f"extension '{e.name}' moves from schema '{cur_ext[e.name].schema}' to '{e.schema}': schemac does not move an installed extension (ALTER EXTENSION ... SET SCHEMA changes what its users reference); keep 'schema: {cur_ext[e.name].schema}'"))
    cur_enums = {e.name: e for e in current.enums}
    for e in desired.enums:
        old = cur_enums.get(e.name)
        if not e.native:
            continue
        if old is None or not old.native:
            out.changes.append(ch.CreateEnumType(e))
            continue
        renamed = dict(e.renamed_values)  # old → new
        values = [renamed.get(v, v) for v in old.values]
        for before, after in e.renamed_values:
            if before in old.values and after not in old.values:
                out.changes.append(ch.RenameEnumValue(e.name, before, after))
        removed = [v for v in values if v not in e.values]
        if removed:
            out.problems.append(SpecError(e.pos, f"native enum '{e.name}' no longer has {', '.join(repr(v) for v in removed)}: PostgreSQL cannot drop a value of an enum type; keep the values, or make a new enum type and move the columns to it"))
            continue
        kept = [v for v in e.values if v in values]
        if kept != values:
            out.problems.append(SpecError(e.pos, f"native enum '{e.name}' reorders its values: PostgreSQL cannot reorder the values of an enum type; keep the order {values!r} and add new values where they belong"))
            continue
        for i, v in enumerate(e.values):
            if v not in values:
                following = next((x for x in e.values[i + 1:] if x in values), None)
                out.changes.append(ch.AddEnumValue(e.name, v, following))
    cur_domains = {d.name: d for d in current.domains}
    for d in desired.domains:
        if d.name not in cur_domains:
            out.changes.append(ch.AddDomain(d))
        elif cur_domains[d.name] != d:
            out.problems.append(SpecError(d.pos, f"domain '{d.name}' changes its type or check: schemac does not alter a domain in place yet; add a new domain under another name and move the columns to it"))


def _drop_types(current: Schema, desired: Schema, out: Diff) -> None:
    """Enum types and domains no longer in the spec, dropped after the tables and columns that used them."""
    desired_native = {e.name for e in desired.enums if e.native}
    for e in current.enums:
        if e.native and e.name not in desired_native:
            out.changes.append(ch.DropEnumType(e))
    desired_domains = {d.name for d in desired.domains}
    for d in current.domains:
        if d.name not in desired_domains:
            out.changes.append(ch.DropDomain(d))
    desired_ext = {e.name for e in desired.extensions}
    for e in current.extensions:
        if e.name not in desired_ext:
            out.changes.append(ch.DropExtension(e))


# ---------------------------------------------------------------- renames


def _rename_tables(tables: dict[str, Table], desired: Schema, out: Diff) -> dict[str, Table]:
    for t in desired.tables:
        if t.renamed_from is None:
            continue
        old = t.renamed_from
        if _follow_hint("table", old, t.name, old in tables, t.name in tables, t.at("renamed_from"), out):
            out.changes.append(ch.RenameTable(old, t.name))
            _rename_sequences(tables[old], old, t.name, tables[old].columns, out)
            tables = {
                (t.name if name == old else name): _retarget(dataclasses.replace(table, name=t.name) if name == old else table, old, t.name, tables[old].schema)
                for name, table in tables.items()
            }
    return tables


def _rename_sequences(table: Table, old: str, new: str, columns, out: Diff) -> None:
    """The sequences of the table's identity and serial columns follow the table's new name."""
    for c in columns:
        if c.identity is not None or c.serial:
            old_seq, new_seq = naming.serial_sequence(old, c.name), naming.serial_sequence(new, c.name)
            if old_seq != new_seq:
                out.changes.append(ch.RenameSequence(new, old_seq, new_seq))


def _retarget(table: Table, old: str, new: str, schema: str = "public") -> Table:
    """Foreign keys that referenced table `old` (of `schema`) now reference `new` (PostgreSQL follows a rename)."""
    fks = tuple(dataclasses.replace(fk, ref_table=new) if fk.ref_schema == schema and fk.ref_table == old else fk for fk in table.foreign_keys)
    return dataclasses.replace(table, foreign_keys=fks)


def _follow_hint(what: str, old: str, new: str, old_exists: bool, new_exists: bool, where: Pos, out: Diff, scope: str = "") -> bool:
    """Whether a `renamed_from` hint applies; reports one that is stale or cannot be followed.

    `scope` prefixes the names in messages (the table of a column, index or constraint).
    """
    if old_exists and not new_exists:
        return True
    if new_exists and not old_exists:
        out.problems.append(SpecError(where, f"stale hint: {what} '{scope}{new}' already exists and '{scope}{old}' is gone, so an earlier migration did the rename; remove 'renamed_from: {old}'"))
    elif old_exists and new_exists:
        out.problems.append(SpecError(where, f"'renamed_from: {old}' cannot apply: both {what} '{scope}{old}' and '{scope}{new}' exist as of the last migration; remove the hint, or drop '{scope}{new}' first"))
    else:
        out.problems.append(SpecError(where, f"'renamed_from: {old}' names no {what} of the last migration's state ('{scope}{old}'); correct the old name or remove the hint"))
    return False


def _rename_column(table: Table, old: str, new: str) -> Table:
    """`table` as PostgreSQL has it after RENAME COLUMN: keys, indexes and enum checks name the new column."""

    def cols(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if n == old else n for n in names)

    columns = tuple(dataclasses.replace(c, name=new) if c.name == old else c for c in table.columns)
    checks = tuple(
        dataclasses.replace(c, expression=f'"{new}"' + c.expression[len(f'"{old}"'):]) if c.enum and c.expression.startswith(f'"{old}" IN (') else c
        for c in table.checks
    )
    return dataclasses.replace(
        table,
        columns=columns,
        primary_key=dataclasses.replace(table.primary_key, columns=cols(table.primary_key.columns)) if table.primary_key else None,
        uniques=tuple(dataclasses.replace(u, columns=cols(u.columns)) for u in table.uniques),
        checks=checks,
        foreign_keys=tuple(dataclasses.replace(fk, columns=cols(fk.columns)) for fk in table.foreign_keys),
        indexes=tuple(dataclasses.replace(ix, columns=cols(ix.columns)) for ix in table.indexes),
    )


def _retarget_columns(table: Table, ref_table: str, old: str, new: str, schema: str = "public") -> Table:
    fks = tuple(
        dataclasses.replace(fk, ref_columns=tuple(new if c == old else c for c in fk.ref_columns))
        if fk.ref_schema == schema and fk.ref_table == ref_table else fk
        for fk in table.foreign_keys
    )
    return dataclasses.replace(table, foreign_keys=fks)


def _check_enum_hints(current: dict[str, Enum], desired: Schema, out: Diff) -> None:
    for e in desired.enums:
        old_values = set(current[e.name].values) if e.name in current else set()
        for i, (old, new) in enumerate(e.renamed_values):
            where = _value_pos(e, new)
            _follow_hint("enum value", old, new, old in old_values, new in old_values, where, out, f"{e.name}.")


def _value_pos(e: Enum, value: str) -> Pos:
    if value in e.values and len(e.value_pos) == len(e.values):
        return e.value_pos[e.values.index(value)]
    return e.pos


# ---------------------------------------------------------------- tables


def _add_table(t: Table, out: Diff) -> None:
    out.changes.append(ch.AddTable(t))
    for fk in t.foreign_keys:
        out.changes.append(ch.AddConstraint(t.name, fk, new_table=True))
    for p in t.policies:
        out.changes.append(ch.AddPolicy(t.name, p, t.schema))
    if t.renamed_from is None:
        for c in t.columns:
            if c.renamed_from is not None:
                out.problems.append(SpecError(c.at("renamed_from"), f"'renamed_from: {c.renamed_from}' on a column of table '{t.name}', which is new: there is nothing to rename from; remove the hint"))


def _diff_table(
    cur: Table, des: Table, tables: dict[str, Table], current_enums: dict[str, Enum], desired_enums: dict[str, Enum], out: Diff
) -> None:
    name = des.name
    if cur.schema != des.schema:
        out.problems.append(SpecError(
            des.at("schema"),
            f"table '{name}' moves from schema {cur.schema} to {des.schema}: schemac does not move tables between schemas "
            f"(their grants, policies' and functions' references would change); create the new table and copy the rows, "
            f"or run ALTER TABLE {cur.schema}.{name} SET SCHEMA {des.schema} and re-baseline",
        ))
        return
    # column renames first: everything after compares by the new names
    for c in des.columns:
        if c.renamed_from is None:
            continue
        names = {x.name for x in cur.columns}
        if _follow_hint("column", c.renamed_from, c.name, c.renamed_from in names, c.name in names, c.at("renamed_from"), out, f"{name}."):
            out.changes.append(ch.RenameColumn(name, c.renamed_from, c.name))
            owner = [x for x in cur.columns if x.name == c.renamed_from]
            if owner and (owner[0].identity is not None or owner[0].serial):
                old_seq, new_seq = naming.serial_sequence(name, c.renamed_from), naming.serial_sequence(name, c.name)
                if old_seq != new_seq:
                    out.changes.append(ch.RenameSequence(name, old_seq, new_seq))
            cur = _rename_column(cur, c.renamed_from, c.name)
            for other in list(tables):
                tables[other] = _retarget_columns(tables[other] if other != name else cur, name, c.renamed_from, c.name, cur.schema)
            cur = tables[name]
    tables[name] = cur

    cur_cols = {c.name: c for c in cur.columns}
    des_cols = {c.name: c for c in des.columns}
    retyped: list[str] = []
    for c in cur.columns:
        if c.name not in des_cols:
            out.changes.append(ch.DropColumn(name, c))
            out.destructive.append(SpecError(des.pos, f"column '{name}.{c.name}' is no longer in the spec: dropping it deletes its values; if it was renamed, add 'renamed_from: {c.name}' to the new column, otherwise allow destructive changes (--allow-destructive)"))
    for c in des.columns:
        if c.name not in cur_cols:
            _add_column(name, c, out, des.classification_tag)
            continue
        old = cur_cols[c.name]
        if old.serial != c.serial:
            out.problems.append(SpecError(c.at("type"), f"column '{name}.{c.name}' changes between {old.serial or old.type.sql} and {c.serial or c.type.sql}: schemac does not convert a serial column in place; use 'identity:' on a new column, or keep the type"))
            continue
        if old.generated is None and c.generated is not None:
            out.problems.append(SpecError(c.at("generated"), f"column '{name}.{c.name}' becomes generated: PostgreSQL cannot make an existing column generated; add a new generated column (and drop this one)"))
            continue
        if old.identity != c.identity and old.identity is not None:
            out.changes.append(ch.DropIdentity(name, c.name))
        if old.generated is not None and c.generated is None:
            out.changes.append(ch.DropGenerated(name, c.name))
        elif old.generated != c.generated:
            out.changes.append(ch.SetGenerated(name, c.name, c.generated))
        if old.type != c.type or old.collation != c.collation:
            retyped.append(c.name)
            _alter_type(name, old, c, out)
        if old.type != c.type and old.default is not None:
            out.changes.append(ch.DropDefault(name, c.name))  # the old default may not cast; set again after
            if c.default is not None:
                out.changes.append(ch.SetDefault(name, c.name, c.default))
        elif _default_sql(old) != _default_sql(c):
            out.changes.append(ch.SetDefault(name, c.name, c.default) if c.default is not None else ch.DropDefault(name, c.name))
        if old.nullable and not c.nullable:
            if c.backfill is not None:
                out.changes.append(ch.Backfill(name, c.name, c.backfill))
            else:
                out.problems.append(SpecError(c.at("nullable") if dict(c.keys).get("nullable") else c.pos, f"column '{name}.{c.name}' becomes NOT NULL, but existing rows may hold NULL; add 'backfill: <SQL expression>' to the column to fill them (e.g. backfill: \"''\"), or keep 'nullable: true'"))
            out.changes.append(ch.SetNotNull(name, c.name))
        elif not old.nullable and c.nullable:
            out.changes.append(ch.DropNotNull(name, c.name))
        if old.identity != c.identity and c.identity is not None:
            out.changes.append(ch.AddIdentity(name, c.name, c.identity))
        if comment_text(old, des.classification_tag) != column_comment(c, des.classification_tag):
            out.changes.append(ch.SetColumnComment(name, c.name, column_comment(c, des.classification_tag)))

    _enum_value_updates(cur, des, current_enums, desired_enums, out)
    _diff_constraints(cur, des, current_enums, desired_enums, out)
    _diff_indexes(cur, des, out)
    _diff_named(name, {t.name: t for t in cur.triggers}, {t.name: t for t in des.triggers}, ch.DropTrigger, ch.AddTrigger, out)
    if cur.rls != des.rls:
        out.changes.append(ch.SetRowLevelSecurity(name, des.rls))
    _diff_policies(cur, des, retyped, out)
    old_name = next((c.old for c in out.changes if isinstance(c, ch.RenameTable) and c.new == name), name)
    if comment_text(dataclasses.replace(cur, name=old_name)) != table_comment(des):  # a comment without description names the table
        out.changes.append(ch.SetTableComment(name, table_comment(des)))


def comment_text(node: Table | Column, tag: str = "start") -> str | None:
    """The COMMENT a table or column has: as read from the database, else as schemac writes it (`tag`: the table's classification_tag)."""
    if node.catalog_comment is not None:
        return node.catalog_comment.text
    return table_comment(node) if isinstance(node, Table) else column_comment(node, tag)


def _default_sql(c: Column) -> str | None:
    return c.default.sql if c.default is not None else None


def _add_column(table: str, c: Column, out: Diff, tag: str = "start") -> None:
    if not c.nullable and c.default is None and c.identity is None and c.generated is None:
        if c.backfill is None:
            out.problems.append(SpecError(c.pos, f"new column '{table}.{c.name}' is NOT NULL without a default, and '{table}' may hold rows; add 'backfill: <SQL expression>' (the value for existing rows), a 'default', or 'nullable: true'"))
        out.changes.append(ch.AddColumn(table, dataclasses.replace(c, nullable=True), tag))
        out.changes.append(ch.Backfill(table, c.name, c.backfill or "NULL"))
        out.changes.append(ch.SetNotNull(table, c.name))
    else:
        out.changes.append(ch.AddColumn(table, c, tag))


def _alter_type(table: str, old: Column, new: Column, out: Diff) -> None:
    narrowing, rewrite, implicit = classify_type_change(old.type, new.type)
    using = None if old.type == new.type else new.using or (None if implicit else f"{_quote(new.name)}::{new.type.sql}")
    rewrite = rewrite or (using is not None and new.using is not None)  # an expression of the user's: assume it changes values
    collation_changed = old.collation != new.collation
    out.changes.append(ch.AlterColumnType(table, new.name, old.type, new.type, using, narrowing, rewrite, new.collation, collation_changed))
    if using is not None and new.using is None and not castable(old.type, new.type):
        out.problems.append(SpecError(new.at("type"), f"column '{table}.{new.name}' changes from {old.type.sql} to {new.type.sql}, which PostgreSQL cannot convert by a cast; add 'using: <SQL expression>' computing the new value from the old"))
    if narrowing:
        out.destructive.append(SpecError(new.at("type"), f"column '{table}.{new.name}' changes from {old.type.sql} to {new.type.sql}, which may not hold every existing value; allow destructive changes (--allow-destructive) to convert it (with 'using: <expression>' for the conversion if needed)"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


NUMBERS = {"smallint", "integer", "bigint", "numeric"}
TEXTS = {"text", "varchar", "char"}
MOMENTS = {"date", "timestamp", "timestamptz"}
JSONS = {"json", "jsonb"}


def castable(old: ColumnType, new: ColumnType) -> bool:
    """Whether `old::new` is a cast PostgreSQL has (it may still fail on a value): within numbers, moments or
    JSON, to or from text, and integer with boolean; anything else needs the spec's `using:`."""
    if old.array != new.array:
        return False
    a, b = old.base, new.base
    if a in TEXTS or b in TEXTS or a == b:
        return True
    return any(a in family and b in family for family in (NUMBERS, MOMENTS, JSONS)) or {a, b} == {"integer", "boolean"}


def classify_type_change(old: ColumnType, new: ColumnType) -> tuple[bool, bool, bool]:
    """(narrowing, rewrite, implicit) for a column type change.

    narrowing: some old values may not fit or may change meaning; rewrite: PostgreSQL rewrites
    the table; implicit: PostgreSQL converts without a USING expression.
    """
    if old.array != new.array:
        return True, True, False
    a, b = old.base, new.base
    if a == b and old.params == new.params:
        return False, False, True
    if a == b == "varchar" or (a == "varchar" and b == "text"):
        if not new.params or (old.params and new.params[0] >= old.params[0]):
            return False, False, True
        return True, True, True
    if a == "text" and b == "varchar":
        return (bool(new.params), bool(new.params), True)
    if a == "char" and b in ("char", "varchar", "text"):
        wider = b == "text" or not new.params or new.params[0] >= old.params[0]
        return not wider, True, True
    if a in INTEGER_WIDTH and b in INTEGER_WIDTH:
        return INTEGER_WIDTH[b] < INTEGER_WIDTH[a], True, True
    if a in INTEGER_DIGITS and b == "numeric":
        if not new.params:
            return False, True, True
        p, s = new.params if len(new.params) == 2 else (new.params[0], 0)
        return p - s < INTEGER_DIGITS[a], True, True
    if a == b == "numeric":
        if not new.params:
            return False, False, True
        if not old.params:
            return True, True, True
        p1, s1 = old.params if len(old.params) == 2 else (old.params[0], 0)
        p2, s2 = new.params if len(new.params) == 2 else (new.params[0], 0)
        if s2 == s1 and p2 >= p1:
            return False, False, True
        return not (s2 >= s1 and p2 - s2 >= p1 - s1), True, True
    if (a, b) in (("timestamp", "timestamptz"), ("date", "timestamp"), ("date", "timestamptz"), ("json", "jsonb"), ("jsonb", "json")):
        return False, True, False
    if b == "text":
        return False, True, False
    return True, True, False


# ---------------------------------------------------------------- constraints, indexes, policies


def _constraint_definition(c: Constraint) -> tuple:
    """What the database holds of a constraint (not its name, position or description)."""
    if isinstance(c, PrimaryKey):
        return ("p", c.columns)
    if isinstance(c, Unique):
        return ("u", c.columns, c.nulls_not_distinct)
    if isinstance(c, Check):
        return ("c", c.expression)
    if isinstance(c, Exclusion):
        return ("x", c.using, c.elements, c.where)
    return ("f", c.columns, c.ref_schema, c.ref_table, c.ref_columns, c.on_delete, c.on_update, c.match, c.deferrable, c.initially_deferred)


def _constraints(t: Table) -> dict[str, Constraint]:
    items: list[Constraint] = [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.checks, *t.exclusions, *t.foreign_keys]
    return {c.name: c for c in items}


def _pair_renames(table: str, what: str, cur: dict, des: dict, definition, rename, out: Diff) -> dict:
    """Rename current objects to desired names: by hint, then where the definition is equal and only the name differs."""
    cur = dict(cur)
    for new, d in des.items():
        old = getattr(d, "renamed_from", None)
        if old is None:
            continue
        if _follow_hint(what, old, new, old in cur, new in cur, d.pos, out, f"{table}."):
            out.changes.append(rename(table, old, new))
            cur[new] = dataclasses.replace(cur.pop(old), name=new)
    unmatched_cur = [n for n in cur if n not in des]
    for new, d in des.items():
        if new in cur:
            continue
        for old in unmatched_cur:
            if definition(cur[old]) == definition(d):
                out.changes.append(rename(table, old, new))
                cur[new] = dataclasses.replace(cur.pop(old), name=new)
                unmatched_cur.remove(old)
                break
    return cur


def _diff_constraints(cur: Table, des: Table, current_enums: dict[str, Enum], desired_enums: dict[str, Enum], out: Diff) -> None:
    name = des.name
    desired = _constraints(des)
    current = _pair_renames(name, "constraint", _constraints(cur), desired, _constraint_definition, ch.RenameConstraint, out)
    for cname, c in current.items():
        if cname not in desired or _constraint_definition(desired[cname]) != _constraint_definition(c):
            out.changes.append(ch.DropConstraint(name, c))
    for cname, c in desired.items():
        if cname in current and _constraint_definition(current[cname]) == _constraint_definition(c):
            continue
        removed: tuple[str, ...] = ()
        if isinstance(c, Check) and c.enum:
            column = _enum_column(des, c)
            old = cur.column(column) if column and cur.has_column(column) else None
            if old is not None and old.enum in current_enums:
                renamed = {o for o, _n in desired_enums[c.enum].renamed_values}
                removed = tuple(v for v in current_enums[old.enum].values if v not in desired_enums[c.enum].values and v not in renamed)
            if removed:
                out.destructive.append(SpecError(desired_enums[c.enum].pos, f"enum '{c.enum}' no longer has {', '.join(repr(v) for v in removed)}, which rows of '{name}.{column}' may hold; if a value was renamed, write it as '{{value: new, renamed_from: old}}', otherwise move those rows to another value and allow destructive changes (--allow-destructive)"))
        out.changes.append(ch.AddConstraint(name, c, new_table=False, removed_values=removed))


def _enum_column(t: Table, check: Check) -> str | None:
    for c in t.columns:
        if c.enum == check.enum and check.expression.startswith(_quote(c.name) + " IN ("):
            return c.name
    return None


def _enum_value_updates(cur: Table, des: Table, current_enums: dict[str, Enum], desired_enums: dict[str, Enum], out: Diff) -> None:
    """Rows holding an enum value renamed in the spec get the new value (between dropping and re-adding the CHECK)."""
    for c in des.columns:
        if c.enum is None or not cur.has_column(c.name):
            continue
        old = cur.column(c.name)
        if old.enum is None or old.enum not in current_enums:
            continue
        if desired_enums[c.enum].native and current_enums[old.enum].native:
            continue  # the type's value is renamed in place (RenameEnumValue): rows follow
        old_values = set(current_enums[old.enum].values)
        for before, after in desired_enums[c.enum].renamed_values:
            if before in old_values and after not in old_values:
                out.changes.append(ch.UpdateEnumValue(des.name, c.name, before, after))


def _index_definition(ix: Index) -> tuple:
    return (ix.columns, ix.unique, ix.where, ix.using, ix.elements, ix.include, ix.nulls_not_distinct)


def _diff_indexes(cur: Table, des: Table, out: Diff) -> None:
    desired = {ix.name: ix for ix in des.indexes}
    current = _pair_renames(des.name, "index", {ix.name: ix for ix in cur.indexes}, desired, _index_definition, ch.RenameIndex, out)
    for iname, ix in current.items():
        if iname not in desired or _index_definition(desired[iname]) != _index_definition(ix):
            out.changes.append(ch.DropIndex(des.name, ix))
    for iname, ix in desired.items():
        if iname not in current or _index_definition(current[iname]) != _index_definition(ix):
            out.changes.append(ch.AddIndex(des.name, ix, concurrent=True))


def _diff_named(table: str, current: dict, desired: dict, drop, add, out: Diff) -> None:
    for n, x in current.items():
        if n not in desired or desired[n] != x:
            out.changes.append(drop(table, x))
    for n, x in desired.items():
        if n not in current or current[n] != x:
            out.changes.append(add(table, x))


def _policy_definition(p: Policy) -> tuple:
    return (p.command, p.roles, p.using, p.with_check)


def _diff_policies(cur: Table, des: Table, retyped: list[str], out: Diff) -> None:
    """Changed policies are dropped and created again; all of a table are when one of its column types changes
    (PostgreSQL refuses to change the type of a column a policy uses)."""
    current = {p.name: p for p in cur.policies}
    desired = {p.name: p for p in des.policies}
    for n, p in current.items():
        if retyped or n not in desired or _policy_definition(desired[n]) != _policy_definition(p):
            out.changes.append(ch.DropPolicy(des.name, p, des.schema))
    for n, p in desired.items():
        if retyped or n not in current or _policy_definition(current[n]) != _policy_definition(p):
            out.changes.append(ch.AddPolicy(des.name, p, des.schema))


def _diff_externals(current: Schema, desired: Schema, out: Diff) -> None:
    """External tables are never created or dropped, only the app's policies on them: paired by schema.table
    (an external table left out of the spec loses the policies the spec put on it)."""
    cur = {t.qualified_name: t for t in current.externals}
    des = {t.qualified_name: t for t in desired.externals}
    for name in sorted(set(cur) | set(des)):
        before, after = cur.get(name), des.get(name)
        if before is None:
            before = dataclasses.replace(after, policies=())
        if after is None:
            after = dataclasses.replace(before, policies=())
        _diff_policies(before, after, [], out)


def _replace_dependent_foreign_keys(tables: dict[str, Table], desired: Schema, out: Diff) -> None:
    """A foreign key left unchanged still has to be dropped and added again when the key it references is rebuilt."""
    rebuilt = {
        (c.table, c.constraint.columns)
        for c in out.changes
        if isinstance(c, ch.DropConstraint) and isinstance(c.constraint, (PrimaryKey, Unique))
    }
    if not rebuilt:
        return
    dropped = {(c.table, c.constraint.name) for c in out.changes if isinstance(c, ch.DropConstraint)}
    added = {(c.table, c.constraint.name) for c in out.changes if isinstance(c, ch.AddConstraint)}
    desired_names = {t.name for t in desired.tables}
    for t in desired.tables:
        if t.name not in tables:
            continue
        for fk in t.foreign_keys:
            if (fk.ref_table, fk.ref_columns) in rebuilt and desired.owns(fk) and (t.name, fk.name) not in dropped | added:
                if fk.ref_table in desired_names:
                    out.changes.append(ch.DropConstraint(t.name, fk))
                    out.changes.append(ch.AddConstraint(t.name, fk, new_table=False))
