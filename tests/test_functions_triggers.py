"""functions: and triggers: on a real PostgreSQL: they apply, behave, verify passes, and verify catches hand-made changes."""

from __future__ import annotations

import psycopg
import pytest

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema, read_triggers
from schemac.emit.sql import render_migration
from schemac.verify.run import compare_external_triggers, compare_schema, normalize_expressions

from helpers import build_errors, write_spec
from schemac.pipeline import load_schema

SPEC = """\
tables:
  profiles:
    description: One row per signed-up user.
    classification: administrative
    timestamps: true
    columns:
      id: {type: uuid, primary_key: true, references: auth.users.id, on_delete: cascade, description: The user.}
      full_name: {type: text, nullable: true, description: Display name.}
      status: {type: text, default: active}
    policies:
      - {name: own_profile, for: [select, update], owner: id}
  notes:
    description: Clinical notes.
    classification: phi
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      author_id: {type: uuid, references: profiles.id, on_delete: cascade}
      body: {type: text}
    policies:
      - {name: own_notes, for: [all], owner: author_id}
  profile_changes:
    description: Which profile changed, when; IDs only.
    classification: administrative
    log: true
    columns:
      id: {type: bigint, primary_key: true}
      profile_id: {type: uuid}
      changed_at: {type: timestamptz, default: now()}
functions:
  handle_new_user:
    description: Creates the profile of a new auth user.
    returns: trigger
    language: plpgsql
    security: definer
    search_path: []
    body: |
      begin
        insert into public.profiles (id, full_name) values (new.id, new.raw_user_meta_data ->> 'full_name');
        return new;
      end;
  log_profile_change:
    returns: trigger
    language: plpgsql
    security: definer
    search_path: []
    body: |
      begin
        insert into public.profile_changes (id, profile_id) values ((select count(*) + 1 from public.profile_changes), new.id);
        return null;
      end;
  profile_count:
    description: How many profiles have a name starting with the prefix.
    arguments:
      - {name: prefix, type: text, default: "''"}
    returns: bigint
    language: sql
    volatility: stable
    body: select count(*) from public.profiles where coalesce(full_name, '') like prefix || '%'
  active_profiles:
    returns: setof profiles
    language: sql
    volatility: stable
    grant_execute: [authenticated]
    body: select * from public.profiles where status = 'active'
  note_counts:
    arguments:
      - {name: since, type: timestamp with time zone}
      - {name: ids, type: "uuid[]", default: "'{}'"}
    returns: table (author_id uuid, notes bigint)
    language: sql
    volatility: stable
    body: select author_id, count(*) from public.notes group by author_id
triggers:
  on_auth_user_created:
    description: Supabase's handle_new_user pattern.
    table: auth.users
    timing: after
    events: [insert]
    function: handle_new_user
  profile_name_changed:
    table: profiles
    timing: after
    events: [update]
    update_of: [full_name]
    when: old.full_name IS DISTINCT FROM new.full_name
    function: log_profile_change
"""


def diffs_of(conn, schema) -> list[str]:
    """Everything verify would report for this database against the spec."""
    diffs: list[str] = []
    norm = normalize_expressions(conn, schema)
    compare_schema(schema, read_schema(conn), norm, diffs)
    external = {key: read_triggers(conn, *key.split(".")) for key in norm.external_triggers}
    compare_external_triggers(norm, external, diffs)
    return diffs


@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    return conn, schema


def test_applies_verifies_and_is_idempotent(applied):
    conn, schema = applied
    assert diffs_of(conn, schema) == []
    run_sql(conn, render_migration(schema))  # a re-run changes nothing
    assert diffs_of(conn, schema) == []


def test_handle_new_user_trigger_on_auth_users_creates_the_profile(applied):
    conn, _ = applied
    uid = conn.execute(
        "INSERT INTO auth.users (email, raw_user_meta_data) VALUES ('a@example.test', '{\"full_name\": \"Ada\"}') RETURNING id"
    ).fetchone()[0]
    assert conn.execute("SELECT full_name FROM public.profiles WHERE id = %s", (uid,)).fetchone() == ("Ada",)
    conn.execute("UPDATE public.profiles SET status = 'away' WHERE id = %s", (uid,))
    assert conn.execute("SELECT count(*) FROM public.profile_changes").fetchone()[0] == 0  # WHEN and UPDATE OF hold it back
    conn.execute("UPDATE public.profiles SET full_name = 'Ada L' WHERE id = %s", (uid,))
    assert conn.execute("SELECT profile_id FROM public.profile_changes").fetchall() == [(uid,)]


