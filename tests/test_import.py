"""`schemac import`: a live database → schema.yaml, round-tripped through compile onto an empty database.

Each fixture in tests/import_fixtures is a public schema (its source is in its header). The round trip
is: original SQL → import → compile → apply to an empty database → the catalog equals the original's
for everything import did not report.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from helpers import run_cli
from roundtrip import FIXTURES, SUPABASE_EXTRAS, fixture_schemas, read_fixture, round_trip, shares_line

from schemac.db.apply import run_sql
from schemac.db.importing import import_database, report_lines
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
    # functions, triggers and views (issue 11): what the catalog holds of each is what the spec built
    def fn(f):
        return (f.name, [(a.name, a.type.name, a.default) for a in f.arguments], f.returns.setof, f.returns.type and f.returns.type.name,
                f.language, f.body.strip(), f.volatility, f.security_definer, f.search_path, f.execute, f.description, f.classification)

    assert sorted(map(fn, read.functions)) == sorted(map(fn, repo_schema.functions))
    assert {dataclasses.replace(t, description=None) for t in read.triggers} == {dataclasses.replace(t, description=None) for t in repo_schema.triggers}
    [view] = read.views
    [spec_view] = repo_schema.views
    assert (view.name, view.security_invoker, view.select_roles, view.description, [(c.name, c.classification, c.description) for c in view.columns]) == (
        spec_view.name, spec_view.security_invoker, spec_view.select_roles, spec_view.description,
        [(c.name, c.classification, c.description) for c in spec_view.columns],
    )


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_the_written_spec_builds_back_into_the_inspected_model(conn, fixture):
    """The emitter is exact: schema.yaml built again gives the very model the catalog gave."""
    _load(conn, read_fixture(fixture))
    imported = import_database(conn, fixture_schemas(read_fixture(fixture)))
    inspected = imported.inspection.schema
    rebuilt = build_schema(load_yaml(imported.text, "schema.yaml"), imported.text.encode(), "schema.yaml")
    assert rebuilt.tables == inspected.tables
    assert rebuilt.enums == inspected.enums
    assert (rebuilt.profile, rebuilt.classifications) == (inspected.profile, inspected.classifications)


def test_import_is_deterministic(conn):
    _load(conn, read_fixture("listmonk.sql"))
    first = import_database(conn, ("public",)).text
    assert import_database(conn, ("public",)).text == first


def test_supabase_attachments_are_spec_or_reported_and_kept_as_sql(conn):
    """Policies on storage.objects belong to the app: written under `external:` (the table is declared by reference,
    with its columns); the app's trigger on auth.users and its function are listed, never dropped."""
    _load(conn, read_fixture("supabase_user_management.sql"))
    imported = import_database(conn, ("public",))
    by_name = {(i.kind, i.table, i.name): i for i in imported.left_out}
    assert not any(kind == "policy" for kind, _table, _name in by_name)
    [objects] = imported.inspection.schema.externals
    assert (objects.schema, objects.name) == ("storage", "objects")
    assert {"bucket_id", "name", "owner"} <= {c.name for c in objects.columns}
    assert [(p.name, p.command, p.roles, p.using, p.with_check) for p in objects.policies] == [
        ("Anyone can upload an avatar.", "insert", ("public",), None, "bucket_id = CAST('avatars' AS text)"),
        ("Avatar images are publicly accessible.", "select", ("public",), "bucket_id = CAST('avatars' AS text)", None),
    ]
    assert "external:\n  storage.objects:\n" in imported.text
    assert report_lines(imported)[0] == "imported 1 table, 6 columns, 4 constraints, 0 indexes, 3 policies, 0 enums, 2 policies on storage.objects (external), 1 function, 1 trigger (profile general)"
    # the handle_new_user function and its trigger on auth.users are spec now (issue 11): nothing is left out
    schema = imported.inspection.schema
    assert [f.name for f in schema.functions] == ["handle_new_user"]
    [trigger] = schema.triggers
    assert (trigger.table_qualified, trigger.name, trigger.timing, trigger.events, trigger.function) == (
        "auth.users", "on_auth_user_created", "AFTER", ("INSERT",), "public.handle_new_user"
    )
    assert "triggers:\n  on_auth_user_created:\n    table: auth.users\n" in imported.text
    assert imported.left_out == () and "\nsql:" not in imported.text
    # the profiles policies, named as Supabase writes them, are spec now
    assert [p.name for p in imported.inspection.schema.table("profiles").policies] == [
        "Public profiles are viewable by everyone.", "Users can insert their own profile.", "Users can update own profile."
    ]


