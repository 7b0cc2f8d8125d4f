"""Validate loaded YAML against the spec language and resolve it into the model.

Grammar problems come from Pydantic; meaning problems (unknown tables, columns,
enums, bad defaults, duplicate names) are found here. Every problem is collected
with its position and raised together, so one run shows them all.
"""

from __future__ import annotations

import difflib
import hashlib
from typing import Any

from . import naming
from .column_types import TYPE_LIST, build_default, parse_type, type_range_problem
from ..errors import SpecError, SpecErrors
from .foreign_keys import resolve_foreign_keys
from ..spec.grammar import kind_of, validate, validate_each, validate_tables
from ..inject import normalise, path_problem
from .lint_config import MIN_REASON_WORDS, build_lint
from ..spec.load import Loaded, Path
from ..model import (
    UPDATED_AT_FUNCTION,
    USER_OPERATIONS,
    Check,
    Column,
    ColumnType,
    Default,
    DocTarget,
    Enum,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
)
from .policies import resolve_policies
from .problems import Problems, explicit_name
from ..spec.language import ColumnSpec, DocsSpec, EnumSpec, FunctionSpec, Spec, TableSpec, TriggerSpec, ViewSpec
from .functions import build_functions
from .triggers import build_triggers
from .views import build_views
from ..sqltext import quote_literal
from .expressions import CHECK, INDEX_PREDICATE, Scope


# Every PostgreSQL table has these hidden columns; a user column may not take their names.
SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})


def build_schema(loaded: Loaded, source_bytes: bytes, source_name: str) -> Schema:
    """Validate and resolve a loaded spec; raise SpecErrors listing every problem."""
    problems = Problems(loaded)
    problems.errors.extend(loaded.errors)
    data = loaded.data
    if not isinstance(data, dict):
        problems.add((), "the spec must be a mapping with a 'tables' key at the top level")
        raise SpecErrors(problems.errors)

    top = {k: v for k, v in data.items() if k not in ("enums", "tables", "docs", "functions", "triggers", "views")}
    validate(Spec, {**top, "tables": {"_": None}}, (), problems, skip=("tables",))
    docs_spec = _validate_docs(data.get("docs"), problems)
    enum_specs = validate_each(EnumSpec, data.get("enums", {}), ("enums",), problems)
    if "tables" not in data:
        problems.add((), "missing required key 'tables'; list the tables of the schema under it")
    elif not data["tables"]:
        problems.add(("tables",), "'tables' is empty; declare at least one table under it")
    broken_columns: dict[str, set[str]] = {}
    table_specs = validate_tables(data.get("tables", {}), problems, broken_columns)

    enums = _build_enums(enum_specs, problems)
    tables = [_build_table(name, spec, enums, problems, broken_columns.get(name, set())) for name, spec in table_specs.items()]
    tables_by_name = {t.name: t for t in tables if t is not None}
    all_table_names = set(data.get("tables", {}) or {})
    resolve_foreign_keys(tables_by_name, table_specs, all_table_names, problems)
    _check_relation_names(tables_by_name, problems)
    resolve_policies(tables_by_name, table_specs, problems)
    lint = build_lint(data.get("lint"), tables_by_name, all_table_names, problems)
    doc_targets = _build_doc_targets(docs_spec, problems)
    function_specs = validate_each(FunctionSpec, data.get("functions", {}), ("functions",), problems)
    functions = build_functions(function_specs, tables_by_name, problems)
    trigger_specs = validate_each(TriggerSpec, data.get("triggers", {}), ("triggers",), problems)
    declared = set(data.get("functions") or {}) if isinstance(data.get("functions"), dict) else set()
    triggers = build_triggers(trigger_specs, tables_by_name, {f.name: f for f in functions}, declared, problems)
    view_specs = validate_each(ViewSpec, data.get("views", {}), ("views",), problems)
    views = build_views(view_specs, tables_by_name, declared, problems)
    if problems.errors:
        raise SpecErrors(problems.errors)
    ordered = tuple(tables_by_name[name] for name in table_specs)
    return Schema(
        tables=ordered,
        enums=tuple(enums.values()),
        source=source_name,
        source_sha256=hashlib.sha256(source_bytes).hexdigest(),
        lint=lint,
        doc_targets=doc_targets,
        functions=functions,
        triggers=triggers,
        views=views,
    )


