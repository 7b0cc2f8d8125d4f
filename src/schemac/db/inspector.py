"""The inspector: a live database read into the same `schemac.model.Schema` a spec builds.

One model, one differ: `schemac import` writes the model of `inspect_database` out as
schema.yaml, the planner's tests compare two inspected databases, and verify compares the
inspected database with the spec (spelled by the server) through the differ in plan/diff.py.
Both readings start from db/catalog.py.

`inspect_database` reads what the spec language can say, in the spec's own terms (a text
column whose CHECK lists its values is an enum column, schemac's created_at/updated_at and
trigger are `timestamps: true`, literal defaults are values, expressions go through
PostgreSQL's parser); everything else comes back as a `LeftOut` (db/left_out.py) with the
reason and its SQL, never dropped silently. `schema_from_catalog` is the literal reading verify
uses on a catalog it has already read: every table object as the server spells it, nothing
interpreted or left out, so an object the spec cannot say still shows as drift.

Classification is read back from the comments schemac writes (`[PHI] ...`, and the table
comment's `Classification: ...` part); other comments become descriptions verbatim. The
comment text itself is kept (`catalog_comment`), which is what the differ compares.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace

import psycopg
from pglast import ast, parser
from pglast.enums import SortByDir, SortByNulls
from pglast.stream import RawStream

from ..errors import Pos
from ..model import (
    CATALOG_TYPE_NAMES,
    CLASSIFICATIONS,
    GENERAL_CLASSIFICATIONS,
    UPDATED_AT_FUNCTION,
    CatalogComment,
    Check,
    Column,
    ColumnType,
    Default,
    Domain,
    Enum,
    Exclusion,
    Extension,
    ForeignKey,
    Function,
    Identity,
    Index,
    IndexElement,
    Policy,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
    classification_label,
    updated_at_function,
)
from ..resolve import naming
from ..resolve.column_types import EXTENSION_TYPES, build_default, parse_type
from ..resolve.expressions import CHECK, DEFAULT, DOMAIN_CHECK, GENERATED, INDEX_EXPRESSION, INDEX_PREDICATE, POLICY_USING, POLICY_WITH_CHECK, Expression, Scope, read_expression
from ..resolve.foreign_keys import EXTERNAL_TABLES
from ..resolve.triggers import ready_trigger_function
from ..sqltext import identifier_problem, qualified, quote_ident
from ..spec.load import control_character
from .catalog import LiveSchema, LiveTable, public_search_path, read_schema, read_schemas, read_triggers
from .inspect_objects import function_from_catalog, trigger_from_catalog, view_from_catalog
from .left_out import LeftOut, other_schema, partitioned_tables, platform_schema, view_dependencies, policy_sql, programmable, supabase_policies, supabase_triggers, table_sql

HERE = Pos("database", 1, 1)  # models read from a catalog have no spec position
ROLES = ("anon", "authenticated", "service_role", "public")
INDEX_METHODS = ("btree", "gin", "gist", "hash", "brin")


@dataclass(frozen=True)
class Inspection:
    schema: Schema
    left_out: tuple[LeftOut, ...]


def inspect_schema(conn: psycopg.Connection, schemas: tuple[str, ...] = ("public",)) -> Schema:
    """The model of what the database holds in `schemas` (only what the spec language can say)."""
    return inspect_database(conn, schemas).schema


def inspect_database(conn: psycopg.Connection, schemas: tuple[str, ...] = ("public",), source: str = "database") -> Inspection:
    """The model of the database, and everything in `schemas` (and attached to Supabase's tables) it leaves out."""
    with public_search_path(conn):
        return _inspect(conn, schemas, source)


def _inspect(conn: psycopg.Connection, schemas: tuple[str, ...], source: str) -> Inspection:
    left: list[LeftOut] = []
    own = tuple(s for s in dict.fromkeys(schemas) if not platform_schema(s))  # the app's schemas, read as its tables
    live = _read_own(conn, own, left)
    # public's functions and views (the spec's functions:, views: and their triggers live there)
    programs = read_schema(conn, "public") if "public" in own else LiveSchema({}, {})
    extra = _column_extras(conn, own)
    native_enums = {
        name: tuple(labels)
        for name, labels in conn.execute(
            """SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t
               JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
               WHERE n.nspname = 'public' GROUP BY t.typname"""
        )
        if identifier_problem(name) is None and all(len(v.encode()) <= 63 and v and control_character(v) is None for v in labels)
    }
    extensions = dict(
        conn.execute(
            "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'"
        ).fetchall()
    )
    reader = _TableReader(live, extra, left, native_enums, extensions)
    # schemac's timestamp functions (schemac_set_<column>) come with `timestamps:`, not `functions:`
    reader.functions = _functions(programs, {k.split("(")[0] for k in programs.functions if k.startswith("schemac_set_")})
    reader.domains = _domains(conn, reader) if "public" in schemas else {}
    reader.calls_app_functions = {
        (table, policy): function
        for schema, table, policy, function in conn.execute(
            """SELECT n.nspname, c.relname, p.polname, min(quote_ident(fn.nspname) || '.' || f.proname)
               FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_proc'::regclass
               JOIN pg_proc f ON f.oid = d.refobjid JOIN pg_namespace fn ON fn.oid = f.pronamespace
               WHERE n.nspname = ANY(%s) AND fn.nspname = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.objid = f.oid AND x.deptype = 'e')
               GROUP BY 1, 2, 3""",
            (list(own), list(own)),
        )
        if reader.schema_of(table) == schema
        and not (function.startswith("public.") and function.split(".", 1)[1] in reader.functions)  # created before the policies
    }
    tables = [t for name in sorted(live.tables) if (t := reader.table(name, live.tables[name])) is not None]
    tables = reader.resolve_foreign_keys(tables)
    tables = [reader.policies(t, tables) for t in tables]
    for name, labels in sorted(native_enums.items()):  # enum types no column uses are part of the schema too
        reader.enums.setdefault(name, Enum(name, labels, None, HERE, native=True))
    for other in dict.fromkeys(schemas):
        if platform_schema(other):
            other_schema(conn, other, left)
    views = _views(programs)
    public_tables = {t.name for t in tables if t.schema == "public"}
    view_reasons = _views_on_what_the_spec_lacks(conn, views, reader.functions, public_tables) if "public" in own else {}
    external_triggers = _auth_user_triggers(conn, reader) if "public" in schemas else []
    if "public" in schemas:
        external_triggers += _view_triggers(conn, reader, programs, views)
    with conn.transaction():
        conn.execute("SET LOCAL search_path TO ''")  # the definitions below then name every object with its schema
        for name in own:
            known = {e.name for e in reader.enums.values() if e.native} | set(reader.domains) if name == "public" else set()
            spec_views, spec_functions = (set(views), set(reader.functions)) if name == "public" else (set(), set())
            programmable(
                conn, name, live, reader.used_functions if name == "public" else set(), left, known,
                views=spec_views, functions=spec_functions, view_reasons=view_reasons if name == "public" else None,
            )
        attached = supabase_policies(conn)
        supabase_triggers(conn, left, skip_triggers={("auth", "users", t.name) for t in external_triggers})
    externals = _externals(conn, attached, tables, left)
    profile, vocabulary = _profile(tables)
    used = {EXTENSION_TYPES[c.type.base] for t in tables for c in t.columns if c.type.schema and c.type.base in EXTENSION_TYPES}
    used |= _extensions_needed(conn, own)
    wanted = sorted(name for name, where in extensions.items() if name in used or where in schemas)
    schema = Schema(
        tables=tuple(tables),
        enums=tuple(reader.enums.values()),
        source=source,
        source_sha256="",
        profile=profile,
        classifications=vocabulary,
        extensions=tuple(Extension(name, extensions[name], HERE) for name in wanted),
        domains=tuple(reader.domains.values()),
        externals=externals,
        functions=tuple(reader.functions.values()),
        triggers=tuple(reader.triggers) + tuple(external_triggers),
        views=tuple(views.values()),
    )
    return Inspection(schema, tuple(left))


def _functions(live: LiveSchema, skip: set[str]) -> dict[str, Function]:
    """public's functions the spec can say, by name; an overloaded name is left to `programmable` (the spec's names are unique)."""
    names = [key.split("(")[0] for key in live.functions]
    found: dict[str, Function] = {}
    for key, f in live.functions.items():
        name = key.split("(")[0]
        if name in skip or names.count(name) > 1 or identifier_problem(name):
            continue
        read = function_from_catalog(name, f, HERE)
        if not isinstance(read, str) and name not in live.tables and all(identifier_problem(a.name) is None for a in read.arguments):
            found[name] = read
    return found


def _views(live: LiveSchema) -> dict[str, View]:
    found: dict[str, View] = {}
    for name, v in live.views.items():
        read = view_from_catalog(name, v, HERE)
        if not isinstance(read, str) and identifier_problem(name) is None and name not in live.tables:
            found[name] = read
    return found


def _views_on_what_the_spec_lacks(
    conn: psycopg.Connection, views: dict[str, View], functions: dict[str, Function], tables: set[str]
) -> dict[str, str]:
    """Views that call a function (or aggregate) of public the spec does not hold, or read a table or view it does not hold, are
    taken out of `views`: the spec's views are created before the sql: section, so they go there too, after what they
    use. Returns why, by view."""
    uses = view_dependencies(conn, "public")
    reasons: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for name in sorted(views):
            missing = sorted(
                (kind, used) for kind, used in uses.get(name, ())
                if (kind == "function" and used not in functions) or (kind == "view" and used not in views and used != name)
                or (kind == "table" and used not in tables)
            )
            if missing:
                kind, used = missing[0]
                reasons[name] = f"it uses the {kind} public.{used}, which the spec does not hold, so it runs after it in the sql: section"
                del views[name]
                changed = True
    return reasons


def _view_triggers(conn: psycopg.Connection, reader: "_TableReader", live: LiveSchema, views: dict[str, View]) -> list[Trigger]:
    """INSTEAD OF triggers on public's views: in the spec when the view and the function are; reported otherwise."""
    found = []
    for view in sorted(live.views):
        for name, trg in read_triggers(conn, "public", view).items():
            read = reader.trigger(name, trg, "public", view, None) if view in views else f"it is on {view}, a view the spec does not hold"
            if isinstance(read, str):
                on = qualified("public", view)
                sql = f"CREATE TRIGGER {quote_ident(name)} {trg.definition.replace(f' ON {view} ', f' ON {on} ', 1)};"
                reader.out("trigger", view, name, read, sql)
            else:
                found.append(read)
    return found


def _auth_user_triggers(conn: psycopg.Connection, reader: "_TableReader") -> list[Trigger]:
    """The app's triggers on auth.users (Supabase's handle_new_user pattern) that run a function the spec holds."""
    if conn.execute("SELECT to_regclass('auth.users')").fetchone()[0] is None:
        return []
    found = []
    for name, trg in read_triggers(conn, "auth", "users").items():
        if not trg.function.startswith("public."):
            continue  # Supabase's own
        read = reader.trigger(name, trg, "auth", "users", None)
        if not isinstance(read, str):
            found.append(read)
    return found


def _read_own(conn: psycopg.Connection, schemas: tuple[str, ...], left: list[LeftOut]) -> LiveSchema:
    """The app's schemas as one reading, tables keyed by name (a spec's table names are unique across its schemas):
    public first, then the others by name; a table whose name an earlier schema already has is reported."""
    merged = LiveSchema({}, {})
    for schema in sorted(schemas, key=lambda s: (s != "public", s)):
        tables = read_schema(conn, schema).tables
        for name, reason, sql in partitioned_tables(conn, schema, tables):
            left.append(LeftOut("table", f"{schema}.{name}", name, reason, sql))
            del tables[name]
        for name, lt in sorted(tables.items()):
            if name in merged.tables:
                first = merged.table_schemas.get(name, "public")
                reason = f"schema {first} has a table of the same name, and a spec's table names are unique across its schemas (rename one)"
                left.append(LeftOut("table", f"{schema}.{name}", name, reason, table_sql(name, lt, schema)))
                continue
            merged.tables[name] = lt
            if schema != "public":
                merged.table_schemas[name] = schema
    return merged


DOMAIN_CHECK_DEF = re.compile(r"^CHECK \((?P<expression>.*)\)$", re.S)


def _domains(conn: psycopg.Connection, reader: "_TableReader") -> dict[str, Domain]:
    """public's domains the spec can say: a type and at most one CHECK under PostgreSQL's own name for it
    (`<domain>_check`), no NOT NULL, default or collation of their own; the others stay in the report."""
    out = {}
    for name, base, not_null, has_default, collated, constraints in conn.execute(
        """SELECT t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault IS NOT NULL,
                  t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype),
                  array(SELECT array[c.conname, pg_get_constraintdef(c.oid)] FROM pg_constraint c WHERE c.contypid = t.oid ORDER BY c.conname)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype = 'd'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
           ORDER BY 1"""
    ):
        ctype, _enum = reader.column_type(base)
        if identifier_problem(name) or ctype is None or ctype.of is not None or not_null or has_default or collated or len(constraints) > 1:
            continue
        check = None
        if constraints:
            con_name, definition = constraints[0]
            m = DOMAIN_CHECK_DEF.match(definition)
            parsed = read_expression(m["expression"], DOMAIN_CHECK, Scope(f"domain {name}", frozenset({"value"}))) if m else None
            if con_name != f"{name}_check" or not isinstance(parsed, Expression):
                continue
            check = parsed.sql
        out[name] = Domain(name, ctype, check, None, HERE)
    return out


def _externals(conn: psycopg.Connection, attached: list, tables: list[Table], left: list[LeftOut]) -> tuple[Table, ...]:
    """Supabase's tables the app put policies on (storage.objects), declared under `external:` with their columns
    and every policy the spec can say; the others are reported with their SQL."""
    calls_app = {
        (schema, table, policy)
        for schema, table, policy in conn.execute(
            """SELECT n.nspname, c.relname, p.polname
               FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_proc'::regclass
               JOIN pg_proc f ON f.oid = d.refobjid
               WHERE f.pronamespace = 'public'::regnamespace"""
        )
    }
    by_table: dict[tuple[str, str], list] = {}
    for schema, table, name, lp in attached:
        by_table.setdefault((schema, table), []).append((name, lp))
    spec_columns = {t.name: frozenset(c.name for c in t.columns) for t in tables}
    out = []
    for (schema, table), policies in sorted(by_table.items()):
        live = read_schema(conn, schema).tables.get(table)
        columns = []
        for cname, lc in (live.columns.items() if live else ()):
            ctype = catalog_type(lc.type)
            if ctype is not None and identifier_problem(cname) is None:
                columns.append(Column(cname, ctype, True, None, None, None, False, None, HERE))
        names = frozenset(c.name for c in columns)
        scope = Scope(table, names, {**spec_columns, table: names})
        kept = []
        for name, lp in policies:
            sql = policy_sql(qualified(schema, table), name, lp)
            reason = None
            if identifier_problem(schema) or identifier_problem(table):
                reason = "the table's name is not one the spec can hold"
            elif len(name.encode("utf-8")) > 63 or control_character(name):
                reason = "the policy name holds a control character, which a spec cannot"
            elif (schema, table, name) in calls_app:
                reason = "it calls one of the app's functions, which the spec cannot create yet"
            elif not lp.permissive:
                reason = "restrictive policies are not in the spec language yet"
            elif not set(lp.roles) <= set(ROLES):
                reason = f"policies for roles other than {', '.join(ROLES)} are not in the spec language yet"
            expressions = {}
            for key, text, place in (("using", lp.using, POLICY_USING), ("with_check", lp.with_check, POLICY_WITH_CHECK)):
                if reason is None and text is not None:
                    parsed = read_expression(text, place, scope)
                    if isinstance(parsed, Expression):
                        expressions[key] = parsed.sql
                    else:
                        reason = f"its {'USING' if key == 'using' else 'WITH CHECK'} expression is not one the spec can hold"
            if reason:
                left.append(LeftOut("policy", f"{schema}.{table}", name, reason, sql))
                continue
            kept.append(Policy(name, (lp.command.lower(),), lp.roles, None, expressions.get("using"), expressions.get("with_check"), None, HERE))
        if kept:
            out.append(
                Table(
                    name=table, description=None, classification=None, retention=None, log=False, rls=True, timestamps=False,
                    columns=tuple(columns), primary_key=None, uniques=(), checks=(), foreign_keys=(), indexes=(), triggers=(),
                    policies=tuple(sorted(kept, key=lambda p: p.name)), pos=HERE, schema=schema,
                )
            )
    return tuple(out)


def _extensions_needed(conn: psycopg.Connection, schemas: tuple[str, ...]) -> set[str]:
    """Extensions an object of the app's schemas depends on: a column's type, an index's operator class (btree_gist under an
    exclusion constraint), a default's or a policy's function. Supabase's others in `extensions` are not the app's."""
    rows = conn.execute(
        """SELECT DISTINCT e.extname
           FROM pg_depend d
           JOIN pg_depend m ON m.classid = d.refclassid AND m.objid = d.refobjid AND m.deptype = 'e'
           JOIN pg_extension e ON e.oid = m.refobjid
           WHERE (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))))
              OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))))
              OR (d.classid = 'pg_attrdef'::regclass AND d.objid IN
                  (SELECT a.oid FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))))
              OR (d.classid = 'pg_trigger'::regclass AND d.objid IN
                  (SELECT t.oid FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))))
              OR (d.classid = 'pg_policy'::regclass AND d.objid IN
                  (SELECT p.oid FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(%(s)s))))""",
        {"s": list(schemas)},
    ).fetchall()
    return {name for (name,) in rows}


# ---------------------------------------------------------------- comments


TAG = re.compile(r"^\[(?P<tag>[^\]\n]+)\](?: (?P<rest>.*))?$", re.S)
TABLE_COMMENT = re.compile(
    r"^(?P<description>.*?) Classification: (?P<classes>[^.]*)\.(?P<log> Log table: holds IDs, never PHI\.)?(?: Retention: (?P<retention>.*))?$", re.S
)
LABEL_TO_CLASS = {classification_label(c): c for c in CLASSIFICATIONS + GENERAL_CLASSIFICATIONS}


TAG_AT_END = re.compile(r"^(?:(?P<rest>.*) )?\[(?P<tag>[^\]\n]+)\]$", re.S)


def _tag_meaning(tag: str) -> tuple[str | None, bool] | None:
    """(classification, encrypted) a tag of emit.sql.column_comment says, or None when it is not one."""
    if tag == "ENCRYPTED PHI: encrypted at rest and in transit":
        return "phi", True
    if tag == "encrypted":
        return None, True
    label, _, encrypted = tag.partition(", ")
    if encrypted not in ("", "encrypted") or label not in LABEL_TO_CLASS:
        return None
    return LABEL_TO_CLASS[label], encrypted == "encrypted"


def read_column_comment(comment: str | None, tagged: bool, placement: str = "start") -> tuple[str | None, bool, str | None]:
    """(classification, encrypted, description) from a column comment; tags only count in a schemac-tagged table,
    at the start or (comments: {classification_tag: end}) at the end."""
    if comment is None or not tagged:
        return None, False, comment
    m = (TAG_AT_END if placement == "end" else TAG).match(comment)
    meaning = _tag_meaning(m["tag"]) if m else None
    if meaning is None:
        return None, False, comment
    return meaning[0], meaning[1], m["rest"]


def tag_placement(live: LiveSchema) -> str:
    """Where this database's column comments carry schemac's tag: `end` when some end with one and none start with one."""
    starts = ends = 0
    for name, lt in live.tables.items():
        if not read_table_comment(lt.comment, name)[0]:
            continue
        for lc in lt.columns.values():
            if lc.comment is None:
                continue
            m = TAG.match(lc.comment)  # a comment that is only a tag says nothing about the placement
            starts += bool(m and m["rest"] and _tag_meaning(m["tag"]))
            m = TAG_AT_END.match(lc.comment)
            ends += bool(m and m["rest"] and _tag_meaning(m["tag"]))
    return "end" if ends and not starts else "start"


def read_table_comment(comment: str | None, name: str) -> tuple[bool, str | None, bool, str | None]:
    """(written by schemac, description, log, retention) from a table comment."""
    if comment is None:
        return False, None, False, None
    m = TABLE_COMMENT.match(comment)
    if not m or not all(c.strip() in LABEL_TO_CLASS for c in m["classes"].split(",")):
        return False, comment, False, None
    description = m["description"]
    return True, (None if description == name else description), bool(m["log"]), m["retention"]


# ---------------------------------------------------------------- tables


@dataclass
class _Extra:
    identity: str  # '', 'a' (always), 'd' (by default)
    generated: str  # '', 's' (stored), 'v' (virtual)
    sequence: str | None = None  # the sequence the column owns (serial or identity)
    options: tuple | None = None  # that sequence's (start, increment, min, max, cache, cycle, type)


def _column_extras(conn: psycopg.Connection, schemas: tuple[str, ...]) -> dict[tuple[str, str, str], _Extra]:
    """Identity, generated and serial columns of `schemas`: catalog.py does not read them, and a default would hide them."""
    rows = conn.execute(
        """SELECT n.nspname, c.relname, a.attname, a.attidentity, a.attgenerated, s.relname,
                  q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, format_type(q.seqtypid, NULL)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass
                AND d.deptype IN ('a', 'i') AND EXISTS (SELECT 1 FROM pg_class x WHERE x.oid = d.objid AND x.relkind = 'S')
           LEFT JOIN pg_class s ON s.oid = d.objid
           LEFT JOIN pg_sequence q ON q.seqrelid = s.oid
           WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped""",
        (list(schemas),),
    ).fetchall()
    return {(n, t, c): _Extra(i, g, seq, tuple(opts) if seq else None) for n, t, c, i, g, seq, *opts in rows}


# PostgreSQL's sequence defaults for an ascending sequence of each integer type
SEQUENCE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
SERIAL_OF = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}


