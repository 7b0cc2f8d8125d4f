"""Resolving foreign keys once every table is known: targets, key columns, matching types."""

from __future__ import annotations

import dataclasses
import difflib

from . import naming
from ..spec.load import Path
from ..model import ColumnType, ForeignKey, Table
from .problems import Problems, explicit_name
from ..spec.language import TableSpec

# Tables outside the spec that a foreign key may point at: Supabase's users.
EXTERNAL_TABLES: dict[str, dict[str, ColumnType]] = {"auth.users": {"id": ColumnType("uuid")}}


def resolve_foreign_keys(
    tables: dict[str, Table], specs: dict[str, TableSpec], all_names: set[str], problems: Problems, externals: dict[str, dict[str, ColumnType]] | None = None
) -> None:
    """Resolve every column shorthand and table-level foreign key now that all tables are known; `externals` are the
    tables outside the spec a key may point at (schema.table -> column types; auth.users when not given)."""
    external = EXTERNAL_TABLES if externals is None else externals
    for tname, table in list(tables.items()):
        spec = specs[tname]
        fks: list[ForeignKey] = []
        for col_name, col in spec.columns.items():
            if col.references is None:
                continue
            path = ("tables", tname, "columns", col_name, "references")
            parts = col.references.rsplit(".", 1)
            if col.references in external or col.references in all_names:
                key = ", ".join(external[col.references]) if col.references in external else "id"
                problems.add(path, f"'references: {col.references}' names a table but not its column; write 'references: {col.references}.{key.split(', ')[0]}'")
                continue
            if len(parts) != 2 or not all(parts):
                problems.add(path, f"'references: {col.references}' must be 'table.column' (or 'auth.users.id')")
                continue
            fk = _foreign_key(tname, (col_name,), parts[0], (parts[1],), col.on_delete or "no action", None, path, tables, all_names, problems, external)
            if fk:
                fks.append(_with_options(fk, col.on_update or "no action", col.match or "simple", col.deferrable, col.initially_deferred))
        for i, f in enumerate(spec.foreign_keys):
            path = ("tables", tname, "foreign_keys", i)
            if not explicit_name(f.name, path, problems):
                continue
            missing = [c for c in f.columns if not table.has_column(c)]
            if missing:
                problems.add(path + ("columns",), f"foreign key names unknown column '{missing[0]}' of table '{tname}'")
                continue
            if len(f.columns) != len(f.references.columns):
                problems.add(path + ("references", "columns"), f"foreign key has {len(f.columns)} columns but references {len(f.references.columns)}; make them match")
                continue
            for key in ("on_delete", "on_update"):
                if getattr(f, key) == "set null":
                    for c in f.columns:
                        if not table.column(c).nullable:
                            problems.add(path + (key,), f"'{key}: set null' needs nullable columns; '{c}' is not")
            if f.initially_deferred and not f.deferrable:
                problems.add(path + ("initially_deferred",), "'initially_deferred: true' needs 'deferrable: true' as well")
            fk = _foreign_key(tname, tuple(f.columns), f.references.table, tuple(f.references.columns), f.on_delete, f.name, path + ("references",), tables, all_names, problems, external)
            if fk:
                fk = _with_options(fk, f.on_update, f.match, f.deferrable, f.initially_deferred)
                if f.renamed_from is not None:
                    problems.name(path + ("renamed_from",), f.renamed_from, "renamed_from: the old constraint")
                fks.append(dataclasses.replace(fk, pos=problems.loaded.pos(path), renamed_from=f.renamed_from))
        tables[tname] = dataclasses.replace(table, foreign_keys=tuple(fks))


def _with_options(fk: ForeignKey, on_update: str, match: str, deferrable: bool, initially_deferred: bool) -> ForeignKey:
    return dataclasses.replace(fk, on_update=on_update, match=match, deferrable=deferrable, initially_deferred=initially_deferred)


def _foreign_key(
    tname: str,
    columns: tuple[str, ...],
    target: str,
    ref_columns: tuple[str, ...],
    on_delete: str,
    name: str | None,
    path: Path,
    tables: dict[str, Table],
    all_names: set[str],
    problems: Problems,
    external: dict[str, dict[str, ColumnType]] = EXTERNAL_TABLES,
) -> ForeignKey | None:
    table = tables[tname]
    if target in external:
        schema, ref_table = target.split(".")
        ref_types = external[target]
        unknown = [c for c in ref_columns if c not in ref_types]
        if unknown:
            problems.add(path, f"{target} has no column '{unknown[0]}' in the spec; schemac knows {target}({', '.join(ref_types)}): declare the column under 'external: {{{target}: {{columns: ...}}}}'")
            return None
        types = [ref_types[c] for c in ref_columns]
    elif "." in target and target.partition(".")[2] in tables and tables[target.partition(".")[2]].schema == target.partition(".")[0]:
        return _foreign_key(tname, columns, target.partition(".")[2], ref_columns, on_delete, name, path, tables, all_names, problems, external)
    elif "." in target:
        problems.add(path, f"unknown table '{target}'; a foreign key may point at a table of this spec or at one declared under 'external:' with its columns ({', '.join(external)} known)")
        return None
    elif target not in tables:
        if target not in all_names:
            close = difflib.get_close_matches(target, sorted(all_names), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"tables: {', '.join(sorted(all_names))}"
            problems.add(path, f"references unknown table '{target}'; {hint}")
        return None
    else:
        ref = tables[target]
        schema, ref_table = ref.schema, target
        unknown = [c for c in ref_columns if not ref.has_column(c)]
        if unknown:
            close = difflib.get_close_matches(unknown[0], [c.name for c in ref.columns], n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.add(path, f"references unknown column '{unknown[0]}' of table '{target}'{hint}")
            return None
        if not any(set(k) == set(ref_columns) for k in ref.unique_keys()):
            problems.add(path, f"{target}({', '.join(ref_columns)}) is neither its primary key nor unique; PostgreSQL can only reference a key: point at the primary key or add a unique constraint")
            return None
        types = [ref.column(c).type for c in ref_columns]
    for c, t in zip(columns, types):
        if not table.has_column(c):
            return None  # the column failed to build and has its own error; its target was still checked above
        mine = table.column(c).type
        if mine != t:
            problems.add(path, f"'{tname}.{c}' is {mine.sql} but the referenced column is {t.sql}; make the types match")
            return None
    return ForeignKey(
        name or naming.foreign_key(tname, columns), columns, schema, ref_table, ref_columns, on_delete, problems.loaded.pos(path)
    )
