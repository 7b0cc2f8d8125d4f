"""Migration files on disk: their names, their text, and what a reader (plan, apply) needs from them."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass

NUMBERED = re.compile(r"([0-9]{3,})_([a-z0-9_]+)\.sql")
TIMESTAMPED = re.compile(r"([0-9]{14})_(.+)\.sql")  # the Supabase CLI's pattern: ^[0-9]{14}_.*\.sql$
NO_TRANSACTION = "-- schemac: no-transaction"  # header line of a migration that must run outside a transaction
HAZARD_COMMENT = re.compile(r"^-- hazard ([a-z0-9-]+): (.*)$", re.M)


@dataclass(frozen=True)
class MigrationFile:
    """One migration as it is on disk."""

    version: str  # '002' or '20260130094500': orders the files and keys the history table
    name: str  # 'add_patients_preferred_language'
    path: str  # the path to open, as given (relative to the working directory when the spec path was)
    text: str

    @property
    def file_name(self) -> str:
        return f"{self.version}_{self.name}.sql"

    @property
    def stem(self) -> str:
        return f"{self.version}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def transactional(self) -> bool:
        return NO_TRANSACTION not in self.text.split("\n\n", 1)[0].splitlines()

    @property
    def hazards(self) -> list[tuple[str, str]]:
        """(code, message) of every `-- hazard` comment, in file order."""
        return HAZARD_COMMENT.findall(self.text)


def parse_name(file_name: str, style: str) -> tuple[str, str] | None:
    """(version, name) of a migration file name in the given style, or None when it is not one."""
    m = (NUMBERED if style == "number" else TIMESTAMPED).fullmatch(file_name)
    return (m.group(1), m.group(2)) if m else None


def sort_key(version: str) -> tuple[int, str]:
    return (int(version), version)


def read_text(path: str) -> str:
    """A file's text, byte for byte (no newline translation); ValueError when it is not UTF-8."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 (byte {exc.start})") from None


def list_sql(folder: str) -> list[str]:
    """The .sql file names in folder, sorted; none when it does not exist."""
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if n.endswith(".sql") and not n.startswith("."))  # .schemac-*: staging


def migration_name(text: str) -> str:
    """A file-name-safe form of a migration name: lower-case letters, digits and underscores, at most 60 characters."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60].strip("_")
    return cleaned or "change"


def next_versions(existing: list[str], style: str, count: int, now: dt.datetime) -> list[str]:
    """The versions of `count` new migrations after `existing`.

    Numbers count on from the highest. Timestamps are `now` in UTC to the second (the
    caller passes SOURCE_DATE_EPOCH when set), moved one second past the newest
    existing one when the clock is behind it, then one second apart.
    """
    if style == "number":
        start = max((int(v) for v in existing), default=0) + 1
        return [f"{n:03d}" for n in range(start, start + count)]
    moment = now.astimezone(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    if existing:
        newest = dt.datetime.strptime(max(existing, key=sort_key), "%Y%m%d%H%M%S")
        moment = max(moment, newest + dt.timedelta(seconds=1))
    return [(moment + dt.timedelta(seconds=i)).strftime("%Y%m%d%H%M%S") for i in range(count)]
