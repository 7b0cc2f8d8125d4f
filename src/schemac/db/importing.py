"""`schemac import`: a live database → schema.yaml text and a report of what the spec cannot say.

The database is read into the model (db/inspector.py), the model is written as a spec
(emit/spec_yaml.py), and the spec is built again to prove the file means that model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import psycopg

from ..emit.spec_yaml import counted, render_spec, runs_as_sql
from ..resolve.schema import build_schema
from ..spec.load import load_yaml
from .inspector import Inspection, LeftOut, inspect_database


@dataclass(frozen=True)
class Imported:
    text: str  # the schema.yaml
    inspection: Inspection

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        return self.inspection.left_out

    def counts(self) -> dict[str, int]:
        """What was left out, by kind."""
        return dict(sorted(Counter(item.kind for item in self.left_out).items()))


class MissingSchemas(Exception):
    """A --schema the database does not have: importing it would silently read nothing."""


def import_database(conn: psycopg.Connection, schemas: tuple[str, ...], file_name: str = "schema.yaml") -> Imported:
    """The spec for the database's `schemas`; raises MissingSchemas for a schema the database lacks, and SpecErrors
    if the written spec would not build (a bug)."""
    present = {name for (name,) in conn.execute("SELECT nspname FROM pg_namespace")}
    if missing := [s for s in schemas if s not in present]:
        others = sorted(n for n in present if not n.startswith("pg_") and n != "information_schema")
        raise MissingSchemas(
            f"the database has no schema {', '.join(repr(s) for s in missing)}; its schemas are {', '.join(others)} "
            "(names are case-sensitive: pass --schema exactly as the database spells it)"
        )
    inspection = inspect_database(conn, schemas)
    header = f"Written by `schemac import` from a database (schemas: {', '.join(schemas)}); edit freely."
    text = render_spec(inspection.schema, inspection.left_out, header)
    build_schema(load_yaml(text, file_name), text.encode("utf-8"), file_name)
    return Imported(text, inspection)


def report_lines(imported: Imported) -> list[str]:
    """The import report: totals, then each object left out with why."""
    schema = imported.inspection.schema
    constraints = sum(len(t.uniques) + len(t.checks) + len(t.foreign_keys) + len(t.exclusions) + (1 if t.primary_key else 0) for t in schema.tables)
    parts = [
        counted(len(schema.tables), "table"),
        counted(sum(len(t.columns) for t in schema.tables), "column"),
        counted(constraints, "constraint"),
        counted(sum(len(t.indexes) for t in schema.tables), "index"),
        counted(sum(len(t.policies) for t in schema.tables), "policy"),
        counted(len(schema.enums), "enum"),
    ]
    if schema.domains:
        parts.append(counted(len(schema.domains), "domain"))
    if schema.externals:
        attached = sum(len(t.policies) for t in schema.externals)
        parts.append(f"{counted(attached, 'policy')} on {', '.join(t.qualified_name for t in schema.externals)} (external)")
    for items, kind in ((schema.functions, "function"), (schema.views, "view"), (schema.triggers, "trigger")):
        if items:
            parts.append(counted(len(items), kind))
    if realtime := [t for t in schema.tables if t.realtime]:
        parts.append(f"{counted(len(realtime), 'table')} in supabase_realtime")
    lines = [f"imported {', '.join(parts)} (profile {schema.profile})"]
    if not imported.left_out:
        return lines + ["nothing left out: the spec says everything the database holds in these schemas"]
    counts = ", ".join(counted(n, kind) for kind, n in imported.counts().items())
    lines.append(f"not expressed ({counts}); kept whole in the sql: section (built and verified with the spec), or as commented SQL:")
    for item in imported.left_out:
        where = f" on {item.table}" if item.table else ""
        home = "sql:" if runs_as_sql(item) else "commented"
        lines.append(f"  [{home}] {item.kind} {item.name}{where}: {item.reason}")
    return lines