def identity_of(kind: str, options: tuple) -> Identity | None:
    """The model's Identity for attidentity and the sequence options, None where PostgreSQL's default (None: not expressible)."""
    start, increment, minimum, maximum, cache, cycle, type_name = options
    if increment < 0:
        return None  # descending: its defaults differ; not read back
    return Identity(
        "always" if kind == "a" else "by default",
        None if start == minimum else start,
        None if increment == 1 else increment,
        None if minimum == 1 else minimum,
        None if maximum == SEQUENCE_MAX.get(type_name) else maximum,
        None if cache == 1 else cache,
        bool(cycle),
    )


def plain_sequence(options: tuple) -> bool:
    """A sequence with every option at PostgreSQL's default (what serial creates)."""
    start, increment, minimum, maximum, cache, cycle, type_name = options
    return (start, increment, minimum, maximum, cache, cycle) == (1, 1, 1, SEQUENCE_MAX.get(type_name), 1, False)


class _Collector:
    """Stands in for resolve's Problems when a resolver helper is reused: keeps the messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, _path, message: str) -> None:
        self.messages.append(message)


def catalog_type(text: str) -> ColumnType | None:
    """A format_type() spelling as the model's ColumnType, or None when the spec cannot say it."""
    spelled = re.sub(r"^time without time zone", "time", text)
    spelled = re.sub(r"^character varying", "varchar", spelled)
    spelled = re.sub(r"^character(?= |\(|\[|$)", "char", spelled)
    ctype = parse_type(spelled)
    return ctype if ctype is not None and ctype.catalog == text else None


