"""External tables declared by reference (`external:`): foreign keys point at them, the app puts policies on them.

Supabase's classic Storage policies on `storage.objects` are the case: the migration creates the policies,
never the table (the stand-in in db/server.py has Storage's tables, as a Supabase project does); verify
compares the table's declared columns and its policies; the planner adds and drops the policies.
"""

from __future__ import annotations

import psycopg
from helpers import build_errors
from migration_project import compiled, new_project
from plan_pairs import apply_plan, database, migrated, spec

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.markdown import render_db_schema
from schemac.emit.normalized import render_schema_json
from schemac.emit.sql import render_migration
from schemac.plan import plan_migration

BASE = """
profile: general
tables:
  profiles:
    columns:
      id: {type: uuid, primary_key: true, references: auth.users.id}
      avatar: {type: uuid, nullable: true, references: storage.objects.id}
    policies:
      - {name: read, for: [select], to: [public], using: "true"}
external:
  storage.objects:
    description: Supabase Storage's files.
    columns:
      id: uuid
      bucket_id: text
      name: text
"""

STORAGE_POLICIES = """    policies:
      - name: Avatar images are publicly accessible.
        for: [select]
        to: [public]
        using: "bucket_id = 'avatars'"
      - name: Users upload into their own folder.
        for: [insert]
        to: [authenticated]
        with_check: "bucket_id = 'avatars' and (select auth.uid())::text = (storage.foldername(name))[1]"
"""

WITH_POLICIES = BASE + STORAGE_POLICIES


def storage_policies(conn: psycopg.Connection) -> dict:
    return read_schema(conn, "storage").tables["objects"].policies


def test_the_migration_creates_the_policies_never_the_table_and_they_guard_rows(tmp_path, conn):
    schema = spec(tmp_path, "s", WITH_POLICIES)
    sql = render_migration(schema)
    assert "CREATE TABLE" not in sql.split("Policies on tables the application uses")[1]
    assert 'CREATE TABLE IF NOT EXISTS "storage"' not in sql
    run_sql(conn, sql)
    run_sql(conn, sql)  # idempotent, like the rest of 001
    policies = storage_policies(conn)
    assert set(policies) == {"Avatar images are publicly accessible.", "Users upload into their own folder."}
    assert policies["Users upload into their own folder."].command == "INSERT"
    assert policies["Users upload into their own folder."].roles == ("authenticated",)
    # the foreign key into storage.objects is a real one
    fk = read_schema(conn).tables["profiles"].constraints["profiles_avatar_fkey"]
    assert fk.ref_table == "storage.objects"
    # and the policy decides: a signed-in user uploads into their own folder only
    user = "0b6f1f55-6a4b-4a34-9d59-7f6c8a0a0a01"
    conn.execute("INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars')")
    with conn.transaction():
        conn.execute("SET LOCAL ROLE authenticated")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{user}"}}',))
        conn.execute("INSERT INTO storage.objects (bucket_id, name) VALUES ('avatars', %s)", (f"{user}/me.png",))
    try:
        with conn.transaction():
            conn.execute("SET LOCAL ROLE authenticated")
            conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{user}"}}',))
            conn.execute("INSERT INTO storage.objects (bucket_id, name) VALUES ('avatars', 'someone-else/me.png')")
        raise AssertionError("the policy let a user write into another user's folder")
    except psycopg.errors.InsufficientPrivilege:
        pass
    assert conn.execute("SELECT count(*) FROM storage.objects").fetchone() == (1,)


def test_verify_passes_and_catches_a_hand_made_change(tmp_path, db_url):
    project = new_project(tmp_path, WITH_POLICIES)
    compiled(project)
    assert project.run("apply", "--database-url", db_url).exit_code == 0
    clean = project.run("verify", "--database-url", db_url)
    assert clean.exit_code == 0, clean.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute('DROP POLICY "Avatar images are publicly accessible." ON storage.objects')
        conn.execute("CREATE POLICY by_hand ON storage.objects FOR DELETE TO anon USING (true)")
        conn.execute('ALTER POLICY "Users upload into their own folder." ON storage.objects WITH CHECK (bucket_id = \'other\')')
    drifted = project.run("verify", "--database-url", db_url)
    assert drifted.exit_code == 1
    assert "policy storage.objects.Avatar images are publicly accessible.: missing from the database" in drifted.output
    assert "policy storage.objects.by_hand: in the database but not in the spec" in drifted.output
    assert "policy storage.objects.Users upload into their own folder.: WITH CHECK" in drifted.output


