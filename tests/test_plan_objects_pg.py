"""Pair tests for the change kinds of functions, section triggers, views, realtime and sql: blocks (see plan_pairs.py).

Each builds the old spec's database, inserts rows, applies the plan to the new spec, and (inside
`migrated`) asserts the catalog (functions with bodies, grants and comments; triggers; views with
their queries, options, grants, comments and indexes; replica identity and publication membership)
equals a fresh build of the new spec, and planning again yields nothing. Here the rows, and what the
objects do with them, are checked.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest

from plan_pairs import database, migrated, spec
from schemac.db.catalog import read_triggers
from schemac.plan import plan_migration

BASE = """
tables:
  accounts:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      score: {type: integer, nullable: true}
  events:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      account_id: {type: bigint, nullable: true}
      what: {type: text}
"""

ROWS = "INSERT INTO accounts (id, name, score) VALUES (1, 'Ann', 3), (7, 'Bob', NULL);"

TOP_SCORE = """
functions:
  top_score:
    returns: integer
    language: sql
    volatility: stable
    grant_execute: [authenticated]
    body: SELECT max(score) FROM public.accounts
"""

LOG_CHANGE = """
  log_change:
    returns: trigger
    language: plpgsql
    security: definer
    search_path: []
    body: |
      BEGIN
        INSERT INTO public.events (account_id, what) VALUES (NEW.id, TG_OP);
        RETURN NEW;
      END;
"""

TRIGGER = """
triggers:
  accounts_log:
    table: accounts
    timing: after
    events: [insert, update]
    function: log_change
"""

VIEW = """
views:
  account_names:
    query: SELECT a.id, a.name FROM public.accounts a
    grant_select: [authenticated]