ENUM_CHECK = re.compile(r"^\((?P<col>\w+) = ANY \(ARRAY\[(?P<values>.*)\]\)\)$", re.S)
ENUM_VALUE = re.compile(r"'((?:[^']|'')*)'::text")


class _TableReader:
    def __init__(self, live: LiveSchema, extra: dict[tuple[str, str], _Extra], left: list[LeftOut], native_enums=None, extensions=None):
        self.live = live
        self.extra = extra
        self.left = left
        self.enums: dict[str, Enum] = {}
        self.used_functions: set[str] = set()
        self.native_enums: dict[str, tuple[str, ...]] = native_enums or {}  # public's enum types -> labels
        self.extensions: dict[str, str] = extensions or {}  # extension -> its schema
        self.calls_app_functions: dict[tuple[str, str], str] = {}  # (table, policy) -> a function of public it calls
        self.functions: dict[str, Function] = {}  # public's functions the spec holds, by name
        self.triggers: list[Trigger] = []  # the `triggers:` section: every trigger but the timestamps one
        self.domains: dict[str, Domain] = {}  # public's domains the spec can say
        self.placement = tag_placement(live)  # where column comments carry the classification tag

    def schema_of(self, table: str) -> str:
        return self.live.table_schemas.get(table, "public")

    def out(self, kind: str, table: str | None, name: str, reason: str, sql: str) -> None:
        self.left.append(LeftOut(kind, f"{self.schema_of(table)}.{table}" if table else None, name, reason, sql))

    def table(self, name: str, lt: LiveTable) -> Table | None:
        qname = qualified(self.schema_of(name), name)
        if problem := identifier_problem(name):
            self.out("table", name, name, f"the table name {problem}", table_sql(name, lt, self.schema_of(name)))
            return None
        tagged, description, log, retention = read_table_comment(self.writable_comment(name, None, lt.comment), name)
        columns: list[Column] = []
        for cname, lc in lt.columns.items():
            column = self.column(name, cname, lc, tagged)
            if column is not None:
                columns.append(column)
        names = {c.name for c in columns}
        if not columns:
            self.out("table", name, name, "no column of it can be said in the spec language", table_sql(name, lt, self.schema_of(name)))
            return None

        primary_key, uniques, checks, exclusions = None, [], [], []
        for con_name, con in lt.constraints.items():
            sql = f"ALTER TABLE {qname} ADD CONSTRAINT {quote_ident(con_name)} {con.definition};"
            missing = [c for c in con.columns if c not in names]
            if con.kind == "f":
                continue  # once every table is read
            if missing:
                self.out("constraint", name, con_name, f"it is on column {missing[0]}, which is left out", sql)
            elif con.kind == "p" and con.definition == f"PRIMARY KEY ({_idents(con.columns)})":
                primary_key = PrimaryKey(con_name, con.columns, HERE)
            elif con.kind == "u" and con.definition in (f"UNIQUE ({_idents(con.columns)})", f"UNIQUE NULLS NOT DISTINCT ({_idents(con.columns)})") and con.deferrable == "NOT DEFERRABLE":
                uniques.append(Unique(con_name, con.columns, HERE, "NULLS NOT DISTINCT" in con.definition))
            elif con.kind == "x" and con.deferrable == "NOT DEFERRABLE" and (exclusion := self.exclusion(name, con_name, con, names)) is not None:
                exclusions.append(exclusion)
            elif con.kind == "c" and con.valid and con.enforced and con.inherited:
                check = self.check(name, con_name, con.expression or "", columns, names)
                if check is None:
                    self.out("constraint", name, con_name, "the check expression is not one the spec can hold", sql)
                else:
                    checks.append(check)
            else:
                self.out("constraint", name, con_name, _constraint_reason(con), sql)
        columns = [self.enum_of(name, c, checks) for c in columns]
        checks = [ch for ch in checks if ch.enum is None or any(c.enum == ch.enum for c in columns)]
        # the order build gives them: enum checks in column order, then the others; column uniques first
        position = {c.name: i for i, c in enumerate(columns)}
        enum_column = {naming.check(name, c.name): c.name for c in columns if c.enum}
        checks.sort(key=lambda ch: (0, position[enum_column[ch.name]], "") if ch.enum else (1, 0, ch.name))
        uniques.sort(key=lambda u: (1, 0, u.name) if u.nulls_not_distinct else _shorthand_first(name, columns, u.columns, u.name, naming.unique))

        indexes = []
        for ix_name, ix in lt.indexes.items():
            index = self.index(name, ix_name, ix, names, set(lt.columns))
            if index is not None:
                indexes.append(index)

        stamps, triggers = self.timestamps(name, lt, columns)
        timestamps = stamps is not None
        if stamps:
            by_name = {c.name: c for c in columns}
            columns = [c for c in columns if c.name not in stamps] + [
                replace(by_name[n], generated_by="timestamps", description=description) for n, description in zip(stamps, _TIMESTAMP_DESCRIPTIONS)
            ]
        for trg_name, trg in lt.triggers.items():
            if not any(t.name == trg_name for t in triggers):
                sql = f"CREATE TRIGGER {quote_ident(trg_name)} {trg.definition.replace(f' ON {name} ', f' ON {qname} ', 1)};"
                read = self.trigger(trg_name, trg, "public", name, None)
                if isinstance(read, str):
                    self.out("trigger", name, trg_name, read, sql)
                else:
                    self.triggers.append(read)
        for rule_name, definition in lt.rules.items():
            self.out("rule", name, rule_name, "rewrite rules are not in the spec language", definition)
        if lt.force_rls:
            self.out("table", name, name, "FORCE ROW LEVEL SECURITY is not in the spec language", f"ALTER TABLE {qname} FORCE ROW LEVEL SECURITY;")

        return Table(
            name=name,
            description=description,
            classification=_most_common(columns),
            retention=retention,
            log=log,
            rls=lt.rls,
            timestamps=timestamps,
            timestamp_columns=stamps or ("created_at", "updated_at"),
            classification_tag=self.placement,
            columns=tuple(columns),
            primary_key=primary_key,
            uniques=tuple(uniques),
            checks=tuple(checks),
            foreign_keys=(),
            indexes=tuple(indexes),
            triggers=triggers,
            policies=(),
            pos=HERE,
            exclusions=tuple(sorted(exclusions, key=lambda x: x.name)),
            catalog_comment=CatalogComment(lt.comment),
            realtime=lt.realtime,
            replica_identity=lt.replica_identity if lt.replica_identity in ("default", "full") else "default",
            schema=self.schema_of(name),
        )

    def trigger(self, name: str, trg, schema: str, table: str, description: str | None) -> Trigger | str:
        """A trigger of the `triggers:` section, or why the spec cannot say it (its function must be one the spec holds)."""
        read = trigger_from_catalog(name, trg, schema, table, description)
        if isinstance(read, str):
            return read
        if trg.firing != "enabled":
            return f"it is {trg.firing} (the spec's triggers are enabled)"
        fschema, _, fname = read.function.partition(".")
        function = self.functions.get(fname) if fschema == "public" else None
        ready, _ = ready_trigger_function(read.function, self.extensions)
        if function is None and ready == read.function:  # moddatetime and the like: PostgreSQL's or a contrib extension's
            return read if not identifier_problem(name) else f"the trigger name {identifier_problem(name)}"
        if function is None:
            return f"it runs {read.function}(), a function the spec does not hold"
        if not function.returns.trigger:
            return f"it runs {read.function}(), which does not return trigger"
        if identifier_problem(name):
            return f"the trigger name {identifier_problem(name)}"
        return read

    def column(self, table: str, name: str, lc, tagged: bool) -> Column | None:
        sql = f"ALTER TABLE {qualified(self.schema_of(table), table)} ADD COLUMN {quote_ident(name)} {lc.type}" + ("" if lc.nullable else " NOT NULL") + (f" DEFAULT {lc.default}" if lc.default else "") + ";"
        extra = self.extra.get((self.schema_of(table), table, name), _Extra("", ""))
        ctype, enum = self.column_type(lc.type)
        reason = None
        identity = None
        if problem := identifier_problem(name):
            reason = f"the column name {problem}"
        elif ctype is None:
            reason = f"type {lc.type} is not in the spec language yet"
        elif extra.generated and extra.generated != "s":
            reason = "virtual generated columns are not in the spec language yet"
        elif extra.identity:
            identity = identity_of(extra.identity, extra.options) if extra.options else None
            if identity is None:
                reason = "a descending identity sequence is not in the spec language yet"
        if reason:
            self.out("column", table, name, reason, sql)
            return None
        classification, encrypted, description = read_column_comment(self.writable_comment(table, name, lc.comment), tagged, self.placement)
        collation = None if lc.collation == "default" else _unquote(lc.collation)
        default, serial, generated = None, None, None
        if extra.generated and lc.default is not None:
            parsed = read_expression(lc.default, GENERATED, Scope(table, frozenset(self.live.tables[table].columns) - {name}))
            if not isinstance(parsed, Expression):
                self.out("column", table, name, "its generation expression is not one the spec can hold", sql)
                return None
            generated = parsed.sql
        elif lc.default is not None and extra.sequence and lc.default == f"nextval({_quote(extra.sequence)}::regclass)" and \
                extra.sequence == naming.serial_sequence(table, name) and ctype.base in SERIAL_OF and plain_sequence(extra.options):
            serial = SERIAL_OF[ctype.base]
            default = Default(f"nextval({_quote(extra.sequence)}::regclass)", function="nextval", expression=True)
        elif lc.default is not None:
            default = self.default(table, name, lc.default, ctype, enum)
        return Column(
            name, ctype, lc.nullable, default, description, classification, encrypted, enum.name if enum else None, HERE,
            identity=identity, serial=serial, generated=generated, collation=collation, catalog_comment=CatalogComment(lc.comment),
        )

    def column_type(self, text: str) -> tuple[ColumnType | None, Enum | None]:
        """The model type of a format_type() spelling: built-in, a native enum of public, or an extension's type."""
        array = text.endswith("[]")
        core = text[:-2] if array else text
        if core in self.domains:
            return ColumnType(core, (), array, schema="public", of=self.domains[core].type), None
        if core in self.native_enums and not array:
            values = self.native_enums[core]
            enum = self.enums.get(core)
            if enum is None:
                enum = self.enums[core] = Enum(core, values, None, HERE, native=True)
            return ColumnType(core, schema="public"), enum
        schema, _, base = core.rpartition(".")
        spelled = parse_type(base + ("[]" if array else ""))
        if spelled is not None and spelled.schema == "?" and EXTENSION_TYPES[spelled.base] in self.extensions:
            ctype = replace(spelled, schema=self.extensions[EXTENSION_TYPES[spelled.base]])
            return (ctype if ctype.catalog == text else None), None
        return catalog_type(text), None

    def writable_comment(self, table: str, column: str | None, comment: str | None) -> str | None:
        """The comment, or None (reported) when it holds a control character the spec language refuses."""
        if comment is None or (code := control_character(comment)) is None:
            return comment
        target = qualified(self.schema_of(table), table) + (f".{quote_ident(column)}" if column else "")
        self.out("comment", table, column or table, f"it holds the control character {code}, which a spec cannot", f"COMMENT ON {'COLUMN' if column else 'TABLE'} {target} IS {_quote(comment)};")
        return None

    def default(self, table: str, column: str, text: str, ctype: ColumnType, enum: Enum | None) -> Default | None:
        """A literal the spec writes as `default: value` when it renders back to the same SQL; else `default_expression`."""
        sql = f"ALTER TABLE {qualified(self.schema_of(table), table)} ALTER COLUMN {quote_ident(column)} SET DEFAULT {text};"
        value = default_value(text, ctype)
        if value is not _NOT_A_VALUE and not (isinstance(value, str) and control_character(value)):
            default = build_default(value, ctype, enum, (), _Collector())
            if default is not None:
                return default
        parsed = read_expression(text, DEFAULT, Scope(table))
        if not isinstance(parsed, Expression):
            self.out("default", table, column, "the default expression is not one the spec can hold", sql)
            return None
        return Default(parsed.sql, expression=True)

    def check(self, table: str, name: str, expression: str, columns: list[Column], names: set[str]) -> Check | None:
        m = ENUM_CHECK.match(expression)
        if m and m["col"] in names and name == naming.check(table, m["col"]):
            values = tuple(v.replace("''", "'") for v in ENUM_VALUE.findall(m["values"]))
            col = next(c for c in columns if c.name == m["col"])
            if col.type == ColumnType("text") and m["values"] == ", ".join(f"'{v.replace(chr(39), chr(39) * 2)}'::text" for v in values) and len(set(values)) == len(values):
                return Check(name, "", None, self.enum_for(table, m["col"], values), HERE)
        parsed = read_expression(expression, CHECK, Scope(table, frozenset(names)))
        if not isinstance(parsed, Expression):
            return None
        return Check(name, parsed.sql, None, None, HERE)

    def enum_for(self, table: str, column: str, values: tuple[str, ...]) -> str:
        """The enum for these values: an existing one with the same values, or a new one named after the column."""
        for e in self.enums.values():
            if e.values == values:
                return e.name
        taken = set(self.enums) | set(self.native_enums)  # a PostgreSQL enum type keeps its own name
        name = column if column not in taken else naming.fit(f"{table}_{column}")
        while name in taken:
            name = naming.fit(name + "_values")
        self.enums[name] = Enum(name, values, None, HERE)
        return name

    def enum_of(self, table: str, column: Column, checks: list[Check]) -> Column:
        """A text column whose CHECK lists its values is an enum column; the check becomes the enum's own."""
        for i, ch in enumerate(checks):
            if ch.enum and ch.name == naming.check(table, column.name):
                values = ", ".join(_quote(v) for v in self.enums[ch.enum].values)
                checks[i] = Check(ch.name, f'"{column.name}" IN ({values})', f"{column.name} is one of the values of enum {ch.enum}", ch.enum, HERE)
                default = column.default
                if default is not None and default.value not in self.enums[ch.enum].values:
                    return column
                return replace(column, enum=ch.enum)
        return column

    def index(self, table: str, name: str, ix, names: set[str], live_columns: set[str] = frozenset()) -> Index | None:
        sql = f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {quote_ident(name)} ON {qualified(self.schema_of(table), table)} {ix.definition};"
        try:
            stmt = parser.parse_sql(f"CREATE INDEX x ON t {ix.definition}")[0].stmt
            elements = [self.element(table, e, names) for e in stmt.indexParams]
            include = tuple(e.name for e in stmt.indexIncludingParams or ())
        except Exception:
            elements, include, stmt = [None], (), None
        reason = None
        left_columns = sorted({e.name for e in (stmt.indexParams if stmt else ()) if e.name} | set(include)) if stmt else []
        left_columns = [c for c in left_columns if c in live_columns and c not in names]
        if left_columns:  # the column is commented out, so the index cannot run either: commented with it
            self.left.append(LeftOut("index", f"{self.schema_of(table)}.{table}", name, f"it indexes the column {left_columns[0]}, which is left out", sql, runnable=False))
            return None
        if stmt is None or None in elements or not all(c in names for c in include) or stmt.options:
            reason = "its elements or options (storage parameters, a tablespace) are not ones the spec can hold"
        elif ix.method not in INDEX_METHODS + ("spgist",) + (("hnsw", "ivfflat") if "vector" in self.extensions else ()):
            reason = f"the {ix.method} index method is not in the spec language"
        where = None
        if reason is None and stmt.whereClause is not None:
            parsed = read_expression(RawStream()(stmt.whereClause), INDEX_PREDICATE, Scope(table, frozenset(names)))
            if isinstance(parsed, Expression):
                where = parsed.sql
            else:
                reason = "the index predicate is not one the spec can hold"
        if reason:
            self.out("index", table, name, reason, sql)
            return None
        labels = tuple(e.label for e in elements)
        detailed = tuple(elements) if any(e != IndexElement(e.column) for e in elements) else ()
        return Index(name, labels, ix.unique, where, ix.method, None, HERE, elements=detailed, include=include, nulls_not_distinct=bool(stmt.nulls_not_distinct))

    def element(self, table: str, e, names: set[str]) -> IndexElement | None:
        """An index or exclusion element (pglast IndexElem) as the model's IndexElement; None when the spec cannot say it."""
        if e.opclassopts:
            return None
        opclass = ".".join(n.sval for n in e.opclass) if e.opclass else None
        collation = ".".join(n.sval for n in e.collation) if e.collation else None
        order = {SortByDir.SORTBY_ASC: "asc", SortByDir.SORTBY_DESC: "desc"}.get(e.ordering)
        nulls = {SortByNulls.SORTBY_NULLS_FIRST: "first", SortByNulls.SORTBY_NULLS_LAST: "last"}.get(e.nulls_ordering)
        if e.name is not None:
            return IndexElement(e.name, None, opclass, collation, order, nulls) if e.name in names else None
        parsed = read_expression(RawStream()(e.expr), INDEX_EXPRESSION, Scope(table, frozenset(names)))
        if not isinstance(parsed, Expression):
            return None
        return IndexElement(None, parsed.sql, opclass, collation, order, nulls)

    def exclusion(self, table: str, name: str, con, names: set[str]) -> Exclusion | None:
        try:
            node = parser.parse_sql(f"ALTER TABLE t ADD CONSTRAINT x {con.definition}")[0].stmt.cmds[0].def_
            pairs = [(self.element(table, e, names), ".".join(o.sval for o in ops)) for e, ops in node.exclusions]
        except Exception:
            return None
        if any(e is None for e, _ in pairs) or node.options or node.access_method not in ("gist", "spgist", "btree", "hash"):
            return None
        where = None
        if node.where_clause is not None:
            parsed = read_expression(RawStream()(node.where_clause), INDEX_PREDICATE, Scope(table, frozenset(names)))
            if not isinstance(parsed, Expression):
                return None
            where = parsed.sql
        return Exclusion(name, node.access_method, tuple(pairs), where, None, HERE)

    def timestamps(self, table: str, lt: LiveTable, columns: list[Column]) -> tuple[tuple[str, str] | None, tuple[Trigger, ...]]:
        """(created, updated) when the table has schemac's two timestamp columns (timestamptz NOT NULL DEFAULT now())
        and its trigger setting the updated one, exactly; the created one is `created_at`, or the only other such column."""
        by_name = {c.name: c for c in columns}

        def stamped(n: str) -> bool:
            c = by_name.get(n)
            return c is not None and c.type == ColumnType("timestamptz") and not c.nullable and c.default == Default("now()", function="now()")

        for updated in [c.name for c in columns if stamped(c.name)]:
            trigger_name = naming.updated_at_trigger(table, updated)
            function = updated_at_function(updated)
            function_name = function.split(".")[1]
            trg = lt.triggers.get(trigger_name)
            if not (trg and trg.function == function and trg.timing == "BEFORE" and trg.events == ("UPDATE",) and trg.firing == "enabled"):
                continue
            if trg.definition not in (f"BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {f}()" for f in (function, function_name)):
                continue
            others = [c.name for c in columns if stamped(c.name) and c.name != updated]
            created = "created_at" if "created_at" in others else (others[0] if len(others) == 1 else None)
            if created is None:
                continue
            self.used_functions.add(function_name)
            return (created, updated), (Trigger(trigger_name, "BEFORE", ("UPDATE",), function),)
        return None, ()

    def resolve_foreign_keys(self, tables: list[Table]) -> list[Table]:
        by_name = {t.name: t for t in tables}
        result = []
        for t in tables:
            fks = []
            for con_name, con in self.live.tables[t.name].constraints.items():
                if con.kind != "f":
                    continue
                sql = f"ALTER TABLE {qualified(t.schema, t.name)} ADD CONSTRAINT {quote_ident(con_name)} {con.definition};"
                ref_schema, ref_table = split_qualified(con.ref_table)
                target = by_name.get(ref_table) if by_name.get(ref_table) is not None and by_name[ref_table].schema == ref_schema else None
                reason = None
                if not all(t.has_column(c) for c in con.columns):
                    reason = "it is on a column that is left out"
                elif con.ref_table in EXTERNAL_TABLES:
                    if not all(c in EXTERNAL_TABLES[con.ref_table] for c in con.ref_columns):
                        reason = f"it references columns of {con.ref_table} the spec does not know"
                elif target is None:
                    reason = f"it references {con.ref_table}, which is not a table of the spec"
                elif not all(target.has_column(c) for c in con.ref_columns):
                    reason = f"it references a column of {ref_table} that is left out"
                if reason is None and con.ref_table not in EXTERNAL_TABLES:
                    mine = [t.column(c).type for c in con.columns]
                    if mine != [target.column(c).type for c in con.ref_columns]:
                        reason = "its columns and the referenced ones differ in type, which the spec does not allow"
                if reason is None and "set null" in (con.on_delete, con.on_update) and not all(t.column(c).nullable for c in con.columns):
                    reason = "SET NULL on a NOT NULL column always fails, and the spec refuses it"
                fk = ForeignKey(
                    con_name, con.columns, ref_schema, ref_table, con.ref_columns, con.on_delete, HERE,
                    on_update=con.on_update, match=(con.match or "SIMPLE").lower(),
                    deferrable=con.deferrable != "NOT DEFERRABLE", initially_deferred=con.deferrable.endswith("DEFERRED"),
                )
                if reason is None and (con.definition != _fk_definition(fk) or not con.valid or not con.enforced or fk.match == "partial"):
                    reason = "this form of foreign key (SET NULL/SET DEFAULT on some columns, NOT VALID) is not in the spec language yet"
                if reason:
                    self.out("constraint", t.name, con_name, reason, sql)
                    continue
                fks.append(fk)
            result.append(replace(t, foreign_keys=tuple(sorted(fks, key=lambda fk: _shorthand_first(t.name, t.columns, fk.columns, fk.name, naming.foreign_key)))))
        return result

    def policies(self, table: Table, tables: list[Table]) -> Table:
        lt = self.live.tables[table.name]
        scope = Scope(table.name, frozenset(c.name for c in table.columns), {t.name: frozenset(c.name for c in t.columns) for t in tables})
        result = []
        for name, lp in lt.policies.items():
            sql = policy_sql(qualified(table.schema, table.name), name, lp)
            reason = None
            if len(name.encode("utf-8")) > 63 or control_character(name):
                reason = "the policy name holds a control character, which a spec cannot"
            elif (table.name, name) in self.calls_app_functions:
                reason = f"it calls {self.calls_app_functions[(table.name, name)]}(), a function, which the spec cannot create yet"
            elif not lp.permissive:
                reason = "restrictive policies are not in the spec language yet"
            elif not set(lp.roles) <= set(ROLES):
                reason = f"policies for roles other than {', '.join(ROLES)} are not in the spec language yet"
            using = check = None
            if reason is None and lp.using is not None:
                parsed = read_expression(lp.using, POLICY_USING, scope)
                reason = None if isinstance(parsed, Expression) else "its USING expression is not one the spec can hold"
                using = parsed.sql if isinstance(parsed, Expression) else None
            if reason is None and lp.with_check is not None:
                parsed = read_expression(lp.with_check, POLICY_WITH_CHECK, scope)
                reason = None if isinstance(parsed, Expression) else "its WITH CHECK expression is not one the spec can hold"
                check = parsed.sql if isinstance(parsed, Expression) else None
            if reason:
                self.out("policy", table.name, name, reason, sql)
                continue
            result.append(Policy(name, (lp.command.lower(),), lp.roles, None, using, check, None, HERE))
        return replace(table, policies=tuple(sorted(result, key=lambda p: p.name)))