def test_a_declared_column_the_table_does_not_have_is_named(tmp_path, db_url):
    """apply proves each migration against its state with verify's comparison, so it refuses before committing."""
    project = new_project(tmp_path, WITH_POLICIES.replace("      name: text\n", "      name: text\n      size: bigint\n"))
    compiled(project)
    result = project.run("apply", "--database-url", db_url)
    assert result.exit_code == 1
    assert "external table storage.objects: column size: declared in the spec but not in the database" in result.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert storage_policies(conn) == {}  # rolled back


def test_plan_adds_changes_and_drops_the_policies_on_an_external_table(tmp_path, pg_server):
    old, new = spec(tmp_path, "old", BASE), spec(tmp_path, "new", WITH_POLICIES)
    with migrated(pg_server, old, new, rows="INSERT INTO storage.buckets (id, name) VALUES ('avatars', 'avatars')") as (conn, plan):
        assert {s.summary for s in plan.statements} == {
            "create policy Avatar images are publicly accessible. on storage.objects",
            "create policy Users upload into their own folder. on storage.objects",
        }
        assert conn.execute("SELECT count(*) FROM storage.buckets").fetchone() == (1,)
    changed = spec(tmp_path, "changed", WITH_POLICIES.replace("using: \"bucket_id = 'avatars'\"", "using: \"bucket_id = 'public'\""))
    with migrated(pg_server, new, changed) as (conn, plan):
        assert storage_policies(conn)["Avatar images are publicly accessible."].using == "(bucket_id = 'public'::text)"
    with migrated(pg_server, new, old) as (conn, plan):
        assert storage_policies(conn) == {}
    # leaving the external table out of the spec drops the app's policies on it, never the table
    without = spec(tmp_path, "without", BASE.replace("      avatar: {type: uuid, nullable: true, references: storage.objects.id}\n", "").split("external:")[0])
    plan = plan_migration(new, without)
    assert not any("DROP TABLE" in s.sql and "storage" in s.sql for s in plan.statements)
    with database(pg_server, new) as conn:
        apply_plan(conn, plan)
        assert "objects" in read_schema(conn, "storage").tables and storage_policies(conn) == {}


def test_docs_and_schema_json_show_the_external_table(tmp_path):
    schema = spec(tmp_path, "s", WITH_POLICIES)
    md = render_db_schema(schema)
    assert "### External table `storage.objects`" in md and "Supabase Storage's files." in md
    assert "#### Policies the application puts on it" in md and "`Users upload into their own folder.`" in md
    document = render_schema_json(schema)
    assert '"external": [' in document and '"schema": "storage"' in document


def test_bad_external_declarations_are_positioned_errors(tmp_path):
    errors = build_errors(tmp_path, """
        profile: none
        tables:
          notes:
            columns:
              id: {type: uuid, primary_key: true}
              file: {type: uuid, references: storage.objects.path}
              other: {type: uuid, references: billing.invoices.id}
        external:
          objects:
            columns: {id: uuid}
          public.things:
            columns: {id: uuid}
          storage.objects:
            columns: {id: uuid, size: sizes}
    """)
    text = "\n".join(errors)
    assert "'objects' must be schema.table, e.g. storage.objects" in text
    assert "'public.things' is in public, a schema of the spec's own tables: declare it under 'tables:'" in text
    assert "'sizes' is not a type schemac knows" in text
    assert "storage.objects has no column 'path' in the spec" in text
    assert "unknown table 'billing.invoices'; a foreign key may point at a table of this spec or at one declared under 'external:'" in text
    assert all(e.split(":")[1].isdigit() for e in errors), errors
