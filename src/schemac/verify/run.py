"""Prove a live database is exactly the spec: apply, read the catalog, compare.

The comparison is the planner's: the catalog read into the model (db/inspector.py) and the
spec with server-spelled expressions (verify/expected.py) go through the differ
(schemac.plan.diff), so a difference verify names is a change a migration can make, and the
reverse.

Expressions (defaults, CHECKs, index predicates) are compared in the server's own
normalized form: the expected ones are rendered by creating them on temporary
tables in a transaction that is rolled back, so both sides are spelled by the
same PostgreSQL. Index, key and trigger definitions are built on those temporary
tables from the emitter's own statements too. The updated_at trigger function is
compared the same way: the emitter's own CREATE FUNCTION is run in pg_temp and read
back with the same reader.

A database given by URL is never given the Supabase stand-in unasked: its SQL
grants privileges on every table of `public`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import psycopg

from ..db.apply import ApplyError, applied_rows, apply_migrations, connect, pending_migrations
from ..db.catalog import (
    COLUMNS_SQL,
    DOMAINS_SQL,
    TRIGGER_DEFINITION,
    LiveColumn,
    LiveConstraint,
    LiveFunction,
    LiveSchema,
    LiveTable,
    LiveView,
    index_tail,
    public_search_path,
    read_functions,
    read_schema,
    read_schemas,
    read_triggers,
    read_views,
    trigger_tail,
)
from ..db.inspector import schema_from_catalog
from ..db.rollback import rolled_back
from ..db.server import has_auth_users, throwaway_server
from ..migrations.project import HistoryProblems, open_history, pending_changes
from ..emit.routines import create_function_sql, function_comment_sql, function_grants_sql
from ..emit.views import create_view_sql, view_column_comment, view_comment, view_index_sql
from ..emit.sql import column_comment, column_sql, domain_sql, exclusion_sql, render_index, unique_sql, render_trigger, table_comment, timestamp_update_columns, updated_at_function_sql
from .matching import differ, pair_by_name
from ..model import UPDATED_AT_FUNCTION, Schema, Table, Trigger, updated_at_function
from ..resolve import naming
from ..sqltext import qualified, quote_ident, quote_literal
from .sql_objects import build_reference, compare_sql_objects, without_sql_objects
from ..plan.changes import (
    AddColumn,
    AddIdentity,
    DropGenerated,
    DropIdentity,
    SetGenerated,
    AddConstraint,
    AddIndex,
    AddPolicy,
    AddTable,
    AddTrigger,
    AlterColumnType,
    Change,
    DropColumn,
    DropConstraint,
    DropDefault,
    DropIndex,
    DropNotNull,
    DropPolicy,
    DropTable,
    DropTrigger,
    RenameConstraint,
    RenameIndex,
    SetColumnComment,
    SetDefault,
    SetRealtime,
    SetReplicaIdentity,
    SetNotNull,
    SetRowLevelSecurity,
    SetTableComment,
)
from ..plan.diff import diff_schemas
from .expected import expected_model
from .externals import compare_externals
from .policies import ExpectedPolicy, compare_policies, normalize_policies


@dataclass
class Report:
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0


@dataclass
class Normalized:
    """Server-spelled expressions, keyed by (table, name)."""

    defaults: dict[tuple[str, str], str | None]
    checks: dict[tuple[str, str], str]
    predicates: dict[tuple[str, str], str]
    index_definitions: dict[tuple[str, str], str] = field(default_factory=dict)  # from USING on
    key_definitions: dict[tuple[str, str], str] = field(default_factory=dict)  # PRIMARY KEY (...) / UNIQUE (...)
    policies: dict[tuple[str, str], ExpectedPolicy] = field(default_factory=dict)
    functions: dict[str, LiveFunction] = field(default_factory=dict)
    # from the timing keyword on (see trigger_tail), or why the server could not create the trigger
    trigger_definitions: dict[tuple[str, str], str] = field(default_factory=dict)
    trigger_problems: dict[tuple[str, str], str] = field(default_factory=dict)
    columns: dict[tuple[str, str], LiveColumn] = field(default_factory=dict)  # each column as the migration defines it
    unbuilt: dict[str, str] = field(default_factory=dict)  # table -> why its columns could not be built here
    index_columns: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # as pg_get_indexdef names each key column
    domains: dict[str, str] = field(default_factory=dict)  # each domain as the migration defines it, read like a live one
    spec_functions: frozenset[str] = frozenset()  # keys of `functions` from the spec's section (arguments, grants, comments compared)
    # triggers the spec puts on tables it does not own (auth.users), keyed by "schema.table"
    external_triggers: dict[str, tuple[Trigger, ...]] = field(default_factory=dict)
    views: dict[str, LiveView] = field(default_factory=dict)  # each spec view built as a temporary view, read back
    view_problems: dict[str, str] = field(default_factory=dict)  # why the server could not build one
    function_problems: dict[str, str] = field(default_factory=dict)  # function name -> why the server could not build it


class Refused(Exception):
    """Verify cannot run on this database at all; the message is one line for the user."""


def run_verify(schema: Schema, spec: str, out_dir: str, database_url: str | None, connect_timeout: int = 10) -> Report:
    """Prove a database is the spec.

    Without a URL: a throwaway server with the Supabase stand-in, every migration applied
    through `apply` (each proven against its recorded state), then compared with the spec.
    With a URL: only compared; verify never changes a database it did not create (`schemac
    apply` does that), and says which migrations it has not recorded yet.
    """
    report = Report()
    try:
        history = open_history(spec, out_dir)
    except HistoryProblems as exc:
        report.differences += exc.problems
        return report
    if database_url is None:
        if not history.migrations and not history.legacy:
            report.differences.append(f"no compiled migrations in {history.settings.migrations_dir}; run `schemac compile`")
        elif not history.started:
            report.differences.append(f"{history.settings.sum_path}: missing; run `schemac compile` (it starts the migration history)")
        else:
            report.differences += pending_changes(history, schema)
        if report.differences:  # say so before starting a database
            return report
    with contextlib.ExitStack() as stack:
        throwaway = database_url is None
        if throwaway:
            database_url = stack.enter_context(throwaway_server())
            report.notes.append("started a throwaway PostgreSQL with the Supabase stand-in")
        with connect(database_url, connect_timeout) as conn:
            if throwaway:
                try:
                    result = apply_migrations(conn, history.migrations, lambda m: history.state(m.stem), throwaway=True)
                except ApplyError as exc:
                    report.differences += exc.lines
                    return report
                report.notes.append(f"applied {len(result.applied)} migration{'' if len(result.applied) == 1 else 's'}: {', '.join(result.applied)}")
            else:
                _require_auth_users(conn)
                pending, _ = pending_migrations(history.migrations, applied_rows(conn))
                if pending:
                    report.notes.append(
                        f"not recorded as applied here: {', '.join(m.stem for m in pending)} (`schemac plan` lists them, `schemac apply` applies them)"
                    )
            report.differences += catalog_differences(conn, schema, report)
            if schema.sql_blocks:
                if throwaway:  # built by the very migrations the reference would be built from
                    report.notes.append("the objects of the spec's sql: section are as the migrations create them")
                else:
                    reference = build_reference(history.migrations, lambda m: history.state(m.stem))
                    report.notes.append("built a reference database for the objects of the spec's sql: section")
                    with public_search_path(conn):
                        live = read_schema(conn)
                    report.checked += compare_sql_objects(schema, live, reference, report.differences)
        return report


def catalog_differences(conn: psycopg.Connection, schema: Schema, report: Report | None = None) -> list[str]:
    """Every difference between the live catalog and schema. Works inside an open transaction too
    (apply proving its uncommitted migration): the scratch objects go in a savepoint then."""
    with public_search_path(conn):
        live = read_schemas(conn, schema.schemas)
        normalized = normalize_expressions(conn, schema)
        external = {key: read_triggers(conn, *key.split(".")) for key in normalized.external_triggers}
        differences: list[str] = []
        checked = compare_schema(schema, live, normalized, differences)
        checked += compare_external_triggers(normalized, external, differences)
        checked += compare_externals(conn, schema, differences)
    if report is not None:
        report.checked = checked
    return differences


def _require_auth_users(conn: psycopg.Connection) -> None:
    if not has_auth_users(conn):
        raise Refused(
            f"{conn.info.dbname}: no auth.users: this does not look like a Supabase database; verify changes nothing. "
            "`schemac apply --install-stand-in` creates the minimal stand-in (roles anon/authenticated/service_role, auth.users, "
            "auth.uid(), default grants) before applying the migrations"
        )


def normalize_expressions(conn: psycopg.Connection, schema: Schema) -> Normalized:
    """Let the server spell every expected default, CHECK and index predicate, then roll back."""
    defaults: dict[tuple[str, str], str | None] = {}
    checks: dict[tuple[str, str], str] = {}
    predicates: dict[tuple[str, str], str] = {}
    index_definitions: dict[tuple[str, str], str] = {}
    key_definitions: dict[tuple[str, str], str] = {}
    trigger_definitions: dict[tuple[str, str], str] = {}
    trigger_problems: dict[tuple[str, str], str] = {}
    columns: dict[tuple[str, str], LiveColumn] = {}
    unbuilt: dict[str, str] = {}
    index_columns: dict[tuple[str, str], tuple[str, ...]] = {}
    with rolled_back(conn, "schemac_normalize"):
        for i, table in enumerate(schema.tables):
            tmp = f"schemac_norm_{i}"
            conn.execute("SAVEPOINT schemac_table")
            try:
                # the migration's own column definitions: types, collations, identity and generation as it writes them
                conn.execute(f"CREATE TEMP TABLE {tmp} ({', '.join(column_sql(c) for c in table.columns)}) ON COMMIT DROP")
            except psycopg.Error as exc:  # e.g. a native enum type or an extension the database lacks
                conn.execute("ROLLBACK TO SAVEPOINT schemac_table")
                unbuilt[table.name] = str(exc).strip().splitlines()[0]
                continue
            conn.execute("RELEASE SAVEPOINT schemac_table")
            for _t, name, *fields in conn.execute(COLUMNS_SQL + " c.oid = %s::regclass", (f"pg_temp.{tmp}",)):
                column = LiveColumn(*fields)
                if table.column(name).serial:  # the temporary sequence has the temporary table's name
                    column.default, column.sequence = table.column(name).default.sql, f"{table.schema}.{naming.serial_sequence(table.name, name)}"
                columns[(table.name, name)] = column
                defaults[(table.name, name)] = column.default
            for ch in table.checks:
                conn.execute(f"ALTER TABLE {tmp} ADD CONSTRAINT {quote_ident(ch.name)} CHECK ({ch.expression})")
                checks[(table.name, ch.name)] = conn.execute(
                    "SELECT pg_get_expr(conbin, conrelid) FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                    (f"pg_temp.{tmp}", ch.name),
                ).fetchone()[0]
            for j, ix in enumerate(table.indexes):
                temp_index = f"schemac_norm_{i}_{j}"
                conn.execute(render_index(table, ix, on=tmp, name=temp_index))
                predicate, definition, index_cols = conn.execute(
                    "SELECT pg_get_expr(indpred, indrelid), pg_get_indexdef(indexrelid), "
                    "ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.i::int + 1, true) FROM generate_subscripts(x.indkey, 1) k(i) ORDER BY k.i) "
                    "FROM pg_index x WHERE indexrelid = %s::regclass",
                    (f"pg_temp.{temp_index}",),
                ).fetchone()
                index_columns[(table.name, ix.name)] = tuple(c.strip('"') for c in index_cols)
                if predicate is not None:
                    predicates[(table.name, ix.name)] = predicate
                index_definitions[(table.name, ix.name)] = index_tail(definition)
            keys = [(f"PRIMARY KEY ({', '.join(quote_ident(c) for c in table.primary_key.columns)})", table.primary_key)] if table.primary_key else []
            keys += [(unique_sql(u), u) for u in table.uniques]
            keys += [(exclusion_sql(ex), ex) for ex in table.exclusions]
            for j, (definition, key) in enumerate(keys):
                temp_key = f"schemac_norm_{i}_key{j}"
                conn.execute("SAVEPOINT schemac_key")
                try:
                    conn.execute(f"ALTER TABLE {tmp} ADD CONSTRAINT {temp_key} {definition}")
                except psycopg.Error as exc:  # e.g. an exclusion constraint needing an extension the database lacks
                    conn.execute("ROLLBACK TO SAVEPOINT schemac_key")
                    key_definitions[(table.name, key.name)] = f"(cannot be built on this database: {str(exc).strip().splitlines()[0]})"
                    continue
                conn.execute("RELEASE SAVEPOINT schemac_key")
                key_definitions[(table.name, key.name)] = conn.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                    (f"pg_temp.{tmp}", temp_key),
                ).fetchone()[0]
            _expected_triggers(conn, table.name, schema.triggers_on("public", table.name), tmp, trigger_definitions, trigger_problems)
        # triggers on tables the spec does not own (auth.users) and on its views (INSTEAD OF), keyed "schema.relation";
        # every plain view is listed, so a trigger added to one by hand is extra
        views_of_spec = {f"public.{v.name}" for v in schema.views if not v.materialized}
        external: dict[str, tuple[Trigger, ...]] = {key: () for key in sorted(views_of_spec)}
        for trg in schema.triggers:
            if trg.table_schema != "public" or trg.table_qualified in views_of_spec:
                external[trg.table_qualified] = external.get(trg.table_qualified, ()) + (trg,)
        for i, (qualified_name, triggers) in enumerate(sorted(external.items())):
            if not triggers:
                continue
            tmp = f"schemac_norm_ext_{i}"
            conn.execute("SAVEPOINT schemac_relation")
            try:
                if qualified_name in views_of_spec:  # an INSTEAD OF trigger needs a view to sit on
                    conn.execute(f"CREATE TEMP VIEW {tmp} AS SELECT * FROM {qualified(*qualified_name.split('.'))}")
                else:
                    conn.execute(f"CREATE TEMP TABLE {tmp} (LIKE {qualified(*qualified_name.split('.'))}) ON COMMIT DROP")
                conn.execute("RELEASE SAVEPOINT schemac_relation")
            except psycopg.Error as exc:  # the view is missing (reported on its own)
                conn.execute("ROLLBACK TO SAVEPOINT schemac_relation")
                for trg in triggers:
                    trigger_problems[(qualified_name, trg.name)] = str(exc).strip().splitlines()[0]
                continue
            _expected_triggers(conn, qualified_name, triggers, tmp, trigger_definitions, trigger_problems)
        functions, spec_functions, unbuilt_functions = _expected_functions(conn, schema)
        domains = _expected_domains(conn, schema)
        views, view_problems = _expected_views(conn, schema)
    return Normalized(
        defaults,
        checks,
        predicates,
        index_definitions,
        key_definitions,
        normalize_policies(conn, schema),
        functions,
        trigger_definitions,
        trigger_problems,
        columns,
        unbuilt,
        index_columns,
        domains,
        spec_functions,
        external,
        views,
        view_problems,
        unbuilt_functions,
    )


def _expected_triggers(
    conn: psycopg.Connection,
    table: str,
    triggers: tuple[Trigger, ...],
    tmp: str,
    definitions: dict[tuple[str, str], str],
    problems: dict[tuple[str, str], str],
) -> None:
    """The emitter's CREATE TRIGGER run on the temporary table and read back like a live one.

    It calls the live trigger function, which may be missing or not return trigger (reported on its own):
    then the trigger's definition cannot be checked, and the reason is kept instead.
    """
    bare = table.rpartition(".")[2]
    for trg in triggers:
        conn.execute("SAVEPOINT schemac_trigger")
        try:
            conn.execute(render_trigger(None, trg, on=tmp))
            definition = conn.execute(
                f"SELECT {TRIGGER_DEFINITION} FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgrelid = %s::regclass AND t.tgname = %s",
                (f"pg_temp.{tmp}", trg.name),
            ).fetchone()[0]
            definitions[(table, trg.name)] = trigger_tail(definition, bare)
            conn.execute("RELEASE SAVEPOINT schemac_trigger")
        except psycopg.Error as exc:
            conn.execute("ROLLBACK TO SAVEPOINT schemac_trigger")
            problems[(table, trg.name)] = str(exc).strip().splitlines()[0]


def _expected_domains(conn: psycopg.Connection, schema: Schema) -> dict[str, str]:
    """The migration's CREATE DOMAIN run in pg_temp and read back with the live reader."""
    unbuildable = {}
    for domain in schema.domains:
        conn.execute("SAVEPOINT schemac_domain")
        try:
            conn.execute(domain_sql(qualified("pg_temp", domain.name), domain))
            conn.execute("RELEASE SAVEPOINT schemac_domain")
        except psycopg.Error as exc:  # e.g. its type's extension is not where the spec says
            conn.execute("ROLLBACK TO SAVEPOINT schemac_domain")
            unbuildable[domain.name] = f"(the spec's domain cannot be built on this database: {str(exc).strip().splitlines()[0]})"
    if not schema.domains:
        return {}
    return dict(conn.execute(DOMAINS_SQL + " n.oid = pg_my_temp_schema()").fetchall()) | unbuildable