_TIMESTAMP_DESCRIPTIONS = ("When the row was created.", "When the row was last changed (maintained by trigger).")  # (created, updated), as build writes them


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _idents(names) -> str:
    return ", ".join(_ident_as_catalog(n) for n in names)


def _ident_as_catalog(name: str) -> str:
    """How pg_get_constraintdef / pg_get_indexdef write an identifier: bare when it needs no quotes."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in _RESERVED else quote_ident(name)


# Words pg_get_*def quote even in lower case (the reserved ones a column is likely to be named).
_RESERVED = frozenset(
    "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create "
    "current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc "
    "distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral "
    "leading limit localtime localtimestamp not null offset on only or order placing primary references returning "
    "select session_user some symmetric system_user table then to trailing true union unique user using variadic "
    "when where window with".split()
)


def _fk_definition(fk: ForeignKey) -> str:
    """pg_get_constraintdef's spelling of the foreign key: MATCH, ON UPDATE, ON DELETE, DEFERRABLE in its order."""
    target = _ident_as_catalog(fk.ref_table) if fk.ref_schema == "public" else f"{_ident_as_catalog(fk.ref_schema)}.{_ident_as_catalog(fk.ref_table)}"
    s = f"FOREIGN KEY ({_idents(fk.columns)}) REFERENCES {target}({_idents(fk.ref_columns)})"
    if fk.match == "full":
        s += " MATCH FULL"
    if fk.on_update != "no action":
        s += f" ON UPDATE {fk.on_update.upper()}"
    if fk.on_delete != "no action":
        s += f" ON DELETE {fk.on_delete.upper()}"
    if fk.deferrable:
        s += " DEFERRABLE"
    if fk.initially_deferred:
        s += " INITIALLY DEFERRED"
    return s