def _validate_docs(value: Any, problems: Problems) -> DocsSpec | None:
    if value is not None and not isinstance(value, dict):
        problems.add(("docs",), f"'docs' must be a mapping, e.g. docs: {{inject: [docs/schema.md]}} (got {kind_of(value)})")
        return None
    return validate(DocsSpec, value or {}, ("docs",), problems)


def _build_doc_targets(docs: DocsSpec | None, problems: Problems) -> tuple[DocTarget, ...]:
    """docs.inject paths: relative Markdown files, each listed once however it is spelled (read and written by the CLI only)."""
    targets: dict[str, tuple[str, DocTarget]] = {}  # normalised path -> (as first written, target)
    for i, path in enumerate(docs.inject if docs else []):
        where = ("docs", "inject", i)
        if problem := path_problem(path):
            problems.add(where, problem)
        elif normalise(path) in targets:
            written, first = targets[normalise(path)]
            problems.add(where, f"'{path}' is listed twice under docs.inject (first at {first.pos.line}:{first.pos.col} as '{written}'); list it once")
        else:
            targets[normalise(path)] = (path, DocTarget(normalise(path), problems.loaded.pos(where)))
    return tuple(t for _written, t in targets.values())


# ---------------------------------------------------------------- enums


def _build_enums(specs: dict[str, EnumSpec], problems: Problems) -> dict[str, Enum]:
    enums = {}
    for name, spec in specs.items():
        path = ("enums", name)
        problems.name(path, name, "enum")
        seen: set[str] = set()
        for i, value in enumerate(spec.values):
            if value in seen:
                problems.add(path + ("values", i), f"enum value '{value}' is listed twice; remove the duplicate")
            if value == "" or "\x00" in value:
                problems.add(path + ("values", i), "enum values must be non-empty text without NUL characters")
            seen.add(value)
        enums[name] = Enum(name, tuple(spec.values), spec.description, problems.loaded.pos(path))
    return enums


# ---------------------------------------------------------------- tables


