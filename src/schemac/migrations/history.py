"""The migration history of a project: the written migrations, the state after each, their checksums.

Append-only: a written migration or state never changes. `read_history` reads and
checks what is on disk; `next_migrations` turns the difference between the last
state and the spec into the next files (through the planner). Nothing here writes.

Layout (see config.py): migrations in <out>/migrations/NNN_name.sql (or, configured,
e.g. supabase/migrations/YYYYMMDDHHMMSS_name.sql); the schema as of each migration in
<out>/state/<same stem>.json; every checksum in <out>/migrations.sum.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import typing
from dataclasses import dataclass, field, replace

from ..emit.sql import GENERATED_MARK, render_migration
from ..errors import SpecError
from ..model import Schema
from .checksums import SLICE, SumError, digest, parse_sums, render_sums
from .config import Settings
from .files import MigrationFile, list_sql, migration_name, next_versions, parse_name, read_text, sort_key
from .render import render_part
from .snapshot import in_current_spelling, load_snapshot, snapshot_bytes

LEGACY_FIRST = "001_initial_schema.sql"  # what schemac wrote before migrations were append-only


@dataclass
class History:
    settings: Settings
    migrations: list[MigrationFile] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # migration stem → snapshot text
    started: bool = False  # a migrations.sum exists
    legacy: bool = False  # only a 001 from a schemac before append-only migrations: compile re-renders it once
    problems: list[str] = field(default_factory=list)
    _last_state: dict = field(default_factory=dict, repr=False, compare=False)  # (stem, snapshot text) → its schema
    _unchanged: dict = field(default_factory=dict, repr=False, compare=False)  # id(desired) → (desired, verdict)

    def state_path(self, stem: str) -> str:
        return os.path.join(self.settings.state_dir, f"{stem}.json")

    def state(self, stem: str) -> Schema | None:
        """The schema as of the migration `stem`, or None when no state was recorded for it."""
        text = self.states.get(stem)
        return None if text is None else load_snapshot(text, self.state_path(stem))

    def last_state(self) -> Schema | None:
        """The schema as of the last migration, in today's spelling of expressions: what the spec is compared with.
        Read once per snapshot text (opening the history proves it loads; the comparison then uses it)."""
        if not (self.started and self.migrations):
            return None
        stem = self.migrations[-1].stem
        key = (stem, self.states.get(stem))
        if key not in self._last_state:
            state = self.state(stem)
            self._last_state.clear()
            self._last_state[key] = None if state is None else in_current_spelling(state)
        return self._last_state[key]

    def unchanged(self, desired: Schema) -> bool:
        """Whether the last state is byte for byte the snapshot of `desired` and the spec has no rename hint:
        then the plan is empty without loading the state (hundreds of thousands of values) or planning.
        Any other case, however small the difference, goes through the planner."""
        if not (self.started and self.migrations):
            return False
        cached = self._unchanged.get(id(desired))
        if cached is None or cached[0] is not desired:
            text = self.states.get(self.migrations[-1].stem)
            verdict = text is not None and not has_rename_hints(desired) and is_utf8_of(snapshot_bytes(desired), text)
            self._unchanged.clear()
            cached = self._unchanged[id(desired)] = (desired, verdict)
        return cached[1]

    def sum_entries(self) -> list[tuple[str, str]]:
        entries = []
        for m in self.migrations:
            entries.append((f"migrations/{m.file_name}", m.text))
            if m.stem in self.states:
                entries.append((f"state/{m.stem}.json", self.states[m.stem]))
        return entries


def is_utf8_of(data: bytes, text: str) -> bool:
    """Whether data is text's UTF-8 bytes, compared a 1 MiB slice at a time: a state and the spec's snapshot are
    each 100 MB at 5,000 tables, and neither is copied whole (as the snapshot's decoding or the text's encoding would)."""
    view, offset = memoryview(data), 0
    for start in range(0, len(text), SLICE):
        chunk = text[start : start + SLICE].encode("utf-8")
        if view[offset : offset + len(chunk)] != chunk:
            return False
        offset += len(chunk)
    return offset == len(data)


def _node_types(hint: object) -> list[type]:
    """The model dataclasses a field's type can hold (Column, tuple[Index, ...], PrimaryKey | None)."""
    if dataclasses.is_dataclass(hint):
        return [hint]
    return [t for arg in typing.get_args(hint) for t in _node_types(arg)]


HINT_FIELDS = ("renamed_from", "renamed_values")