QUALIFIED = re.compile(r'^("(?:[^"]|"")*"|[^."]*)\.("(?:[^"]|"")*"|[^."]*)$')


def split_qualified(text: str) -> tuple[str, str]:
    """(schema, table) of regclass text as the catalog reader gives it, `"select"."order"` -> (select, order)."""
    m = QUALIFIED.match(text)
    if m is None:
        schema, _, table = text.partition(".")
        return schema, table
    return _unquote(m[1]), _unquote(m[2])


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


def written_on_column(table: str, columns: tuple[str, ...], name: str, derive) -> bool:
    """Whether the spec writes this key on its column (`unique: true`, `references:`): one column, derived name."""
    return len(columns) == 1 and name == derive(table, columns)


def _shorthand_first(table: str, all_columns, columns: tuple[str, ...], name: str, derive) -> tuple:
    """Sort key in build's order: keys written on a column first, in column order; then the table's own, by name."""
    if written_on_column(table, columns, name, derive):
        position = {c.name: i for i, c in enumerate(all_columns)}
        return (0, position.get(columns[0], 0), "")
    return (1, 0, name)


def _constraint_reason(con) -> str:
    if con.kind == "x":
        return "exclusion constraints are not in the spec language yet"
    if con.deferrable != "NOT DEFERRABLE":
        return "deferrable constraints are not in the spec language yet"
    if not con.valid or not con.enforced:
        return "NOT VALID and NOT ENFORCED constraints are not in the spec language"
    if con.kind == "c":
        return "NO INHERIT checks are not in the spec language"
    return "INCLUDE columns, NULLS NOT DISTINCT and index options on keys are not in the spec language yet"


