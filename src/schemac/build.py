"""Validate loaded YAML against the spec language and resolve it into the model.

Grammar problems come from Pydantic; meaning problems (unknown tables, columns,
enums, bad defaults, duplicate names) are found here. Every problem is collected
with its position and raised together, so one run shows them all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import hashlib
import json
import re
import typing
import uuid
from typing import Any

from pydantic import BaseModel, ValidationError

from . import naming
from .errors import SpecError, SpecErrors
from .inject import path_problem
from .load import Loaded, Path
from .model import (
    UPDATED_AT_FUNCTION,
    Check,
    Column,
    ColumnType,
    Default,
    DocTarget,
    Enum,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
)
from .lint_config import build_lint
from .policies import resolve_policies
from .spec import ColumnSpec, DocsSpec, EnumSpec, Spec, TableSpec
from .sqltext import expression_problem, identifier_problem, quote_literal

# Tables outside the spec that a foreign key may point at: Supabase's users.
EXTERNAL_TABLES: dict[str, dict[str, ColumnType]] = {"auth.users": {"id": ColumnType("uuid")}}

# The closed list of default functions, and the column types each may fill.
DEFAULT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "now()": ("timestamptz", "timestamp", "date", "time"),
    "current_date": ("date",),
    "gen_random_uuid()": ("uuid",),
    "auth.uid()": ("uuid",),
}

TYPE_RE = re.compile(
    r"^(?P<base>text|varchar|char|smallint|integer|bigint|boolean|uuid|date|time|timestamptz|timestamp|jsonb|json|numeric)"
    r"(?:\((?P<params>\s*\d+\s*(?:,\s*\d+\s*)?)\))?(?P<array>\[\])?$"
)
TYPE_ALIASES = {"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean"}
TYPE_LIST = "text, integer, bigint, smallint, boolean, uuid, date, time, timestamptz, jsonb, numeric(p,s), varchar(n), char(n), timestamp, json, or any of them with []"


class Problems:
    """Collects (path, message) pairs and turns them into positioned errors."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.errors: list[SpecError] = []

    def add(self, path: Path, message: str) -> None:
        self.errors.append(SpecError(self.loaded.pos(path), message))

    def name(self, path: Path, name: str, what: str) -> bool:
        problem = identifier_problem(name)
        if problem:
            self.add(path, f"{what} name {problem}")
            return False
        return True


def build_schema(loaded: Loaded, source_bytes: bytes, source_name: str) -> Schema:
    """Validate and resolve a loaded spec; raise SpecErrors listing every problem."""
    problems = Problems(loaded)
    problems.errors.extend(loaded.errors)
    data = loaded.data
    if not isinstance(data, dict):
        problems.add((), "the spec must be a mapping with a 'tables' key at the top level")
        raise SpecErrors(problems.errors)

    top = {k: v for k, v in data.items() if k not in ("enums", "tables", "docs")}
    _validate(Spec, {**top, "tables": {"_": None}}, (), problems, skip=("tables",))
    docs_spec = _validate_docs(data.get("docs"), problems)
    enum_specs = _validate_each(EnumSpec, data.get("enums", {}), ("enums",), problems)
    if "tables" not in data:
        problems.add((), "missing required key 'tables'; list the tables of the schema under it")
    broken_columns: dict[str, set[str]] = {}
    table_specs = _validate_tables(data.get("tables", {}), problems, broken_columns)

    enums = _build_enums(enum_specs, problems)
    tables = [_build_table(name, spec, enums, problems, broken_columns.get(name, set())) for name, spec in table_specs.items()]
    tables_by_name = {t.name: t for t in tables if t is not None}
    all_table_names = set(data.get("tables", {}) or {})
    _resolve_foreign_keys(tables_by_name, table_specs, all_table_names, problems)
    _check_relation_names(tables_by_name, problems)
    resolve_policies(tables_by_name, table_specs, problems)
    lint = build_lint(data.get("lint"), tables_by_name, all_table_names, problems)
    doc_targets = _build_doc_targets(docs_spec, problems)
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
    )