def _expected_functions(conn: psycopg.Connection, schema: Schema) -> tuple[dict[str, LiveFunction], frozenset[str], dict[str, str]]:
    """The timestamp trigger functions and the spec's functions (with their grants and comments) as the emitter
    writes them, created in pg_temp and read back like the live ones."""
    columns = timestamp_update_columns(schema)
    if not columns and not schema.functions:
        return {}, frozenset(), {}
    names = set()
    for column in columns:
        names.add(updated_at_function(column).split(".")[1])
        conn.execute(updated_at_function_sql(qualified("pg_temp", updated_at_function(column).split(".")[1]), column))
    unbuilt: dict[str, str] = {}
    for function in schema.functions:
        conn.execute("SAVEPOINT schemac_function")
        try:
            conn.execute(create_function_sql(function, "pg_temp"))
            for statement in function_grants_sql(function, "pg_temp"):
                conn.execute(statement)
            for statement in function_comment_sql(function, "pg_temp"):
                conn.execute(statement)
            conn.execute("RELEASE SAVEPOINT schemac_function")
        except psycopg.Error as exc:  # e.g. it returns SETOF a table the database lacks
            conn.execute("ROLLBACK TO SAVEPOINT schemac_function")
            unbuilt[function.name] = str(exc).strip().splitlines()[0]
    temp_schema = conn.execute("SELECT pg_my_temp_schema()::regnamespace::text").fetchone()[0]
    read = read_functions(conn, temp_schema)
    spec_names = {f.name for f in schema.functions}
    expected = {key: f for key, f in read.items() if key.split("(")[0] in names | spec_names}
    return expected, frozenset(k for k in expected if k.split("(")[0] in spec_names), unbuilt