def test_other_schemas_are_read_as_tables_with_their_schema(conn):
    """--schema app reads app's tables into the spec (schema: app), with keys across schemas; what the spec
    cannot say there (an enum type of app, a table whose name public has too) is reported, not written."""
    conn.execute("CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok', 'bad')")
    conn.execute("CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text)")
    conn.execute(
        "CREATE TABLE app.things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL CHECK (label IN ('a', 'b')),"
        " note_id uuid REFERENCES public.notes ON DELETE CASCADE, mood app.mood)"
    )
    conn.execute("CREATE INDEX things_label_idx ON app.things (lower(label))")
    conn.execute("ALTER TABLE app.things ENABLE ROW LEVEL SECURITY")
    conn.execute("CREATE POLICY \"Read things\" ON app.things FOR SELECT TO authenticated USING (label = 'a')")
    conn.execute("ALTER TABLE public.notes ADD COLUMN thing_id bigint REFERENCES app.things")
    conn.execute("CREATE TABLE app.notes (id int PRIMARY KEY)")
    imported = inspect_database(conn, ("public", "app"))
    schema = imported.schema
    assert [(t.schema, t.name) for t in schema.tables] == [("public", "notes"), ("app", "things")]
    things = schema.table("things")
    assert things.column("id").identity is not None and things.column("label").enum == "label"
    assert [(fk.ref_schema, fk.ref_table) for fk in things.foreign_keys] == [("public", "notes")]
    assert [(fk.ref_schema, fk.ref_table) for fk in schema.table("notes").foreign_keys] == [("app", "things")]
    assert [ix.name for ix in things.indexes] == ["things_label_idx"] and [p.name for p in things.policies] == ["Read things"]
    left = {(i.kind, i.table, i.name): i for i in imported.left_out}
    assert "is not in the spec language" in left[("column", "app.things", "mood")].reason
    assert ("type", None, "app.mood") in left
    clash = left[("table", "app.notes", "notes")]
    assert "unique across its schemas" in clash.reason and clash.sql.startswith('CREATE TABLE "app"."notes"')
    text = import_database(conn, ("public", "app")).text
    assert "  things:\n    schema: app\n" in text and "references: app.things.id" in text


def test_platform_schemas_stay_reported_whole(conn):
    conn.execute("CREATE SCHEMA IF NOT EXISTS storage; CREATE TABLE storage.buckets_extra (id text PRIMARY KEY)")
    imported = inspect_database(conn, ("public", "storage"))
    assert all(t.schema == "public" for t in imported.schema.tables)
    item = next(i for i in imported.left_out if i.table == "storage.buckets_extra")
    assert item.kind == "table" and "belongs to PostgreSQL or Supabase" in item.reason


def test_the_other_schema_round_trip_is_exact_on_a_real_database(pg_server, tmp_path):
    """The billing fixture: five tables over public and billing, the function and its trigger on auth.users in the spec."""
    result = round_trip(pg_server, read_fixture("supabase_subscription_payments.sql"), tmp_path)
    assert {k: result.share(k) for k in result.totals} == dict.fromkeys(result.totals, 1.0)
    assert result.totals["tables"] == 5 and result.imported.counts() == {}  # handle_new_user and its auth.users trigger are spec (issue 11)
    assert result.totals["functions"] == result.totals["triggers"] == 1
    assert sum(1 for t in result.imported.inspection.schema.tables if t.schema == "billing") == 4


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
    assert lines[1] == "nothing left out: the spec says everything the database holds in these schemas"
    assert lines[-1] == "wrote schema.yaml"
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    # the three materialized views are spec now (issue 11), with their unique indexes
    assert "views:\n  mat_dashboard_charts:\n    materialized: true\n" in text
    assert "    - columns:\n      - list_id\n      - status\n      unique: true\n      name: mat_list_subscriber_stats_idx\n" in text
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