@functools.cache
def _hint_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the rename-hint fields, the fields that can lead to a node with one) of a model dataclass."""
    types_of = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    return (
        tuple(n for n in names if n in HINT_FIELDS),
        tuple(n for n in names if n not in HINT_FIELDS and any(_can_hint(t) for t in _node_types(types_of[n]))),
    )


@functools.cache
def _can_hint(cls: type, seen: frozenset = frozenset()) -> bool:
    """Whether nodes of this class, or any node they can hold, have a hint field."""
    if any(f.name in HINT_FIELDS for f in dataclasses.fields(cls)):
        return True
    types_of = typing.get_type_hints(cls)
    return any(_can_hint(t, seen | {cls}) for f in dataclasses.fields(cls) for t in _node_types(types_of[f.name]) if t not in seen | {cls})


def has_rename_hints(node: object) -> bool:
    """Whether any node of the model carries a `renamed_from` hint (hints take no part in model equality).
    Walks only the fields whose type can hold nodes, so a 1,000-table schema costs milliseconds."""
    hints, children = _hint_fields(type(node))
    for n in hints:
        if getattr(node, n):
            return True
    for n in children:
        value = getattr(node, n)
        if value is None:
            continue
        for item in value if isinstance(value, tuple) else (value,):
            if _is_node(type(item)) and has_rename_hints(item):
                return True
    return False


@functools.cache
def _is_node(cls: type) -> bool:
    """dataclasses.is_dataclass of an instance, once per class (has_rename_hints asks for every node)."""
    return dataclasses.is_dataclass(cls)


def _move_out(path: str) -> str:
    return (
        f"{path}: not a migration `schemac compile` wrote (it is not in migrations.sum); schemac never deletes it: "
        "move it out of the migrations folder (hand-written SQL has no supported place here yet)"
    )


def read_history(settings: Settings) -> History:
    """Everything on disk, checked against migrations.sum; problems are one line each, naming the file."""
    history = History(settings)
    folder = settings.migrations_dir
    sums: dict[str, str] = {}
    if os.path.isfile(settings.sum_path):
        history.started = True
        try:
            sums = parse_sums(read_text(settings.sum_path), settings.sum_path)
        except (SumError, ValueError) as exc:
            history.problems.append(str(exc))
            return history
    for file_name in list_sql(folder):
        path = os.path.join(folder, file_name)
        parsed = parse_name(file_name, settings.names)
        try:
            text = read_text(path)
        except (OSError, ValueError) as exc:
            history.problems.append(f"{path}: cannot be read ({exc})")
            continue
        if not history.started:
            if file_name == LEGACY_FIRST and text.startswith(GENERATED_MARK):
                history.legacy = True
            else:
                history.problems.append(_move_out(path))
            continue
        if parsed is None or f"migrations/{file_name}" not in sums:
            history.problems.append(_move_out(path))
            continue
        history.migrations.append(MigrationFile(parsed[0], parsed[1], path, text))
    history.migrations.sort(key=lambda m: sort_key(m.version))
    if not history.started:
        if os.path.isdir(settings.state_dir) and os.listdir(settings.state_dir):
            history.problems.append(f"{settings.sum_path}: missing, but {settings.state_dir} has states; restore it from version control")
        return history
    for m in history.migrations:
        state_path = history.state_path(m.stem)
        if os.path.isfile(state_path):
            try:
                history.states[m.stem] = read_text(state_path)
            except (OSError, ValueError) as exc:
                history.problems.append(f"{state_path}: cannot be read ({exc})")
    _check_sums(history, sums)
    return history


def _check_sums(history: History, sums: dict[str, str]) -> None:
    """Every entry of migrations.sum is on disk with the same SHA-256; every state on disk is in it."""
    on_disk = dict(history.sum_entries())
    settings = history.settings
    for logical, expected in sums.items():
        kind, _, file_name = logical.partition("/")
        real = os.path.join(settings.migrations_dir if kind == "migrations" else settings.state_dir, file_name)
        if logical not in on_disk:
            history.problems.append(f"{real}: listed in {settings.sum_path} but missing; restore it from version control")
        elif digest(on_disk[logical]) != expected:
            what = "migration" if kind == "migrations" else "state"
            history.problems.append(
                f"{real}: changed after `schemac compile` wrote it (its SHA-256 differs from {settings.sum_path}); a written {what} "
                "never changes: restore it from version control, put the change in the spec and run `schemac compile`"
            )
    if os.path.isdir(settings.state_dir):
        for name in sorted(os.listdir(settings.state_dir)):
            if f"state/{name}" not in sums:
                history.problems.append(f"{os.path.join(settings.state_dir, name)}: not a state `schemac compile` wrote (not in {settings.sum_path})")
    if history.migrations and history.migrations[-1].stem not in history.states:
        history.problems.append(f"{history.state_path(history.migrations[-1].stem)}: missing: the last migration has no state")


@dataclass(frozen=True)
class NewMigration:
    file: MigrationFile
    state: bytes  # the snapshot of the schema after it, as written (UTF-8): no second copy as text


@dataclass(frozen=True)
class NextStep:
    """What compile adds: new migrations (maybe none), or refusals (then nothing is written)."""

    new: tuple[NewMigration, ...] = ()
    refusals: tuple[SpecError, ...] = ()
    hazards: tuple[tuple[str, str, str], ...] = ()  # (file name, code, message)


def next_migrations(
    history: History, desired: Schema, *, name: str | None = None, allow_destructive: bool = False, now: dt.datetime | None = None
) -> NextStep:
    """The migrations that take the last state to `desired` (the first one for a new project)."""
    settings = history.settings
    now = now or clock()
    existing = [m.version for m in history.migrations]
    if history.unchanged(desired):  # the last state is this spec's snapshot and no hint asks for a rename
        return NextStep()
    current = history.last_state()
    if current is None:  # a new project (or one from before append-only migrations): the initial migration
        (version,) = next_versions([], settings.names, 1, now)
        file = MigrationFile(version, migration_name(name or "initial_schema"), os.path.join(settings.migrations_dir, ""), render_migration(desired))
        file = replace(file, path=os.path.join(settings.migrations_dir, file.file_name))
        return NextStep(new=(NewMigration(file, snapshot_bytes(desired)),))
    from ..plan import plan_migration  # the planner: pure, model → statements

    # planned even when the models are equal: rename hints take no part in the comparison,
    # and a hint already consumed by an earlier migration must be reported as stale

    plan = plan_migration(current, in_current_spelling(desired), allow_destructive=allow_destructive)
    if plan.refusals:
        return NextStep(refusals=tuple(plan.refusals))
    if not plan.parts:
        return NextStep()
    base = migration_name(name or plan.name)
    versions = next_versions(existing, settings.names, len(plan.parts), now)
    states = part_states(current, desired, plan.parts)
    new, hazards = [], []
    for i, (part, version, state) in enumerate(zip(plan.parts, versions, states)):
        stem_name = base if i == 0 else f"{base}_{'no_transaction' if not part.transactional else i + 1}"
        file_name = f"{version}_{stem_name}.sql"
        text = render_part(part, desired.source, settings, f"{version}_{stem_name}")
        new.append(NewMigration(MigrationFile(version, stem_name, os.path.join(settings.migrations_dir, file_name), text), snapshot_bytes(state)))
        hazards += [(file_name, h.code, h.message) for st in part.statements for h in st.hazards]
    return NextStep(new=tuple(new), hazards=tuple(hazards))


def clock() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def part_states(current: Schema, desired: Schema, parts) -> list[Schema]:
    """The schema after each part: `desired` after the last; before that, desired without the indexes
    a later (non-transactional, CONCURRENTLY) part creates and with the ones it drops still there."""
    states = []
    for i in range(len(parts)):
        later = _indexes_named(parts[i + 1 :])
        states.append(_with_indexes_from(desired, current, later) if later else desired)
    return states


def _indexes_named(parts) -> set[str]:
    import pglast

    names: set[str] = set()
    for part in parts:
        for statement in part.statements:
            for raw in pglast.parse_sql(statement.sql):
                node = raw.stmt
                if type(node).__name__ == "IndexStmt" and node.idxname:
                    names.add(node.idxname)
                elif type(node).__name__ == "DropStmt":
                    for obj in node.objects or ():
                        items = obj if isinstance(obj, tuple) else getattr(obj, "items", ())
                        if items:
                            names.add(items[-1].sval)
    return names


def _with_indexes_from(desired: Schema, current: Schema, names: set[str]) -> Schema:
    before = {t.name: t for t in current.tables}
    tables = []
    for t in desired.tables:
        kept = tuple(ix for ix in t.indexes if ix.name not in names)
        old = tuple(ix for ix in (before[t.name].indexes if t.name in before else ()) if ix.name in names)
        tables.append(replace(t, indexes=kept + old))
    return replace(desired, tables=tuple(tables))


def history_files(history: History, step: NextStep) -> tuple[dict[str, str | bytes], dict[str, str]]:
    """What the migration history adds to compile's outputs: (files relative to the output folder, new
    files outside it). The output folder is replaced whole, so it carries every migration (when they
    live there), every state (a new one as its UTF-8 bytes) and migrations.sum, the written ones byte for byte."""
    settings = history.settings
    entries = history.sum_entries()
    migrations = [(m.path, m.text) for m in history.migrations]
    states: dict[str, str | bytes] = dict(history.states)
    for new in step.new:
        entries += [(f"migrations/{new.file.file_name}", new.file.text), (f"state/{new.file.stem}.json", new.state)]
        migrations.append((new.file.path, new.file.text))
        states[new.file.stem] = new.state
    inside: dict[str, str | bytes] = {}
    outside: dict[str, str] = {}
    new_paths = {new.file.path for new in step.new}
    for path, text in migrations:
        if settings.migrations_inside_out:
            inside[os.path.relpath(path, settings.out_dir).replace(os.sep, "/")] = text
        elif path in new_paths:
            outside[path] = text
    for stem, text in states.items():
        inside[f"state/{stem}.json"] = text
    inside["migrations.sum"] = render_sums(entries)
    return inside, outside