def _expected_views(conn: psycopg.Connection, schema: Schema) -> tuple[dict[str, LiveView], dict[str, str]]:
    """Each view's query as a temporary view (and a materialized view's indexes on a temporary table), read back like the live ones."""
    expected: dict[str, LiveView] = {}
    problems: dict[str, str] = {}
    for i, view in enumerate(schema.views):
        temp = f"schemac_norm_view_{i}"
        conn.execute("SAVEPOINT schemac_view")
        try:
            conn.execute(create_view_sql(view, name_sql=temp, temporary=True))
            temp_schema = conn.execute("SELECT pg_my_temp_schema()::regnamespace::text").fetchone()[0]
            built = read_views(conn, temp_schema, (temp,))[temp]
            indexes = {}
            if view.indexes:
                table = f"schemac_norm_mv_{i}"
                conn.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {temp} WITH NO DATA")
                for j, ix in enumerate(view.indexes):
                    conn.execute(view_index_sql(view, ix, on=table, name=f"{table}_{j}"))
                    definition = conn.execute("SELECT pg_get_indexdef(%s::regclass)", (f"pg_temp.{table}_{j}",)).fetchone()[0]
                    indexes[ix.name] = ("UNIQUE " if ix.unique else "") + index_tail(definition)
            conn.execute("RELEASE SAVEPOINT schemac_view")
        except psycopg.Error as exc:
            conn.execute("ROLLBACK TO SAVEPOINT schemac_view")
            problems[view.name] = str(exc).strip().splitlines()[0]
            continue
        roles = tuple(r for r in ("anon", "authenticated", "service_role") if r in view.select_roles or "public" in view.select_roles)
        expected[view.name] = LiveView(
            view.materialized,
            built.definition,
            ("security_invoker=true",) if view.security_invoker else (),
            built.columns,
            view_comment(view),
            {c.name: view_column_comment(c, view.classification_tag) for c in view.columns},
            roles,
            indexes,
        )
    return expected, problems


