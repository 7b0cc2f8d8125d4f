"""Import round trip: original SQL → import → compile → apply to an empty database → compare the catalogs.

`round_trip(pg_server, sql)` returns, per kind (tables, columns, constraints, indexes,
policies), how many of the original's objects the reproduced database holds exactly,
the objects that differ, and import's report, so a test can assert that everything
that differs was reported. `python tests/roundtrip.py` prints the shares per fixture.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from schemac.db.apply import run_sql
from dataclasses import replace

from schemac.db.catalog import LiveSchema, public_search_path, read_schema, read_triggers
from schemac.db.importing import Imported, import_database
from schemac.db.server import install_supabase_stand_in, scratch_database
from schemac.emit.spec_yaml import counted
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import load_schema, render_outputs

FIXTURES = Path(__file__).resolve().parent / "import_fixtures"
SUPABASE_EXTRAS = FIXTURES / "_supabase.sql"  # Supabase's own objects the Supabase fixtures use, in both databases
KINDS = ("tables", "columns", "constraints", "indexes", "policies", "functions", "views", "triggers")
# which report kinds account for a difference of each catalog kind
REPORTED_AS = {
    "tables": ("table", "comment"),
    "columns": ("column", "default", "comment", "table"),
    "constraints": ("constraint", "table", "column"),
    "indexes": ("index", "table", "column"),
    "policies": ("policy", "table"),
    "functions": ("function",),
    "views": ("view",),
    "triggers": ("trigger", "table"),
}


@dataclass
class Result:
    imported: Imported
    spec_text: str
    totals: dict[str, int] = field(default_factory=dict)
    exact: dict[str, int] = field(default_factory=dict)
    differences: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, table, name)
    extras: list[tuple[str, str, str]] = field(default_factory=list)  # in the copy only (kind, table, name)

    def share(self, kind: str) -> float:
        return self.exact[kind] / self.totals[kind] if self.totals[kind] else 1.0

    def unreported(self) -> list[tuple[str, str, str]]:
        """Differences import did not report: each is a round-trip bug."""
        reported = {(item.kind, item.table, item.name) for item in self.imported.left_out}
        tables_reported = {item.table for item in self.imported.left_out if item.kind == "table"} | {
            f"public.{item.name}" for item in self.imported.left_out if item.kind == "table"
        }
        out = []
        for kind, table, name in self.differences:
            if not table:  # functions and views belong to no table; a function is reported as public.name(arguments)
                if not any(item.kind == REPORTED_AS[kind][0] and item.name in (f"public.{name}", f"public.{name}()") for item in self.imported.left_out):
                    out.append((kind, table, name))
                continue
            qualified = table if "." in table else f"public.{table}"
            if qualified in tables_reported:
                continue
            if kind == "tables":
                # a table differs when anything in it does; fine when each of its differences is reported
                continue
            if not any((k, qualified, name) in reported for k in REPORTED_AS[kind]):
                if kind in ("constraints", "indexes") and any((k, qualified, name) in reported for k in ("constraint", "index")):
                    continue
                out.append((kind, table, name))
        for kind, table, name in self.extras:
            # the copy's form of something reported (a primary key under its spec name): fine when the table has one
            qualified = table if "." in table else f"public.{table}"
            if not any(item.table == qualified and item.kind in REPORTED_AS[kind] for item in self.imported.left_out):
                out.append((kind, table, name))
        return out


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


SCHEMAS_LINE = re.compile(r"^-- schemas: (?P<names>.+)$", re.M)


def fixture_schemas(sql: str) -> tuple[str, ...]:
    """The schemas a fixture asks import for (a `-- schemas: public billing` line), public by default."""
    m = SCHEMAS_LINE.search(sql)
    return tuple(m["names"].split()) if m else ("public",)


def read_tables(conn: psycopg.Connection, schemas: tuple[str, ...]) -> LiveSchema:
    """The tables of `schemas`, keyed by name in public and by schema.name elsewhere; public's functions and views."""
    tables = {}
    functions, views = {}, {}
    for schema in schemas:
        with public_search_path(conn):  # an original script (a pg_dump) may have emptied the session's search_path
            read = read_schema(conn, schema)
        for name, lt in read.tables.items():
            tables[name if schema == "public" else f"{schema}.{name}"] = lt
        if schema == "public":
            functions, views = read.functions, read.views
    return LiveSchema(tables, functions, views=views)


