"""Read what a live database holds in one schema, from pg_catalog, into plain data.

Event triggers are database-wide, not part of a schema, and are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg


@dataclass
class LiveColumn:
    type: str
    nullable: bool
    default: str | None
    comment: str | None
    collation: str = "default"  # "default" when the type's own collation (or none), else the collation's name
    identity: str | None = None  # 'always' | 'by default'
    generated: str | None = None  # 'stored' | 'virtual'; `default` then holds the generation expression
    sequence: str | None = None  # the sequence the column owns (serial or identity), schema-qualified
    sequence_options: str | None = None  # AS type START ... INCREMENT ... MINVALUE ... MAXVALUE ... CACHE ... [CYCLE]


@dataclass
class LiveConstraint:
    kind: str  # p, u, f, c
    columns: tuple[str, ...]
    definition: str
    ref_table: str | None = None  # schema-qualified
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    match: str | None = None  # foreign keys: SIMPLE, FULL, PARTIAL
    expression: str | None = None  # check constraints: the bare expression, without NOT VALID and the like
    deferrable: str = "NOT DEFERRABLE"  # or DEFERRABLE INITIALLY IMMEDIATE / DEFERRED
    valid: bool = True
    enforced: bool = True  # NOT ENFORCED exists from PostgreSQL 18
    inherited: bool = True  # checks: False for CHECK ... NO INHERIT (other kinds: not meaningful)


@dataclass
class LiveIndex:
    columns: tuple[str, ...]
    unique: bool
    method: str
    predicate: str | None
    definition: str = ""  # pg_get_indexdef from USING on: method, columns, operator classes, collations, INCLUDE, WHERE


@dataclass
class LiveTrigger:
    timing: str
    events: tuple[str, ...]
    function: str
    firing: str  # tgenabled as a word: enabled (origin and local), disabled, replica, always
    definition: str = ""  # pg_get_triggerdef from the timing keyword on, table unqualified (see trigger_tail)


@dataclass
class LivePolicy:
    command: str  # SELECT, INSERT, UPDATE, DELETE, ALL
    roles: tuple[str, ...]
    using: str | None
    with_check: str | None
    permissive: bool


@dataclass
class LiveTable:
    comment: str | None
    rls: bool
    force_rls: bool = False  # relforcerowsecurity: RLS applies to the owner too
    owner: str = ""
    replica_identity: str = "default"  # relreplident: default, full, nothing, index
    realtime: bool = False  # in the supabase_realtime publication
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    constraints: dict[str, LiveConstraint] = field(default_factory=dict)
    indexes: dict[str, LiveIndex] = field(default_factory=dict)
    triggers: dict[str, LiveTrigger] = field(default_factory=dict)
    policies: dict[str, LivePolicy] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)  # rewrite rules (not a view's _RETURN) -> definition


@dataclass(frozen=True)
class LiveFunction:
    body: str  # prosrc
    language: str
    security_definer: bool
    settings: str | None  # proconfig joined with ", ", e.g. search_path=""
    returns: str | None  # None for a procedure
    volatility: str  # IMMUTABLE, STABLE, VOLATILE
    arguments: str = ""  # pg_get_function_arguments: names, types, defaults
    execute: tuple[str, ...] = ()  # API roles (anon, authenticated, service_role) that may EXECUTE it
    comment: str | None = None
    other_execute: tuple[str, ...] = ()  # other roles granted EXECUTE outright (not its owner, not through PUBLIC)


@dataclass
class LiveView:
    materialized: bool
    definition: str  # pg_get_viewdef
    options: tuple[str, ...]  # reloptions, e.g. ('security_invoker=true',)
    columns: tuple[tuple[str, str], ...]  # (name, format_type) in order
    comment: str | None
    column_comments: dict[str, str | None]
    select_roles: tuple[str, ...]  # API roles with SELECT
    indexes: dict[str, str] = field(default_factory=dict)  # name -> [UNIQUE ]pg_get_indexdef from USING on (materialized views)


@dataclass
class LiveSchema:
    tables: dict[str, LiveTable]
    functions: dict[str, LiveFunction]  # name, or name(arguments) when it takes any
    others: dict[str, str] = field(default_factory=dict)  # sequences, types… -> what they are
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # enum types -> labels in order
    extensions: dict[str, str] = field(default_factory=dict)  # every extension of the database -> its schema
    views: dict[str, LiveView] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)  # domain -> "AS type [NOT NULL] [DEFAULT ...] CHECK (...) ..."
    table_schemas: dict[str, str] = field(default_factory=dict)  # tables read from a schema other than public -> it


ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
VOLATILITY = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}
FIRING = {"O": "enabled", "D": "disabled", "R": "replica", "A": "always"}  # pg_trigger.tgenabled


@contextmanager
def public_search_path(conn: psycopg.Connection) -> Iterator[None]:
    """The catalog's text (regclass, format_type, pg_get_expr, view and index definitions) names objects relative
    to the session's search_path, and the readers expect public's names bare and other schemas' qualified. A
    connection can have set anything (a pg_dump script empties it, a role can leave public out), so the reading
    runs with search_path public and the session's own setting comes back afterwards."""
    before = conn.execute("SELECT current_setting('search_path')").fetchone()[0]
    conn.execute("SELECT set_config('search_path', 'public', false)")
    try:
        yield
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:  # else the rollback restores it
            conn.execute("SELECT set_config('search_path', %s, false)", (before,))