def compare_views(schema: Schema, live: dict[str, LiveView], norm: Normalized, diffs: list[str]) -> int:
    """Every view of the spec against the database's, and every other view of public reported as extra."""
    kind = {True: "materialized view", False: "view"}
    spec_views = {v.name: v for v in schema.views}

    def label(name: str) -> str:
        return f"{kind[spec_views[name].materialized if name in spec_views else live[name].materialized]} {name}"

    pairs = pair_by_name(label, spec_views, live, diffs)
    for name, view, lv in pairs:
        if name in norm.view_problems:
            diffs.append(f"{label(name)}: the spec's query could not be checked on this database: {norm.view_problems[name]}")
            continue
        exp = norm.views[name]
        differ(diffs, f"view {name}: kind", kind[lv.materialized], kind[exp.materialized])
        differ(diffs, f"{label(name)}: query", " ".join(lv.definition.split()), " ".join(exp.definition.split()))
        differ(diffs, f"{label(name)}: options", lv.options, exp.options)
        differ(diffs, f"{label(name)}: columns", tuple(f"{n} {t}" for n, t in lv.columns), tuple(f"{n} {t}" for n, t in exp.columns))
        differ(diffs, f"{label(name)}: comment", lv.comment, exp.comment)
        for column, comment in exp.column_comments.items():
            if column in lv.column_comments:
                differ(diffs, f"{label(name)}: comment on column {column}", lv.column_comments[column], comment)
        differ(diffs, f"{label(name)}: SELECT granted to", lv.select_roles, exp.select_roles)
        for index, ix, definition in pair_by_name(lambda n: f"index {name}.{n}", exp.indexes, lv.indexes, diffs):
            differ(diffs, f"index {name}.{index}: definition", definition, ix)
    return len(pairs)