def round_trip(pg_server: str, original_sql: str, tmp_path: Path) -> Result:
    with scratch_database(pg_server, "schemac_original") as original_url, scratch_database(pg_server, "schemac_copy") as copy_url:
        with psycopg.connect(original_url, autocommit=True) as conn:
            install_supabase_stand_in(conn)
            run_sql(conn, SUPABASE_EXTRAS.read_text(encoding="utf-8"))
            run_sql(conn, original_sql)
            schemas = fixture_schemas(original_sql)
            imported = import_database(conn, schemas)
            original = read_tables(conn, schemas)
            with public_search_path(conn):
                original_auth = read_triggers(conn, "auth", "users")
                original_storage = read_schema(conn, "storage")
        spec_path = tmp_path / "schema.yaml"
        spec_path.write_text(imported.text, encoding="utf-8")
        schema = load_schema(str(spec_path))
        with psycopg.connect(copy_url, autocommit=True) as conn:
            install_supabase_stand_in(conn)
            run_sql(conn, SUPABASE_EXTRAS.read_text(encoding="utf-8"))
            run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
            copy = read_tables(conn, schemas)
            copy_auth = read_triggers(conn, "auth", "users")
            copy_storage = read_schema(conn, "storage")
    result = Result(imported, imported.text)
    compare(original, copy, result)
    compare_attached_policies(original_storage, copy_storage, result)
    _compare_named(result, "triggers", "auth.users", original_auth, copy_auth)
    return result


def _same_function(a, b) -> bool:
    """Equal but for the whitespace around the body (schemac writes it between line breaks)."""
    return b is not None and replace(a, body=" ".join(a.body.split())) == replace(b, body=" ".join(b.body.split()))


def _compare_named(result: Result, kind: str, table: str, mine: dict, theirs: dict, same=lambda a, b: a == b) -> None:
    for name, obj in mine.items():
        result.totals[kind] += 1
        if same(obj, theirs.get(name)):
            result.exact[kind] += 1
        else:
            result.differences.append((kind, table, name))
    for name in theirs:
        if name not in mine:
            result.extras.append((kind, table, name))


def compare_attached_policies(original: LiveSchema, copy: LiveSchema, result: Result) -> None:
    """The app's policies on Supabase's storage tables count as policies too (the tables are Supabase's)."""
    for tname, lt in original.tables.items():
        theirs = copy.tables[tname].policies if tname in copy.tables else {}
        for name, policy in lt.policies.items():
            result.totals["policies"] += 1
            if theirs.get(name) == policy:
                result.exact["policies"] += 1
            else:
                result.differences.append(("policies", f"storage.{tname}", name))
        for name in theirs:
            if name not in lt.policies:
                result.extras.append(("policies", f"storage.{tname}", name))


def compare(original: LiveSchema, copy: LiveSchema, result: Result) -> None:
    """Count, per kind, the original's objects the copy holds exactly; list the rest (and the copy's extras)."""
    for kind in KINDS:
        result.totals[kind] = 0
        result.exact[kind] = 0
    for tname, lt in original.tables.items():
        ct = copy.tables.get(tname)
        table_exact = ct is not None and (lt.rls, lt.force_rls, lt.comment, lt.realtime, lt.replica_identity) == (
            ct.rls, ct.force_rls, ct.comment, ct.realtime, ct.replica_identity
        )
        for kind, mine, theirs in (
            ("columns", lt.columns, ct.columns if ct else {}),
            ("constraints", lt.constraints, ct.constraints if ct else {}),
            ("indexes", lt.indexes, ct.indexes if ct else {}),
            ("policies", lt.policies, ct.policies if ct else {}),
            ("triggers", lt.triggers, ct.triggers if ct else {}),
        ):
            for name, obj in mine.items():
                result.totals[kind] += 1
                if theirs.get(name) == obj:
                    result.exact[kind] += 1
                else:
                    table_exact = False
                    result.differences.append((kind, tname, name))
            for name in theirs:
                if name not in mine:
                    table_exact = False
                    result.extras.append((kind, tname, name))
        result.totals["tables"] += 1
        if table_exact:
            result.exact["tables"] += 1
        else:
            result.differences.append(("tables", tname, tname))
    _compare_named(result, "functions", "", original.functions, copy.functions, _same_function)
    _compare_named(result, "views", "", original.views, copy.views)


def shares_line(name: str, result: Result) -> str:
    parts = [f"{kind} {result.exact[kind]}/{result.totals[kind]} ({100 * result.share(kind):.0f}%)" for kind in KINDS]
    return f"{name}: " + ", ".join(parts)


def main() -> int:
    """Print each fixture's reproduction shares (starts its own throwaway PostgreSQL)."""
    import tempfile

    from schemac.db.server import throwaway_server

    with throwaway_server() as url:
        for path in sorted(FIXTURES.glob("[!_]*.sql")):
            with tempfile.TemporaryDirectory() as tmp:
                result = round_trip(url, path.read_text(encoding="utf-8"), Path(tmp))
            print(shares_line(path.stem, result))
            counts = ", ".join(counted(n, k) for k, n in result.imported.counts().items())
            print(f"  reported by import: {counts or 'nothing'}")
            for kind, table, name in result.unreported():
                print(f"  NOT REPORTED: {kind} {table}.{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