def _build_table(name: str, spec: TableSpec, enums: dict[str, Enum], problems: Problems, broken: set[str]) -> Table | None:
    path: Path = ("tables", name)
    pos = problems.loaded.pos
    problems.name(path, name, "table")

    columns: list[Column] = []
    checks: list[Check] = []
    uniques: list[Unique] = []
    pk_columns: list[str] = []
    for col_name, col in spec.columns.items():
        cpath = path + ("columns", col_name)
        column = _build_column(name, col_name, col, spec, enums, cpath, problems)
        if column is None:
            continue
        columns.append(column)
        if col.primary_key:
            pk_columns.append(col_name)
        if col.unique:
            uniques.append(Unique(naming.unique(name, (col_name,)), (col_name,), pos(cpath + ("unique",))))
        if column.enum:
            values = ", ".join(quote_literal(v) for v in enums[column.enum].values)
            checks.append(
                Check(
                    naming.check(name, col_name),
                    f'"{col_name}" IN ({values})',
                    f"{col_name} is one of the values of enum {column.enum}",
                    column.enum,
                    pos(cpath + ("enum",)),
                )
            )

    if spec.timestamps:
        for ts in ("created_at", "updated_at"):
            if ts in spec.columns:
                problems.add(
                    path + ("columns", ts),
                    f"'{ts}' is added by 'timestamps: true'; remove this column or set timestamps: false",
                )
                continue
            columns.append(
                Column(
                    ts,
                    ColumnType("timestamptz"),
                    False,
                    Default("now()", function="now()"),
                    "When the row was created." if ts == "created_at" else "When the row was last changed (maintained by trigger).",
                    "administrative",
                    False,
                    None,
                    pos(path + ("timestamps",)),
                    generated_by="timestamps",
                )
            )
    col_names = {c.name for c in columns} | set(spec.columns)
    quiet = broken  # columns that already have a grammar error: no "unknown column" noise for them

    def known(cols: list[str], where: Path, what: str) -> bool:
        ok = True
        for i, c in enumerate(cols):
            if c in quiet:
                ok = False
            elif c not in col_names:
                close = difflib.get_close_matches(c, sorted(col_names), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; columns of {name}: {', '.join(sorted(col_names))}"
                problems.add(where + (i,), f"{what} names unknown column '{c}' of table '{name}'{hint}")
                ok = False
        if len(set(cols)) != len(cols):
            problems.add(where, f"{what} lists a column twice; list each column once")
            ok = False
        return ok

    primary_key = None
    if spec.primary_key is not None:
        if pk_columns:
            problems.add(path + ("primary_key",), "the primary key is given both here and by 'primary_key: true' on a column; keep one")
        elif known(spec.primary_key, path + ("primary_key",), "primary_key"):
            primary_key = PrimaryKey(naming.primary_key(name), tuple(spec.primary_key), pos(path + ("primary_key",)))
    elif len(pk_columns) > 1:
        problems.add(
            path + ("columns", pk_columns[1], "primary_key"),
            f"more than one column says primary_key: true; for a composite key write 'primary_key: [{', '.join(pk_columns)}]' on the table",
        )
    elif pk_columns:
        primary_key = PrimaryKey(naming.primary_key(name), tuple(pk_columns), pos(path + ("columns", pk_columns[0], "primary_key")))
    if primary_key:
        for c in columns:
            if c.name in primary_key.columns and c.nullable:
                problems.add(path + ("columns", c.name, "nullable"), f"'{c.name}' is part of the primary key and cannot be nullable; remove 'nullable: true'")

    for i, u in enumerate(spec.unique):
        upath = path + ("unique", i)
        if known(u.columns, upath + ("columns",), "unique constraint") and explicit_name(u.name, upath, problems):
            uniques.append(Unique(u.name or naming.unique(name, tuple(u.columns)), tuple(u.columns), pos(upath)))

    scope = Scope(name, frozenset(col_names))
    for i, c in enumerate(spec.checks):
        chpath = path + ("checks", i)
        expression = problems.expression(chpath + ("expression",), c.expression, CHECK, scope)
        if expression is None:
            continue
        if explicit_name(c.name, chpath, problems):
            label = c.name or (f"check{i + 1}" if len(spec.checks) > 1 else "row")
            checks.append(Check(c.name or naming.check(name, label), expression, c.description, None, pos(chpath)))

    indexes = []
    for i, ix in enumerate(spec.indexes):
        ipath = path + ("indexes", i)
        where = None
        if ix.where is not None and (where := problems.expression(ipath + ("where",), ix.where, INDEX_PREDICATE, scope)) is None:
            continue
        if known(ix.columns, ipath + ("columns",), "index") and explicit_name(ix.name, ipath, problems):
            indexes.append(
                Index(
                    ix.name or naming.index(name, tuple(ix.columns), ix.unique),
                    tuple(ix.columns),
                    ix.unique,
                    where,
                    ix.using,
                    ix.description,
                    pos(ipath),
                )
            )

    triggers = ()
    if spec.timestamps:
        triggers = (Trigger(naming.updated_at_trigger(name), "BEFORE", ("UPDATE",), UPDATED_AT_FUNCTION),)

    return Table(
        name=name,
        description=spec.description,
        classification=spec.classification,
        retention=spec.retention,
        log=spec.log,
        rls=spec.rls,
        timestamps=spec.timestamps,
        columns=tuple(columns),
        primary_key=primary_key,
        uniques=tuple(uniques),
        checks=tuple(checks),
        foreign_keys=(),  # filled in by _resolve_foreign_keys once every table is known
        indexes=tuple(indexes),
        triggers=triggers,
        policies=(),  # filled in by resolve_policies once foreign keys are known
        pos=pos(path),
        user_operations=tuple(dict.fromkeys(spec.user_operations)),
        user_operations_reason=_user_operations_reason(spec, path, problems),
        keys=problems.keys(path, spec),
    )


def _user_operations_reason(spec: TableSpec, path: Path, problems: Problems) -> str | None:
    """The written reason users leave some operations to others; an error when it is too short or explains nothing."""
    if spec.user_operations_reason is None:
        return None
    where = path + ("user_operations_reason",)
    reason = " ".join(spec.user_operations_reason.split())
    if set(USER_OPERATIONS) <= set(spec.user_operations):
        problems.add(where, "'user_operations_reason' explains operations left out of 'user_operations', but users perform all four here; remove the reason, or list only what users do")
    elif len(reason.split()) < MIN_REASON_WORDS:
        problems.add(where, f"'user_operations_reason' needs at least {MIN_REASON_WORDS} words saying who performs the other operations (e.g. the backend as service_role); reviewers read it in DATA_INVENTORY.md")
    return reason


def _build_column(
    table: str, name: str, spec: ColumnSpec, tspec: TableSpec, enums: dict[str, Enum], path: Path, problems: Problems
) -> Column | None:
    ok = problems.name(path, name, "column")
    if ok and name in SYSTEM_COLUMNS:
        problems.add(path, f"'{name}' is a PostgreSQL system column name; every table already has one: rename the column")
        ok = False
    if spec.enum is not None and spec.type is not None and parse_type(spec.type) != ColumnType("text"):
        problems.add(path + ("type",), f"an enum column is stored as text; remove 'type: {spec.type}' (keep 'enum: {spec.enum}')")
        return None
    if spec.enum is not None:
        if spec.enum not in enums:
            close = difflib.get_close_matches(spec.enum, sorted(enums), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "declare it under 'enums:'"
            problems.add(path + ("enum",), f"unknown enum '{spec.enum}'; {hint}")
            return None
        ctype = ColumnType("text")
    elif spec.type is None:
        problems.add(path, f"column '{name}' needs a 'type' (or an 'enum')")
        return None
    else:
        ctype = parse_type(spec.type)
        if ctype is None:
            problems.add(path + ("type",), f"unknown column type '{spec.type}'; use one of: {TYPE_LIST}")
            return None
        if problem := type_range_problem(ctype):
            problems.add(path + ("type",), f"{problem}; PostgreSQL would refuse 'type: {spec.type}'")
            return None
    classification = spec.classification or tspec.classification
    if classification is None:
        problems.add(
            path,
            f"column '{name}' has no classification; add 'classification: phi|administrative|public_social' "
            "to the column, or a default 'classification' to the table",
        )
        return None
    if spec.on_delete is not None and spec.references is None:
        problems.add(path + ("on_delete",), "'on_delete' needs 'references' on the same column")
    if spec.on_delete == "set null" and not spec.nullable:
        problems.add(path + ("on_delete",), f"'on_delete: set null' needs a nullable column; add 'nullable: true' to '{name}'")
    default = None
    if spec.default is not None:
        default = build_default(spec.default, ctype, enums.get(spec.enum) if spec.enum else None, path + ("default",), problems)
    if not ok:
        return None
    return Column(
        name=name,
        type=ctype,
        nullable=spec.nullable,
        default=default,
        description=spec.description,
        classification=classification,
        encrypted=spec.encrypted,
        enum=spec.enum,
        pos=problems.loaded.pos(path),
        keys=problems.keys(path, spec),
    )


def _check_relation_names(tables: dict[str, Table], problems: Problems) -> None:
    """Tables, indexes and index-backed constraints share one namespace in a schema; constraints must be unique per table."""
    relations: dict[str, str] = {}

    def claim(name: str, what: str, path_pos) -> None:
        if name in relations:
            problems.errors.append(SpecError(path_pos, f"the name '{name}' ({what}) is already used by {relations[name]}; give one of them another name"))
        else:
            relations[name] = what

    for t in tables.values():
        claim(t.name, f"table {t.name}", t.pos)
    for t in tables.values():
        if t.primary_key:
            claim(t.primary_key.name, f"the primary key of {t.name}", t.primary_key.pos)
        for u in t.uniques:
            claim(u.name, f"a unique constraint on {t.name}", u.pos)
        for ix in t.indexes:
            claim(ix.name, f"an index on {t.name}", ix.pos)
        seen: set[str] = set()
        named = [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.checks, *t.foreign_keys]
        for c in named:
            if c.name in seen:
                problems.errors.append(SpecError(c.pos, f"constraint name '{c.name}' is used twice on table {t.name}; give one of them another name"))
            seen.add(c.name)
