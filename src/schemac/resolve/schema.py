"""Validate loaded YAML against the spec language and resolve it into the model.

Grammar problems come from Pydantic; meaning problems (unknown tables, columns,
enums, bad defaults, duplicate names) are found here. Every problem is collected
with its position and raised together, so one run shows them all.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import hashlib
from dataclasses import dataclass
from typing import Any

from . import naming
from .column_types import EXTENSION_TYPES, SERIAL_TYPES, TYPE_LIST, build_default, parse_type, type_range_problem
from ..errors import SpecError, SpecErrors
from .externals import build_externals, foreign_key_targets, resolve_external_policies
from .foreign_keys import resolve_foreign_keys
from ..spec.grammar import kind_of, validate, validate_each, validate_tables
from ..inject import normalise, path_problem
from .lint_config import MIN_REASON_WORDS, build_lint
from ..spec.load import Loaded, Path
from ..model import (
    CLASSIFICATIONS,
    PROFILES,
    updated_at_function,
    USER_OPERATIONS,
    Check,
    Column,
    ColumnType,
    Default,
    DocTarget,
    Enum,
    Domain,
    Exclusion,
    Extension,
    Identity,
    Index,
    IndexElement,
    LintConfig,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    default_vocabulary,
)
from .policies import resolve_policies
from .problems import Problems, explicit_name
from ..spec.language import ColumnSpec, CommentsSpec, DocsSpec, DomainSpec, EnumSpec, EnumValueSpec, ExtensionSpec, ExternalTableSpec, IdentitySpec, FunctionSpec, IndexElementSpec, Spec, SqlBlockSpec, TableSpec, TimestampsSpec, TriggerSpec, TypeScriptSpec, ViewSpec
from ..sqltext import quote_ident, quote_literal
from .expressions import BACKFILL, CHECK, DEFAULT, DOMAIN_CHECK, GENERATED, INDEX_EXPRESSION, INDEX_PREDICATE, TYPE_CHANGE_USING, Scope
from .functions import build_functions
from .triggers import build_triggers
from .views import build_views
from .sql_blocks import build_sql_blocks


# Every PostgreSQL table has these hidden columns; a user column may not take their names.
SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})
COLLATABLE = frozenset({"text", "varchar", "char"})


def build_schema(loaded: Loaded, source_bytes: bytes, source_name: str) -> Schema:
    """Validate and resolve a loaded spec; raise SpecErrors listing every problem."""
    problems = Problems(loaded)
    problems.errors.extend(loaded.errors)
    data = loaded.data
    if not isinstance(data, dict):
        problems.add((), "the spec must be a mapping with a 'tables' key at the top level")
        raise SpecErrors(problems.errors)

    top = {k: v for k, v in data.items() if k not in ("enums", "tables", "docs", "extensions", "comments", "domains", "typescript", "external", "functions", "triggers", "views", "sql")}
    validate(Spec, {**top, "tables": {"_": None}}, (), problems, skip=("tables",))
    docs_spec = _validate_docs(data.get("docs"), problems)
    postgrest_version = _postgrest_version(data.get("typescript"), problems)
    enum_specs = validate_each(EnumSpec, data.get("enums", {}), ("enums",), problems)
    extensions = _build_extensions(validate_each(ExtensionSpec, data.get("extensions", {}), ("extensions",), problems), problems)
    if "tables" not in data:
        problems.add((), "missing required key 'tables'; list the tables of the schema under it")
    elif not data["tables"]:
        problems.add(("tables",), "'tables' is empty; declare at least one table under it")
    broken_columns: dict[str, set[str]] = {}
    table_specs = validate_tables(data.get("tables", {}), problems, broken_columns)

    enums = _build_enums(enum_specs, problems)
    vocabulary = _vocabulary(data, problems)
    comments = _validate_section(CommentsSpec, data.get("comments"), "comments", problems) or CommentsSpec()
    context = Context(enums, {e.name: e for e in extensions}, vocabulary=vocabulary)
    domains = _build_domains(validate_each(DomainSpec, data.get("domains", {}), ("domains",), problems), context, problems)
    context = Context(enums, context.extensions, domains, vocabulary=vocabulary, comments=comments)
    tables = [_build_table(name, spec, context, problems, broken_columns.get(name, set())) for name, spec in table_specs.items()]
    tables_by_name = {t.name: t for t in tables if t is not None}
    all_table_names = set(data.get("tables", {}) or {})
    external_specs = validate_each(ExternalTableSpec, data.get("external", {}), ("external",), problems)
    externals = build_externals(external_specs, {"public"} | {t.schema for t in tables_by_name.values()}, problems)
    resolve_foreign_keys(tables_by_name, table_specs, all_table_names, problems, foreign_key_targets(externals))
    _check_relation_names(tables_by_name, problems)
    resolve_policies(tables_by_name, table_specs, problems)
    externals = resolve_external_policies(externals, external_specs, tables_by_name, problems)
    lint = build_lint(data.get("lint"), tables_by_name, all_table_names, problems)
    doc_targets = _build_doc_targets(docs_spec, problems)
    function_specs = validate_each(FunctionSpec, data.get("functions", {}), ("functions",), problems)
    functions = build_functions(function_specs, tables_by_name, problems)
    trigger_specs = validate_each(TriggerSpec, data.get("triggers", {}), ("triggers",), problems)
    declared = set(data.get("functions") or {}) if isinstance(data.get("functions"), dict) else set()
    view_specs = validate_each(ViewSpec, data.get("views", {}), ("views",), problems)
    views = build_views(view_specs, tables_by_name, declared, problems, classification_required=vocabulary.required)
    triggers = build_triggers(
        trigger_specs, tables_by_name, {f.name: f for f in functions}, declared, problems, {v.name: v for v in views},
        {e.name: e.schema for e in extensions},
    )
    views = tuple(dataclasses.replace(v, classification_tag=comments.classification_tag) for v in views)
    sql_blocks = build_sql_blocks(validate_each(SqlBlockSpec, data.get("sql", {}), ("sql",), problems), problems)
    if problems.errors:
        partial = _clean_part(tables_by_name, enums, lint, problems, loaded, source_bytes, source_name, vocabulary)
        raise SpecErrors(problems.errors, partial)
    ordered = tuple(tables_by_name[name] for name in table_specs)
    return Schema(
        pos=problems.loaded.pos(("tables",)),
        tables=ordered,
        enums=tuple(enums.values()),
        source=source_name,
        source_sha256=hashlib.sha256(source_bytes).hexdigest(),
        lint=lint,
        profile=vocabulary.profile,
        classifications=vocabulary.classes,
        doc_targets=doc_targets,
        extensions=extensions,
        functions=functions,
        triggers=triggers,
        views=views,
        sql_blocks=sql_blocks,
        domains=tuple(domains.values()),
        externals=externals,
        postgrest_version=postgrest_version,
        er_direction=docs_spec.er_direction if docs_spec else "TB",
    )


@dataclass(frozen=True)
class Vocabulary:
    """The profile and its classes: which classes a column may carry, and whether it must carry one."""

    profile: str
    classes: tuple[str, ...]

    @property
    def required(self) -> bool:
        return self.profile == "phi"


def _vocabulary(data: dict, problems: Problems) -> Vocabulary:
    """The spec's profile and classification vocabulary; the PHI profile keeps its three classes."""
    profile = data.get("profile", "phi")
    if profile not in PROFILES:
        profile = "phi"  # already reported by the grammar
    raw = data.get("classifications")
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        return Vocabulary(profile, default_vocabulary(profile))  # a wrong shape is reported by the grammar
    classes = tuple(raw)
    for i, c in enumerate(classes):
        if problems.name(("classifications", i), c, "classification") and c in classes[:i]:
            problems.add(("classifications", i), f"classification '{c}' is listed twice; list each class once")
    if profile == "phi" and classes != CLASSIFICATIONS:
        problems.add(
            ("classifications",),
            f"the phi profile's classes are {', '.join(CLASSIFICATIONS)} (its rules are written for them); remove 'classifications', or choose 'profile: general' for your own",
        )
        return Vocabulary(profile, CLASSIFICATIONS)
    return Vocabulary(profile, classes)