"""


def pair(pg_server, tmp_path, old: str, new: str, rows: str = ROWS, allow_destructive: bool = False):
    return migrated(pg_server, spec(tmp_path, "old", old), spec(tmp_path, "new", new), rows, allow_destructive)


def summaries(plan) -> list[str]:
    return [s.summary for s in plan.statements]


def test_function_created_then_callable(pg_server, tmp_path):
    with pair(pg_server, tmp_path, BASE, BASE + TOP_SCORE) as (conn, plan):
        assert summaries(plan) == ["create function top_score"]
        assert conn.execute("SELECT public.top_score()").fetchone() == (3,)
        assert conn.execute("SELECT has_function_privilege('anon', 'public.top_score()', 'EXECUTE')").fetchone() == (False,)


def test_function_body_and_settings_replaced_in_place(pg_server, tmp_path):
    old = BASE + TOP_SCORE + LOG_CHANGE + TRIGGER
    new = old.replace("SELECT max(score)", "SELECT min(score)").replace("volatility: stable", "volatility: immutable").replace(
        "security: definer\n    search_path: []", "security: invoker\n    search_path: [public]"
    ).replace("TG_OP);", "lower(TG_OP));")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert summaries(plan) == [
            "replace function top_score (CREATE OR REPLACE: its grants and dependents stay)",
            "replace function log_change (CREATE OR REPLACE: its grants and dependents stay)",
        ]
        assert conn.execute("SELECT public.top_score()").fetchone() == (3,)  # min of 3 and NULL
        # the trigger was not dropped, and now runs the new body
        conn.execute("UPDATE accounts SET score = 4 WHERE id = 1")
        assert conn.execute("SELECT account_id, what FROM events WHERE what <> 'INSERT'").fetchall() == [(1, "update")]
        assert conn.execute("SELECT has_function_privilege('authenticated', 'public.top_score()', 'EXECUTE')").fetchone() == (True,)


def test_function_return_type_changed_is_dropped_and_created_with_its_trigger_and_policy(pg_server, tmp_path):
    policy = "      score: {type: integer, nullable: true}\n    policies:\n      - {name: scored, for: [select], using: \"score <= top_score()\"}\n"
    old = BASE.replace("      score: {type: integer, nullable: true}\n", policy, 1) + TOP_SCORE + LOG_CHANGE + TRIGGER
    new = old.replace("returns: integer", "returns: bigint")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        lines = summaries(plan)
        assert lines.index("drop policy scored on accounts") < lines.index("drop function top_score (its arguments or return type change)")
        assert lines.index("create function top_score again") < lines.index("create policy scored on accounts")
        assert conn.execute("SELECT pg_typeof(public.top_score())::text").fetchone() == ("bigint",)
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (2,)


def test_trigger_moved_to_a_new_function(pg_server, tmp_path):
    old = BASE + "functions:" + LOG_CHANGE + TRIGGER
    new = old.replace("log_change", "log_change_v2")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        lines = summaries(plan)
        assert lines.index("drop trigger accounts_log on accounts") < lines.index("create function log_change_v2")
        assert lines.index("add trigger accounts_log on accounts") < lines.index("drop function log_change")
        conn.execute("INSERT INTO accounts (id, name) VALUES (9, 'Cy')")
        assert conn.execute("SELECT account_id, what FROM events WHERE account_id = 9").fetchall() == [(9, "INSERT")]


def test_function_with_changed_arguments_dropped_and_created(pg_server, tmp_path):
    old = BASE + TOP_SCORE
    new = BASE + TOP_SCORE.replace("returns: integer", "arguments: [{name: floor, type: integer, default: '0'}]\n    returns: integer").replace(
        "SELECT max(score) FROM public.accounts", "SELECT greatest(max(score), floor) FROM public.accounts"
    )
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert summaries(plan) == ["drop function top_score (its arguments or return type change)", "create function top_score again"]
        assert conn.execute("SELECT public.top_score(10), public.top_score()").fetchone() == (10, 3)
        assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname = 'top_score'").fetchone() == (1,)


def test_function_grants_and_comment_changed(pg_server, tmp_path):
    old = BASE + TOP_SCORE
    new = old.replace("grant_execute: [authenticated]", "grant_execute: [anon, authenticated]\n    description: The best score.")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert summaries(plan) == ["set EXECUTE grants of function top_score", "comment on function top_score"]
        assert [h.code for h in plan.statements[0].hazards] == ["authorization-change"]
        assert conn.execute("SELECT has_function_privilege('anon', 'public.top_score()', 'EXECUTE')").fetchone() == (True,)
        assert conn.execute("SELECT obj_description('public.top_score'::regproc, 'pg_proc')").fetchone() == ("[returns administrative] The best score.",)


def test_function_and_its_trigger_dropped(pg_server, tmp_path):
    old = BASE + "functions:" + LOG_CHANGE + TRIGGER
    with pair(pg_server, tmp_path, old, BASE) as (conn, plan):
        assert summaries(plan) == ["drop trigger accounts_log on accounts", "drop function log_change"]
        conn.execute("INSERT INTO accounts (id, name) VALUES (9, 'Cy')")
        assert conn.execute("SELECT account_id FROM events ORDER BY account_id").fetchall() == [(1,), (7,)]  # the rows' own, none after
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (3,)


def test_trigger_added_changed_and_dropped(pg_server, tmp_path):
    with_fn = BASE + "functions:" + LOG_CHANGE
    old = with_fn + TRIGGER
    with pair(pg_server, tmp_path, with_fn, old) as (conn, plan):
        assert summaries(plan) == ["add trigger accounts_log on accounts"]
        conn.execute("INSERT INTO accounts (id, name) VALUES (9, 'Cy')")
        assert conn.execute("SELECT account_id, what FROM events").fetchall() == [(9, "INSERT")]
    when = old.replace("function: log_change", "function: log_change\n    when: new.score IS NOT NULL\n    description: Scored rows only.")
    with pair(pg_server, tmp_path, old, when) as (conn, plan):
        assert summaries(plan) == [
            "drop trigger accounts_log on accounts",
            "add trigger accounts_log on accounts",
            "comment on trigger accounts_log on accounts",
        ]
        conn.execute("UPDATE accounts SET name = name || '!'")
        assert conn.execute("SELECT account_id FROM events WHERE what = 'UPDATE'").fetchall() == [(1,)]  # Bob has no score
    comment = when.replace("Scored rows only.", "Only rows with a score.")
    with pair(pg_server, tmp_path, when, comment) as (conn, plan):
        assert summaries(plan) == ["comment on trigger accounts_log on accounts"]
    with pair(pg_server, tmp_path, old, with_fn) as (conn, plan):
        assert summaries(plan) == ["drop trigger accounts_log on accounts"]


def test_trigger_on_auth_users(pg_server, tmp_path):
    old = BASE + "functions:" + LOG_CHANGE.replace("NEW.id", "1")
    new = old + """