def test_execute_grants_are_exactly_the_spec_roles(applied):
    conn, _ = applied
    rows = dict(
        conn.execute(
            """SELECT p.proname, ARRAY(SELECT r FROM unnest(ARRAY['anon','authenticated','service_role']) r
                                      WHERE has_function_privilege(r, p.oid, 'EXECUTE'))
               FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"""
        ).fetchall()
    )
    assert rows["profile_count"] == ["authenticated", "service_role"]  # the default: not anon
    assert rows["active_profiles"] == ["authenticated"]
    assert rows["handle_new_user"] == []  # a trigger function needs no EXECUTE grant to fire
    conn.execute("SET ROLE anon")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT public.profile_count()")
    conn.execute("RESET ROLE")
    conn.execute("SET ROLE authenticated")
    assert conn.execute("SELECT public.profile_count('A')").fetchone() == (0,)
    conn.execute("RESET ROLE")


def test_function_attributes_are_what_the_spec_says(applied):
    conn, _ = applied
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            """SELECT proname, prosecdef, proconfig, provolatile, pg_get_function_result(oid), pg_get_function_arguments(oid)
               FROM pg_proc WHERE pronamespace = 'public'::regnamespace"""
        )
    }
    assert rows["handle_new_user"][:3] == (True, ['search_path=""'], "v")
    assert rows["profile_count"][2:] == ("s", "bigint", "prefix text DEFAULT ''::text")
    assert rows["active_profiles"][3] == "SETOF profiles"
    assert rows["note_counts"][3] == "TABLE(author_id uuid, notes bigint)"


@pytest.mark.parametrize(
    "statement, expected",
    [
        (
            "CREATE OR REPLACE FUNCTION public.profile_count(prefix text DEFAULT '') RETURNS bigint LANGUAGE sql STABLE "
            "AS $$ select 0::bigint $$",
            "function public.profile_count(prefix text): body",
        ),
        ("ALTER FUNCTION public.profile_count(text) SECURITY DEFINER", "function public.profile_count(prefix text): security"),
        ("ALTER FUNCTION public.handle_new_user() RESET search_path", "function public.handle_new_user: settings"),
        ("ALTER FUNCTION public.profile_count(text) VOLATILE", "function public.profile_count(prefix text): volatility"),
        ("GRANT EXECUTE ON FUNCTION public.profile_count(text) TO anon", "function public.profile_count(prefix text): EXECUTE granted to"),
        ("COMMENT ON FUNCTION public.profile_count(text) IS 'x'", "function public.profile_count(prefix text): comment"),
        (
            "CREATE OR REPLACE TRIGGER profile_name_changed AFTER UPDATE OF full_name ON public.profiles FOR EACH ROW "
            "WHEN (old.full_name IS NOT NULL) EXECUTE FUNCTION public.log_profile_change()",
            "trigger profiles.profile_name_changed: definition",
        ),
        ("DROP TRIGGER on_auth_user_created ON auth.users", "trigger auth.users.on_auth_user_created: missing from the database"),
        (
            "CREATE TRIGGER extra AFTER DELETE ON auth.users FOR EACH ROW EXECUTE FUNCTION public.handle_new_user()",
            "trigger auth.users.extra: in the database but not in the spec",
        ),
        (
            "CREATE OR REPLACE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW "
            "WHEN (new.email IS NOT NULL) EXECUTE FUNCTION public.handle_new_user()",
            "trigger auth.users.on_auth_user_created: definition",
        ),
        ("ALTER TABLE auth.users DISABLE TRIGGER on_auth_user_created", "trigger auth.users.on_auth_user_created: firing"),
        ("DROP FUNCTION public.note_counts(timestamptz, uuid[])", "function public.note_counts(since timestamp with time zone, ids uuid[]): missing"),
    ],
)
def test_verify_catches_a_hand_made_change(applied, statement, expected):
    conn, schema = applied
    conn.execute(statement)
    found = diffs_of(conn, schema)
    assert any(d.startswith(expected) for d in found), found