def read_schemas(conn: psycopg.Connection, schemas: tuple[str, ...]) -> LiveSchema:
    """public and the spec's other table schemas as one reading, tables keyed by name (the spec's names are unique
    across its schemas); a table whose name another schema already has keeps `schema.name`, so it shows as extra.
    Functions, types and domains are public's; other objects of the other schemas are listed under their
    qualified names."""
    merged = read_schema(conn, "public")
    for schema in schemas:
        if schema == "public":
            continue
        other = read_schema(conn, schema)
        for name, table in other.tables.items():
            key = name if name not in merged.tables else f"{schema}.{name}"
            merged.tables[key] = table
            merged.table_schemas[key] = schema
        for name, kind in other.others.items():
            merged.others[f"{schema}.{name}"] = kind
        for name in other.functions:
            merged.others[f"{schema}.{name}"] = "function"
    return merged


def read_schema(conn: psycopg.Connection, schema: str = "public") -> LiveSchema:
    """Introspect every table, column, constraint, index, trigger, policy and function of `schema`."""
    tables: dict[str, LiveTable] = {}
    for name, comment, rls, force_rls, owner, replident, realtime in conn.execute(
        """SELECT c.relname, obj_description(c.oid, 'pg_class'), c.relrowsecurity, c.relforcerowsecurity,
                  c.relowner::regrole::text, c.relreplident,
                  EXISTS (SELECT 1 FROM pg_publication_tables p
                          WHERE p.pubname = 'supabase_realtime' AND p.schemaname = n.nspname AND p.tablename = c.relname)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname""",
        (schema,),
    ):
        identity = {"d": "default", "f": "full", "n": "nothing", "i": "index"}[replident]
        tables[name] = LiveTable(comment, rls, force_rls, owner, identity, realtime)

    for table, col, *fields in conn.execute(COLUMNS_SQL + " n.nspname = %s ORDER BY c.relname, a.attnum", (schema,)):
        tables[table].columns[col] = LiveColumn(*fields)

    _read_constraints(conn, schema, tables)
    _read_rules(conn, schema, tables)

    for table, name, cols, unique, method, predicate, definition in conn.execute(
        """SELECT t.relname, i.relname,
                  ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.i::int + 1, true)
                        FROM generate_subscripts(x.indkey, 1) k(i) ORDER BY k.i),
                  x.indisunique, am.amname, pg_get_expr(x.indpred, x.indrelid), pg_get_indexdef(x.indexrelid)
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_am am ON am.oid = i.relam
           WHERE n.nspname = %s AND t.relkind IN ('r', 'p')
             AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid)
           ORDER BY t.relname, i.relname""",
        (schema,),
    ):
        tables[table].indexes[name] = LiveIndex(tuple(c.strip('"') for c in cols), unique, method, predicate, index_tail(definition))

    for table, name, tgtype, func, enabled, definition in conn.execute(
        f"""SELECT c.relname, t.tgname, t.tgtype, p.pronamespace::regnamespace::text || '.' || p.proname, t.tgenabled,
                   {TRIGGER_DEFINITION}
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE n.nspname = %s AND NOT t.tgisinternal AND c.relkind IN ('r', 'p')
            ORDER BY c.relname, t.tgname""",
        (schema,),
    ):  # a view's (INSTEAD OF) triggers are read with read_triggers
        tables[table].triggers[name] = LiveTrigger(*_decode_tgtype(tgtype), func, FIRING[enabled], trigger_tail(definition, table))

    for table, name, permissive, roles, cmd, qual, check in conn.execute(
        """SELECT tablename, policyname, permissive = 'PERMISSIVE', roles, cmd, qual, with_check
           FROM pg_policies WHERE schemaname = %s ORDER BY tablename, policyname""",
        (schema,),
    ):
        if table in tables:
            tables[table].policies[name] = LivePolicy(cmd, tuple(sorted(roles)), qual, check, permissive)

    functions = read_functions(conn, schema)
    # an extension's own objects, and a sequence a column owns (serial, identity), are not objects of their own
    others = dict(
        conn.execute(
            """SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND c.relkind IN ('S', 'f')
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                 AND (d.deptype = 'e' OR d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass
                                      AND d.refobjsubid > 0))
               UNION ALL
               SELECT t.typname, 'type'
               FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
               WHERE n.nspname = %s
                 AND (t.typtype IN ('r', 'm') OR t.typtype = 'b' AND t.typcategory <> 'A' OR t.typtype = 'c' AND NOT EXISTS
                      (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c'))
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
               ORDER BY 1""",
            (schema, schema),
        ).fetchall()
    )
    enums: dict[str, tuple[str, ...]] = {}
    for name, labels in conn.execute(
        """SELECT t.typname, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = %s AND t.typtype = 'e'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
           ORDER BY 1""",
        (schema,),
    ):
        enums[name] = tuple(labels)
    extensions = dict(conn.execute("SELECT e.extname, e.extnamespace::regnamespace::text FROM pg_extension e ORDER BY 1").fetchall())
    domains = dict(conn.execute(DOMAINS_SQL + " n.nspname = %s ORDER BY 1", (schema,)).fetchall())
    return LiveSchema(tables, functions, others, enums, extensions, domains=domains, views=read_views(conn, schema))