def test_a_policy_calling_an_app_function_is_written_with_the_function(conn):
    """The Slack clone's `authorize(...)` policies: the function is declared under functions:, created before the
    policies, so the policies are spec too (issue 11); a policy calling a function the spec cannot hold stays reported."""
    _load(conn, read_fixture("supabase_slack_clone.sql"))
    imported = import_database(conn, ("public",))
    schema = imported.inspection.schema
    assert {"authorize", "handle_new_user", "create_user"} <= {f.name for f in schema.functions}
    policies = {p.name: p for p in schema.table("channels").policies}
    assert "authorize(" in policies["Allow authorized delete access"].using
    assert [t.name for t in schema.tables if t.realtime] == ["channels", "messages", "users"]
    assert {t.name for t in schema.tables if t.replica_identity == "full"} == {"channels", "messages", "users"}
    # the auth hook is granted to supabase_auth_admin, which grant_execute: cannot name: kept whole, grants included, in sql:
    [hook] = [i for i in imported.left_out if i.kind == "function"]
    assert hook.name == "public.custom_access_token_hook(event jsonb)"
    assert "GRANT EXECUTE ON FUNCTION \"public\".\"custom_access_token_hook\"(event jsonb) TO supabase_auth_admin;" in hook.sql
    assert "sql:\n  function_custom_access_token_hook:\n" in imported.text
    conn.execute("CREATE FUNCTION public.helper() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$")
    conn.execute("ALTER FUNCTION public.helper() SET work_mem = '1MB'")
    conn.execute("CREATE POLICY uses_helper ON public.channels FOR SELECT USING (helper())")
    again = import_database(conn, ("public",))
    reported = {(i.table, i.name): i.reason for i in again.left_out if i.kind == "policy"}
    assert reported[("public.channels", "uses_helper")].startswith("it calls public.helper()")


PROGRAMMABLE = """
CREATE TABLE public.items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10, 2));
ALTER TABLE public.items REPLICA IDENTITY FULL;
CREATE PUBLICATION supabase_realtime FOR TABLE public.items;
CREATE TABLE public.item_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id bigint, what text);
CREATE FUNCTION public.cheapest(under numeric DEFAULT 10) RETURNS SETOF public.items LANGUAGE sql STABLE
AS $$ SELECT * FROM public.items WHERE price < under ORDER BY price $$;
CREATE FUNCTION public.item_totals(OUT total bigint, OUT priciest numeric) LANGUAGE sql STABLE
AS $$ SELECT count(*), max(price) FROM public.items $$;
CREATE FUNCTION public.log_item() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
AS $$ BEGIN INSERT INTO public.item_log (item_id, what) VALUES (NEW.id, TG_OP); RETURN NEW; END; $$;
CREATE TRIGGER items_log AFTER INSERT OR UPDATE OF price ON public.items FOR EACH ROW WHEN (NEW.price IS NOT NULL)
  EXECUTE FUNCTION public.log_item();
CREATE VIEW public.item_names WITH (security_invoker = true) AS SELECT i.id, upper(i.name) AS shout FROM public.items i;
"""