BAD = """\
tables:
  t:
    classification: administrative
    description: x
    columns:
      id: {type: uuid, primary_key: true}
functions:
  f:
    returns: trigger
    language: plpgsql
    body: |
      begin
        retrun new;
      end;
  g:
    returns: setof nope nope
    language: sql
    body: select 1
  h:
    returns: integer
    language: sql
    body: select 1 frm t
triggers:
  tr:
    table: t
    timing: before
    events: [update]
    function: h
  tr2:
    table: tt
    timing: before
    events: [update]
    function: f
"""


def test_body_and_signature_errors_are_positioned_inside_the_spec(tmp_path):
    errors = build_errors(tmp_path, BAD)
    assert errors == [
        'schema.yaml:13:9: PL/pgSQL syntax error in the body: syntax error at or near "retrun"; fix it at this point',
        'schema.yaml:16:25: not a return type: syntax error at or near "nope"',
        'schema.yaml:22:24: SQL syntax error in the body: syntax error at or near "t"; fix it at this point',
        "schema.yaml:30:5: unknown table 'tt' for trigger 'tr2'; did you mean 't'?",
    ]


def test_a_trigger_must_run_a_trigger_function(tmp_path):
    spec = BAD.replace("retrun", "return").replace("setof nope nope", "setof t").replace("frm", "from").replace("table: tt", "table: t")
    errors = build_errors(tmp_path, spec)
    assert errors == ["schema.yaml:28:5: function 'h' returns integer, not trigger; a trigger runs a function declared with 'returns: trigger'"]


def test_a_body_holding_the_dollar_quote_tag_cannot_end_the_quote(conn, tmp_path):
    spec = SPEC.replace("select count(*) from public.profiles where", "select count(*) + length('$function$') - 10 from public.profiles where")
    schema = load_schema(str(write_spec(tmp_path, spec)))
    sql = render_migration(schema)
    assert "AS $function_1$" in sql
    run_sql(conn, sql)
    assert conn.execute("SELECT public.profile_count()").fetchone() == (0,)
    assert diffs_of(conn, schema) == []


def test_readme_handle_new_user_example_works(conn, tmp_path):
    """The README's worked example, as written there: it compiles, applies, and a sign-up creates the profile."""
    from pathlib import Path
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `triggers:` — the Supabase `handle_new_user` example") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    schema = load_schema(str(write_spec(tmp_path, example)))
    run_sql(conn, render_migration(schema))
    uid = conn.execute(
        "INSERT INTO auth.users (email, raw_user_meta_data) VALUES ('r@example.test', '{\"full_name\": \"Rea\"}') RETURNING id"
    ).fetchone()[0]
    assert conn.execute("SELECT full_name FROM public.profiles WHERE id = %s", (uid,)).fetchone() == ("Rea",)
    assert diffs_of(conn, schema) == []


def test_one_trigger_name_on_several_tables_by_name_key(conn, tmp_path):
    """PostgreSQL names triggers per table: `name:` gives two section entries one trigger name, each on its table."""
    shared = SPEC + """\
  profile_touched:
    name: touched
    table: profiles
    timing: after
    events: [update]
    function: log_profile_change
  note_touched:
    name: touched
    table: notes
    timing: after
    events: [update]
    function: log_profile_change
"""
    schema = load_schema(str(write_spec(tmp_path, shared)))
    run_sql(conn, render_migration(schema))
    assert conn.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'touched' ORDER BY 1"
    ).fetchall() == [("notes",), ("profiles",)]
    assert diffs_of(conn, schema) == []
    conn.execute("DROP TRIGGER touched ON public.notes")
    assert any("touched" in d and "notes" in d for d in diffs_of(conn, schema))


def test_a_trigger_name_twice_on_one_table_is_refused_at_its_name(tmp_path):
    twice = SPEC + """\
  again:
    name: profile_name_changed
    table: profiles
    timing: after
    events: [insert]
    function: log_profile_change
"""
    errors = build_errors(tmp_path, twice)
    assert errors == [
        "schema.yaml:88:5: table public.profiles already has a trigger named 'profile_name_changed' "
        "(triggers.profile_name_changed); rename this one"
    ], errors
