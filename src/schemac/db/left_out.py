"""What a live database holds that the spec language cannot say, each with why and its SQL.

The inspector (db/inspector.py) returns these beside the model; `schemac import` writes them
into schema.yaml (whole objects of public in the `sql:` section, the rest as commented SQL) and counts
them in its report, so nothing is lost silently.
Definitions are the server's own (pg_get_functiondef, pg_get_viewdef, pg_get_triggerdef), read
with an empty search_path by the caller so every name is schema-qualified.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from ..resolve.schema import PLATFORM_SCHEMAS
from ..sqltext import identifier_problem, qualified, quote_ident
from .catalog import LivePolicy, LiveSchema, LiveTable, read_schema

SUPABASE_SCHEMAS = ("auth", "storage")  # managed by Supabase; the app may attach policies and triggers to their tables


@dataclass(frozen=True)
class LeftOut:
    """A database object the spec language cannot say yet, with why and its SQL."""

    kind: str  # table, column, default, constraint, index, trigger, policy, function, view, sequence, type, extension, rule, comment
    table: str | None  # schema-qualified table it belongs to, when it belongs to one
    name: str
    reason: str
    sql: str
    runnable: bool = True  # False: it needs something itself left out (a commented column), so it stays commented too


def table_sql(name: str, lt: LiveTable, schema: str = "public", partition_by: str | None = None) -> str:
    """CREATE TABLE for a table the spec cannot hold, rebuilt from the catalog (columns and constraints; a
    partitioned table with its pg_get_partkeydef)."""
    lines = [
        f"{quote_ident(c)} {col.type}" + ("" if col.nullable else " NOT NULL") + (f" DEFAULT {col.default}" if col.default else "")
        for c, col in lt.columns.items()
    ]
    lines += [f"CONSTRAINT {quote_ident(n)} {con.definition}" for n, con in lt.constraints.items()]
    out = f"CREATE TABLE {qualified(schema, name)} (\n  " + ",\n  ".join(lines) + "\n)" + (f" PARTITION BY {partition_by}" if partition_by else "") + ";"
    for ix_name, ix in lt.indexes.items():
        out += f"\nCREATE {'UNIQUE ' if ix.unique else ''}INDEX {quote_ident(ix_name)} ON {qualified(schema, name)} {ix.definition};"
    for p_name, lp in lt.policies.items():
        out += "\n" + policy_sql(qualified(schema, name), p_name, lp)
    if lt.rls:
        out += f"\nALTER TABLE {qualified(schema, name)} ENABLE ROW LEVEL SECURITY;"
    return out


def partitioned_tables(conn: psycopg.Connection, schema: str, tables: dict[str, LiveTable]) -> list[tuple[str, str, str]]:
    """(name, why, SQL) of the schema's partitioned tables and their partitions, parents before their partitions.

    A partitioned table is written with its PARTITION BY; a partition as PARTITION OF its parent with its bound, plus
    the constraints and indexes of its own (those it inherits from the parent come with PARTITION OF)."""
    out = []
    for name, kind, parent, bound, key in conn.execute(
        """SELECT c.relname, c.relkind, p.relname, pg_get_expr(c.relpartbound, c.oid),
                  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_inherits h ON h.inhrelid = c.oid AND c.relispartition
           LEFT JOIN pg_class p ON p.oid = h.inhparent
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND (c.relkind = 'p' OR c.relispartition)
           ORDER BY (SELECT count(*) FROM pg_partition_ancestors(c.oid)), c.relname""",
        (schema,),
    ):
        lt = tables.get(name)
        if lt is None:
            continue
        table = qualified(schema, name)
        if parent is None:
            sql = table_sql(name, lt, schema, partition_by=key)
            out.append((name, "partitioned tables are not in the spec language yet", sql))
            continue
        inherited = {
            n for (n,) in conn.execute(
                """SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND conparentid <> 0
                   UNION SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                   WHERE x.indrelid = %s::regclass AND EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.oid)""",
                (table, table),
            )
        }
        sql = f"CREATE TABLE {table} PARTITION OF {qualified(schema, parent)} {bound}" + (f" PARTITION BY {key}" if kind == "p" else "") + ";"
        for con_name, con in lt.constraints.items():
            if con_name not in inherited:
                sql += f"\nALTER TABLE {table} ADD CONSTRAINT {quote_ident(con_name)} {con.definition};"
        for ix_name, ix in lt.indexes.items():
            if ix_name not in inherited and ix_name not in lt.constraints:
                sql += f"\nCREATE {'UNIQUE ' if ix.unique else ''}INDEX {quote_ident(ix_name)} ON {table} {ix.definition};"
        for p_name, lp in lt.policies.items():
            sql += "\n" + policy_sql(table, p_name, lp)
        if lt.rls:
            sql += f"\nALTER TABLE {table} ENABLE ROW LEVEL SECURITY;"
        out.append((name, f"a partition of {qualified(schema, parent)}; partitions are not in the spec language yet", sql))
    return out


def policy_sql(table_sql_name: str, name: str, lp) -> str:
    roles = ", ".join(r if r == "public" else quote_ident(r) for r in lp.roles)
    s = f"CREATE POLICY {quote_ident(name)} ON {table_sql_name} AS {'PERMISSIVE' if lp.permissive else 'RESTRICTIVE'} FOR {lp.command} TO {roles}"
    if lp.using is not None:
        s += f" USING ({lp.using})"
    if lp.with_check is not None:
        s += f" WITH CHECK ({lp.with_check})"
    return s + ";"


def platform_schema(schema: str) -> bool:
    """A schema PostgreSQL or Supabase owns (a spec declares its tables under `external:`), or one a spec cannot name."""
    return _is_platform(schema) or identifier_problem(schema) is not None


def other_schema(conn: psycopg.Connection, schema: str, left: list[LeftOut]) -> None:
    """A platform schema's tables (or a schema a spec cannot name): reported with their SQL, never written as the app's."""
    live = read_schema(conn, schema)
    reason = (
        f"schema {schema} belongs to PostgreSQL or Supabase: the app does not create its tables (declare one under `external:` to reference it)"
        if _is_platform(schema)
        else "the schema's name is not one a spec can give (`schema:` takes a PostgreSQL identifier of at most 63 bytes)"
    )
    for name, lt in sorted(live.tables.items()):
        left.append(LeftOut("table", f"{schema}.{name}", name, reason, table_sql(name, lt, schema)))
    programmable(conn, schema, live, set(), left)


def _is_platform(schema: str) -> bool:
    return schema in PLATFORM_SCHEMAS or schema.startswith("pg_")


def programmable(
    conn: psycopg.Connection, schema: str, live: LiveSchema, used_functions: set[str], left: list[LeftOut], known_types: set[str] = frozenset(),
    views: set[str] = frozenset(), functions: set[str] = frozenset(), view_reasons: dict[str, str] | None = None,
) -> None:
    """Functions, views, sequences, types and extensions of a schema, each with its definition; `used_functions` and
    `views` are the ones the spec holds; `view_reasons` says why a view the spec could say is left out all the same."""
    for name, args, definition, grants in conn.execute(
        """SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
                  CASE WHEN p.proacl IS NULL THEN NULL
                       ELSE ARRAY(SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END
                                  FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner ORDER BY 1) END
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = %s AND p.prokind IN ('f', 'p')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
           ORDER BY 1, 2""",
        (schema,),
    ):
        if (name in used_functions and not args) or name in functions:
            continue
        if grants is not None:  # who may execute it, as the database has it (NULL: PostgreSQL's default, PUBLIC)
            signature = f"{qualified(schema, name)}({args})"
            definition = definition.strip() + ";\n" + f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC, anon, authenticated, service_role;"
            definition += "".join(f"\nGRANT EXECUTE ON FUNCTION {signature} TO {grantee};" for grantee in grants)
            definition = definition.removesuffix(";")
        left.append(LeftOut("function", None, f"{schema}.{name}({args})", "functions the spec cannot say (overloads, OUT parameters, other languages or settings, procedures)" if schema == "public" else "functions outside public are not in the spec language yet", definition.strip() + ";"))
    for name, args, definition in conn.execute(AGGREGATES_SQL, (schema,)):
        left.append(LeftOut("function", None, f"{schema}.{name}({args})", "aggregates are not in the spec language yet", definition))
    read_views = conn.execute(
        """SELECT c.relname, c.relkind, pg_get_viewdef(c.oid, true)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('v', 'm')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           ORDER BY 1""",
        (schema,),
    ).fetchall()
    uses = view_dependencies(conn, schema)
    for name, kind, definition in in_dependency_order(read_views, uses):
        if name in views:
            continue
        what = "VIEW" if kind == "v" else "MATERIALIZED VIEW"
        reason = (view_reasons or {}).get(name, "views the spec cannot say (options other than security_invoker, a query the parser cannot write back)")
        sql = f"CREATE {what} {qualified(schema, name)} AS\n{definition.strip()}"
        if kind == "m":  # its indexes come with it (a unique one is what REFRESH ... CONCURRENTLY needs)
            sql = sql.removesuffix(";") + ";" + "".join(
                f"\n{index};" for (index,) in conn.execute(
                    """SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                       WHERE x.indrelid = %s::regclass ORDER BY i.relname""",
                    (qualified(schema, name),),
                )
            )
            sql = sql.removesuffix(";")
        left.append(LeftOut("view", None, f"{schema}.{name}", reason, sql))
    for name, options in conn.execute(
        """SELECT c.relname,
                  ' AS ' || format_type(q.seqtypid, NULL) || ' INCREMENT BY ' || q.seqincrement || ' MINVALUE ' || q.seqmin
                  || ' MAXVALUE ' || q.seqmax || ' START WITH ' || q.seqstart || ' CACHE ' || q.seqcache
                  || CASE WHEN q.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence q ON q.seqrelid = c.oid
           WHERE n.nspname = %s AND c.relkind = 'S'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
           ORDER BY 1""",
        (schema,),
    ):
        # IF NOT EXISTS: a block runs again when it changes, and a column's default may already use the sequence
        sql = f"CREATE SEQUENCE IF NOT EXISTS {qualified(schema, name)}{options};"
        left.append(LeftOut("sequence", None, f"{schema}.{name}", "sequences are not in the spec language yet", sql))
    for name, kind, definition in conn.execute(
        """SELECT t.typname, t.typtype,
                  CASE t.typtype
                    WHEN 'e' THEN 'AS ENUM (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
                    WHEN 'd' THEN 'AS ' || format_type(t.typbasetype, t.typtypmod)
                      || coalesce(' ' || (SELECT string_agg(pg_get_constraintdef(c.oid), ' ') FROM pg_constraint c WHERE c.contypid = t.oid), '')
                    ELSE '' END
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = %s AND (t.typtype IN ('e', 'd', 'r', 'm')
                 OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
           ORDER BY 1""",
        (schema,),
    ):
        if name in known_types:
            continue
        verb = "DOMAIN" if kind == "d" else "TYPE"
        sql = f"CREATE {verb} {qualified(schema, name)} {definition};" if definition else f"-- type {schema}.{name} (see the database)"
        left.append(LeftOut("type", None, f"{schema}.{name}", "domains, composite and range types (and enum types the spec cannot name) are not in the spec language yet", sql))


def view_dependencies(conn: psycopg.Connection, schema: str) -> dict[str, set[tuple[str, str]]]:
    """What each view of the schema uses of the schema's own functions (aggregates too), tables and other views, by name."""
    uses: dict[str, set[tuple[str, str]]] = {}
    for view, kind, name in conn.execute(
        """SELECT DISTINCT v.relname,
                  CASE WHEN p.oid IS NOT NULL THEN 'function' WHEN rc.relkind IN ('r', 'p') THEN 'table' ELSE 'view' END,
                  coalesce(p.proname, rc.relname)
           FROM pg_class v JOIN pg_namespace vn ON vn.oid = v.relnamespace
           JOIN pg_rewrite r ON r.ev_class = v.oid
           JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.deptype = 'n'
           LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid AND p.pronamespace = vn.oid
           LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid AND rc.relkind IN ('v', 'm', 'r', 'p')
                                AND rc.oid <> v.oid AND rc.relnamespace = vn.oid
           WHERE vn.nspname = %s AND v.relkind IN ('v', 'm') AND coalesce(p.oid, rc.oid) IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.objid = coalesce(p.oid, rc.oid) AND x.deptype = 'e')""",
        (schema,),
    ):
        uses.setdefault(view, set()).add((kind, name))
    return uses


def in_dependency_order(rows: list[tuple], uses: dict[str, set[tuple[str, str]]]) -> list[tuple]:
    """Rows keyed by view name (first item), each after the views it uses, by name otherwise."""
    by_name = {row[0]: row for row in rows}
    ordered: list[tuple] = []
    placed: set[str] = set()

    def place(name: str, path: frozenset[str]) -> None:
        if name in placed or name in path or name not in by_name:
            return
        for kind, used in sorted(uses.get(name, ())):
            if kind == "view":
                place(used, path | {name})
        placed.add(name)
        ordered.append(by_name[name])

    for name in sorted(by_name):
        place(name, frozenset())
    return ordered


# Plain aggregates as CREATE OR REPLACE AGGREGATE (pg_get_functiondef does not write aggregates); ordered-set and
# moving-aggregate ones are rare and left as a comment pointing at the database
AGGREGATES_SQL = """
SELECT p.proname, pg_get_function_identity_arguments(p.oid),
       CASE WHEN a.aggkind = 'n' AND a.aggmtransfn = 0 THEN
         'CREATE OR REPLACE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
         || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = ' || a.aggtransfn::regproc::text
         || ', STYPE = ' || format_type(a.aggtranstype, NULL)
         || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::regproc::text ELSE '' END
         || CASE WHEN a.aggfinalextra THEN ', FINALFUNC_EXTRA' ELSE '' END
         || CASE WHEN a.aggcombinefn <> 0 THEN ', COMBINEFUNC = ' || a.aggcombinefn::regproc::text ELSE '' END
         || CASE WHEN a.aggsortop <> 0 THEN ', SORTOP = ' || a.aggsortop::regoper::text ELSE '' END
         || CASE WHEN a.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(a.agginitval) ELSE '' END
         || CASE WHEN p.proparallel = 's' THEN ', PARALLEL = SAFE' WHEN p.proparallel = 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END
         || ');'
       ELSE '-- aggregate ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid)
         || '): an ordered-set or moving aggregate; write its CREATE AGGREGATE here (see the database)' END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_aggregate a ON a.aggfnoid = p.oid
WHERE n.nspname = %s AND p.prokind = 'a'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2"""


def supabase_policies(conn: psycopg.Connection) -> list[tuple[str, str, str, LivePolicy]]:
    """The policies on Supabase's own tables (storage.objects), as (schema, table, name, policy): the app's schema too.
    The inspector writes each it can say under `external:` and reports the rest."""
    return [
        (schema, table, name, LivePolicy(cmd, tuple(sorted(roles)), qual, check, permissive))
        for schema, table, name, permissive, roles, cmd, qual, check in conn.execute(
            """SELECT schemaname, tablename, policyname, permissive = 'PERMISSIVE', roles, cmd, qual, with_check
               FROM pg_policies WHERE schemaname = ANY(%s) ORDER BY 1, 2, 3""",
            (list(SUPABASE_SCHEMAS),),
        )
    ]


def supabase_triggers(conn: psycopg.Connection, left: list[LeftOut], skip_triggers: set[tuple[str, str, str]] = frozenset()) -> None:
    """The app's triggers on Supabase's tables (auth.users): listed with their definitions."""
    for schema, table, name, definition in conn.execute(
        """SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
           WHERE n.nspname = ANY(%s) AND NOT t.tgisinternal AND NOT pn.nspname = ANY(%s) ORDER BY 1, 2, 3""",
        (list(SUPABASE_SCHEMAS), list(SUPABASE_SCHEMAS)),
    ):
        if (schema, table, name) in skip_triggers:
            continue  # in the spec's triggers: (auth.users)
        left.append(LeftOut("trigger", f"{schema}.{table}", name, "triggers on tables outside public other than auth.users, or running a function the spec does not hold, are not in the spec language yet", definition + ";"))
