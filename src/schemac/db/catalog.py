"""Read what a live database holds in one schema, from pg_catalog, into plain data."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg


@dataclass
class LiveColumn:
    type: str
    nullable: bool
    default: str | None
    comment: str | None


@dataclass
class LiveConstraint:
    kind: str  # p, u, f, c
    columns: tuple[str, ...]
    definition: str
    ref_table: str | None = None  # schema-qualified
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None


@dataclass
class LiveIndex:
    columns: tuple[str, ...]
    unique: bool
    method: str
    predicate: str | None


@dataclass
class LiveTrigger:
    timing: str
    events: tuple[str, ...]
    function: str
    enabled: bool


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
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    constraints: dict[str, LiveConstraint] = field(default_factory=dict)
    indexes: dict[str, LiveIndex] = field(default_factory=dict)
    triggers: dict[str, LiveTrigger] = field(default_factory=dict)
    policies: dict[str, LivePolicy] = field(default_factory=dict)


@dataclass
class LiveSchema:
    tables: dict[str, LiveTable]
    functions: dict[str, str]  # name -> source body
    others: dict[str, str] = field(default_factory=dict)  # views, sequences, types… -> what they are


ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}


def read_schema(conn: psycopg.Connection, schema: str = "public") -> LiveSchema:
    """Introspect every table, column, constraint, index, trigger, policy and function of `schema`."""
    tables: dict[str, LiveTable] = {}
    for name, comment, rls in conn.execute(
        """SELECT c.relname, obj_description(c.oid, 'pg_class'), c.relrowsecurity
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname""",
        (schema,),
    ):
        tables[name] = LiveTable(comment, rls)

    for table, col, typ, notnull, default, comment in conn.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY c.relname, a.attnum""",
        (schema,),
    ):
        tables[table].columns[col] = LiveColumn(typ, not notnull, default, comment)

    for table, name, kind, cols, definition, ref, ref_cols, deltype in conn.execute(
        """SELECT c.relname, con.conname, con.contype,
                  ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
                  pg_get_constraintdef(con.oid),
                  CASE WHEN con.confrelid <> 0 THEN con.confrelid::regclass::text END,
                  ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i),
                  con.confdeltype
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'f', 'c', 'x')
           ORDER BY c.relname, con.conname""",
        (schema,),
    ):
        tables[table].constraints[name] = LiveConstraint(
            kind,
            tuple(cols),
            definition,
            _qualify(ref),
            tuple(ref_cols or ()),
            ON_DELETE.get(deltype) if kind == "f" else None,
        )

    for table, name, cols, unique, method, predicate in conn.execute(
        """SELECT t.relname, i.relname,
                  ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.i::int + 1, true)
                        FROM generate_subscripts(x.indkey, 1) k(i) ORDER BY k.i),
                  x.indisunique, am.amname, pg_get_expr(x.indpred, x.indrelid)
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_am am ON am.oid = i.relam
           WHERE n.nspname = %s
             AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid)
           ORDER BY t.relname, i.relname""",
        (schema,),
    ):
        tables[table].indexes[name] = LiveIndex(tuple(c.strip('"') for c in cols), unique, method, predicate)

    for table, name, tgtype, func, enabled in conn.execute(
        """SELECT c.relname, t.tgname, t.tgtype, p.pronamespace::regnamespace::text || '.' || p.proname, t.tgenabled
           FROM pg_trigger t
           JOIN pg_class c ON c.oid = t.tgrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_proc p ON p.oid = t.tgfoid
           WHERE n.nspname = %s AND NOT t.tgisinternal
           ORDER BY c.relname, t.tgname""",
        (schema,),
    ):
        tables[table].triggers[name] = LiveTrigger(*_decode_tgtype(tgtype), func, enabled != "D")

    for table, name, permissive, roles, cmd, qual, check in conn.execute(
        """SELECT tablename, policyname, permissive = 'PERMISSIVE', roles, cmd, qual, with_check
           FROM pg_policies WHERE schemaname = %s ORDER BY tablename, policyname""",
        (schema,),
    ):
        if table in tables:
            tables[table].policies[name] = LivePolicy(cmd, tuple(sorted(roles)), qual, check, permissive)

    functions = dict(
        conn.execute(
            """SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = %s ORDER BY p.proname""",
            (schema,),
        ).fetchall()
    )
    others = dict(
        conn.execute(
            """SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND c.relkind IN ('v', 'm', 'S', 'f')
               UNION ALL
               SELECT t.typname, CASE t.typtype WHEN 'e' THEN 'enum type' WHEN 'd' THEN 'domain' ELSE 'type' END
               FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
               WHERE n.nspname = %s AND t.typtype IN ('e', 'd', 'r', 'm')
                  OR (n.nspname = %s AND t.typtype = 'c' AND NOT EXISTS
                      (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c'))
               ORDER BY 1""",
            (schema, schema, schema),
        ).fetchall()
    )
    return LiveSchema(tables, functions, others)


def _qualify(regclass_text: str | None) -> str | None:
    if regclass_text is None:
        return None
    return regclass_text if "." in regclass_text else f"public.{regclass_text}"


def _decode_tgtype(tgtype: int) -> tuple[str, tuple[str, ...]]:
    """pg_trigger.tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE, 64 INSTEAD."""
    timing = "INSTEAD OF" if tgtype & 64 else "BEFORE" if tgtype & 2 else "AFTER"
    events = tuple(e for bit, e in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if tgtype & bit)
    return timing, events
