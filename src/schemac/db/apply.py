"""Applying migrations: in order, each with its history row in one transaction, proven before it commits.

The guarantees, and how:
- Nothing applied without being recorded: a migration's statements are sent one at a time
  inside a transaction the client opens, then its history row, then the catalog is compared
  with the state recorded for that migration, and only then COMMIT. A client killed at any
  point never sends COMMIT, so the server rolls everything back when it sees the connection
  end (idle_in_transaction_session_timeout ends a session whose client vanished silently).
- Nothing silently kept: the comparison with the state (the same one `verify` makes) rolls back
  on any difference, e.g. a pre-existing table that CREATE TABLE IF NOT EXISTS skipped.
- Concurrent runs: a session advisory lock, waited for at most `advisory_lock_wait`; the
  Supabase stand-in and the history table are created only under it.
- Nothing hangs: lock_timeout and statement_timeout for the session (a migration's own SET
  lines win for the statements after them) and a connect timeout.
- Failures name the file, the line of the statement and the statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg

from ..migrations.files import MigrationFile, sort_key
from ..model import Schema
from .script import ScriptError, ScriptStatement, split_script
from .server import has_auth_users, install_supabase_stand_in

HISTORY_SCHEMA = "schemac"
HISTORY_TABLE = "schemac.applied_migrations"
# An arbitrary constant: the key of the advisory lock every schemac apply takes.
ADVISORY_LOCK_KEY = 0x5C4E3AC


@dataclass(frozen=True)
class Timeouts:
    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    advisory_lock_wait: str = "60s"
    idle_in_transaction: str = "60s"


class ApplyError(Exception):
    """Apply stopped; `lines` say where and why, and what was left unchanged."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass
class ApplyResult:
    applied: list[str] = field(default_factory=list)
    baselined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def connect(url: str, connect_timeout: int) -> psycopg.Connection:
    """An autocommit connection that gives up after connect_timeout seconds."""
    return psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout, application_name="schemac")


def run_sql(conn: psycopg.Connection, text: str) -> None:
    """Run a multi-statement script on an autocommit connection; roll back what it left open on error."""
    try:
        conn.execute(text)
    except psycopg.Error:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        raise


def applied_rows(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    """{version: (name, checksum)} recorded in the database; empty when there is no history table. Reads only."""
    if conn.execute("SELECT to_regclass(%s) IS NULL", (HISTORY_TABLE,)).fetchone()[0]:
        return {}
    has_name = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'name' AND NOT attisdropped)",
        (HISTORY_TABLE,),
    ).fetchone()[0]
    if has_name:
        return {v: (n, c) for v, n, c in conn.execute(f"SELECT version, name, checksum FROM {HISTORY_TABLE}")}
    # a history written before versions and names were apart: version was the file stem
    return {v.split("_", 1)[0]: (v.split("_", 1)[-1], c) for v, c in conn.execute(f"SELECT version, checksum FROM {HISTORY_TABLE}")}


def pending_migrations(migrations: list[MigrationFile], rows: dict[str, tuple[str, str]], baseline: str | None = None) -> tuple[list[MigrationFile], list[str]]:
    """(the migrations to apply, in order; problems that forbid applying any)."""
    on_disk = {m.version: m for m in migrations}
    problems = []
    for m in migrations:
        if m.version in rows and rows[m.version][1] != m.checksum and not _within(m.version, baseline):
            legacy = (
                "; if an earlier schemac applied it (its 001 carried the spec's hash, removed once), "
                f"`--baseline {m.version}` records the file as it is now"
                if (m.version, m.name) == ("001", "initial_schema")
                else ""
            )
            problems.append(
                f"{m.path}: changed after it was applied (checksum {rows[m.version][1][:12]} in the database, {m.checksum[:12]} on disk); "
                f"nothing was applied: never edit an applied migration, restore it and put the change in a new one{legacy}"
            )
    for version, (name, _) in sorted(rows.items(), key=lambda r: sort_key(r[0])):
        if version not in on_disk:
            problems.append(f"migration {version}_{name} is recorded as applied but its file is missing; nothing was applied: restore it")
    newest = max(rows, key=sort_key, default=None)
    pending = [m for m in migrations if m.version not in rows and not _within(m.version, baseline)]
    for m in pending:
        if newest is not None and sort_key(m.version) < sort_key(newest):
            problems.append(
                f"{m.path}: not applied, but older than the applied migration {newest}; nothing was applied: "
                "give it a version after the newest applied one (re-create it with `schemac compile`)"
            )
    return pending, problems