triggers:
  on_auth_user_created:
    table: auth.users
    timing: after
    events: [insert]
    function: log_change
"""
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert summaries(plan) == ["add trigger on_auth_user_created on auth.users"]
        assert set(read_triggers(conn, "auth", "users")) == {"on_auth_user_created"}
        conn.execute("INSERT INTO auth.users (id) VALUES (gen_random_uuid())")
        assert conn.execute("SELECT what FROM events").fetchall() == [("INSERT",)]
        with database(pg_server, spec(tmp_path, "fresh", new)) as fresh:
            assert read_triggers(conn, "auth", "users") == read_triggers(fresh, "auth", "users")
    with pair(pg_server, tmp_path, new, old) as (conn, plan):
        assert summaries(plan) == ["drop trigger on_auth_user_created on auth.users"]
        assert read_triggers(conn, "auth", "users") == {}


def test_view_created_replaced_and_rebuilt(pg_server, tmp_path):
    with pair(pg_server, tmp_path, BASE, BASE + VIEW) as (conn, plan):
        assert summaries(plan) == ["create view account_names"]
        assert conn.execute("SELECT name FROM account_names ORDER BY id").fetchall() == [("Ann",), ("Bob",)]
    appended = VIEW.replace("a.id, a.name", "a.id, a.name, a.score")
    with pair(pg_server, tmp_path, BASE + VIEW, BASE + appended) as (conn, plan):
        assert summaries(plan)[0] == "replace view account_names (same columns, new ones appended)"
        assert conn.execute("SELECT name, score FROM account_names ORDER BY id").fetchall() == [("Ann", 3), ("Bob", None)]
    reordered = VIEW.replace("a.id, a.name", "a.name, a.id")
    with pair(pg_server, tmp_path, BASE + VIEW, BASE + reordered) as (conn, plan):
        assert summaries(plan)[:2] == ["drop view account_names", "create view account_names"]
    with pair(pg_server, tmp_path, BASE + VIEW, BASE) as (conn, plan):
        assert summaries(plan) == ["drop view account_names"]
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (2,)


def test_view_options_grants_and_comments_changed_in_place(pg_server, tmp_path):
    new = VIEW.replace("grant_select: [authenticated]", "grant_select: [anon]\n    security_invoker: true\n    description: Names.")
    with pair(pg_server, tmp_path, BASE + VIEW, BASE + new) as (conn, plan):
        assert summaries(plan) == [
            "view account_names reads with the caller's rights",
            "set SELECT grants of view account_names",
            "comment on view account_names",
        ]
        assert conn.execute("SELECT has_table_privilege('anon', 'public.account_names', 'SELECT')").fetchone() == (True,)
    with pair(pg_server, tmp_path, BASE + new, BASE + VIEW) as (conn, plan):
        assert summaries(plan)[0] == "view account_names reads with its owner's rights"


def test_views_over_a_retyped_column_and_over_each_other_rebuilt_around_it(pg_server, tmp_path):
    views = VIEW + """
  first_names:
    query: SELECT n.id, n.name FROM public.account_names n WHERE n.id < 5
"""
    old = BASE + views.replace("a.id, a.name", "a.id, a.name, a.score")
    new = old.replace("score: {type: integer, nullable: true}", "score: {type: bigint, nullable: true}", 1)
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        lines = summaries(plan)
        assert lines.index("drop view first_names") < lines.index("drop view account_names") < lines.index(
            "change type of accounts.score from integer to bigint"
        ) < lines.index("create view account_names") < lines.index("create view first_names")
        assert conn.execute("SELECT name FROM first_names").fetchall() == [("Ann",)]
    dropped = old.replace("      score: {type: integer, nullable: true}\n", "", 1).replace("a.id, a.name, a.score", "a.id, a.name")
    with pair(pg_server, tmp_path, old, dropped, allow_destructive=True) as (conn, plan):
        assert "drop view account_names" in summaries(plan)
        assert conn.execute("SELECT count(*) FROM account_names").fetchone() == (2,)


def test_materialized_view_query_and_indexes(pg_server, tmp_path):
    old = BASE + """