def _classification(stated: str | None, path: Path, vocabulary: Vocabulary, problems: Problems) -> str | None:
    """A stated class, checked against the vocabulary (None when not stated or not in it)."""
    if stated is None:
        return None
    if stated not in vocabulary.classes:
        close = difflib.get_close_matches(stated, vocabulary.classes, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.add(path, f"unknown classification '{stated}'; {hint}the {vocabulary.profile} profile's classes are: {', '.join(vocabulary.classes)} (set your own with top-level 'classifications:' under profile general or none)")
        return None
    return stated


@dataclass(frozen=True)
class Context:
    """What a table's columns may name beyond the table itself: enums and extensions."""

    enums: dict[str, Enum]
    extensions: dict[str, Extension]
    domains: dict[str, Domain] = dataclasses.field(default_factory=dict)
    vocabulary: "Vocabulary | None" = None  # always set by build_schema
    comments: CommentsSpec = dataclasses.field(default_factory=CommentsSpec)  # how tables' comments are written


def _build_extensions(specs: dict[str, ExtensionSpec], problems: Problems) -> tuple[Extension, ...]:
    extensions = []
    for name, spec in specs.items():
        path = ("extensions", name)
        if problems.name(path, name, "extension") & problems.name(path + ("schema",), spec.schema_, "schema"):
            extensions.append(Extension(name, spec.schema_, problems.loaded.pos(path)))
    return tuple(extensions)


def _clean_part(tables: dict[str, Table], enums: dict[str, Enum], lint: LintConfig, problems: Problems, loaded: Loaded,
                source_bytes: bytes, source_name: str, vocabulary: Vocabulary) -> Schema | None:
    """The tables with no error anywhere in their part of the file, as a Schema compliance rules can check."""
    raw = loaded.data.get("tables") if isinstance(loaded.data, dict) else None
    if not isinstance(raw, dict):
        return None
    starts = sorted((loaded.position(loaded.key_index(("tables", n))).line, n) for n in raw if loaded.key_index(("tables", n)) is not None)
    bad_lines = sorted(e.pos.line for e in problems.errors)
    clean = []
    for i, (line, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else float("inf")
        if name in tables and not any(line <= b < end for b in bad_lines):
            clean.append(tables[name])
    if not clean:
        return None
    names = {t.name for t in clean}
    waivers = tuple(w for w in lint.waivers if w.table in names)  # a waiver of a left-out table would look unused
    return Schema(
        tuple(clean), tuple(enums.values()), source_name, hashlib.sha256(source_bytes).hexdigest(), LintConfig(lint.severities, waivers),
        profile=vocabulary.profile, classifications=vocabulary.classes,
    )


def _validate_section(model, value: Any, key: str, problems: Problems):
    """A top-level mapping section validated on its own (its parsed value is needed, not only its errors)."""
    if value is not None and not isinstance(value, dict):
        problems.add((key,), f"'{key}' must be a mapping (got {kind_of(value)})")
        return None
    return validate(model, value or {}, (key,), problems)


def _validate_docs(value: Any, problems: Problems) -> DocsSpec | None:
    if value is not None and not isinstance(value, dict):
        problems.add(("docs",), f"'docs' must be a mapping, e.g. docs: {{inject: [docs/schema.md]}} (got {kind_of(value)})")
        return None
    return validate(DocsSpec, value or {}, ("docs",), problems)


POSTGREST_VERSION = re.compile(r"\d{1,4}(\.\d{1,4}){0,2}( \([0-9a-f]{4,40}\))?")


def _postgrest_version(value: Any, problems: Problems) -> str:
    """typescript.postgrest_version: a version as `supabase gen types` writes it ("13", "12.2.3", "12.2.3 (519615d)")."""
    if value is not None and not isinstance(value, dict):
        problems.add(("typescript",), f"'typescript' must be a mapping, e.g. typescript: {{postgrest_version: \"13\"}} (got {kind_of(value)})")
        return "12"
    spec = validate(TypeScriptSpec, value or {}, ("typescript",), problems)
    if spec is None:
        return "12"
    if not POSTGREST_VERSION.fullmatch(spec.postgrest_version):
        problems.add(
            ("typescript", "postgrest_version"),
            f"postgrest_version '{spec.postgrest_version}' is not a version; write it as supabase gen types does, e.g. \"13\" or \"12.2.3\"",
        )
        return "12"
    return spec.postgrest_version


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
        values = [v.value if isinstance(v, EnumValueSpec) else v for v in spec.values]
        renamed: list[tuple[str, str]] = []
        for i, (item, value) in enumerate(zip(spec.values, values)):
            if value in seen:
                problems.add(path + ("values", i), f"enum value '{value}' is listed twice; remove the duplicate")
            if value == "" or "\x00" in value:
                problems.add(path + ("values", i), "enum values must be non-empty text without NUL characters")
            elif spec.native and len(value.encode("utf-8")) > 63:
                problems.add(path + ("values", i), "a PostgreSQL enum type's labels are at most 63 bytes; shorten the value or drop 'native: true'")
            seen.add(value)
            if isinstance(item, EnumValueSpec):
                if item.renamed_from in values or item.renamed_from == "" or "\x00" in item.renamed_from:
                    problems.add(path + ("values", i, "renamed_from"), f"'renamed_from: {item.renamed_from}' must name the value's old spelling, which is no longer a value of the enum; correct it or remove the hint")
                else:
                    renamed.append((item.renamed_from, value))
        value_pos = tuple(problems.loaded.pos(path + ("values", i)) for i in range(len(values)))
        enums[name] = Enum(name, tuple(values), spec.description, problems.loaded.pos(path), native=spec.native, renamed_values=tuple(renamed), value_pos=value_pos)
    return enums


# ---------------------------------------------------------------- tables


def _build_table(name: str, spec: TableSpec, context: Context, problems: Problems, broken: set[str]) -> Table | None:
    path: Path = ("tables", name)
    pos = problems.loaded.pos
    problems.name(path, name, "table")

    columns: list[Column] = []
    checks: list[Check] = []
    uniques: list[Unique] = []
    pk_columns: list[str] = []
    for col_name, col in spec.columns.items():
        cpath = path + ("columns", col_name)
        column = _build_column(name, col_name, col, spec, context, cpath, problems)
        if column is None:
            continue
        columns.append(column)
        if col.primary_key:
            pk_columns.append(col_name)
        if col.unique:
            uniques.append(Unique(naming.unique(name, (col_name,)), (col_name,), pos(cpath + ("unique",))))
        if column.enum and not context.enums[column.enum].native:
            values = ", ".join(quote_literal(v) for v in context.enums[column.enum].values)
            checks.append(
                Check(
                    naming.check(name, col_name),
                    f'"{col_name}" IN ({values})',
                    f"{col_name} is one of the values of enum {column.enum}",
                    column.enum,
                    pos(cpath + ("enum",)),
                )
            )

    stamps = _timestamp_columns(spec)
    if stamps:
        for ts, label in zip(stamps, ("created", "updated")):
            if ts in spec.columns:
                problems.add(
                    path + ("columns", ts),
                    f"'{ts}' is added by 'timestamps'; remove this column or set timestamps: false",
                )
                continue
            if not problems.name(path + ("timestamps",) + ((label,) if isinstance(spec.timestamps, TimestampsSpec) else ()), ts, "timestamp column"):
                continue
            columns.append(
                Column(
                    ts,
                    ColumnType("timestamptz"),
                    False,
                    Default("now()", function="now()"),
                    "When the row was created." if label == "created" else "When the row was last changed (maintained by trigger).",
                    "administrative" if context.vocabulary.profile == "phi" else (spec.classification if spec.classification in context.vocabulary.classes else None),
                    False,
                    None,
                    pos(path + ("timestamps",)),
                    generated_by="timestamps",
                )
            )
        if stamps[0] == stamps[1]:
            problems.add(path + ("timestamps",), "the created and updated timestamp columns need different names")
    col_names = {c.name for c in columns} | set(spec.columns)
    quiet = broken  # columns that already have a grammar error: no "unknown column" noise for them

    def known(cols: list[str], where: Path, what: str, exact: bool = False) -> bool:
        """Every column exists (an error at where + (i,), or at where itself when exact) and none is listed twice."""
        ok = True
        for i, c in enumerate(cols):
            if c in quiet:
                ok = False
            elif c not in col_names:
                close = difflib.get_close_matches(c, sorted(col_names), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; columns of {name}: {', '.join(sorted(col_names))}"
                problems.add(where if exact else where + (i,), f"{what} names unknown column '{c}' of table '{name}'{hint}")
                ok = False
        if len(set(cols)) != len(cols):
            problems.add(where, f"{what} lists a column twice; list each column once")
            ok = False
        return ok

    primary_key = None
    pk_name = naming.primary_key(name)
    if spec.primary_key_name is not None:
        if problems.name(path + ("primary_key_name",), spec.primary_key_name, "constraint"):
            pk_name = spec.primary_key_name
        if spec.primary_key is None and not pk_columns:
            problems.add(path + ("primary_key_name",), "'primary_key_name' names a primary key, but the table has none; add 'primary_key: true' to its column (or 'primary_key: [...]' here), or remove the name")
    if spec.primary_key is not None:
        if pk_columns:
            problems.add(path + ("primary_key",), "the primary key is given both here and by 'primary_key: true' on a column; keep one")
        elif known(spec.primary_key, path + ("primary_key",), "primary_key"):
            primary_key = PrimaryKey(pk_name, tuple(spec.primary_key), pos(path + ("primary_key",)))
    elif len(pk_columns) > 1:
        problems.add(
            path + ("columns", pk_columns[1], "primary_key"),
            f"more than one column says primary_key: true; for a composite key write 'primary_key: [{', '.join(pk_columns)}]' on the table",
        )
    elif pk_columns:
        primary_key = PrimaryKey(pk_name, tuple(pk_columns), pos(path + ("columns", pk_columns[0], "primary_key")))
    if primary_key:
        for c in columns:
            if c.name in primary_key.columns and c.nullable:
                problems.add(path + ("columns", c.name, "nullable"), f"'{c.name}' is part of the primary key and cannot be nullable; remove 'nullable: true'")

    for i, u in enumerate(spec.unique):
        upath = path + ("unique", i)
        if known(u.columns, upath + ("columns",), "unique constraint") and explicit_name(u.name, upath, problems):
            uniques.append(Unique(u.name or naming.unique(name, tuple(u.columns)), tuple(u.columns), pos(upath), u.nulls_not_distinct, _old_name(u.renamed_from, upath, problems)))

    scope = Scope(name, frozenset(col_names))
    for i, column in enumerate(columns):  # migration hints: read by PostgreSQL's parser like every expression
        cspec = spec.columns.get(column.name)
        if cspec is None or (cspec.backfill is None and cspec.using is None):
            continue
        cpath = path + ("columns", column.name)
        hints = {}
        for key, place in (("backfill", BACKFILL), ("using", TYPE_CHANGE_USING)):
            if getattr(cspec, key) is not None:
                hints[key] = problems.expression(cpath + (key,), getattr(cspec, key), place, scope)
        columns[i] = dataclasses.replace(column, **hints)
    for i, c in enumerate(spec.checks):
        chpath = path + ("checks", i)
        expression = problems.expression(chpath + ("expression",), c.expression, CHECK, scope)
        if expression is None:
            continue
        if explicit_name(c.name, chpath, problems):
            label = c.name or (f"check{i + 1}" if len(spec.checks) > 1 else "row")
            checks.append(Check(c.name or naming.check(name, label), expression, c.description, None, pos(chpath), _old_name(c.renamed_from, chpath, problems)))

    indexes = []
    for i, ix in enumerate(spec.indexes):
        ipath = path + ("indexes", i)
        where = None
        if ix.where is not None and (where := problems.expression(ipath + ("where",), ix.where, INDEX_PREDICATE, scope)) is None:
            continue
        elements = [_index_element(e, ipath + ("columns", j), scope, known, problems) for j, e in enumerate(ix.columns)]
        plain_names = [e.column for e in elements if e is not None and e.column is not None]
        if ix.nulls_not_distinct and not ix.unique:
            problems.add(ipath + ("nulls_not_distinct",), "'nulls_not_distinct' applies to unique indexes; add 'unique: true' or remove it")
        if ix.using in ("hnsw", "ivfflat") and "vector" not in context.extensions:
            problems.add(ipath + ("using",), f"{ix.using} is an index method of the vector extension (pgvector); declare it: 'extensions: {{vector: {{schema: extensions}}}}'")
        if ix.using in ("hnsw", "ivfflat") and ix.unique:
            problems.add(ipath + ("unique",), f"an {ix.using} index cannot be unique (PostgreSQL refuses it); remove 'unique: true'")
        if ix.include and ix.using not in ("btree", "gist", "spgist"):
            problems.add(ipath + ("include",), f"INCLUDE columns need a btree, gist or spgist index, not {ix.using}")
        if len(set(plain_names)) != len(plain_names) and all(isinstance(e, str) for e in ix.columns):
            problems.add(ipath + ("columns",), "index lists a column twice; list each column once")
            continue
        if None in elements or not known(ix.include, ipath + ("include",), "index include"):
            continue
        if explicit_name(ix.name, ipath, problems):
            labels = tuple(e.label for e in elements)
            detailed = tuple(elements) if any(e != IndexElement(e.column) for e in elements) else ()
            indexes.append(
                Index(
                    ix.name or naming.index(name, tuple(e.column or "expr" for e in elements), ix.unique),
                    labels,
                    ix.unique,
                    where,
                    ix.using,
                    ix.description,
                    pos(ipath),
                    elements=detailed,
                    include=tuple(ix.include),
                    nulls_not_distinct=ix.nulls_not_distinct,
                    renamed_from=_old_name(ix.renamed_from, ipath, problems),
                )
            )

    exclusions = []
    for i, ex in enumerate(spec.exclude):
        epath = path + ("exclude", i)
        where = None
        if ex.where is not None and (where := problems.expression(epath + ("where",), ex.where, INDEX_PREDICATE, scope)) is None:
            continue
        pairs = []
        for j, el in enumerate(ex.elements):
            element = _index_element(el, epath + ("elements", j), scope, known, problems)
            if not OPERATOR_RE.fullmatch(el.with_) or "--" in el.with_ or "/*" in el.with_:
                problems.add(epath + ("elements", j, "with"), f"'{el.with_}' is not an operator; write one such as =, && or <>")
                element = None
            pairs.append((element, el.with_))
        if any(e is None for e, _ in pairs) or not explicit_name(ex.name, epath, problems):
            continue
        label = "_".join(e.column or "expr" for e, _ in pairs)  # type: ignore[union-attr]
        exclusions.append(Exclusion(ex.name or naming.exclusion(name, label), ex.using, tuple(pairs), where, ex.description, pos(epath)))  # type: ignore[arg-type]

    triggers = ()
    if stamps:
        triggers = (Trigger(naming.updated_at_trigger(name, stamps[1]), "BEFORE", ("UPDATE",), updated_at_function(stamps[1])),)

    return Table(
        name=name,
        description=spec.description,
        classification=_classification(spec.classification, path + ("classification",), context.vocabulary, problems),
        retention=spec.retention,
        log=spec.log,
        rls=spec.rls,
        timestamps=bool(stamps),
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
        realtime=spec.realtime,
        replica_identity=spec.replica_identity,
        keys=problems.keys(path, spec),
        exclusions=tuple(exclusions),
        timestamp_columns=stamps or ("created_at", "updated_at"),
        renamed_from=_old_name(spec.renamed_from, path, problems),
        schema=_table_schema(spec.schema_, path + ("schema",), problems),
        classification_tag=context.comments.classification_tag,
        comment_details=context.comments.table_details,
    )


# Schemas PostgreSQL or Supabase own: the app's tables there are declared under `external:`, never created.
PLATFORM_SCHEMAS = ("auth", "storage", "extensions", "information_schema", "realtime", "supabase_functions", "graphql", "graphql_public", "vault", "pgsodium")


def _table_schema(name: str, path: Path, problems: Problems) -> str:
    """The table's schema: an identifier, not one the platform owns."""
    if not problems.name(path, name, "schema"):
        return "public"
    if name in PLATFORM_SCHEMAS or name.startswith("pg_"):
        problems.add(path, f"schema '{name}' belongs to PostgreSQL or Supabase; put the table in public or a schema of the app's own (declare the platform's tables under 'external:')")
        return "public"
    return name


def _timestamp_columns(spec: TableSpec) -> tuple[str, str] | None:
    """(created, updated) column names when the table has timestamps."""
    if spec.timestamps is False:
        return None
    if spec.timestamps is True:
        return ("created_at", "updated_at")
    return (spec.timestamps.created, spec.timestamps.updated)


# PostgreSQL's operator characters (an operator name may not contain -- or /*, which start comments)
OPERATOR_RE = re.compile(r"[-+*/<>=~!@#%^&|`?]{1,63}")
NAME_RE = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")


def _index_element(spec: str | IndexElementSpec, path: Path, scope: Scope, known, problems: Problems) -> IndexElement | None:
    """A column name, or a mapping with a column or an expression and its options; None after reporting a problem."""
    if isinstance(spec, str):
        return IndexElement(spec) if known([spec], path, "index", exact=True) else None
    if (spec.column is None) == (spec.expression is None):
        problems.add(path, "an index element needs either 'column' or 'expression'; give one of them")
        return None
    if spec.column is not None and not known([spec.column], path + ("column",), "index", exact=True):
        return None
    expression = None
    if spec.expression is not None:
        expression = problems.expression(path + ("expression",), spec.expression, INDEX_EXPRESSION, scope)
        if expression is None:
            return None
    for key in ("opclass", "collation"):
        value = getattr(spec, key)
        if value is not None and not NAME_RE.fullmatch(value) and not (key == "collation" and COLLATION_RE.fullmatch(value)):
            problems.add(path + (key,), f"'{value}' is not {'an operator class' if key == 'opclass' else 'a collation'} name; write e.g. {'text_pattern_ops or extensions.gin_trgm_ops' if key == 'opclass' else 'C or und-x-icu'}")
            return None
    return IndexElement(spec.column, expression, spec.opclass, spec.collation, spec.order, spec.nulls)


COLLATION_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}")


def _old_name(old: str | None, path: Path, problems: Problems) -> str | None:
    """A `renamed_from` hint: a valid name, or None after reporting why not."""
    if old is None or not problems.name(path + ("renamed_from",), old, "renamed_from: the old"):
        return None
    return old


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
    table: str, name: str, spec: ColumnSpec, tspec: TableSpec, context: Context, path: Path, problems: Problems
) -> Column | None:
    ok = problems.name(path, name, "column")
    if ok and name in SYSTEM_COLUMNS:
        problems.add(path, f"'{name}' is a PostgreSQL system column name; every table already has one: rename the column")
        ok = False
    enums = context.enums
    if spec.enum is not None and spec.type is not None and parse_type(spec.type) != ColumnType("text"):
        problems.add(path + ("type",), f"an enum column is stored as text; remove 'type: {spec.type}' (keep 'enum: {spec.enum}')")
        return None
    serial = None
    if spec.enum is not None:
        if spec.enum not in enums:
            close = difflib.get_close_matches(spec.enum, sorted(enums), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "declare it under 'enums:'"
            problems.add(path + ("enum",), f"unknown enum '{spec.enum}'; {hint}")
            return None
        ctype = ColumnType(spec.enum, schema="public") if enums[spec.enum].native else ColumnType("text")
    elif spec.type is None:
        problems.add(path, f"column '{name}' needs a 'type' (or an 'enum')")
        return None
    elif " ".join(spec.type.lower().split()) in SERIAL_TYPES:
        serial = " ".join(spec.type.lower().split())
        ctype = ColumnType(SERIAL_TYPES[serial])
        serial = {"serial2": "smallserial", "serial4": "serial", "serial8": "bigserial"}.get(serial, serial)
    else:
        ctype = _resolve_type(spec.type, path + ("type",), context, problems)
        if ctype is None:
            return None
    if spec.classification is not None:
        classification = _classification(spec.classification, path + ("classification",), context.vocabulary, problems)
        ok = ok and classification is not None
    else:
        classification = tspec.classification if tspec.classification in context.vocabulary.classes else None
    if classification is None and spec.classification is None and context.vocabulary.required:
        problems.add(
            path,
            f"column '{name}' has no classification; add 'classification: {'|'.join(context.vocabulary.classes)}' "
            "to the column, or a default 'classification' to the table (or choose 'profile: general' or 'none', where classification is optional)",
        )
        return None
    for key in ("on_delete", "on_update", "match"):
        if getattr(spec, key) is not None and spec.references is None:
            problems.add(path + (key,), f"'{key}' needs 'references' on the same column")
    for key in ("deferrable", "initially_deferred"):
        if getattr(spec, key) and spec.references is None:
            problems.add(path + (key,), f"'{key}' needs 'references' on the same column")
    if spec.initially_deferred and not spec.deferrable:
        problems.add(path + ("initially_deferred",), "'initially_deferred: true' needs 'deferrable: true' as well")
    for key in ("on_delete", "on_update"):
        if getattr(spec, key) == "set null" and not spec.nullable:
            problems.add(path + (key,), f"'{key}: set null' needs a nullable column; add 'nullable: true' to '{name}'")
    value_sources = [k for k in ("default", "default_expression", "identity", "generated") if getattr(spec, k) is not None]
    if serial:
        value_sources.insert(0, "type")
    if len(value_sources) > 1:
        first, second = value_sources[:2]
        what = f"'type: {serial}' makes a sequence default" if first == "type" else f"'{first}'"
        problems.add(path + (second,), f"{what} and '{second}' both decide the column's value; keep one")
        return None
    default = None
    if spec.default is not None:
        literal_type = dataclasses.replace(ctype.of, array=ctype.array) if ctype.of is not None else ctype  # a domain's literal is its type's
        default = build_default(spec.default, literal_type, enums.get(spec.enum) if spec.enum else None, path + ("default",), problems)
    elif spec.default_expression is not None:
        sql = problems.expression(path + ("default_expression",), spec.default_expression, DEFAULT, Scope(table))
        default = Default(sql, expression=True) if sql is not None else None
    identity = None
    if spec.identity is not None:
        identity = _identity(spec.identity)
        if ctype.array or (ctype.of or ctype).base not in ("smallint", "integer", "bigint"):
            problems.add(path + ("identity",), f"an identity column must be smallint, integer or bigint, not {ctype.sql}")
    if (identity or serial) and spec.nullable:
        problems.add(path + ("nullable",), f"an {'identity' if identity else 'serial'} column is always NOT NULL; remove 'nullable: true'")
    generated = None
    if spec.generated is not None:
        own = frozenset(tspec.columns) | frozenset(_timestamp_columns(tspec) or ())
        generated = problems.expression(path + ("generated",), spec.generated, GENERATED, Scope(table, own - {name}))
    collation = None
    if spec.collation is not None:
        if (ctype.of or ctype).base not in ("text", "varchar", "char", "citext") or spec.enum is not None:
            problems.add(path + ("collation",), f"a collation applies to text types, not {ctype.sql}; remove 'collation'")
        elif not spec.collation or "\x00" in spec.collation or len(spec.collation.encode()) > 63:
            problems.add(path + ("collation",), "a collation is a name such as C, POSIX or und-x-icu")
        else:
            collation = spec.collation
    if serial:
        sequence = naming.serial_sequence(table, name)
        default = Default(f"nextval({quote_literal(sequence)}::regclass)", function="nextval", expression=True)
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
        identity=identity,
        serial=serial,
        generated=generated,
        collation=collation,
        renamed_from=_old_name(spec.renamed_from, path, problems),
    )


def _resolve_type(text: str, path: Path, context: Context, problems: Problems) -> ColumnType | None:
    """A spec type string as a ColumnType: built-in, a declared domain, or an extension's type."""
    words = " ".join(text.strip().split())
    name, array = (words[:-2], True) if words.endswith("[]") else (words, False)
    if name in context.domains:
        domain = context.domains[name]
        return ColumnType(name, (), array, schema="public", of=domain.type)
    ctype = parse_type(text)
    if ctype is None:
        domains = f"; or a domain: {', '.join(sorted(context.domains))}" if context.domains else ""
        problems.add(path, f"unknown column type '{text}'; use one of: {TYPE_LIST}{domains}")
        return None
    if problem := type_range_problem(ctype):
        problems.add(path, f"{problem}; PostgreSQL would refuse 'type: {text}'")
        return None
    if ctype.schema == "?":
        extension = EXTENSION_TYPES[ctype.base]
        if extension not in context.extensions:
            problems.add(path, f"{ctype.base} comes from the {extension} extension; declare it: 'extensions: {{{extension}: {{schema: extensions}}}}'")
            return None
        ctype = dataclasses.replace(ctype, schema=context.extensions[extension].schema)
    return ctype


def _build_domains(specs: dict[str, DomainSpec], context: Context, problems: Problems) -> dict[str, Domain]:
    domains: dict[str, Domain] = {}
    for name, spec in specs.items():
        path = ("domains", name)
        if not problems.name(path, name, "domain"):
            continue
        if name in context.enums:
            problems.add(path, f"'{name}' is already an enum; give the domain another name")
            continue
        ctype = _resolve_type(spec.type, path + ("type",), Context(context.enums, context.extensions, {}), problems)
        check = None
        if spec.check is not None:
            check = problems.expression(path + ("check",), spec.check, DOMAIN_CHECK, Scope(f"domain {name}", frozenset({"value"})))
            if check is None:
                continue
        if ctype is not None:
            domains[name] = Domain(name, ctype, check, spec.description, problems.loaded.pos(path))
    return domains


def _identity(spec: str | IdentitySpec) -> Identity:
    if isinstance(spec, str):
        return Identity(spec)
    return Identity(spec.generated, spec.start, spec.increment, spec.min_value, spec.max_value, spec.cache, spec.cycle)


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
        for ex in t.exclusions:
            claim(ex.name, f"an exclusion constraint on {t.name}", ex.pos)
        seen: set[str] = set()
        named = [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.checks, *t.foreign_keys, *t.exclusions]
        for c in named:
            if c.name in seen:
                problems.errors.append(SpecError(c.pos, f"constraint name '{c.name}' is used twice on table {t.name}; give one of them another name"))
            seen.add(c.name)