def compare_schema(schema: Schema, live: LiveSchema, norm: Normalized, diffs: list[str]) -> int:
    """Append every difference between spec and database to diffs; return how many facts were compared.

    What differs is decided by the differ (schemac.plan) between the database read into the model and
    the spec spelled by this server, so each difference named here is a change the planner can write;
    the messages add the database's and the spec's values. What the model does not hold (owners, forced
    RLS, constraint options, trigger firing, full index and key definitions, functions, rules, other
    objects) is compared here against what the migration always writes.
    """
    live = without_sql_objects(schema, live)  # what the sql: blocks create is compared apart (sql_objects.compare_sql_objects)
    expected = expected_model(schema, norm)
    drift = Drift(diff_schemas(schema_from_catalog(live), expected).changes)
    checked = 0
    tables = {t.name: t for t in schema.tables}
    for _name, table, lt in drift.pairs("table", lambda n: f"table {n}", tables, live.tables, diffs):
        if table.name in norm.unbuilt:
            diffs.append(f"table {table.name}: the spec's columns cannot be built on this database to compare with: {norm.unbuilt[table.name]}")
            continue
        checked += _compare_table(table, lt, norm, drift, diffs, schema.triggers_on("public", table.name))

    for name, kind in sorted(live.others.items()):
        diffs.append(f"{kind} {name}: in the database but not in the spec")
    checked += _compare_enums(schema, live, diffs)
    pairs = pair_by_name(lambda n: f"domain {n}", {d.name: d for d in schema.domains}, live.domains, diffs)
    for name, _domain, definition in pairs:
        differ(diffs, f"domain {name}: definition", definition, norm.domains[name])
    checked += len(pairs)
    checked += _compare_extensions(schema, live, diffs)
    checked += compare_views(schema, live.views, norm, diffs)

    for name, problem in norm.function_problems.items():
        diffs.append(f"function public.{name}: the spec's definition cannot be built on this database to compare with: {problem}")
    unbuilt = {k: f for k, f in live.functions.items() if k.split("(")[0] in norm.function_problems}  # reported above
    functions = {k: f for k, f in live.functions.items() if k not in unbuilt}
    return checked + _compare_functions(norm.functions, functions, diffs, norm.spec_functions)


def _compare_enums(schema: Schema, live: LiveSchema, diffs: list[str]) -> int:
    """Native enums are PostgreSQL enum types with exactly the spec's labels in its order; no others exist."""
    expected = {e.name: e.values for e in schema.enums if e.native}
    pairs = pair_by_name(lambda n: f"enum type {n}", expected, live.enums, diffs)
    for name, values, labels in pairs:
        differ(diffs, f"enum type {name}: values", labels, values)
    return len(pairs)


def _compare_extensions(schema: Schema, live: LiveSchema, diffs: list[str]) -> int:
    """Each declared extension is installed in its schema (others, e.g. Supabase's own, are the platform's)."""
    for ext in schema.extensions:
        if ext.name not in live.extensions:
            diffs.append(f"extension {ext.name}: in the spec but not in the database")
        else:
            differ(diffs, f"extension {ext.name}: schema", live.extensions[ext.name], ext.schema)
    return len(schema.extensions)