views:
  scores:
    materialized: true
    query: SELECT a.id, a.score FROM public.accounts a
    indexes:
      - {columns: [id], unique: true}
"""
    indexed = old + "      - {columns: [score]}\n"
    with pair(pg_server, tmp_path, old, indexed) as (conn, plan):
        assert summaries(plan) == ["add index scores_score_idx on scores"]
    changed = old.replace("a.id, a.score", "a.id, (a.score * 2)::integer AS score")
    with pair(pg_server, tmp_path, old, changed) as (conn, plan):
        assert summaries(plan) == ["drop materialized view scores", "create materialized view scores"]
        assert conn.execute("SELECT score FROM scores ORDER BY id").fetchall() == [(6,), (None,)]


def test_realtime_and_replica_identity(pg_server, tmp_path):
    new = BASE.replace("classification: administrative", "classification: administrative\n    realtime: true\n    replica_identity: full", 1)
    with pair(pg_server, tmp_path, BASE, new) as (conn, plan):
        assert summaries(plan) == ["replica identity of accounts: full", "publish changes of accounts to supabase_realtime"]
        assert conn.execute("SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'").fetchall() == [("accounts",)]
    with pair(pg_server, tmp_path, new, BASE) as (conn, plan):
        assert summaries(plan) == ["replica identity of accounts: default", "stop publishing changes of accounts to supabase_realtime"]
        assert conn.execute("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'supabase_realtime'").fetchone() == (0,)


SQL_BLOCK = """
sql:
  score_of:
    sql: |
      CREATE OR REPLACE FUNCTION public.score_of(account bigint) RETURNS integer
      LANGUAGE sql STABLE AS $$ SELECT score FROM public.accounts WHERE id = account $$;
"""


def test_sql_block_added_changed_and_removed(pg_server, tmp_path):
    with pair(pg_server, tmp_path, BASE, BASE + SQL_BLOCK) as (conn, plan):
        assert summaries(plan) == ["sql: score_of"]
        assert conn.execute("SELECT public.score_of(1)").fetchone() == (3,)
    changed = SQL_BLOCK.replace("SELECT score FROM", "SELECT coalesce(score, 0) FROM")
    with pair(pg_server, tmp_path, BASE + SQL_BLOCK, BASE + changed) as (conn, plan):
        assert summaries(plan) == ["sql: score_of (changed: runs again)"]
        assert conn.execute("SELECT public.score_of(7)").fetchone() == (0,)
    # a removed block writes nothing: schemac cannot undo hand-written SQL (verify then reports its objects as extra)
    removed = plan_migration(spec(tmp_path, "with", BASE + SQL_BLOCK), spec(tmp_path, "without", BASE))
    assert removed.parts == () and removed.refusals == ()


def test_a_clinic_like_state_without_the_new_sections_plans_them_from_a_snapshot(tmp_path):
    """A state written before these sections existed loads with none of them, so the next migration creates them all."""
    from schemac.migrations.snapshot import load_snapshot, snapshot_json

    new = spec(tmp_path, "new", BASE + TOP_SCORE + LOG_CHANGE + TRIGGER + VIEW + SQL_BLOCK)
    old = load_snapshot(snapshot_json(dataclasses.replace(new, functions=(), triggers=(), views=(), sql_blocks=())), "state.json")
    assert load_snapshot(snapshot_json(new), "state.json") == new  # the new sections round-trip through a state
    plan = plan_migration(old, new)
    assert summaries(plan) == [
        "create function top_score", "create function log_change", "create view account_names", "add trigger accounts_log on accounts", "sql: score_of",
    ]


@pytest.mark.parametrize("bad", ["SELECT 1/0"])
def test_a_failing_sql_block_fails_the_migration(pg_server, tmp_path, bad):
    new = BASE + f"\nsql:\n  boom:\n    sql: {bad}\n"
    plan = plan_migration(spec(tmp_path, "old", BASE), spec(tmp_path, "new", new))
    with database(pg_server, spec(tmp_path, "old2", BASE)) as conn:
        with pytest.raises(psycopg.errors.DivisionByZero):
            with conn.transaction():
                for s in plan.statements:
                    conn.execute(s.sql)
