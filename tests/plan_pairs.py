"""The pair test every change kind gets: old spec's migration on a database holding rows, then the plan.

The migrated catalog must equal that of a fresh database built from the new spec (read by the
catalog reader, never by looking at SQL text), and planning again from the new state yields nothing.
"""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema, read_schemas
from schemac.db.inspector import catalog_model, inspect_database
from schemac.db.server import install_supabase_stand_in, scratch_database
from schemac.emit.sql import render_migration
from schemac.model import Schema
from schemac.pipeline import load_schema
from schemac.plan import Plan, plan_migration


def spec(tmp_path: Path, name: str, text: str) -> Schema:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    path = folder / "schema.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_schema(str(path))


@contextmanager
def database(pg_server: str, schema: Schema) -> Iterator[psycopg.Connection]:
    """A fresh database with the Supabase stand-in and `schema`'s initial migration."""
    with scratch_database(pg_server, "schemac_plan") as url, psycopg.connect(url, autocommit=True) as conn:
        install_supabase_stand_in(conn)
        run_sql(conn, render_migration(schema))
        yield conn


def apply_plan(conn: psycopg.Connection, plan: Plan) -> None:
    """Each transactional part in one transaction, each other part on its own (as CREATE INDEX CONCURRENTLY needs)."""
    for part in plan.parts:
        if part.transactional:
            with conn.transaction():
                for s in part.statements:
                    conn.execute(s.sql)
        else:
            for s in part.statements:
                conn.execute(s.sql)


@contextmanager
def migrated(
    pg_server: str, old: Schema, new: Schema, rows: str = "", allow_destructive: bool = False, expect_change: bool = True
) -> Iterator[tuple[psycopg.Connection, Plan]]:
    """Apply old, insert `rows`, apply the plan to new; check catalog equality with a fresh build of new."""
    plan = plan_migration(old, new, allow_destructive=allow_destructive)
    assert plan.refusals == (), "\n".join(str(r) for r in plan.refusals)
    assert plan.parts or not expect_change, "the change produced no statements"
    with database(pg_server, old) as conn:
        if rows:
            conn.execute(rows)
        apply_plan(conn, plan)
        with database(pg_server, new) as fresh:
            schemas = tuple(dict.fromkeys(old.schemas + new.schemas))
            diffs = differences(asdict(read_schemas(conn, schemas)), asdict(read_schemas(fresh, schemas)))
            diffs += differences(asdict(read_schema(conn, "storage")), asdict(read_schema(fresh, "storage")), "/storage")  # policies on external tables
            assert not diffs, "the migrated catalog differs from a fresh build:\n" + "\n".join(diffs)
            # the same, through the inspector and the differ: nothing left to plan between the two live catalogs,
            # read literally (as verify reads) and in the spec's terms (as import reads, with what it leaves out)
            live = plan_migration(catalog_model(conn, schemas), catalog_model(fresh, schemas))
            assert live.parts == (), "\n".join(s.sql for s in live.statements)
            migrated_read, fresh_read = inspect_database(conn), inspect_database(fresh)
            assert migrated_read.left_out == fresh_read.left_out
            as_imported = plan_migration(migrated_read.schema, fresh_read.schema)
            assert as_imported.parts == (), "\n".join(s.sql for s in as_imported.statements)
        again = plan_migration(new, new)
        assert again.parts == (), "planning again is not empty"
        assert all("stale hint" in r.message for r in again.refusals), "\n".join(map(str, again.refusals))
        yield conn, plan


def differences(migrated: object, fresh: object, path: str = "") -> list[str]:
    """Where two catalog readings differ, one line per differing leaf, so a failure says what."""
    if isinstance(migrated, dict) and isinstance(fresh, dict):
        out = []
        for key in sorted(set(migrated) | set(fresh), key=str):
            if key not in fresh:
                out.append(f"{path}/{key}: only after the migration")
            elif key not in migrated:
                out.append(f"{path}/{key}: only in a fresh build")
            else:
                out += differences(migrated[key], fresh[key], f"{path}/{key}")
        return out
    return [] if migrated == fresh else [f"{path}: migrated {migrated!r}, fresh {fresh!r}"]
