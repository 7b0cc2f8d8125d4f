"""`schemac apply` and `schemac plan` on a real PostgreSQL: order, locking, kills, failures, baselines, layouts."""

from __future__ import annotations

import os
import re
import signal
import time

import psycopg

from migration_project import TITLE, compiled, new_project, two_migrations
from schemac.db.apply import ADVISORY_LOCK_KEY
from schemac.db.server import scratch_database
from schemac.migrations.checksums import parse_sums, render_sums

CHECK_AND_UNIQUE = TITLE + """      body: {type: text, description: The note.}
    checks:
      - name: notes_body_not_empty
        expression: body <> ''
    indexes:
      - columns: [body]
        unique: true
"""


def history(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as c:
        if c.execute("SELECT to_regclass('schemac.applied_migrations')").fetchone()[0] is None:
            return []
        return c.execute("SELECT version, name FROM schemac.applied_migrations ORDER BY version").fetchall()


def columns(url: str, table: str = "notes") -> list[str]:
    with psycopg.connect(url) as c:
        return [r[0] for r in c.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (f"public.{table}",),
        )]


def apply(project, url: str, *args: str):
    return project.run("apply", "--database-url", url, *args)


def reseal(project) -> None:
    """Rewrite migrations.sum over the files as they are now: what someone 'fixing' check after an edit would do."""
    sums = project.compiled / "migrations.sum"
    entries = []
    for logical in parse_sums(sums.read_text(), "sum"):
        folder, name = logical.split("/", 1)
        entries.append((logical, (project.compiled / folder / name).read_text()))
    sums.write_text(render_sums(entries))


def test_apply_applies_in_order_records_history_and_plan_lists_hazards(tmp_path, db_url):
    project = two_migrations(tmp_path)
    plan = project.run("plan", "--database-url", db_url)
    assert plan.exit_code == 0, plan.output
    assert re.search(r"pending  .*001_initial_schema\.sql\npending  .*002_add_notes_title\.sql\n  hazard access-exclusive-lock: ", plan.output)
    assert "2 migrations to apply" in plan.output
    assert history(db_url) == [] and columns(db_url) == []  # plan applied nothing
    result = apply(project, db_url)
    assert result.exit_code == 0, result.output
    assert result.output.index("applied  001_initial_schema") < result.output.index("applied  002_add_notes_title")
    assert history(db_url) == [("001", "initial_schema"), ("002", "add_notes_title")]
    assert columns(db_url) == ["id", "body", "title"]
    with psycopg.connect(db_url) as c:
        checksum = c.execute("SELECT checksum FROM schemac.applied_migrations WHERE version = '002'").fetchone()[0]
    assert checksum == __import__("hashlib").sha256((project.compiled / "migrations" / "002_add_notes_title.sql").read_bytes()).hexdigest()
    again = apply(project, db_url)
    assert again.exit_code == 0 and "the database was up to date" in again.output
    assert "the database is up to date" in project.run("plan", "--database-url", db_url).output


def test_eight_concurrent_applies_on_a_bare_database_apply_each_migration_once(tmp_path, pg_server):
    project = two_migrations(tmp_path)
    with scratch_database(pg_server, "schemac_race") as url:
        runs = [project.process("apply", "--database-url", url, "--install-stand-in", "--lock-wait", "120s") for _ in range(8)]
        outputs = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0] * 8, outputs
        stdout = "".join(out for out, _err in outputs)
        assert stdout.count("applied  001_initial_schema") == 1
        assert stdout.count("applied  002_add_notes_title") == 1
        assert stdout.count("installed the Supabase stand-in") == 1
        assert history(url) == [("001", "initial_schema"), ("002", "add_notes_title")]
        assert columns(url) == ["id", "body", "title"]


