"""Function bodies and SQL type names from the spec, read by PostgreSQL's own parser (pglast).

A body is parsed at compile time, SQL with the SQL grammar and PL/pgSQL with PostgreSQL's
PL/pgSQL grammar (pglast.parse_plpgsql), so a syntax error is reported inside the body in
schema.yaml instead of when the migration runs. The parse also yields the tables a body
names, which the lint uses (a function anon may execute that reads a PHI table).

The body goes into the migration unchanged, dollar-quoted with a tag that does not occur in
it (`dollar_quote`), so nothing in a body can end the quoted string early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pglast import ast, parse_plpgsql, parser
from pglast.enums import FunctionParameterMode
from pglast.stream import RawStream

from ..model import SqlType
from .expressions import ExpressionProblem


@dataclass(frozen=True)
class Body:
    """A parsed body: the relations its statements name, as (schema or None, name)."""

    relations: tuple[tuple[str | None, str], ...]


def dollar_quote(body: str, tag: str = "function") -> str:
    """`$tag$body$tag$` with a tag that does not occur in the body, so the body cannot end the quote."""
    candidate, n = tag, 0
    while f"${candidate}$" in body or body.endswith(f"${candidate}") or body.startswith(f"{candidate}$"):
        n += 1
        candidate = f"{tag}_{n}"
    return f"${candidate}${body}${candidate}$"


def read_type(text: str) -> SqlType | ExpressionProblem:
    """A type name such as `uuid`, `timestamp with time zone[]` or `public.appointments`."""
    prefix = "SELECT NULL::"
    if not text.strip() or ";" in text or "\x00" in text:
        return ExpressionProblem(0, f"'{text}' is not a type name; write one such as uuid, text, integer[] or a table's name")
    try:
        statements = parser.parse_sql(prefix + text)
    except parser.ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else len(prefix)
        return ExpressionProblem(max(0, location - len(prefix)), f"not a type name: {exc.args[0]}; write a type such as uuid or text[]")
    stmt = statements[0].stmt if len(statements) == 1 else None
    if not isinstance(stmt, ast.SelectStmt) or len(stmt.targetList or ()) != 1 or not isinstance(stmt.targetList[0].val, ast.TypeCast):
        return ExpressionProblem(0, f"'{text}' is not a type name; write one such as uuid, text, integer[] or a table's name")
    return sql_type(stmt.targetList[0].val.typeName)


def sql_type(node: ast.TypeName) -> SqlType:
    names = [n.sval for n in node.names]
    schema = names[0] if len(names) > 1 and names[0] != "pg_catalog" else None
    plain = ast.TypeName(names=node.names, typmods=node.typmods, arrayBounds=node.arrayBounds)
    return SqlType(RawStream()(plain), names[-1], schema, bool(node.arrayBounds))


@dataclass(frozen=True)
class ReturnsParts:
    """What RETURNS said: set-returning or not, the type (None for TABLE(...)), and TABLE's columns."""

    sql: str
    setof: bool
    type: SqlType | None
    columns: tuple[tuple[str, SqlType], ...] = ()


def read_returns(text: str) -> ReturnsParts | ExpressionProblem:
    """`uuid`, `setof appointments`, `table (id uuid, starts_at timestamptz)`, `trigger`, `void`."""
    prefix = "CREATE FUNCTION f() RETURNS "
    if not text.strip() or "\x00" in text or re.search(r"\b(language|as|set|security)\b", text, re.I):
        return ExpressionProblem(0, f"'returns: {text}' is not a return type; write a type, 'setof <table>', 'table (column type, ...)', 'trigger' or 'void'")
    try:
        statements = parser.parse_sql(prefix + text + " LANGUAGE sql AS ''")
    except parser.ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else len(prefix)
        return ExpressionProblem(max(0, min(location - len(prefix), len(text))), f"not a return type: {exc.args[0]}")
    stmt = statements[0].stmt if len(statements) == 1 else None
    if not isinstance(stmt, ast.CreateFunctionStmt) or len(stmt.options or ()) != 2:
        return ExpressionProblem(0, f"'returns: {text}' is not a return type; write a type, 'setof <table>', 'table (column type, ...)', 'trigger' or 'void'")
    table = [p for p in stmt.parameters or () if p.mode == FunctionParameterMode.FUNC_PARAM_TABLE]
    if table:
        columns = tuple((p.name, sql_type(p.argType)) for p in table)
        sql = "TABLE (" + ", ".join(f"{_ident(n)} {t.sql}" for n, t in columns) + ")"
        return ReturnsParts(sql, True, None, columns)
    rtype = sql_type(stmt.returnType)
    return ReturnsParts(("SETOF " if stmt.returnType.setof else "") + rtype.sql, bool(stmt.returnType.setof), rtype)


