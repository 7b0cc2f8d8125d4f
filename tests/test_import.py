"""`schemac import`: a live database → schema.yaml, round-tripped through compile onto an empty database.

Each fixture in tests/import_fixtures is a public schema (its source is in its header). The round trip
is: original SQL → import → compile → apply to an empty database → the catalog equals the original's
for everything import did not report.
"""

from __future__ import annotations

import psycopg
import pytest
from helpers import run_cli
from roundtrip import FIXTURES, SUPABASE_EXTRAS, read_fixture, round_trip, shares_line

from schemac.db.apply import run_sql
from schemac.db.importing import import_database
from schemac.db.inspector import inspect_database, inspect_schema, read_column_comment, read_table_comment
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import lint_schema, load_schema
from schemac.resolve.schema import build_schema
from schemac.spec.load import load_yaml

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("[!_]*.sql"))


def _load(conn, sql: str) -> None:
    run_sql(conn, SUPABASE_EXTRAS.read_text(encoding="utf-8"))
    run_sql(conn, sql)


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_round_trip_reproduces_everything_not_reported(pg_server, tmp_path, fixture):
    result = round_trip(pg_server, read_fixture(fixture), tmp_path)
    print(shares_line(fixture, result))
    assert result.unreported() == []
    assert sum(result.totals.values()) > 0


def test_the_clinic_schema_round_trips_exactly(pg_server, tmp_path, repo_outputs):
    """A database schemac compiled comes back whole: classification from the comments, enums from their checks,
    timestamps from the trigger, and nothing left out."""
    result = round_trip(pg_server, repo_outputs[MIGRATION_PATH], tmp_path)
    assert result.imported.left_out == ()
    assert all(result.exact[k] == result.totals[k] for k in result.totals), shares_line("clinic", result)
    schema = result.imported.inspection.schema
    assert schema.profile == "phi"
    patients = schema.table("patients")
    assert patients.column("name").classification == "phi" and patients.column("name").encrypted
    assert patients.timestamps and patients.retention
    assert schema.table("conversations").column("status").enum is not None


def test_the_clinic_model_read_back_is_the_spec_model(migrated, repo_schema):
    """One model: what the catalog gives for every column, key, index and policy is what the spec built."""
    read = inspect_schema(migrated)
    for spec_table in repo_schema.tables:
        table = read.table(spec_table.name)
        assert [(c.name, c.type, c.nullable, c.default and c.default.sql, c.classification, c.encrypted) for c in table.columns] == sorted(
            [(c.name, c.type, c.nullable, c.default and c.default.sql, c.classification, c.encrypted) for c in spec_table.columns],
            key=lambda row: [c.name for c in table.columns].index(row[0]),
        )
        assert table.primary_key == spec_table.primary_key
        assert set(table.uniques) == set(spec_table.uniques)
        assert {(fk.name, fk.columns, fk.ref_qualified, fk.ref_columns, fk.on_delete) for fk in table.foreign_keys} == {
            (fk.name, fk.columns, fk.ref_qualified, fk.ref_columns, fk.on_delete) for fk in spec_table.foreign_keys
        }
        assert {(ix.name, ix.columns, ix.unique, ix.using, ix.where is None) for ix in table.indexes} == {
            (ix.name, ix.columns, ix.unique, ix.using, ix.where is None) for ix in spec_table.indexes
        }
        # expressions (index predicates, USING, WITH CHECK) come back in the server's spelling ("(SELECT auth.uid() AS
        # uid)"): equal in meaning, which verify proves by building the spec's object on a temporary table and the round
        # trip proves from the catalog; here their presence is compared
        assert {(p.name, p.command, p.roles, p.using is None, p.with_check is None) for p in table.policies} == {
            (p.name, p.command, p.roles, p.using is None, p.with_check is None) for p in spec_table.policies
        }
        assert (table.rls, table.timestamps, table.log, table.retention) == (spec_table.rls, spec_table.timestamps, spec_table.log, spec_table.retention)


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_the_written_spec_builds_back_into_the_inspected_model(conn, fixture):
    """The emitter is exact: schema.yaml built again gives the very model the catalog gave."""
    _load(conn, read_fixture(fixture))
    imported = import_database(conn, ("public",))
    inspected = imported.inspection.schema
    rebuilt = build_schema(load_yaml(imported.text, "schema.yaml"), imported.text.encode(), "schema.yaml")
    assert rebuilt.tables == inspected.tables
    assert rebuilt.enums == inspected.enums
    assert (rebuilt.profile, rebuilt.classifications) == (inspected.profile, inspected.classifications)


def test_import_is_deterministic(conn):
    _load(conn, read_fixture("listmonk.sql"))
    first = import_database(conn, ("public",)).text
    assert import_database(conn, ("public",)).text == first


def test_supabase_attachments_are_reported_and_kept_as_sql(conn):
    """Policies on storage.objects and the app's trigger on auth.users belong to the app: listed, never dropped."""
    _load(conn, read_fixture("supabase_user_management.sql"))
    imported = import_database(conn, ("public",))
    by_name = {(i.kind, i.table, i.name): i for i in imported.left_out}
    storage = by_name[("policy", "storage.objects", "Avatar images are publicly accessible.")]
    assert storage.sql == (
        'CREATE POLICY "Avatar images are publicly accessible." ON "storage"."objects" AS PERMISSIVE FOR SELECT TO public '
        "USING ((bucket_id = 'avatars'::text));"
    )
    trigger = by_name[("trigger", "auth.users", "on_auth_user_created")]
    assert "EXECUTE FUNCTION handle_new_user()" in trigger.sql or "EXECUTE FUNCTION public.handle_new_user()" in trigger.sql
    assert ("function", None, "public.handle_new_user()") in by_name
    # every left-out object is in the file as commented SQL
    for item in imported.left_out:
        first_line = item.sql.splitlines()[0]
        assert f"#   {first_line}" in imported.text
    assert "\n# Not expressed in the spec language (1 function, 2 policies, 1 trigger).\n" in imported.text
    # the profiles policies, named as Supabase writes them, are spec now
    assert [p.name for p in imported.inspection.schema.table("profiles").policies] == [
        "Public profiles are viewable by everyone.", "Users can insert their own profile.", "Users can update own profile."
    ]


