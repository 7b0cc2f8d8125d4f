"""migrations.sum: the SHA-256 of every written migration and state, like atlas.sum.

`schemac check` and `schemac compile` recompute each one, so a migration or state
edited by hand is caught before it can reach a database; the `total` line covers the
entries, so an edit of the sum file itself shows too.
"""

from __future__ import annotations

import hashlib

HEADER = (
    "# Written by `schemac compile`; never edit by hand. The SHA-256 of every migration (migrations/)\n"
    "# and of the schema's state after it (state/); `schemac check` fails when a file differs.\n"
)


SLICE = 1 << 20  # a text is encoded for hashing a slice at a time: no second copy of a 100 MB state


def digest(content: str | bytes) -> str:
    """The SHA-256 of a file's content: its bytes, or a text's UTF-8 bytes."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    h = hashlib.sha256()
    for start in range(0, len(content), SLICE):
        h.update(content[start : start + SLICE].encode("utf-8"))
    return h.hexdigest()


def render_sums(entries: list[tuple[str, str | bytes]]) -> str:
    """The sum file for (logical path, file text or UTF-8 bytes) pairs, in the order given (migration, its state, next migration, …)."""
    lines = [f"{digest(text)}  {path}\n" for path, text in entries]
    return HEADER + f"total {digest(''.join(lines))}\n" + "".join(lines)


class SumError(ValueError):
    """The sum file cannot be read or was edited; the message says which."""


def parse_sums(text: str, display: str) -> dict[str, str]:
    """{logical path: sha256} from a sum file; SumError when its total does not match its lines."""
    body = [line for line in text.splitlines(True) if not line.startswith("#")]
    if not body or not body[0].startswith("total "):
        raise SumError(f"{display}: no 'total' line; restore the file from version control (it is written by `schemac compile`)")
    total, entries = body[0].split()[1], body[1:]
    if digest("".join(entries)) != total:
        raise SumError(f"{display}: edited by hand (its total does not match its entries); restore it from version control")
    found: dict[str, str] = {}
    for line in entries:
        parts = line.rstrip("\n").split("  ", 1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise SumError(f"{display}: unreadable line {line.rstrip()!r}; restore the file from version control")
        found[parts[1]] = parts[0]
    return found
