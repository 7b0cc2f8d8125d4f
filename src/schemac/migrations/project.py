"""What compile writes and check proves about the migration history, for the CLI to print.

`compile_history` is compile's part (the next migrations, or why none may be written);
`pending_changes` is check's (changes of the spec no migration holds yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SpecError
from ..model import Schema
from .config import Settings, load_settings
from .snapshot import in_current_spelling
from .history import History, NextStep, history_files, next_migrations, read_history


class HistoryProblems(Exception):
    """The history on disk cannot be extended (edited or unknown files, bad settings): one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Refusals(Exception):
    """The planner refused changes (destructive without the flag, stale hints): positioned errors."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class CompileHistory:
    """What compile writes for the history. The texts live only in `inside` and `outside`, so compile can let each
    go once written (at 5,000 tables the first migration and its state are over 100 MB)."""

    new: tuple[str, ...]  # the path of each new migration
    hazards: tuple[tuple[str, str, str], ...]  # (file name, code, message) of the new migrations' statements
    inside: dict[str, str | bytes]  # files relative to the output folder (migrations when they live there, states, sum); bytes are UTF-8
    outside: dict[str, str]  # new migration files in a folder outside it (the Supabase layout)
    settings: Settings


def open_history(spec: str, out: str, desired: Schema | None = None) -> History:
    """The checked history of the project; raises ConfigError (bad `[tool.schemac]`) or HistoryProblems.
    With `desired`, a last state that is exactly its snapshot is not loaded (it is the spec's)."""
    settings = load_settings(spec, out)
    history = read_history(settings)
    if not history.problems and not (desired is not None and history.unchanged(desired)):
        try:
            history.last_state()
        except ValueError as exc:  # a state this schemac cannot read
            history.problems.append(str(exc))
    if history.problems:
        raise HistoryProblems(history.problems)
    return history


def compile_history(spec: str, out: str, desired: Schema, *, name: str | None, allow_destructive: bool) -> CompileHistory:
    """The history after compile; raises HistoryProblems or Refusals (then nothing may be written)."""
    history = open_history(spec, out, desired)
    step = next_migrations(history, desired, name=name, allow_destructive=allow_destructive)
    if step.refusals:
        raise Refusals(list(step.refusals))
    inside, outside = history_files(history, step)
    return CompileHistory(tuple(new.file.path for new in step.new), step.hazards, inside, outside, history.settings)


def committed_files(history: History) -> dict[str, str]:
    """The history's files in the output folder as they are (check compares the folder with them)."""
    return history_files(history, NextStep())[0]


def pending_changes(history: History, desired: Schema) -> list[str]:
    """Why the spec is ahead of the migrations, one line each; empty when a migration holds every change."""
    if history.unchanged(desired):  # the last state is the spec's snapshot, and no rename hint needs checking
        return []
    current = history.last_state()
    if current is None:
        where = history.settings.sum_path
        return [f"{where}: missing: the migration history has not been started; run `schemac compile` and commit the result"]
    desired = in_current_spelling(desired)
    from ..plan import plan_migration  # planned even when equal: a consumed rename hint is reported as stale

    plan = plan_migration(current, desired, allow_destructive=True)
    lines = [f"{desired.source} has a change no migration holds yet: {st.summary or st.sql.splitlines()[0]}" for part in plan.parts for st in part.statements]
    lines += [str(e) for e in plan.refusals]
    if lines:
        lines.append("run `schemac compile` to write the next migration, and commit it")
    return lines