def _ident(name: str) -> str:
    from ..sqltext import quote_ident

    return quote_ident(name)


def read_body(body: str, language: str, header: str) -> Body | ExpressionProblem:
    """Parse a body; `header` is the CREATE FUNCTION text before AS, which PL/pgSQL needs for its variables."""
    if "\x00" in body:
        return ExpressionProblem(body.index("\x00"), "the body contains a NUL character; remove it")
    if not body.strip():
        return ExpressionProblem(0, "the body is empty; write the function's statements")
    if language == "sql":
        try:
            statements = parser.parse_sql(body)
        except parser.ParseError as exc:
            location = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else len(body)
            return ExpressionProblem(min(location, len(body)), f"SQL syntax error in the body: {exc.args[0]}; fix it at this point")
        return Body(tuple(_relations([s.stmt for s in statements])))
    try:
        tree = parse_plpgsql(f"{header} AS {dollar_quote(body)}")
    except parser.ParseError as exc:
        message = exc.args[0]
        return ExpressionProblem(_near(body, message), f"PL/pgSQL syntax error in the body: {message}; fix it at this point")
    queries = []
    _plpgsql_queries(tree, queries)
    relations: list[tuple[str | None, str]] = []
    for query, mode in queries:
        try:
            parsed = parser.parse_sql(query if mode == 0 else f"SELECT {query}")
        except parser.ParseError:
            continue  # PL/pgSQL accepted it (e.g. an assignment target); nothing more to learn from it
        relations += _relations([s.stmt for s in parsed])
    return Body(tuple(dict.fromkeys(relations)))


def _near(body: str, message: str) -> int:
    """PL/pgSQL errors carry no location: the first occurrence of the token they are 'at or near', else the end."""
    m = re.search(r'at or near "(.*)"$', message)
    if m and m[1] and (at := body.find(m[1])) >= 0:
        return at
    return len(body.rstrip())


def _plpgsql_queries(node: Any, found: list[tuple[str, int]]) -> None:
    """Every embedded SQL text of a PL/pgSQL tree (parseMode 0: a statement; otherwise an expression)."""
    if isinstance(node, list):
        for item in node:
            _plpgsql_queries(item, found)
    elif isinstance(node, dict):
        if "PLpgSQL_expr" in node and isinstance(node["PLpgSQL_expr"], dict):
            expr = node["PLpgSQL_expr"]
            found.append((expr.get("query", ""), expr.get("parseMode", 0)))
        for value in node.values():
            _plpgsql_queries(value, found)


def _relations(statements: list[Any]) -> list[tuple[str | None, str]]:
    """Every table or view named in FROM, JOIN, INSERT, UPDATE, DELETE (CTE names excluded)."""
    ctes: set[str] = set()
    found: list[tuple[str | None, str]] = []

    def walk(n: Any) -> None:
        if isinstance(n, tuple):
            for item in n:
                walk(item)
        elif isinstance(n, ast.CommonTableExpr):
            ctes.add(n.ctename)
            walk(n.ctequery)
        elif isinstance(n, ast.RangeVar):
            if not (n.schemaname is None and n.relname in ctes):
                found.append((n.schemaname, n.relname))
        elif isinstance(n, ast.Node):
            for slot in type(n).__slots__:
                walk(getattr(n, slot))

    walk(tuple(statements))
    return list(dict.fromkeys(found))