def _most_common(columns: list[Column]) -> str | None:
    """The table's default class: the most common of its columns', when every column has one (a column without
    one would otherwise inherit it when the written spec is built)."""
    classes = Counter(c.classification for c in columns if c.classification is not None)
    if not classes or any(c.classification is None for c in columns):
        return None
    best = max(classes.values())
    return sorted(c for c, n in classes.items() if n == best)[0]


def _profile(tables: list[Table]) -> tuple[str, tuple[str, ...]]:
    """phi when every column carries one of the PHI profile's classes (a schemac-compiled clinic database); else general."""
    columns = [c for t in tables for c in t.columns]
    if columns and all(c.classification in CLASSIFICATIONS for c in columns):
        return "phi", CLASSIFICATIONS
    used = {c.classification for c in columns if c.classification}
    return "general", GENERAL_CLASSIFICATIONS + tuple(sorted(used - set(GENERAL_CLASSIFICATIONS)))


# ---------------------------------------------------------------- defaults


_NOT_A_VALUE = object()
FUNCTION_DEFAULTS = {"now()": "now()", "gen_random_uuid()": "gen_random_uuid()", "auth.uid()": "auth.uid()", "CURRENT_DATE": "current_date"}


# base types whose literal defaults build_default writes exactly as pg_get_expr prints them back
LITERAL_BASES = frozenset({"text", "varchar", "char", "smallint", "integer", "bigint", "boolean", "numeric", "json", "jsonb", "uuid"})