def _validate_docs(value: Any, problems: Problems) -> DocsSpec | None:
    if value is not None and not isinstance(value, dict):
        problems.add(("docs",), f"'docs' must be a mapping, e.g. docs: {{inject: [docs/schema.md]}} (got {_kind(value)})")
        return None
    return _validate(DocsSpec, value or {}, ("docs",), problems)


def _build_doc_targets(docs: DocsSpec | None, problems: Problems) -> tuple[DocTarget, ...]:
    """docs.inject paths: relative Markdown files, each listed once (read and written by the CLI only)."""
    targets: list[DocTarget] = []
    for i, path in enumerate(docs.inject if docs else []):
        where = ("docs", "inject", i)
        norm = path.replace("\\", "/")
        if problem := path_problem(path):
            problems.add(where, problem)
        elif norm in {t.path for t in targets}:
            problems.add(where, f"'{path}' is listed twice under docs.inject; list it once")
        else:
            targets.append(DocTarget(norm, problems.loaded.pos(where)))
    return tuple(targets)


# ---------------------------------------------------------------- grammar


def _validate(model: type[BaseModel], value: Any, path: Path, problems: Problems, skip: tuple[str, ...] = ()) -> Any:
    """Validate against the grammar, recording every error. Unknown keys are reported and then
    ignored, so the rest of the node is still checked for meaning."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        unknown = set()
        for err in exc.errors():
            loc = tuple(err["loc"])
            if loc and loc[0] in skip:
                continue
            problems.add(path + _data_path(loc), _message(model, loc, err))
            if err["type"] == "extra_forbidden" and len(loc) == 1:
                unknown.add(loc[0])
            else:
                unknown.add(None)
        if unknown and None not in unknown and isinstance(value, dict):
            try:
                return model.model_validate({k: v for k, v in value.items() if k not in unknown})
            except ValidationError:
                return None
        return None


def _validate_each(model: type[BaseModel], mapping: Any, path: Path, problems: Problems) -> dict[str, Any]:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        problems.add(path, f"'{path[-1]}' must be a mapping of names to definitions")
        return {}
    result = {}
    for name, value in mapping.items():
        if not isinstance(value, dict):
            problems.add(path + (name,), f"'{name}' must be a mapping of keys (got {_kind(value)})")
            continue
        spec = _validate(model, value, path + (name,), problems)
        if spec is not None:
            result[name] = spec
    return result


def _validate_tables(mapping: Any, problems: Problems, broken: dict[str, set[str]]) -> dict[str, TableSpec]:
    """Validate each column on its own, so one bad column does not hide the problems of the rest of its table."""
    if not isinstance(mapping, dict):
        return _validate_each(TableSpec, mapping, ("tables",), problems)
    result = {}
    for name, value in mapping.items():
        path = ("tables", name)
        if not isinstance(value, dict) or not isinstance(value.get("columns"), dict):
            spec = _validate_each(TableSpec, {name: value}, ("tables",), problems).get(name)
        else:
            good = {}
            for col, col_value in value["columns"].items():
                col_spec = _validate(ColumnSpec, col_value, path + ("columns", col), problems) if isinstance(col_value, dict) else None
                if not isinstance(col_value, dict):
                    problems.add(path + ("columns", col), f"column '{col}' must be a mapping of keys, e.g. {{type: text}} (got {_kind(col_value)})")
                if col_spec is None:
                    broken.setdefault(name, set()).add(col)
                else:
                    good[col] = col_spec
            if not good and broken.get(name):
                continue
            spec = _validate(TableSpec, {**value, "columns": good}, path, problems)
        if spec is not None:
            result[name] = spec
    return result


def _data_path(loc: tuple) -> Path:
    """Drop Pydantic's union/validator tags from a loc so it matches the YAML path."""
    return tuple(p for p in loc if isinstance(p, int) or not ("[" in p or p.startswith("function-")))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The Pydantic model class a loc (without its last part) points into."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            fields.update(current.model_fields)
            if part not in fields:
                return None
            current = fields[part].annotation
            continue
        origin = typing.get_origin(current)
        args = [a for a in typing.get_args(current) if a is not type(None)]
        if origin in (dict, list) or (origin is typing.Union and args):
            current = args[-1]
            # a dict key or list index consumes this part; unwrap Optional[X]
            while typing.get_origin(current) is typing.Union:
                current = [a for a in typing.get_args(current) if a is not type(None)][0]
        else:
            return None
    while typing.get_origin(current) is typing.Union:
        current = [a for a in typing.get_args(current) if a is not type(None)][0]
    if typing.get_origin(current) in (dict, list):
        current = typing.get_args(current)[-1]
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _message(model: type[BaseModel], loc: tuple, err: dict) -> str:
    kind = err["type"]
    field = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = sorted({f.alias or n for n, f in owner.model_fields.items()}) if owner else []
        close = difflib.get_close_matches(field, allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown key '{field}'; {hint}allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key '{field}'; add it"
    got = err.get("input")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"'{field}' cannot be {got!r}; expected {expected}"
    if kind in ("bool_type", "bool_parsing"):
        return f"'{field}' must be true or false (got {_kind(got)} {got!r})"
    if kind in ("string_type",):
        return f"'{field}' must be a string (got {_kind(got)}); quote it if YAML read it as another type"
    if kind in ("list_type",):
        return f"'{field}' must be a list, e.g. [a, b] (got {_kind(got)})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{field}' must be a mapping of keys (got {_kind(got)})"
    if kind in ("too_short",):
        return f"'{field}' must not be empty; give at least one entry"
    return f"'{field}': {err['msg']}"


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
        if known(u.columns, upath + ("columns",), "unique constraint") and _explicit_name(u.name, upath, problems):
            uniques.append(Unique(u.name or naming.unique(name, tuple(u.columns)), tuple(u.columns), pos(upath)))

    for i, c in enumerate(spec.checks):
        chpath = path + ("checks", i)
        problem = expression_problem(c.expression)
        if problem:
            problems.add(chpath + ("expression",), f"check expression rejected: {problem}")
            continue
        if _explicit_name(c.name, chpath, problems):
            label = c.name or (f"check{i + 1}" if len(spec.checks) > 1 else "row")
            checks.append(Check(c.name or naming.check(name, label), c.expression.strip(), c.description, None, pos(chpath)))

    indexes = []
    for i, ix in enumerate(spec.indexes):
        ipath = path + ("indexes", i)
        if ix.where is not None and (problem := expression_problem(ix.where)):
            problems.add(ipath + ("where",), f"index predicate rejected: {problem}")
            continue
        if known(ix.columns, ipath + ("columns",), "index") and _explicit_name(ix.name, ipath, problems):
            indexes.append(
                Index(
                    ix.name or naming.index(name, tuple(ix.columns), ix.unique),
                    tuple(ix.columns),
                    ix.unique,
                    ix.where.strip() if ix.where else None,
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
    )


def _explicit_name(name: str | None, path: Path, problems: Problems) -> bool:
    return name is None or problems.name(path + ("name",), name, "constraint or index")


def parse_type(text: str) -> ColumnType | None:
    """Parse a spec type string ('numeric(10,2)', 'text[]') into a ColumnType, or None."""
    t = " ".join(text.strip().lower().split())
    array = t.endswith("[]")
    core = t[:-2] if array else t
    core = TYPE_ALIASES.get(core, core)
    if core in ("timestamp with time zone",):
        core = "timestamptz"
    if core in ("timestamp without time zone",):
        core = "timestamp"
    m = TYPE_RE.match(core + ("[]" if array else ""))
    if not m:
        return None
    base = m["base"]
    params = tuple(int(p) for p in m["params"].split(",")) if m["params"] else ()
    if params and base not in ("varchar", "char", "numeric"):
        return None
    if base == "numeric" and len(params) == 1:
        params = (params[0], 0)
    if base in ("varchar", "char") and len(params) > 1:
        return None
    if base == "char" and not params:
        params = (1,)
    return ColumnType(base, params, bool(m["array"]))


def _build_column(
    table: str, name: str, spec: ColumnSpec, tspec: TableSpec, enums: dict[str, Enum], path: Path, problems: Problems
) -> Column | None:
    ok = problems.name(path, name, "column")
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
        default = _build_default(spec.default, ctype, enums.get(spec.enum) if spec.enum else None, path + ("default",), problems)
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
    )


def _build_default(value: Any, ctype: ColumnType, enum: Enum | None, path: Path, problems: Problems) -> Default | None:
    """Check a default against the column type and render it as SQL."""
    if isinstance(value, str) and value.strip() in DEFAULT_FUNCTIONS:
        fn = value.strip()
        if ctype.array or ctype.base not in DEFAULT_FUNCTIONS[fn]:
            problems.add(path, f"{fn} cannot be the default of a {ctype.sql} column; it fills {', '.join(DEFAULT_FUNCTIONS[fn])} columns")
            return None
        return Default(fn, function=fn)
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z_][\w.]*\(.*\)", value.strip()):
        problems.add(path, f"'{value}' is not a supported default function; use one of: {', '.join(DEFAULT_FUNCTIONS)}")
        return None
    sql = _literal_sql(value, ctype, enum)
    if isinstance(sql, str) and not sql.startswith("!"):
        return Default(sql, value=_plain(value))
    problems.add(path, sql[1:] if isinstance(sql, str) else f"invalid default for a {ctype.sql} column")
    return None


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def _literal_sql(value: Any, ctype: ColumnType, enum: Enum | None) -> str:
    """SQL for a literal default, or '!reason' when it does not fit the type."""
    base = ctype.base
    if ctype.array:
        if not isinstance(value, list):
            return f"!the default of a {ctype.sql} column must be a list, e.g. []"
        items = []
        for v in value:
            item = _literal_sql(v, ColumnType(base, ctype.params), enum)
            if item.startswith("!"):
                return item
            items.append(item)
        return f"ARRAY[{', '.join(items)}]::{ctype.sql}" if items else f"'{{}}'::{ctype.sql}"
    if base in ("json", "jsonb"):
        try:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)
        except (TypeError, ValueError):
            return f"!the default of a {base} column must be plain JSON data"
        return f"{quote_literal(text)}::{base}"
    if base in ("text", "varchar", "char"):
        if not isinstance(value, str):
            return f"!the default of a text column must be a string; quote it (got {_kind(value)} {value!r})"
        if enum is not None and value not in enum.values:
            return f"!default '{value}' is not a value of enum {enum.name}; use one of: {', '.join(enum.values)}"
        if "\x00" in value:
            return "!text defaults cannot contain NUL characters"
        if base != "text" and len(value) > ctype.params[0]:
            return f"!default is longer than {ctype.sql} allows"
        return quote_literal(value)
    if base in ("smallint", "integer", "bigint"):
        limits = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}[base]
        if isinstance(value, bool) or not isinstance(value, int):
            return f"!the default of {_article(base)} {base} column must be a whole number (got {_kind(value)} {value!r})"
        if not -limits <= value < limits:
            return f"!{value} does not fit in {base}"
        return str(value)
    if base == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return f"!the default of a numeric column must be a number (got {_kind(value)})"
        try:
            d = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return f"!'{value}' is not a number"
        if not d.is_finite():
            return "!numeric defaults must be finite numbers"
        return str(d)
    if base == "boolean":
        if not isinstance(value, bool):
            return f"!the default of a boolean column must be true or false (got {_kind(value)} {value!r})"
        return "true" if value else "false"
    if base == "uuid":
        try:
            return quote_literal(str(uuid.UUID(str(value)))) + "::uuid"
        except ValueError:
            return f"!'{value}' is not a UUID"
    if base == "date":
        try:
            d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return f"!'{value}' is not a date; write it as 'YYYY-MM-DD'"
        return quote_literal(d.isoformat()) + "::date"
    if base == "time":
        if not isinstance(value, str):
            return "!write time defaults in quotes, e.g. '09:00' (unquoted, YAML reads 09:00 as a number)"
        try:
            t = dt.time.fromisoformat(value)
        except ValueError:
            return f"!'{value}' is not a time; write it as 'HH:MM' or 'HH:MM:SS'"
        return quote_literal(t.isoformat()) + "::time"
    if base in ("timestamptz", "timestamp"):
        try:
            ts = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        except ValueError:
            return f"!'{value}' is not a timestamp; write it as ISO 8601, e.g. '2026-01-20T09:00:00Z'"
        return quote_literal(ts.isoformat()) + f"::{base}"
    return f"!defaults are not supported for {ctype.sql} columns"