def read_views(conn: psycopg.Connection, schema: str, names: tuple[str, ...] | None = None) -> dict[str, LiveView]:
    """Every view and materialized view of the schema (or only `names`), with columns, options, comments, grants, indexes."""
    views: dict[str, LiveView] = {}
    for oid, name, kind, definition, options, comment, roles in conn.execute(
        """SELECT c.oid, c.relname, c.relkind, pg_get_viewdef(c.oid), coalesce(c.reloptions, '{}'), obj_description(c.oid, 'pg_class'),
                  ARRAY(SELECT api.name FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) WITH ORDINALITY AS api(name, i)
                        JOIN pg_roles role ON role.rolname = api.name WHERE has_table_privilege(role.oid, c.oid, 'SELECT') ORDER BY api.i)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('v', 'm') AND (%s::text[] IS NULL OR c.relname = ANY(%s::text[]))
           ORDER BY c.relname""",
        (schema, list(names) if names is not None else None, list(names) if names is not None else None),
    ):
        columns = conn.execute(
            """SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)
               FROM pg_attribute a WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
            (oid,),
        ).fetchall()
        indexes = {
            index: ("UNIQUE " if unique else "") + index_tail(definition)
            for index, definition, unique in conn.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s ORDER BY 1",
                (oid,),
            )
        }
        views[name] = LiveView(
            kind == "m",
            definition,
            tuple(sorted(options)),
            tuple((c[0], c[1]) for c in columns),
            comment,
            {c[0]: c[2] for c in columns},
            tuple(roles),
            indexes,
        )
    return views


# Domains as one comparable text each; callers add a condition on n (or t) after WHERE ... AND.
DOMAINS_SQL = """SELECT t.typname,
                  'AS ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                  || coalesce(' DEFAULT ' || t.typdefault, '')
                  || coalesce(' COLLATE ' || nullif(t.typcollation, b.typcollation)::regcollation::text, '')
                  || coalesce((SELECT string_agg(' ' || pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
                               FROM pg_constraint k WHERE k.contypid = t.oid), '')
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type b ON b.oid = t.typbasetype
           WHERE t.typtype = 'd'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
             AND"""


# Every column of ordinary tables, as LiveColumn's fields after (table, column); callers add WHERE on n / c.
COLUMNS_SQL = """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum),
                  CASE WHEN a.attcollation IN (0, t.typcollation) THEN 'default' ELSE a.attcollation::regcollation::text END,
                  CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
                  CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
                  seq.name, seq.options
           FROM pg_attribute a
           JOIN pg_type t ON t.oid = a.atttypid
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           LEFT JOIN LATERAL (
             SELECT sn.nspname || '.' || sc.relname AS name,
                    format('AS %%s START %%s INCREMENT %%s MINVALUE %%s MAXVALUE %%s CACHE %%s%%s', s.seqtypid::regtype, s.seqstart,
                           s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END) AS options
             FROM pg_depend dep
             JOIN pg_class sc ON sc.oid = dep.objid AND sc.relkind = 'S'
             JOIN pg_namespace sn ON sn.oid = sc.relnamespace
             JOIN pg_sequence s ON s.seqrelid = sc.oid
             WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
               AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i')
             ORDER BY sc.relname LIMIT 1
           ) seq ON true
           WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND"""


def _read_constraints(conn: psycopg.Connection, schema: str, tables: dict[str, LiveTable]) -> None:
    """Every option a constraint can carry, so one re-added with a different option is told apart."""
    for row in conn.execute(
        """SELECT c.relname, con.conname, con.contype,
                  ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
                  pg_get_constraintdef(con.oid),
                  CASE WHEN con.confrelid <> 0 THEN con.confrelid::regclass::text END,
                  ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i),
                  con.confdeltype, con.confupdtype, con.confmatchtype, pg_get_expr(con.conbin, con.conrelid),
                  CASE WHEN NOT con.condeferrable THEN 'NOT DEFERRABLE'
                       WHEN con.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED'
                       ELSE 'DEFERRABLE INITIALLY IMMEDIATE' END,
                  con.convalidated,
                  -- conenforced is new in PostgreSQL 18; through to_jsonb an older server reads as enforced
                  coalesce((to_jsonb(con) ->> 'conenforced')::boolean, true),
                  NOT con.connoinherit
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f', 'c', 'x')
           ORDER BY c.relname, con.conname""",
        (schema,),
    ):
        table, name, kind, cols, definition, ref, ref_cols, deltype, updtype, matchtype, expression, *options = row
        fk = kind == "f"
        tables[table].constraints[name] = LiveConstraint(
            kind,
            tuple(cols),
            definition,
            _qualify(ref),
            tuple(ref_cols or ()),
            ON_DELETE.get(deltype) if fk else None,
            ON_DELETE.get(updtype) if fk else None,
            MATCH.get(matchtype) if fk else None,
            expression,
            *options,
        )


def _read_rules(conn: psycopg.Connection, schema: str, tables: dict[str, LiveTable]) -> None:
    """Rewrite rules on tables (a view's own _RETURN rule is the view, reported as such)."""
    for table, name, definition in conn.execute(
        """SELECT c.relname, r.rulename, pg_get_ruledef(r.oid)
           FROM pg_rewrite r
           JOIN pg_class c ON c.oid = r.ev_class
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND r.rulename <> '_RETURN' AND c.relkind IN ('r', 'p')
           ORDER BY c.relname, r.rulename""",
        (schema,),
    ):
        tables[table].rules[name] = definition


def read_functions(conn: psycopg.Connection, schema: str) -> dict[str, LiveFunction]:
    """Every function of the schema, keyed so that an overload is its own entry (import reads them here too)."""
    functions = {}
    for name, args, body, language, secdef, config, returns, volatility, arguments, execute, comment, other in conn.execute(
        """SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc, l.lanname, p.prosecdef,
                  p.proconfig, pg_get_function_result(p.oid), p.provolatile, pg_get_function_arguments(p.oid),
                  ARRAY(SELECT api.name FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) WITH ORDINALITY AS api(name, i)
                        JOIN pg_roles role ON role.rolname = api.name WHERE has_function_privilege(role.oid, p.oid, 'EXECUTE') ORDER BY api.i),
                  obj_description(p.oid, 'pg_proc'),
                  ARRAY(SELECT DISTINCT a.grantee::regrole::text FROM aclexplode(p.proacl) a
                        WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
                          AND a.grantee::regrole::text NOT IN ('anon', 'authenticated', 'service_role') ORDER BY 1)
           FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           JOIN pg_language l ON l.oid = p.prolang
           WHERE n.nspname = %s
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
           ORDER BY 1, 2""",
        (schema,),
    ):
        key = f"{name}({args})" if args else name
        settings = ", ".join(config) if config else None
        functions[key] = LiveFunction(
            body, language, secdef, settings, returns, VOLATILITY[volatility], arguments, tuple(execute), comment, tuple(other)
        )
    return functions


def read_triggers(conn: psycopg.Connection, schema: str, table: str) -> dict[str, LiveTrigger]:
    """The triggers of one table (e.g. auth.users, which the spec does not own but may put triggers on)."""
    found = {}
    for name, tgtype, func, enabled, definition in conn.execute(
        f"""SELECT t.tgname, t.tgtype, p.pronamespace::regnamespace::text || '.' || p.proname, t.tgenabled,
                   {TRIGGER_DEFINITION}
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE n.nspname = %s AND c.relname = %s AND NOT t.tgisinternal ORDER BY t.tgname""",
        (schema, table),
    ):
        found[name] = LiveTrigger(*_decode_tgtype(tgtype), func, FIRING[enabled], trigger_tail(definition, table))
    return found


def index_tail(definition: str) -> str:
    """The part of pg_get_indexdef that does not name the index or its table."""
    return definition[definition.index(" USING ") + 1 :]


# A trigger's definition with the names that pg_get_triggerdef may write for it and its table, for
# trigger_tail; over pg_trigger t JOIN pg_class c JOIN pg_namespace n. The table is always schema-qualified
# (non-pretty), a temporary one as pg_temp.x from PostgreSQL 16 and as pg_temp_N.x before.
TRIGGER_DEFINITION = (
    "ARRAY[pg_get_triggerdef(t.oid), quote_ident(t.tgname), quote_ident(n.nspname) || '.' || quote_ident(c.relname)]"
    " || CASE WHEN n.oid = pg_my_temp_schema() THEN ARRAY['pg_temp.' || quote_ident(c.relname)] ELSE '{}' END"
)


def trigger_tail(definition: list[str], table: str) -> str:
    """pg_get_triggerdef from the timing keyword on, naming neither the trigger nor the table's schema.

    `definition` is what TRIGGER_DEFINITION selects; the table is written as the bare name `table`, so a
    trigger built on a temporary table reads the same as the one on the real table.
    """
    text, trigger_sql, *table_spellings = definition
    for head, kind in (("CREATE TRIGGER ", ""), ("CREATE CONSTRAINT TRIGGER ", "CONSTRAINT ")):
        if text.startswith(f"{head}{trigger_sql} "):
            text = kind + text[len(head) + len(trigger_sql) + 1 :]
            break
    for table_sql in table_spellings:
        on = f" ON {table_sql} "
        at = _outside_quotes(text, on)  # the event list before it may hold a quoted column named like it
        if at >= 0:
            return f"{text[:at]} ON {table} {text[at + len(on):]}"
    return text


def _outside_quotes(text: str, needle: str) -> int:
    """Index of the first occurrence of needle that does not start inside a double-quoted identifier, or -1."""
    quoted = False
    for i, ch in enumerate(text):
        if not quoted and text.startswith(needle, i):
            return i
        if ch == '"':
            quoted = not quoted
    return -1


def _qualify(regclass_text: str | None) -> str | None:
    if regclass_text is None:
        return None
    return regclass_text if "." in regclass_text else f"public.{regclass_text}"


def _decode_tgtype(tgtype: int) -> tuple[str, tuple[str, ...]]:
    """pg_trigger.tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE, 64 INSTEAD."""
    timing = "INSTEAD OF" if tgtype & 64 else "BEFORE" if tgtype & 2 else "AFTER"
    events = tuple(e for bit, e in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if tgtype & bit)
    return timing, events
