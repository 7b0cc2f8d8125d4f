"""Where migrations live and how they are applied: `[tool.schemac]` in the pyproject.toml beside the spec.

Keys (all optional):
  migrations         folder for migration files, relative to the spec (default: <out>/migrations)
  migration_names    "number" (001_name.sql) or "timestamp" (20260130094500_name.sql, the Supabase CLI's);
                     default "number" in <out>/migrations, "timestamp" in a folder named by `migrations`
  lock_timeout       written as SET lock_timeout at the top of each generated migration, and apply's
                     session default (default "5s")
  statement_timeout  the same for statement_timeout (default "15min")
  advisory_lock_wait how long apply waits for another apply's advisory lock (default "60s")
  connect_timeout    seconds apply, plan and verify wait for a connection (default 10)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass

DURATION = re.compile(r"(0|[1-9][0-9]{0,8})(ms|s|min|h|d)?")
NAME_STYLES = ("number", "timestamp")


class ConfigError(Exception):
    """A `[tool.schemac]` value schemac cannot use; the message is one line naming the key."""


@dataclass(frozen=True)
class Settings:
    migrations_dir: str  # the folder to open
    out_dir: str
    names: str  # number | timestamp
    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    advisory_lock_wait: str = "60s"
    connect_timeout: int = 10

    @property
    def state_dir(self) -> str:
        return os.path.join(self.out_dir, "state")

    @property
    def sum_path(self) -> str:
        return os.path.join(self.out_dir, "migrations.sum")

    @property
    def migrations_inside_out(self) -> bool:
        """True when the migrations are part of the output folder (which compile replaces whole)."""
        out = os.path.realpath(self.out_dir)
        return os.path.realpath(self.migrations_dir).startswith(out.rstrip(os.sep) + os.sep)


def check_duration(value: object, key: str) -> str:
    """A PostgreSQL duration such as 5s, 500ms, 2min (or 0 for none); ConfigError otherwise."""
    if not isinstance(value, str) or not DURATION.fullmatch(value):
        raise ConfigError(f"{key} must be a duration such as \"5s\", \"500ms\" or \"2min\" (0 turns it off), got {value!r}")
    return value


def duration_seconds(value: str) -> float:
    """A checked duration in seconds (for client-side waits)."""
    number, unit = DURATION.fullmatch(value).groups()
    return int(number) * {"ms": 0.001, None: 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400}[unit]


def load_settings(spec_path: str, out_dir: str) -> Settings:
    """The settings for the project whose spec is spec_path; raises ConfigError."""
    base = os.path.dirname(spec_path)
    pyproject = os.path.join(base, "pyproject.toml")
    table: dict = {}
    if os.path.isfile(pyproject):
        try:
            with open(pyproject, "rb") as fh:
                data = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{os.path.normpath(pyproject)}: not valid TOML ({exc})") from None
        tool = data.get("tool", {})
        table = tool.get("schemac", {}) if isinstance(tool, dict) else {}
        table = table if isinstance(table, dict) else {}
    where = f"{os.path.normpath(pyproject)}: [tool.schemac]"
    folder = table.get("migrations")
    if folder is None:
        migrations_dir, default_names = os.path.join(out_dir, "migrations"), "number"
    else:
        if not isinstance(folder, str) or not folder or os.path.isabs(folder) or ".." in folder.replace("\\", "/").split("/"):
            raise ConfigError(f"{where} migrations must be a folder relative to the spec, such as \"supabase/migrations\", got {folder!r}")
        migrations_dir, default_names = os.path.join(base, *folder.replace("\\", "/").split("/")), "timestamp"
    names = table.get("migration_names", default_names)
    if names not in NAME_STYLES:
        raise ConfigError(f"{where} migration_names must be \"number\" or \"timestamp\", got {names!r}")
    connect = table.get("connect_timeout", 10)
    if isinstance(connect, bool) or not isinstance(connect, int) or not 1 <= connect <= 3600:
        raise ConfigError(f"{where} connect_timeout must be a whole number of seconds from 1 to 3600, got {connect!r}")
    return Settings(
        migrations_dir=os.path.normpath(migrations_dir),
        out_dir=os.path.normpath(out_dir),
        names=names,
        lock_timeout=check_duration(table.get("lock_timeout", "5s"), f"{where} lock_timeout"),
        statement_timeout=check_duration(table.get("statement_timeout", "15min"), f"{where} statement_timeout"),
        advisory_lock_wait=check_duration(table.get("advisory_lock_wait", "60s"), f"{where} advisory_lock_wait"),
        connect_timeout=connect,
    )
