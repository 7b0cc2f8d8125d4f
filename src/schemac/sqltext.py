"""Quoting for SQL text, and the guard that keeps raw spec expressions to one expression.

Identifiers are always double-quoted and string literals always single-quoted with
escaping, so no spec string can end a statement. Raw expressions (CHECK, index WHERE,
policy USING) are SQL by nature; `expression_problem` rejects anything that could
break out of the surrounding statement.
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
        return "a name must be a non-empty string"
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


def expression_problem(expr: str) -> str | None:
    """Why a raw SQL expression could escape its statement, or None when it is a single expression.

    Scans quotes and parentheses: outside string literals and quoted identifiers there
    may be no semicolon, comment, dollar quote, or unbalanced parenthesis.
    """
    if not isinstance(expr, str) or not expr.strip():
        return "the expression is empty"
    if "\x00" in expr:
        return "the expression contains a NUL character"
    if "\\" in expr:
        # inside a quoted string a backslash is an escape when standard_conforming_strings is off
        return "backslashes are not allowed in expressions (not even in strings); write the value without one"
    depth = 0
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch in "'\"":
            end = i + 1
            while True:
                end = expr.find(ch, end)
                if end == -1:
                    return f"unterminated {'string' if ch == chr(39) else 'quoted identifier'} starting at character {i + 1}"
                if end + 1 < n and expr[end + 1] == ch:
                    end += 2
                    continue
                break
            i = end + 1
            continue
        if ch == ";":
            return "a ';' would end the statement; an expression must be a single SQL expression"
        if expr.startswith("--", i) or expr.startswith("/*", i):
            return "comments are not allowed inside an expression"
        if ch == "$" and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] == "_")):
            return "dollar quoting ($$) is not allowed inside an expression"
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return f"unbalanced ')' at character {i + 1}"
        i += 1
    if depth != 0:
        return "unbalanced '(': every opening parenthesis needs a closing one"
    return None