def default_value(text: str, ctype: ColumnType):
    """The spec value of a catalog default (pg_get_expr), or _NOT_A_VALUE when it is better kept as an expression."""
    if text in FUNCTION_DEFAULTS:
        return FUNCTION_DEFAULTS[text]
    if ctype.base not in LITERAL_BASES and ctype.schema != "public":
        return _NOT_A_VALUE
    try:
        node = parser.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val
    except Exception:
        return _NOT_A_VALUE
    cast = None
    if isinstance(node, ast.TypeCast):
        cast = ".".join(n.sval for n in node.typeName.names)
        node = node.arg
    if not isinstance(node, ast.A_Const) or node.isnull:
        return _NOT_A_VALUE
    val = node.val
    if isinstance(val, ast.Boolean):
        return bool(val.boolval)
    if isinstance(val, ast.Integer):
        return int(val.ival)
    if isinstance(val, ast.Float):
        return val.fval
    text_value = val.sval
    if cast in ("json", "jsonb", "pg_catalog.json", "pg_catalog.jsonb"):
        try:
            return json.loads(text_value)
        except ValueError:
            return _NOT_A_VALUE
    if text_value == "{}" and node is not None and cast is not None and _is_array_cast(text):
        return []
    if cast in ("int2", "int4", "int8", "pg_catalog.int2", "pg_catalog.int4", "pg_catalog.int8"):
        return int(text_value)
    if cast in ("numeric", "pg_catalog.numeric"):
        return text_value
    if _is_array_cast(text):
        return _NOT_A_VALUE
    return text_value