def _within(version: str, baseline: str | None) -> bool:
    return baseline is not None and sort_key(version) <= sort_key(baseline)


def apply_migrations(
    conn: psycopg.Connection,
    migrations: list[MigrationFile],
    state_of: Callable[[MigrationFile], Schema | None],
    timeouts: Timeouts = Timeouts(),
    *,
    install_stand_in: bool = False,
    baseline: str | None = None,
    throwaway: bool = False,
) -> ApplyResult:
    """Apply what is not yet recorded, in order; ApplyError when anything stops it (what committed stays)."""
    if baseline is not None and baseline not in {m.version for m in migrations}:
        raise ApplyError([f"--baseline {baseline}: no migration has that version; use one of: {', '.join(m.version for m in migrations) or 'none'}"])
    result = ApplyResult()
    _take_lock(conn, timeouts.advisory_lock_wait)
    try:
        _set_session(conn, timeouts)
        if not has_auth_users(conn):
            if not (install_stand_in or throwaway):
                raise ApplyError(
                    [
                        f"{conn.info.dbname}: no auth.users: this does not look like a Supabase database; nothing was applied. Pass "
                        "--install-stand-in to create the minimal stand-in (roles anon/authenticated/service_role, auth.users, "
                        "auth.uid(), default grants) first"
                    ]
                )
            install_supabase_stand_in(conn)
            if not throwaway:
                result.notes.append("auth.users was missing: installed the Supabase stand-in (--install-stand-in)")
        pending, problems = pending_migrations(migrations, applied_rows(conn), baseline)
        if problems:
            raise ApplyError(problems)
        if baseline is not None:
            result.baselined = _record_baseline(conn, migrations, baseline)
        for m in pending:
            _set_session(conn, timeouts)  # a migration's own SET lines end with it
            state = state_of(m)
            if m.transactional:
                _apply_in_transaction(conn, m, state)
            elif note := _apply_without_transaction(conn, m, state):
                result.notes.append(f"{m.stem}: {note}")
            result.applied.append(m.stem)
        return result
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def _take_lock(conn: psycopg.Connection, wait: str) -> None:
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (wait,))
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    except psycopg.errors.LockNotAvailable:
        holder = conn.execute(
            "SELECT a.pid, coalesce(nullif(a.application_name, ''), 'no application name'), a.state FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s::oid",
            (ADVISORY_LOCK_KEY & 0xFFFFFFFF,),
        ).fetchone()
        who = f"session {holder[0]} ({holder[1]}, {holder[2]})" if holder else "another session"
        raise ApplyError(
            [
                f"{conn.info.dbname}: waited {wait} for the migration lock, which {who} holds (another `schemac apply`?); "
                "nothing was applied. Let it finish and run again, or wait longer with --lock-wait "
                "(or advisory_lock_wait in [tool.schemac])"
            ]
        ) from None


def _set_session(conn: psycopg.Connection, t: Timeouts) -> None:
    for setting, value in (
        ("lock_timeout", t.lock_timeout),
        ("statement_timeout", t.statement_timeout),
        ("idle_in_transaction_session_timeout", t.idle_in_transaction),
    ):
        conn.execute("SELECT set_config(%s, %s, false)", (setting, value))


def _ensure_history_table(conn: psycopg.Connection) -> None:
    """Create the history table, or bring one from an earlier schemac (version was the file stem) up to date.

    Runs inside the caller's transaction, so it commits (or rolls back) with the first migration.
    """
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {HISTORY_SCHEMA}")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} ("
        " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    if not conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'name' AND NOT attisdropped)", (HISTORY_TABLE,)
    ).fetchone()[0]:
        conn.execute(f"ALTER TABLE {HISTORY_TABLE} ADD COLUMN name text")
        conn.execute(
            f"UPDATE {HISTORY_TABLE} SET name = substr(version, strpos(version, '_') + 1), version = split_part(version, '_', 1) "
            "WHERE strpos(version, '_') > 0"
        )
        conn.execute(f"UPDATE {HISTORY_TABLE} SET name = version WHERE name IS NULL")
        conn.execute(f"ALTER TABLE {HISTORY_TABLE} ALTER COLUMN name SET NOT NULL")


def _record(conn: psycopg.Connection, m: MigrationFile) -> None:
    conn.execute(
        f"INSERT INTO {HISTORY_TABLE} (version, name, checksum) VALUES (%s, %s, %s) "
        "ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum",
        (m.version, m.name, m.checksum),
    )