def test_other_schemas_are_reported_whole(conn):
    conn.execute("CREATE SCHEMA app; CREATE TABLE app.things (id bigint PRIMARY KEY, label text NOT NULL)")
    conn.execute("CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text)")
    imported = inspect_database(conn, ("public", "app"))
    assert [t.name for t in imported.schema.tables] == ["notes"]
    [item] = [i for i in imported.left_out if i.table == "app.things"]
    assert item.kind == "table"
    assert item.sql.startswith('CREATE TABLE "app"."things" (\n  "id" bigint NOT NULL,\n  "label" text NOT NULL,\n  CONSTRAINT "things_pkey" PRIMARY KEY (id)')


def test_hostile_names_and_comments_stay_inert(conn):
    """A quoted name the spec cannot hold is left out, and a comment with line breaks cannot add YAML keys."""
    conn.execute('CREATE TABLE public."Weird; DROP" (id int PRIMARY KEY)')
    conn.execute("CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text)")
    conn.execute("COMMENT ON COLUMN public.notes.body IS E'line one\\ntables:\\n  evil: {}\\u0007'")
    conn.execute("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$")
    conn.execute("COMMENT ON TABLE public.notes IS E'x\\n\\ntables: {}'")
    imported = import_database(conn, ("public",))
    spec = build_schema(load_yaml(imported.text, "schema.yaml"), imported.text.encode(), "schema.yaml")
    assert [t.name for t in spec.tables] == ["notes"]
    assert spec.table("notes").description == "x\n\ntables: {}"
    # a control character cannot be in a spec: the comment is reported (and kept as SQL), not written
    assert spec.table("notes").column("body").description is None
    [comment] = [i for i in imported.left_out if i.kind == "comment"]
    assert (comment.table, comment.name) == ("public.notes", "body")
    assert "#   COMMENT ON COLUMN \"public\".\"notes\".\"body\" IS 'line one" in imported.text
    assert "\x07" not in imported.text and "\\x07" in imported.text
    assert any(i.kind == "table" and i.name == "Weird; DROP" for i in imported.left_out)


def test_comments_schemac_wrote_are_read_back():
    assert read_column_comment("[ENCRYPTED PHI: encrypted at rest and in transit] Full name.", True) == ("phi", True, "Full name.")
    assert read_column_comment("[administrative]", True) == ("administrative", False, None)
    assert read_column_comment("[PII, encrypted] Email.", True) == ("pii", True, "Email.")
    assert read_column_comment("[PHI] Looks tagged.", False) == (None, False, "[PHI] Looks tagged.")  # table not schemac's
    assert read_column_comment("[note] Something.", True) == (None, False, "[note] Something.")
    assert read_table_comment("Patients. Classification: PHI, administrative. Retention: Ten years.", "patients") == (
        True, "Patients.", False, "Ten years."
    )
    assert read_table_comment("Just words.", "t") == (False, "Just words.", False, None)


def test_cli_import_writes_the_spec_and_reports_what_it_left_out(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        _load(conn, read_fixture("listmonk.sql"))
    result = run_cli("import", "--database-url", db_url, "--output", "schema.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("imported 16 tables, ")
    assert lines[1].startswith("not expressed (") and "1 view" in lines[1]
    assert "  view public.mat_dashboard_counts: views are not in the spec language yet" in lines
    assert lines[-1] == "wrote schema.yaml"
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "#   CREATE MATERIALIZED VIEW \"public\".\"mat_dashboard_counts\" AS" in text
    assert db_url not in text and "password" not in text.split("tables:")[0]
    again = run_cli("import", "--database-url", db_url, "--output", "schema.yaml", cwd=tmp_path)
    assert again.returncode == 1 and "schema.yaml exists; pass --force to overwrite it" in again.stderr
    assert run_cli("import", "--database-url", db_url, "--output", "schema.yaml", "--force", cwd=tmp_path).returncode == 0
    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8") == text


def test_a_non_medical_import_compiles_with_the_general_profile_and_no_waivers(db_url, tmp_path):
    """Point 4 of issue 10: listmonk, imported, is a spec of the general profile that compiles as it is."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        _load(conn, read_fixture("listmonk.sql"))
    assert run_cli("import", "--database-url", db_url, cwd=tmp_path).returncode == 0
    schema = load_schema(str(tmp_path / "schema.yaml"))
    assert schema.profile == "general" and schema.lint.waivers == ()
    assert lint_schema(schema).errors == []
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    assert (tmp_path / "compiled" / MIGRATION_PATH).is_file()


def test_cli_import_unreachable_database_is_a_clean_error(tmp_path):
    result = run_cli("import", "--database-url", "postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("import failed: OperationalError")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "schema.yaml").exists()


def test_a_policy_calling_an_app_function_is_reported_not_written(conn):
    """The Slack clone's `authorize(...)` policies: the function cannot be declared, so neither can they."""
    _load(conn, read_fixture("supabase_slack_clone.sql"))
    imported = import_database(conn, ("public",))
    reported = {(i.table, i.name): i.reason for i in imported.left_out if i.kind == "policy"}
    assert reported[("public.channels", "Allow authorized delete access")].startswith("it calls public.authorize()")
    assert "Allow individual delete access" in [p.name for p in imported.inspection.schema.table("channels").policies]