def test_a_held_migration_lock_times_out_with_a_clear_message(tmp_path, db_url):
    project = two_migrations(tmp_path)
    with psycopg.connect(db_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        pid = other.info.backend_pid
        started = time.monotonic()
        result = apply(project, db_url, "--lock-wait", "1s")
        waited = time.monotonic() - started
    assert result.exit_code == 1
    assert f"waited 1s for the migration lock, which session {pid} (" in result.output
    assert "nothing was applied" in result.output and "--lock-wait" in result.output
    assert waited < 60  # bounded: it did not wait for the holder
    assert history(db_url) == [] and columns(db_url) == []


def test_a_client_killed_mid_apply_leaves_no_applied_but_unrecorded_migration(tmp_path, db_url):
    """The client dies while 002 waits for a table lock; when the lock is released the server must not
    go on to commit 002 without its history row (the old apply sent the whole file, COMMIT included)."""
    project = two_migrations(tmp_path, pyproject='[tool.schemac]\nlock_timeout = "60s"\n')  # the files' own SET waits too
    project.edit_spec("      body:", "      status: {type: text, nullable: true, description: Draft or final.}\n      body:")
    compiled(project)  # 003 after 002, so the kill lands in the middle of the run
    url = db_url
    only_first = new_project(tmp_path, name="first")
    compiled(only_first)
    assert apply(only_first, url).exit_code == 0
    with psycopg.connect(url, autocommit=True) as blocker:
        blocker.execute("INSERT INTO notes (body) VALUES ('kept')")
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE")
        client = project.process("apply", "--database-url", url, "--lock-timeout", "60s", "--statement-timeout", "60s")
        backend = _wait_for_lock_wait(url, client)
        os.kill(client.pid, signal.SIGKILL)
        client.communicate(timeout=30)
        blocker.execute("COMMIT")  # the orphaned session now gets its lock
    _wait_until_gone(url, backend)
    assert history(url) == [("001", "initial_schema")]
    assert columns(url) == ["id", "body"]  # 002's ADD COLUMN was rolled back with it
    with psycopg.connect(url) as c:
        assert c.execute("SELECT body FROM notes").fetchall() == [("kept",)]
    result = apply(project, url)  # and the next run applies 002 and 003 normally
    assert result.exit_code == 0, result.output
    assert [v for v, _ in history(url)] == ["001", "002", "003"]


def _wait_for_lock_wait(url: str, client) -> int:
    """The backend pid of the schemac session once it is blocked on a lock."""
    with psycopg.connect(url, autocommit=True) as c:
        for _ in range(600):
            row = c.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'schemac' AND wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if row:
                return row[0]
            assert client.poll() is None, client.communicate()
            time.sleep(0.1)
    raise AssertionError("apply never blocked on the table lock")


def _wait_until_gone(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as c:
        for _ in range(600):
            if not c.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                return
            time.sleep(0.1)
    raise AssertionError(f"the orphaned session {pid} never ended")


def test_a_migration_failing_midway_changes_nothing_and_names_file_line_and_statement(tmp_path, db_url):
    project = new_project(tmp_path)
    compiled(project)
    assert apply(project, db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute("INSERT INTO notes (body) VALUES ('fine'), ('')")  # '' breaks the new CHECK when it is validated
    project.edit_spec("      body: {type: text, description: The note.}\n", CHECK_AND_UNIQUE)
    compiled(project)
    [migration] = (project.compiled / "migrations").glob("002_*.sql")
    validate_line = next(i for i, l in enumerate(migration.read_text().splitlines(), 1) if "VALIDATE CONSTRAINT" in l)
    result = apply(project, db_url)
    assert result.exit_code == 1
    assert f"{migration}:{validate_line}: check constraint \"notes_body_not_empty\" of relation \"notes\" is violated by some row (23514)" in result.output
    assert 'statement: ALTER TABLE "public"."notes" VALIDATE CONSTRAINT "notes_body_not_empty"' in result.output
    assert "was rolled back: the schema and the migration history are unchanged" in result.output
    assert history(db_url) == [("001", "initial_schema")]
    assert columns(db_url) == ["id", "body"]  # the ADD COLUMN before the failing statement is gone too
    with psycopg.connect(db_url) as c:
        assert c.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'notes_body_not_empty'").fetchone() == (0,)


def test_a_failed_concurrent_index_build_leaves_no_invalid_index(tmp_path, db_url):
    project = new_project(tmp_path)
    compiled(project)
    assert apply(project, db_url).exit_code == 0
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute("INSERT INTO notes (body) VALUES ('same'), ('same')")  # duplicates: the unique index cannot be built
    project.edit_spec("      body: {type: text, description: The note.}\n", CHECK_AND_UNIQUE.replace("body <> ''", "body IS NOT NULL"))
    compiled(project)
    last = project.migrations()[-1]
    assert last.startswith("003_") and last.endswith("_no_transaction.sql"), project.migrations()
    result = apply(project, db_url)
    assert result.exit_code == 1
    assert f"{last}:" in result.output and "could not create unique index" in result.output
    assert 'the INVALID index public.notes_body_uidx the failed build left was dropped' in result.output
    assert [v for v, _ in history(db_url)] == ["001", "002"]  # 002 committed on its own; 003 is not recorded
    with psycopg.connect(db_url, autocommit=True) as c:
        assert c.execute("SELECT to_regclass('public.notes_body_uidx')").fetchone() == (None,)
        c.execute("DELETE FROM notes WHERE ctid IN (SELECT ctid FROM notes LIMIT 1)")
    result = apply(project, db_url)  # with the duplicate gone the same migration applies cleanly
    assert result.exit_code == 0, result.output
    assert [v for v, _ in history(db_url)] == ["001", "002", "003"]


def test_a_pre_existing_different_table_makes_apply_fail_and_change_nothing(tmp_path, db_url):
    project = two_migrations(tmp_path)
    with psycopg.connect(db_url, autocommit=True) as c:
        # the same names, so every statement of 001 succeeds (CREATE TABLE IF NOT EXISTS skips it): only the comparison sees it
        c.execute("CREATE TABLE public.notes (id uuid PRIMARY KEY, body varchar(10), extra text)")
        c.execute("INSERT INTO notes VALUES ('00000000-0000-0000-0000-000000000001', 'mine', 'x')")
    result = apply(project, db_url)
    assert result.exit_code == 1
    assert "001_initial_schema.sql: after its statements the database is not the schema recorded for it:" in result.output
    assert "column notes.body: type: the database has 'character varying(10)'; the spec says 'text'" in result.output
    assert "column notes.extra: in the database but not in the spec" in result.output
    assert "was rolled back: the schema and the migration history are unchanged" in result.output
    assert columns(db_url) == ["id", "body", "extra"]
    with psycopg.connect(db_url) as c:
        assert c.execute("SELECT body, extra FROM notes").fetchall() == [("mine", "x")]
        assert c.execute("SELECT obj_description('public.notes'::regclass)").fetchone() == (None,)  # 001's COMMENT rolled back
        assert c.execute("SELECT to_regnamespace('schemac')").fetchone() == (None,)  # not even the history table


def test_an_edited_applied_migration_is_refused_with_nothing_applied(tmp_path, db_url):
    project = two_migrations(tmp_path)
    assert apply(project, db_url).exit_code == 0
    project.edit_spec("      body:", "      status: {type: text, nullable: true, description: Draft or final.}\n      body:")
    compiled(project)  # 003, pending
    edited = project.compiled / "migrations" / "002_add_notes_title.sql"
    edited.write_text(edited.read_text().replace('ADD COLUMN "title" text', 'ADD COLUMN "title" varchar(80)'))
    result = apply(project, db_url)  # first line of defence: migrations.sum
    assert result.exit_code == 1 and f"{edited}: changed after `schemac compile` wrote it" in result.output
    reseal(project)  # someone "fixes" the sums: the database's own record still catches it
    result = apply(project, db_url)
    assert result.exit_code == 1
    assert f"{edited}: changed after it was applied (checksum " in result.output
    assert "nothing was applied" in result.output
    assert [v for v, _ in history(db_url)] == ["001", "002"] and "status" not in columns(db_url)
    assert project.run("plan", "--database-url", db_url).exit_code == 1


def test_baseline_records_without_running(tmp_path, db_url, pg_server):
    project = two_migrations(tmp_path)
    result = apply(project, db_url, "--baseline", "002")
    assert result.exit_code == 0, result.output
    assert "recorded as applied without running (--baseline 002): 001_initial_schema, 002_add_notes_title" in result.output
    assert history(db_url) == [("001", "initial_schema"), ("002", "add_notes_title")]
    assert columns(db_url) == []  # nothing ran
    # a database made before schemac: 001's SQL run by hand, then baseline 001 and apply the rest
    with scratch_database(pg_server, "schemac_baseline") as url:
        from schemac.db.apply import run_sql
        from schemac.db.server import install_supabase_stand_in

        with psycopg.connect(url, autocommit=True) as c:
            install_supabase_stand_in(c)
            run_sql(c, (project.compiled / "migrations" / "001_initial_schema.sql").read_text())
            c.execute("INSERT INTO notes (body) VALUES ('old')")
        result = apply(project, url, "--baseline", "001")
        assert result.exit_code == 0, result.output
        assert "applied  002_add_notes_title" in result.output and "applied  001" not in result.output
        assert history(url) == [("001", "initial_schema"), ("002", "add_notes_title")]
        with psycopg.connect(url) as c:
            assert c.execute("SELECT body, title FROM notes").fetchall() == [("old", None)]
    bad = apply(project, db_url, "--baseline", "007")
    assert bad.exit_code == 1 and "--baseline 007: no migration has that version; use one of: 001, 002" in bad.output


def test_a_history_table_from_an_earlier_schemac_is_brought_up_to_date(tmp_path, db_url):
    project = two_migrations(tmp_path)
    with psycopg.connect(db_url, autocommit=True) as c:
        from schemac.db.apply import run_sql

        run_sql(c, (project.compiled / "migrations" / "001_initial_schema.sql").read_text())
        c.execute("CREATE SCHEMA schemac")
        c.execute("CREATE TABLE schemac.applied_migrations (version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        # what an earlier schemac recorded: the stem as version, and the checksum of 001 with the spec's hash in its header
        c.execute("INSERT INTO schemac.applied_migrations (version, checksum) VALUES ('001_initial_schema', %s)", ("0" * 64,))
    refused = apply(project, db_url)
    assert refused.exit_code == 1 and "`--baseline 001` records the file as it is now" in refused.output
    assert "pending  " in project.run("plan", "--database-url", db_url).output
    result = apply(project, db_url, "--baseline", "001")
    assert result.exit_code == 0, result.output
    assert "applied  002_add_notes_title" in result.output and "applied  001" not in result.output
    assert history(db_url) == [("001", "initial_schema"), ("002", "add_notes_title")]


def test_the_supabase_layout_applies_in_timestamp_order(tmp_path, db_url, monkeypatch):
    project = new_project(tmp_path, pyproject='[tool.schemac]\nmigrations = "supabase/migrations"\n')
    for epoch, edit in (
        ("1769766300", None),
        ("1769770000", ("      body:", TITLE + "      body:")),
        ("1769780000", ("      body: {type: text, description: The note.}\n", "      body: {type: text, description: The note.}\n    indexes:\n      - columns: [title]\n")),
    ):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        if edit:
            project.edit_spec(*edit)
        compiled(project)
    names = project.migrations("supabase/migrations")
    assert names == ["20260130094500_initial_schema.sql", "20260130104640_add_notes_title.sql", "20260130133320_add_notes_title_idx.sql"]
    assert all(re.fullmatch(r"[0-9]{14}_.*\.sql", n) for n in names)
    result = apply(project, db_url)
    assert result.exit_code == 0, result.output
    assert re.findall(r"applied  (\S+)", result.output) == [n[:-4] for n in names]
    assert history(db_url) == [(n[:14], n[15:-4]) for n in names]
    with psycopg.connect(db_url) as c:
        assert c.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.notes_title_idx'::regclass").fetchone() == (True,)
    assert project.run("verify", "--database-url", db_url).exit_code == 0


def test_apply_without_a_database_url_says_how_to_give_one(tmp_path):
    project = two_migrations(tmp_path)
    result = project.run("apply")
    assert result.exit_code == 2 and "pass --database-url URL or set SCHEMAC_DATABASE_URL" in result.output


def test_an_unreachable_database_fails_within_the_connect_timeout(tmp_path):
    project = two_migrations(tmp_path)
    started = time.monotonic()
    result = apply(project, "postgresql://nobody@10.255.255.1:5432/x", "--connect-timeout", "2")
    assert result.exit_code == 1 and "apply failed: OperationalError" in result.output
    assert time.monotonic() - started < 30


def test_a_concurrent_index_built_before_a_kill_is_recorded_on_the_next_run(tmp_path, db_url):
    """A no-transaction migration commits statement by statement: if the client dies after the index is
    built but before the history row, the next run finds the database already at the migration's state."""
    project = two_migrations(tmp_path)
    assert apply(project, db_url).exit_code == 0
    project.edit_spec("      body: {type: text, description: The note.}\n", "      body: {type: text, description: The note.}\n    indexes:\n      - columns: [title]\n")
    compiled(project)
    [index_migration] = (project.compiled / "migrations").glob("003_*.sql")
    with psycopg.connect(db_url, autocommit=True) as c:  # what the killed run had done
        c.execute('CREATE INDEX CONCURRENTLY "notes_title_idx" ON "public"."notes" USING btree ("title")')
    result = apply(project, db_url)
    assert result.exit_code == 0, result.output
    assert f"{index_migration.stem}: its statements had already run (an earlier apply was interrupted): recorded" in result.output
    assert [v for v, _ in history(db_url)] == ["001", "002", "003"]
