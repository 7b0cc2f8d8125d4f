"""Colour for the command line's messages: only on a terminal, and never when NO_COLOR is set.

https://no-color.org: any non-empty NO_COLOR turns colour off; TERM=dumb does too.
Piped or redirected output (CI logs, `| grep`) stays plain text.
"""

from __future__ import annotations

import os
from typing import TextIO

CODES = {"red": "31", "green": "32", "yellow": "33", "bold": "1"}


def colour_wanted(stream: TextIO) -> bool:
    """True when stream is a terminal and neither NO_COLOR nor TERM=dumb says otherwise."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str, stream: TextIO) -> str:
    """text in colour when colour is wanted on stream, else text unchanged."""
    if not colour_wanted(stream):
        return text
    return f"\x1b[{CODES[colour]}m{text}\x1b[0m"


def count(n: int, noun: str) -> str:
    """'1 file', '2 files': one wording for every summary."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def up_to_date(out: str, files: int, documents: int, note: str = "") -> str:
    """The verdict when nothing differs, worded once for the launcher's fingerprint answer, check and compile."""
    return f"{out}: up to date ({count(files, 'file')}, {count(documents, 'injected document')}{note})"