@dataclass
class Drift:
    """The differ's changes, as the names of what is missing from, extra in, or different in the database."""

    changes: list[Change]

    def _names(self, kind: str, table: str | None) -> tuple[set[str], set[str]]:
        """(added, dropped) names of one kind of object (of one table), renames counting as both."""
        added: set[str] = set()
        dropped: set[str] = set()
        for c in self.changes:
            if table is not None and getattr(c, "table", None) != table:
                continue
            for name, side in _named(c, kind):
                (added if side == "add" else dropped).add(name)
        return added, dropped

    def pairs(self, kind: str, label, expected: dict, live: dict, diffs: list[str], table: str | None = None) -> list[tuple]:
        """Report extra and missing objects (extra first, then in spec order); the pairs in both, in spec order."""
        added, dropped = self._names(kind, table)
        for name in sorted(dropped - added):
            diffs.append(f"{label(name)}: in the database but not in the spec")
        pairs = []
        for name, exp in expected.items():
            if name in added - dropped or name not in live:
                diffs.append(f"{label(name)}: missing from the database")
            else:
                pairs.append((name, exp, live[name]))
        return pairs

    def changed(self, kind: str, table: str) -> set[str]:
        """Names of objects on both sides that the differ would change (columns: altered; others: dropped and re-added)."""
        if kind == "column":
            return {c.column for c in self.changes if isinstance(c, COLUMN_CHANGES) and c.table == table}
        added, dropped = self._names(kind, table)
        return added & dropped

    def has(self, change_type: type, table: str) -> bool:
        return any(isinstance(c, change_type) and c.table == table for c in self.changes)


COLUMN_CHANGES = (
    AlterColumnType, SetNotNull, DropNotNull, SetDefault, DropDefault, SetColumnComment, AddIdentity, DropIdentity, SetGenerated, DropGenerated,
)


def _named(c: Change, kind: str) -> list[tuple[str, str]]:
    """The (name, 'add' | 'drop') pairs a change means for objects of `kind`."""
    match kind, c:
        case "table", AddTable(table):
            return [(table.name, "add")]
        case "table", DropTable(table):
            return [(table.name, "drop")]
        case "column", AddColumn(_t, column):
            return [(column.name, "add")]
        case "column", DropColumn(_t, column):
            return [(column.name, "drop")]
        case "constraint", AddConstraint(_t, constraint):
            return [(constraint.name, "add")]
        case "constraint", DropConstraint(_t, constraint):
            return [(constraint.name, "drop")]
        case "constraint", RenameConstraint(_t, old, new):
            return [(new, "add"), (old, "drop")]
        case "index", AddIndex(_t, index):
            return [(index.name, "add")]
        case "index", DropIndex(_t, index):
            return [(index.name, "drop")]
        case "index", RenameIndex(_t, old, new):
            return [(new, "add"), (old, "drop")]
        case "trigger", AddTrigger(_t, trigger):
            return [(trigger.name, "add")]
        case "trigger", DropTrigger(_t, trigger):
            return [(trigger.name, "drop")]
        case "policy", AddPolicy(_t, policy):
            return [(policy.name, "add")]
        case "policy", DropPolicy(_t, policy):
            return [(policy.name, "drop")]
    return []


def compare_external_triggers(norm: Normalized, live: dict[str, dict], diffs: list[str]) -> int:
    """Triggers the spec puts on tables it does not own; only the ones running a function of public can be extra."""
    checked = 0
    for table, triggers in norm.external_triggers.items():
        on_view = not table.startswith("auth.")  # every trigger on a view of the spec is the spec's
        ours = {name: trg for name, trg in live.get(table, {}).items() if on_view or trg.function.startswith("public.")}
        others = {name: trg for name, trg in live.get(table, {}).items() if name not in ours}
        expected = {t.name: t for t in triggers}
        present = {**ours, **{n: others[n] for n in expected if n in others}}
        for name, trg, ltr in pair_by_name(lambda n: f"trigger {table}.{n}", expected, present, diffs):
            checked += 1
            _compare_trigger(table, name, trg, ltr, norm, diffs)
    return checked


def _compare_trigger(t: str, name: str, trg: Trigger, ltr, norm: Normalized, diffs: list[str]) -> None:
    live_summary = f"{ltr.timing} {' OR '.join(ltr.events)} -> {ltr.function}"
    spec_summary = f"{trg.timing} {' OR '.join(trg.events)} -> {trg.function}"
    differ(diffs, f"trigger {t}.{name}", live_summary, spec_summary)
    # only the migration's own state, 'O': it fires on origin and local changes, not under replication roles
    differ(diffs, f"trigger {t}.{name}: firing", ltr.firing, "enabled")
    if live_summary != spec_summary:
        return
    # row or statement level, UPDATE OF columns, WHEN, transition tables, arguments: only the whole definition shows them
    if (t, name) in norm.trigger_problems:
        diffs.append(f"trigger {t}.{name}: the spec's definition could not be checked on this database: {norm.trigger_problems[(t, name)]}")
    else:
        differ(diffs, f"trigger {t}.{name}: definition", ltr.definition, norm.trigger_definitions[(t, name)])