def test_an_imported_spec_holds_functions_triggers_views_and_realtime_and_verifies_against_its_database(db_url, tmp_path):
    """Issue 11 point 6: what the grammar says goes into functions:, triggers:, views: and realtime; what it cannot
    (OUT parameters) into the sql: section, so verify of the imported spec against the database it came from passes,
    and a hand-made change to either kind is still found."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        run_sql(conn, PROGRAMMABLE)
    result = run_cli("import", "--database-url", db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = load_schema(str(tmp_path / "schema.yaml"))
    assert [f.name for f in schema.functions] == ["cheapest", "log_item"]
    assert [(t.name, t.when, t.update_of) for t in schema.triggers] == [("items_log", "new.price IS NOT NULL", ("price",))]
    assert [(v.name, v.security_invoker) for v in schema.views] == [("item_names", True)]
    assert schema.table("items").realtime and schema.table("items").replica_identity == "full"
    assert [b.name for b in schema.sql_blocks] == ["function_item_totals"]
    assert ("function", "item_totals") in schema.sql_blocks[0].creates
    assert "1 function" in result.stdout and "in the sql: section" not in result.stderr
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    verified = run_cli("verify", "--database-url", db_url, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION public.item_totals(OUT total bigint, OUT priciest numeric) LANGUAGE sql STABLE AS $$ SELECT 0::bigint, 0::numeric $$")
        conn.execute("CREATE OR REPLACE VIEW public.item_names WITH (security_invoker = true) AS SELECT i.id, lower(i.name) AS shout FROM public.items i")
    changed = run_cli("verify", "--database-url", db_url, cwd=tmp_path)
    assert changed.returncode == 1
    assert "function public.item_totals(OUT total bigint, OUT priciest numeric) (from the spec's sql: section)" in changed.stdout + changed.stderr
    assert "view item_names: query" in changed.stdout + changed.stderr


def test_timestamps_under_other_names_come_back(conn, tmp_path):
    """`timestamps: {created: inserted_at, updated: last_update}` compiled by schemac is read back as that, not as two
    plain columns and a reported trigger."""
    from helpers import write_spec

    from schemac.pipeline import render_outputs

    original = load_schema(str(write_spec(tmp_path, """
        profile: general
        tables:
          films:
            timestamps: {created: inserted_at, updated: last_update}
            columns:
              id: {type: bigint, primary_key: true, identity: always}
              title: {type: text}
    """)))
    run_sql(conn, render_outputs(original)[MIGRATION_PATH])
    imported = import_database(conn, ("public",))
    assert imported.left_out == ()
    films = imported.inspection.schema.table("films")
    assert films.timestamps and films.timestamp_columns == ("inserted_at", "last_update")
    assert "    timestamps:\n      created: inserted_at\n      updated: last_update\n" in imported.text
    rebuilt = build_schema(load_yaml(imported.text, "schema.yaml"), imported.text.encode(), "schema.yaml")
    assert rebuilt.table("films") == films
    assert [(c.name, c.generated_by) for c in films.columns] == [c and (c.name, c.generated_by) for c in original.table("films").columns]


def test_classification_tags_at_the_end_of_comments_come_back(conn, tmp_path):
    """`comments: {classification_tag: end}` writes "Description. [PHI]"; import reads the class back and keeps the setting."""
    from helpers import write_spec

    from schemac.pipeline import render_outputs

    original = load_schema(str(write_spec(tmp_path, """
        profile: general
        comments: {classification_tag: end}
        tables:
          people:
            description: People.
            columns:
              id: {type: uuid, primary_key: true, default: gen_random_uuid(), classification: internal}
              email: {type: text, classification: pii, description: Where we write.}
              secret: {type: text, encrypted: true, description: Kept sealed.}
    """)))
    run_sql(conn, render_outputs(original)[MIGRATION_PATH])
    imported = import_database(conn, ("public",))
    people = imported.inspection.schema.table("people")
    assert [(c.name, c.classification, c.encrypted, c.description) for c in people.columns] == [
        ("id", "internal", False, None), ("email", "pii", False, "Where we write."), ("secret", None, True, "Kept sealed."),
    ]
    assert people.classification_tag == "end" and "comments:\n  classification_tag: end\n" in imported.text
    rebuilt = build_schema(load_yaml(imported.text, "schema.yaml"), imported.text.encode(), "schema.yaml")
    assert rebuilt.table("people") == people


HOSTILE_SCHEMAS_SQL = """
-- schemas: public select Auth bill"ing
CREATE SCHEMA "select";
CREATE TABLE "select"."order" (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "from" text DEFAULT '$$; DROP TABLE x; $$');
CREATE INDEX order_from_idx ON "select"."order" ("from");
ALTER TABLE "select"."order" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "it's; $a$ ünï" ON "select"."order" FOR SELECT TO authenticated USING ("from" <> ';');
CREATE TABLE public.accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), order_id bigint REFERENCES "select"."order");
CREATE SCHEMA "Auth"; CREATE TABLE "Auth".users (id uuid PRIMARY KEY);
CREATE SCHEMA "bill""ing"; CREATE TABLE "bill""ing"."in;voices" (id int PRIMARY KEY);
"""


def test_hostile_schema_names_are_read_quoted_or_reported(pg_server, tmp_path):
    """--schema with a reserved word (select: read, quoted everywhere, round-trips exactly), a platform name in other case
    (Auth) and a name with a quote (reported whole with why, their SQL quoted); a pg_ name cannot exist, and a --schema
    the database lacks is refused (test_import_of_a_schema_the_database_lacks_is_refused_and_writes_nothing)."""
    result = round_trip(pg_server, HOSTILE_SCHEMAS_SQL, tmp_path)
    assert result.unreported() == []
    schema = result.imported.inspection.schema
    assert [(t.schema, t.name) for t in schema.tables] == [("public", "accounts"), ("select", "order")]
    assert [p.name for p in schema.table("order").policies] == ["it's; $a$ ünï"]
    assert result.exact == dict(tables=2, columns=4, constraints=3, indexes=1, policies=1, functions=0, views=0, triggers=0)  # all of public and select
    assert result.totals == dict(tables=4, columns=6, constraints=5, indexes=1, policies=1, functions=0, views=0, triggers=0)  # with the two reported tables
    left = {(i.kind, i.table): i for i in result.imported.left_out}
    assert "not one a spec can give" in left[("table", "Auth.users")].reason
    assert left[("table", 'bill"ing.in;voices')].sql.startswith('CREATE TABLE "bill""ing"."in;voices"')
    assert "  order:\n    schema: select\n" in result.spec_text


def test_import_of_a_schema_the_database_lacks_is_refused_and_writes_nothing(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
    result = run_cli("import", "--database-url", db_url, "--schema", "public", "--schema", "Billing", "--schema", "pg_temp_x", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("the database has no schema 'Billing', 'pg_temp_x'; its schemas are ")
    assert "billing" in result.stderr and "nothing written." in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "schema.yaml").exists()