def _record_baseline(conn: psycopg.Connection, migrations: list[MigrationFile], baseline: str) -> list[str]:
    """Record every migration up to baseline as applied (with the file's checksum), running none of them."""
    rows = applied_rows(conn)
    recorded = []
    with conn.transaction():
        _ensure_history_table(conn)
        for m in migrations:
            if _within(m.version, baseline) and rows.get(m.version, (None, None))[1] != m.checksum:
                _record(conn, m)
                recorded.append(m.stem)
    return recorded


def _statements(m: MigrationFile) -> list[ScriptStatement]:
    try:
        return split_script(m.text, m.path)
    except ScriptError as exc:
        raise ApplyError([str(exc), f"nothing of {m.path} was applied"]) from None


def _failure(m: MigrationFile, st: ScriptStatement, exc: psycopg.Error, outcome: str) -> ApplyError:
    diag = exc.diag
    lines = [f"{m.path}:{st.line}: {diag.message_primary or str(exc).strip()} ({diag.sqlstate or type(exc).__name__})", f"  statement: {st.first_line}"]
    lines += [f"  {label}: {text}" for label, text in (("detail", diag.message_detail), ("hint", diag.message_hint)) if text]
    return ApplyError(lines + [outcome])


def _apply_in_transaction(conn: psycopg.Connection, m: MigrationFile, state: Schema | None) -> None:
    statements = [st for st in _statements(m) if st.node != "TransactionStmt"]  # apply holds the transaction itself
    conn.execute("BEGIN")
    try:
        _ensure_history_table(conn)  # in the migration's transaction: a failure leaves no trace, not even the table
        for st in statements:
            try:
                conn.execute(st.sql)
            except psycopg.Error as exc:
                raise _failure(m, st, exc, f"{m.path} was rolled back: the schema and the migration history are unchanged") from None
        _record(conn, m)
        _prove(conn, m, state, f"{m.path} was rolled back: the schema and the migration history are unchanged")
        conn.execute("COMMIT")
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")


def _apply_without_transaction(conn: psycopg.Connection, m: MigrationFile, state: Schema | None) -> str | None:
    """Statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY), each committing on its own.

    An index whose concurrent build failed stays behind INVALID; it is dropped, so running
    the migration again starts clean. The history row is written once all succeeded and the
    catalog matches the state. A killed client can leave such a migration applied but not
    recorded (its statements commit one by one): the next run finds the catalog already equal
    to the migration's state and records it. Returns a note for the user, or None.
    """
    statements = _statements(m)
    if state is not None and _matches(conn, state):
        # an earlier run was killed after its statements committed but before its history row:
        # the database already is this migration's state, so record it instead of failing on "already exists"
        _record_alone(conn, m)
        return "its statements had already run (an earlier apply was interrupted): recorded"
    for st in statements:
        try:
            conn.execute(st.sql)
        except psycopg.Error as exc:
            dropped = _drop_invalid_index(conn, st.concurrent_index) if st.concurrent_index else ""
            raise _failure(m, st, exc, f"{m.path} is not recorded as applied; statements before this one stay applied{dropped}") from None
    _prove(conn, m, state, f"{m.path} is not recorded as applied; its statements stay applied")
    _record_alone(conn, m)
    return None


def _record_alone(conn: psycopg.Connection, m: MigrationFile) -> None:
    with conn.transaction():
        _ensure_history_table(conn)
        _record(conn, m)


def _matches(conn: psycopg.Connection, state: Schema) -> bool:
    from ..verify.run import catalog_differences

    return not catalog_differences(conn, state)


def _drop_invalid_index(conn: psycopg.Connection, name: str) -> str:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute("ROLLBACK")
    row = conn.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = %s AND NOT i.indisvalid AND n.nspname = 'public'",
        (name,),
    ).fetchone()
    if row is None:
        return ""
    conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {row[0]}")
    return f"; the INVALID index {row[0]} the failed build left was dropped"


def _prove(conn: psycopg.Connection, m: MigrationFile, state: Schema | None, outcome: str) -> None:
    """The catalog must be exactly the schema recorded for this migration."""
    if state is None:
        raise ApplyError([f"{m.path}: no recorded state to compare the database with; {outcome}"])
    from ..verify.run import catalog_differences

    differences = catalog_differences(conn, state)
    if differences:
        raise ApplyError(
            [f"{m.path}: after its statements the database is not the schema recorded for it:"]
            + [f"  {d}" for d in differences]
            + [outcome]
        )