def _compare_functions(
    expected: dict[str, LiveFunction], live: dict[str, LiveFunction], diffs: list[str], spec_functions: frozenset[str] = frozenset()
) -> int:
    """Everything that decides what a function does and with whose rights; the body up to whitespace."""
    pairs = pair_by_name(lambda n: f"function public.{n}", expected, live, diffs)
    security = {True: "SECURITY DEFINER", False: "SECURITY INVOKER"}
    for name, exp, lf in pairs:
        label = f"function public.{name}"
        differ(diffs, f"{label}: body", " ".join(lf.body.split()), " ".join(exp.body.split()))
        differ(diffs, f"{label}: language", lf.language, exp.language)
        differ(diffs, f"{label}: security", security[lf.security_definer], security[exp.security_definer])
        differ(diffs, f"{label}: settings", lf.settings, exp.settings)
        differ(diffs, f"{label}: returns", lf.returns, exp.returns)
        differ(diffs, f"{label}: volatility", lf.volatility, exp.volatility)
        if name in spec_functions:
            differ(diffs, f"{label}: arguments", lf.arguments, exp.arguments)
            differ(diffs, f"{label}: EXECUTE granted to", lf.execute, exp.execute)
            differ(diffs, f"{label}: comment", lf.comment, exp.comment)
    return len(pairs)


API_ROLES = ("anon", "authenticated", "service_role")

KINDS = {"p": "primary key", "u": "unique constraint", "f": "foreign key", "c": "check constraint", "x": "exclusion constraint"}


def _compare_table(table: Table, lt: LiveTable, norm: Normalized, drift: Drift, diffs: list[str], triggers: tuple[Trigger, ...]) -> int:
    t = table.name
    checked = 4
    on_off = {True: "enabled", False: "disabled"}
    if drift.has(SetRowLevelSecurity, t):
        differ(diffs, f"table {t}: row level security", on_off[lt.rls], on_off[table.rls])
    # FORCE makes RLS apply to the owner too; the migration never asks for it, so it is drift like any other
    forced = {True: "forced", False: "not forced"}
    differ(diffs, f"table {t}: forced row level security", forced[lt.force_rls], "not forced")
    if lt.owner in API_ROLES:  # a table's owner bypasses its RLS (unless forced): an API role must not own one
        differ(
            diffs,
            f"table {t}: owner",
            lt.owner,
            f"a role other than {', '.join(API_ROLES[:-1])} and {API_ROLES[-1]} (owners bypass row level security)",
        )
    if drift.has(SetTableComment, t):
        differ(diffs, f"table {t}: comment", lt.comment, table_comment(table))
    if drift.has(SetReplicaIdentity, t):
        differ(diffs, f"table {t}: replica identity", lt.replica_identity, table.replica_identity)
    if drift.has(SetRealtime, t):
        differ(diffs, f"table {t}: in the supabase_realtime publication", {True: "yes", False: "no"}[lt.realtime], {True: "yes", False: "no"}[table.realtime])

    columns = {c.name: c for c in table.columns}
    changed = drift.changed("column", t)
    for name, c, lc in drift.pairs("column", lambda n: f"column {t}.{n}", columns, lt.columns, diffs, t):
        checked += 5
        built = norm.columns[(t, name)]  # the migration's definition, built on a temporary table
        # identity, generation and owned sequences: compared here as well as by the differ (sequence options are not in the model)
        differ(diffs, f"column {t}.{name}: identity", lc.identity, built.identity)
        differ(diffs, f"column {t}.{name}: generated", lc.generated, built.generated)
        differ(diffs, f"column {t}.{name}: owned sequence", lc.sequence, built.sequence if c.serial else lc.sequence if c.identity else None)
        if lc.sequence is not None and built.sequence is not None:
            differ(diffs, f"column {t}.{name}: sequence", lc.sequence_options, built.sequence_options)
        if name not in changed:
            continue
        null = {True: "NULL", False: "NOT NULL"}
        differ(diffs, f"column {t}.{name}: type", lc.type, c.type.catalog)
        differ(diffs, f"column {t}.{name}: collation", lc.collation, built.collation)
        differ(diffs, f"column {t}.{name}: nullability", null[lc.nullable], null[c.nullable])
        what = "generation expression" if built.generated else "default"
        differ(diffs, f"column {t}.{name}: {what}", lc.default, norm.defaults[(t, name)])
        differ(diffs, f"column {t}.{name}: comment", lc.comment, column_comment(c, table.classification_tag))

    checked += _compare_constraints(table, lt, norm, drift, diffs)

    indexes = {ix.name: ix for ix in table.indexes}
    changed = drift.changed("index", t)
    for name, ix, li in drift.pairs("index", lambda n: f"index {t}.{n}", indexes, lt.indexes, diffs, t):
        checked += 1
        unique = {True: "unique", False: "not unique"}
        expected_parts = (norm.index_columns[(t, name)], ix.unique, ix.using, norm.predicates.get((t, name)))
        if name in changed:
            differ(diffs, f"index {t}.{name}: columns", li.columns, expected_parts[0])
            differ(diffs, f"index {t}.{name}: uniqueness", unique[li.unique], unique[ix.unique])
            differ(diffs, f"index {t}.{name}: method", li.method, ix.using)
            differ(diffs, f"index {t}.{name}: predicate", li.predicate, expected_parts[3])
        if name not in changed or (li.columns, li.unique, li.method, li.predicate) == expected_parts:
            # operator classes, collations, INCLUDE columns: only the whole definition shows them
            differ(diffs, f"index {t}.{name}: definition", li.definition, norm.index_definitions[(t, name)])

    triggers = {trg.name: trg for trg in triggers}
    changed = drift.changed("trigger", t)
    for name, trg, ltr in drift.pairs("trigger", lambda n: f"trigger {t}.{n}", triggers, lt.triggers, diffs, t):
        checked += 1
        # only the migration's own state, 'O': it fires on origin and local changes, not under replication roles
        if name in changed:
            live_summary = f"{ltr.timing} {' OR '.join(ltr.events)} -> {ltr.function}"
            spec_summary = f"{trg.timing} {' OR '.join(trg.events)} -> {trg.function}"
            differ(diffs, f"trigger {t}.{name}", live_summary, spec_summary)
        differ(diffs, f"trigger {t}.{name}: firing", ltr.firing, "enabled")
        if name in changed:
            continue
        # row or statement level, UPDATE OF columns, WHEN: only the whole definition shows them
        if (t, name) in norm.trigger_problems:
            diffs.append(f"trigger {t}.{name}: the spec's definition could not be checked on this database: {norm.trigger_problems[(t, name)]}")
        else:
            differ(diffs, f"trigger {t}.{name}: definition", ltr.definition, norm.trigger_definitions[(t, name)])

    policies = {p.name: norm.policies[(t, p.name)] for p in table.policies}
    pairs = drift.pairs("policy", lambda n: f"policy {t}.{n}", policies, lt.policies, diffs, t)
    checked += compare_policies(t, pairs, drift.changed("policy", t), diffs)
    for name in sorted(lt.rules):  # the spec has no rules: every one is extra
        diffs.append(f"rule {t}.{name}: in the database but not in the spec")
    return checked


