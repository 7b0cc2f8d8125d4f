"""Problems found in a spec, each pinned to a file, line and column."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Pos:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class SpecError:
    """One problem: where it is and what to do about it."""

    pos: Pos
    message: str

    def __str__(self) -> str:
        return f"{self.pos}: {printable(shortened(self.message))}"


MAX_MESSAGE_CHARS = 600


def shortened(message: str) -> str:
    """A message that echoes a huge value, cut in the middle so its start and its how-to-fix end stay readable."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    cut = len(message) - MAX_MESSAGE_CHARS
    return f"{message[:400]}…[{cut:,} characters cut]…{message[-200:]}"


def printable(text: str) -> str:
    """Control and line-separator characters as escapes, so a value from the spec cannot forge output lines or
    send terminal escape sequences."""
    return "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class SpecErrors(Exception):
    """Raised with every problem found, so the user sees them all in one run."""

    def __init__(self, errors: list[SpecError], partial=None):
        self.errors = sorted(set(errors))
        self.partial = partial  # the model of the tables that built cleanly (a Schema), so compliance can still be checked
        super().__init__("\n".join(str(e) for e in self.errors))
