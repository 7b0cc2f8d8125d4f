"""A migration file split into statements by PostgreSQL's own parser (pglast), each with its line."""

from __future__ import annotations

from dataclasses import dataclass

import pglast
from pglast.parser import split


@dataclass(frozen=True)
class ScriptStatement:
    sql: str
    line: int  # 1-based line of the statement's first character in the file
    node: str  # the parse node's name: TransactionStmt, IndexStmt, CreateStmt, …
    concurrent_index: str | None = None  # the index a CREATE INDEX CONCURRENTLY builds

    @property
    def first_line(self) -> str:
        text = self.sql.strip().splitlines()[0] if self.sql.strip() else ""
        return text if len(text) <= 160 else text[:157] + "..."


class ScriptError(ValueError):
    """The file is not valid SQL for PostgreSQL's parser; the message names the line."""


def split_script(text: str, path: str) -> list[ScriptStatement]:
    """Every statement of the file in order; ScriptError with `path:line` when the parser refuses it."""
    try:
        slices = split(text, with_parser=True, only_slices=True)
    except pglast.parser.ParseError as exc:
        at = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0  # a character offset
        line = text.count("\n", 0, at) + 1
        raise ScriptError(f"{path}:{line}: PostgreSQL's parser refuses the file: {exc.args[0]}") from None
    result = []
    for sl in slices:
        sql = text[sl]
        node = pglast.parse_sql(sql)[0].stmt
        concurrent = node.idxname if type(node).__name__ == "IndexStmt" and node.concurrent else None
        result.append(ScriptStatement(sql, text.count("\n", 0, sl.start) + 1, type(node).__name__, concurrent))
    return result