def _compare_constraints(table: Table, lt: LiveTable, norm: Normalized, drift: Drift, diffs: list[str]) -> int:
    t = table.name
    expected: dict[str, tuple] = {}
    if table.primary_key:
        expected[table.primary_key.name] = ("p", table.primary_key.columns)
    for u in table.uniques:
        expected[u.name] = ("u", u.columns)
    for fk in table.foreign_keys:
        expected[fk.name] = ("f", fk.columns, fk.ref_qualified, fk.ref_columns, fk.on_delete, fk.on_update, fk.match, fk.deferrable, fk.initially_deferred)
    for ch in table.checks:
        expected[ch.name] = ("c", norm.checks[(t, ch.name)])
    for ex in table.exclusions:
        expected[ex.name] = ("x",)

    def label(name: str) -> str:
        kind = expected[name][0] if name in expected else lt.constraints[name].kind
        return f"{KINDS[kind]} {t}.{name}"

    changed = drift.changed("constraint", t)
    pairs = drift.pairs("constraint", label, expected, lt.constraints, diffs, t)
    for name, exp, lc in pairs:
        if lc.kind != exp[0]:
            differ(diffs, label(name), KINDS[lc.kind], KINDS[exp[0]])
            continue
        if exp[0] in ("p", "u"):
            if name in changed:
                differ(diffs, f"{label(name)}: columns", lc.columns, exp[1])
            if name not in changed or lc.columns == exp[1]:  # INCLUDE, NULLS NOT DISTINCT, index parameters: only the definition shows them
                live_def = lc.definition.split(" DEFERRABLE")[0]  # deferrability is compared on its own below
                differ(diffs, f"{label(name)}: definition", live_def, norm.key_definitions[(t, name)])
        elif exp[0] == "f":
            _compare_foreign_key(label(name), exp, lc, name in changed, diffs)
        elif exp[0] == "x":  # method, elements, operators, operator classes, predicate: the whole definition
            live_def = lc.definition.split(" DEFERRABLE")[0]
            differ(diffs, f"{label(name)}: definition", live_def, norm.key_definitions[(t, name)])
        else:
            if name in changed:
                differ(diffs, f"{label(name)}: expression", lc.expression, exp[1])
            differ(diffs, f"{label(name)}: inheritance", "INHERIT" if lc.inherited else "NO INHERIT", "INHERIT")
        deferrable = "NOT DEFERRABLE"
        if exp[0] == "f" and exp[7]:
            deferrable = "DEFERRABLE INITIALLY " + ("DEFERRED" if exp[8] else "IMMEDIATE")
        _compare_options(label(name), lc, diffs, deferrable)
    return len(pairs)


def _compare_foreign_key(label: str, exp: tuple, lc: LiveConstraint, changed: bool, diffs: list[str]) -> None:
    """Target and ON DELETE (when the differ finds the key changed); ON UPDATE and MATCH always."""
    if changed:
        differ(
            diffs,
            f"{label}: target",
            f"({', '.join(lc.columns)}) -> {lc.ref_table}({', '.join(lc.ref_columns)})",
            f"({', '.join(exp[1])}) -> {exp[2]}({', '.join(exp[3])})",
        )
        differ(diffs, f"{label}: ON DELETE", (lc.on_delete or "").upper(), exp[4].upper())
    differ(diffs, f"{label}: ON UPDATE", (lc.on_update or "").upper(), exp[5].upper())
    differ(diffs, f"{label}: MATCH", lc.match, exp[6].upper())


def _compare_options(label: str, lc: LiveConstraint, diffs: list[str], deferrable: str = "NOT DEFERRABLE") -> None:
    """What every constraint the migration writes is: validated and enforced, deferrable only when the spec says so."""
    differ(diffs, f"{label}: deferrable", lc.deferrable, deferrable)
    differ(diffs, f"{label}: validity", "VALID" if lc.valid else "NOT VALID", "VALID")
    differ(diffs, f"{label}: enforcement", "ENFORCED" if lc.enforced else "NOT ENFORCED", "ENFORCED")