def _is_array_cast(text: str) -> bool:
    return text.endswith("[]")


# ---------------------------------------------------------------- the literal reading (verify)


TYPE_NAMES = {catalog: base for base, catalog in CATALOG_TYPE_NAMES.items()}


def catalog_model(conn: psycopg.Connection, schemas: tuple[str, ...] = ("public",), source: str = "database") -> Schema:
    """The literal reading of a live database's public and other table schemas (see schema_from_catalog)."""
    return schema_from_catalog(read_schemas(conn, schemas), source)


def schema_from_catalog(live: LiveSchema, source: str = "database") -> Schema:
    """Every table of an already-read catalog as the model, literally: expressions as the server spells
    them, every key, index, trigger and policy kept (nothing interpreted, nothing left out)."""
    pos = Pos(source, 1, 1)
    enum_types = frozenset(live.enums)
    tables = tuple(
        replace(_literal_table(name, t, pos, enum_types), schema=live.table_schemas.get(name, "public")) for name, t in live.tables.items()
    )
    # native enums are the enum types of the schema; extensions are not read (the platform installs its own)
    enums = tuple(Enum(name, labels, None, pos, native=True) for name, labels in live.enums.items())
    return Schema(tables=tables, enums=enums, source=source, source_sha256="", pos=pos)


def column_type(catalog: str) -> ColumnType:
    """format_type() text back to a ColumnType: 'character varying(20)[]' -> varchar(20)[]."""
    array = catalog.endswith("[]")
    text = catalog[:-2] if array else catalog
    match = re.fullmatch(r"(?P<base>[^(]+?)(?:\((?P<params>[\d,]+)\))?(?P<rest> with(?:out)? time zone)?", text)
    if match is None:
        return ColumnType(text, (), array)
    base = match["base"] + (match["rest"] or "")
    params = tuple(int(p) for p in match["params"].split(",")) if match["params"] else ()
    return ColumnType(TYPE_NAMES.get(base, base), params, array)


def _literal_table(name: str, t: LiveTable, pos: Pos, enum_types: frozenset[str] = frozenset()) -> Table:
    columns = []
    for cname, c in t.columns.items():
        classification, encrypted, description = read_column_comment(c.comment, True)
        ctype = column_type(c.type)
        if ctype.base in enum_types:  # format_type leaves public out; the model qualifies a user type
            ctype = ColumnType(ctype.base, ctype.params, ctype.array, schema="public")
        generated = c.default if c.generated else None  # the catalog's default is then the generation expression
        default = c.default if c.default is not None and generated is None else None
        serial = SERIAL_OF.get(ctype.base) if c.sequence is not None and c.identity is None and not ctype.array else None
        columns.append(
            Column(
                name=cname,
                type=ctype,
                nullable=c.nullable,
                default=Default(default, expression=serial is not None) if default is not None else None,
                description=description,
                classification=classification,
                encrypted=encrypted,
                enum=None,
                pos=pos,
                collation=None if c.collation == "default" else c.collation.strip('"'),
                catalog_comment=CatalogComment(c.comment),
                identity=Identity(c.identity) if c.identity else None,  # its sequence options: verify compares them apart
                serial=serial,
                generated=generated,
            )
        )
    primary_key, uniques, checks, foreign_keys, exclusions = None, [], [], [], []
    for cname, con in t.constraints.items():
        if con.kind == "p":
            primary_key = PrimaryKey(cname, con.columns, pos)
        elif con.kind == "u":
            uniques.append(Unique(cname, con.columns, pos, nulls_not_distinct="NULLS NOT DISTINCT" in con.definition))
        elif con.kind == "c":
            checks.append(Check(cname, con.expression or con.definition, None, None, pos))
        elif con.kind == "f":
            ref_schema, ref_table = split_qualified(con.ref_table or "")
            foreign_keys.append(ForeignKey(
                cname, con.columns, ref_schema, ref_table, con.ref_columns, con.on_delete or "no action", pos,
                on_update=con.on_update or "no action",
                match=(con.match or "SIMPLE").lower(),
                deferrable=con.deferrable.startswith("DEFERRABLE"),
                initially_deferred=con.deferrable.endswith("DEFERRED"),
            ))
        elif con.kind == "x":  # elements and predicate: verify compares the whole definition apart
            method = re.match(r"EXCLUDE USING (\w+)", con.definition)
            exclusions.append(Exclusion(cname, method[1] if method else "gist", (), None, None, pos))
    indexes = tuple(Index(n, ix.columns, ix.unique, ix.predicate, ix.method, None, pos) for n, ix in t.indexes.items())
    triggers = tuple(Trigger(n, trg.timing, trg.events, trg.function) for n, trg in t.triggers.items())
    policies = tuple(
        Policy(n, (p.command.lower(),), p.roles, None, p.using, p.with_check, None, pos) for n, p in t.policies.items()
    )
    _tagged, description, log, retention = read_table_comment(t.comment, name)
    return Table(
        name=name,
        description=description,
        classification=None,
        retention=retention,
        log=log,
        rls=t.rls,
        timestamps=any(trg.function == UPDATED_AT_FUNCTION for trg in triggers),
        columns=tuple(columns),
        primary_key=primary_key,
        uniques=tuple(uniques),
        checks=tuple(checks),
        foreign_keys=tuple(foreign_keys),
        indexes=indexes,
        triggers=triggers,
        policies=policies,
        pos=pos,
        catalog_comment=CatalogComment(t.comment),
        exclusions=tuple(exclusions),
        realtime=t.realtime,
        replica_identity=t.replica_identity,
    )
