"""Quoting for SQL text built from spec names and values.

Identifiers are always double-quoted and string literals always single-quoted with
escaping, so no spec string can end a statement. Raw expressions (CHECK, index WHERE,
policy USING) are read by PostgreSQL's own parser in resolve/expressions.py instead.
"""

from __future__ import annotations

import re

MAX_IDENTIFIER_BYTES = 63
IDENTIFIER_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote_ident(name: str) -> str:
    """Double-quote an identifier, doubling any embedded quote."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def quote_literal(value: str) -> str:
    """Single-quote a string literal as PostgreSQL's quote_literal() does (E'' when backslashes appear)."""
    if "\x00" in value:
        raise ValueError("NUL characters cannot appear in PostgreSQL text")
    quoted = value.replace("'", "''")
    if "\\" in quoted:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def identifier_problem(name: str) -> str | None:
    """Why `name` is not an identifier schemac accepts, or None when it is fine."""
    if not isinstance(name, str) or not name:
        return "is empty: write a name of lowercase letters, digits and underscores"
    if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        return (
            f"'{name[:20]}…' is {len(name.encode('utf-8'))} bytes; PostgreSQL truncates names longer than "
            f"{MAX_IDENTIFIER_BYTES} bytes: shorten it"
        )
    if not IDENTIFIER_RE.match(name):
        return (
            f"'{name}' is not a valid name: use lowercase letters, digits and underscores, "
            "starting with a letter or underscore (snake_case)"
        )
    return None