# ---------------------------------------------------------------- foreign keys


def _resolve_foreign_keys(tables: dict[str, Table], specs: dict[str, TableSpec], all_names: set[str], problems: Problems) -> None:
    """Resolve every column shorthand and table-level foreign key now that all tables are known."""
    import dataclasses

    for tname, table in list(tables.items()):
        spec = specs[tname]
        fks: list[ForeignKey] = []
        for col_name, col in spec.columns.items():
            if col.references is None:
                continue
            path = ("tables", tname, "columns", col_name, "references")
            parts = col.references.rsplit(".", 1)
            if len(parts) != 2 or not all(parts):
                problems.add(path, f"'references: {col.references}' must be 'table.column' (or 'auth.users.id')")
                continue
            fk = _foreign_key(tname, (col_name,), parts[0], (parts[1],), col.on_delete or "no action", None, path, tables, all_names, problems)
            if fk:
                fks.append(fk)
        for i, f in enumerate(spec.foreign_keys):
            path = ("tables", tname, "foreign_keys", i)
            if not _explicit_name(f.name, path, problems):
                continue
            missing = [c for c in f.columns if not table.has_column(c)]
            if missing:
                problems.add(path + ("columns",), f"foreign key names unknown column '{missing[0]}' of table '{tname}'")
                continue
            if len(f.columns) != len(f.references.columns):
                problems.add(path + ("references", "columns"), f"foreign key has {len(f.columns)} columns but references {len(f.references.columns)}; make them match")
                continue
            if f.on_delete == "set null":
                for c in f.columns:
                    if not table.column(c).nullable:
                        problems.add(path + ("on_delete",), f"'on_delete: set null' needs nullable columns; '{c}' is not")
            fk = _foreign_key(tname, tuple(f.columns), f.references.table, tuple(f.references.columns), f.on_delete, f.name, path + ("references",), tables, all_names, problems)
            if fk:
                fks.append(dataclasses.replace(fk, pos=problems.loaded.pos(path)))
        tables[tname] = dataclasses.replace(table, foreign_keys=tuple(fks))


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
) -> ForeignKey | None:
    table = tables[tname]
    if target in EXTERNAL_TABLES:
        schema, ref_table = target.split(".")
        ref_types = EXTERNAL_TABLES[target]
        unknown = [c for c in ref_columns if c not in ref_types]
        if unknown:
            problems.add(path, f"{target} has no column '{unknown[0]}'; schemac knows {target}({', '.join(ref_types)})")
            return None
        types = [ref_types[c] for c in ref_columns]
    elif "." in target:
        problems.add(path, f"unknown table '{target}'; a foreign key may point at a table of this spec or at {', '.join(EXTERNAL_TABLES)}")
        return None
    elif target not in tables:
        if target not in all_names:
            close = difflib.get_close_matches(target, sorted(all_names), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"tables: {', '.join(sorted(all_names))}"
            problems.add(path, f"references unknown table '{target}'; {hint}")
        return None
    else:
        schema, ref_table = "public", target
        ref = tables[target]
        unknown = [c for c in ref_columns if not ref.has_column(c)]
        if unknown:
            close = difflib.get_close_matches(unknown[0], [c.name for c in ref.columns], n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.add(path, f"references unknown column '{unknown[0]}' of table '{target}'{hint}")
            return None
        keys = [ref.primary_key.columns] if ref.primary_key else []
        keys += [u.columns for u in ref.uniques]
        keys += [ix.columns for ix in ref.indexes if ix.unique and ix.where is None]
        if not any(set(k) == set(ref_columns) for k in keys):
            problems.add(path, f"{target}({', '.join(ref_columns)}) is neither its primary key nor unique; PostgreSQL can only reference a key: point at the primary key or add a unique constraint")
            return None
        types = [ref.column(c).type for c in ref_columns]
    for c, t in zip(columns, types):
        mine = table.column(c).type
        if mine != t:
            problems.add(path, f"'{tname}.{c}' is {mine.sql} but the referenced column is {t.sql}; make the types match")
            return None
    return ForeignKey(
        name or naming.foreign_key(tname, columns), columns, schema, ref_table, ref_columns, on_delete, problems.loaded.pos(path)
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
