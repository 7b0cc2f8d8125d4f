"""The `views:` section resolved into model Views.

The query is read by PostgreSQL's parser and emitted as its deparsed form (one SELECT,
nothing else can reach the migration). Each output column is traced to what it reads:
a plain column reference passes the source column through (its type, its
classification: PHI in, PHI out, its description); a computed column takes the
strictest classification of the columns it reads and needs a type schemac can tell
(a cast, count(*)) or one the spec declares.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pglast import ast, parser
from pglast.enums import JoinType, SetOperation
from pglast.stream import RawStream

from ..model import Column, Index, SqlType, Table, View, ViewColumn
from ..spec.language import ViewSpec
from . import naming
from .bodies import _relations, read_type, sql_type
from .expressions import _requote_strings, tree_shape as _shape
from .problems import Problems, explicit_name

CLASSIFICATION_ORDER = ("phi", "administrative", "public_social")  # strictest first
BROKEN: dict = {}  # scope entry of a FROM item already reported as unknown
KNOWN_RESULT_TYPES = {"count": SqlType("bigint", "int8")}  # aggregates whose type does not depend on the argument


@dataclass(frozen=True)
class _Source:
    """What a column reference in the query resolves to."""

    column: Column | None
    source: tuple[str, str] | None
    type: SqlType | None
    classification: str | None  # None: unknown (a table outside the spec)
    description: str | None


UNCLASSIFIED = "unclassified"  # a view column under a profile where classification is optional, reading unclassified columns
QUIET = _Source(None, None, SqlType("text", "text"), "administrative", None)  # a column of a reported unknown table


def build_views(
    specs: dict[str, ViewSpec], tables: dict[str, Table], taken: set[str], problems: Problems, classification_required: bool = True
) -> tuple[View, ...]:
    """Views in spec order; under a profile where classification is optional a column from unclassified columns is 'unclassified'."""
    views: dict[str, View] = {}
    for name, spec in specs.items():
        path = ("views", name)
        if not problems.name(path, name, "view"):
            continue
        if name in tables or name in taken:
            problems.add(path, f"'{name}' is already a table or function name; a view needs a name of its own")
            continue
        view = _ViewBuilder(name, spec, tables, views, problems, classification_required).build()
        if view is not None:
            views[name] = view
    return tuple(views.values())


class _ViewBuilder:
    def __init__(self, name: str, spec: ViewSpec, tables: dict[str, Table], views: dict[str, View], problems: Problems, required: bool = True):
        self.name, self.spec, self.tables, self.views, self.problems = name, spec, tables, views, problems
        self.required = required
        self.path = ("views", name)
        self.ok = True

    def error(self, node: Any, message: str) -> None:
        location = getattr(node, "location", None) if node is not None else None
        offset = location if isinstance(location, int) and location >= 0 else 0
        self.problems.add_in_value(self.path + ("query",), self.spec.query, offset, message)
        self.ok = False

    def build(self) -> View | None:
        spec, text = self.spec, self.spec.query
        if "\x00" in text or not text.strip():
            self.problems.add(self.path + ("query",), "the query must be one SELECT statement")
            return None
        try:
            statements = parser.parse_sql(text)
        except parser.ParseError as exc:
            location = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else len(text)
            self.problems.add_in_value(self.path + ("query",), text, min(location, len(text)), f"SQL syntax error in the query: {exc.args[0]}; fix it at this point")
            return None
        if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
            at = statements[0].stmt_len if len(statements) > 1 and statements[0].stmt_len else 0
            self.problems.add_in_value(self.path + ("query",), text, at, "the query must be exactly one SELECT statement (no ';' and nothing after it)")
            return None
        stmt = statements[0].stmt
        if stmt.intoClause is not None or stmt.lockingClause:
            self.error(stmt, "a view's query cannot use SELECT INTO or FOR UPDATE/SHARE")
            return None
        query = self.canonical(stmt)
        if query is None:
            return None
        head = stmt
        while head.op != SetOperation.SETOP_NONE:  # UNION & co: the columns are the first branch's
            head = head.larg
        scope = self.from_scope(head.fromClause or ())
        columns = self.columns(head, scope or {})
        if spec.materialized and spec.security_invoker:
            self.problems.add(self.path + ("security_invoker",), "a materialized view stores its rows, so it cannot read them with the caller's rights; remove security_invoker (and see lint SC143)")
            self.ok = False
        if not spec.materialized and spec.indexes:
            self.problems.add(self.path + ("indexes",), "only a materialized view can have indexes; set materialized: true or remove them")
            self.ok = False
        names = {c.name for c in columns}
        for key in spec.columns:
            if key not in names:
                close = difflib.get_close_matches(key, sorted(names), n=1)
                self.problems.add(self.path + ("columns", key), f"the query has no column '{key}'" + (f"; did you mean '{close[0]}'?" if close else f"; its columns: {', '.join(sorted(names))}"))
                self.ok = False
        indexes = self.indexes(names)
        if not self.ok:
            return None
        reads = tuple(dict.fromkeys((s or "public", t) for s, t in _relations([stmt])))
        return View(
            name=self.name,
            query=query,
            materialized=spec.materialized,
            security_invoker=spec.security_invoker,
            columns=columns,
            description=spec.description,
            select_roles=tuple(dict.fromkeys(spec.grant_select)),
            reads=reads,
            updatable=not spec.materialized and _auto_updatable(stmt, scope),
            indexes=indexes,
            pos=self.problems.loaded.pos(self.path),
            keys=self.problems.keys(self.path, spec),
        )

    def canonical(self, stmt: ast.SelectStmt) -> str | None:
        try:
            sql = _requote_strings(RawStream()(stmt))
            again = parser.parse_sql(sql)
        except (parser.ParseError, RecursionError, ValueError):
            again = None
        if again is None or len(again) != 1 or _shape(again[0].stmt) != _shape(stmt):
            self.error(stmt, "the query cannot be written back unchanged by PostgreSQL's deparser; simplify it")
            return None
        return sql

    # ------------------------------------------------------------ FROM

    def from_scope(self, items: tuple) -> dict[str, dict[str, _Source] | None] | None:
        """alias -> its columns (None when they are unknown: a subquery, a function, a table outside the spec)."""
        scope: dict[str, dict[str, _Source] | None] = {}
        for item in items:
            self.from_item(item, scope, nullable=False)
        return scope

    def from_item(self, item: Any, scope: dict, nullable: bool) -> None:
        if isinstance(item, ast.JoinExpr):
            left_null = nullable or item.jointype in (JoinType.JOIN_RIGHT, JoinType.JOIN_FULL)
            right_null = nullable or item.jointype in (JoinType.JOIN_LEFT, JoinType.JOIN_FULL)
            self.from_item(item.larg, scope, left_null)
            self.from_item(item.rarg, scope, right_null)
            return
        if isinstance(item, ast.RangeVar):
            alias = item.alias.aliasname if item.alias is not None else item.relname
            schema = item.schemaname or "public"
            if schema == "public" and item.relname in self.tables:
                t = self.tables[item.relname]
                scope[alias] = {c.name: _Source(c, (t.name, c.name), None, c.classification, c.description) for c in t.columns}
            elif schema == "public" and item.relname in self.views:
                v = self.views[item.relname]
                scope[alias] = {c.name: _Source(c.column, c.source, c.type, c.classification, c.description) for c in v.columns}
            elif schema == "public":
                known = sorted(self.tables) + sorted(self.views)
                close = difflib.get_close_matches(item.relname, known, n=1)
                self.error(item, f"unknown table '{item.relname}'" + (f"; did you mean '{close[0]}'?" if close else "; a view reads tables and earlier views of this spec"))
                scope[alias] = BROKEN
            else:
                scope[alias] = None
            return
        alias = getattr(getattr(item, "alias", None), "aliasname", None)
        if alias:
            scope[alias] = None

    # ------------------------------------------------------------ columns

    def columns(self, stmt: ast.SelectStmt, scope: dict[str, dict[str, _Source] | None]) -> tuple[ViewColumn, ...]:
        out: list[ViewColumn] = []
        for target in stmt.targetList or ():
            value = target.val
            if isinstance(value, ast.ColumnRef) and isinstance(value.fields[-1], ast.A_Star):
                out += self.star(value, scope)
                continue
            name = target.name or _figure_name(value)
            if name is None:
                self.error(target, "name this computed column: write '<expression> AS name'")
                continue
            out.append(self.column(name, value, scope, target))
        seen: set[str] = set()
        for c in out:
            if c.name in seen:
                self.problems.add(self.path + ("query",), f"the query has two columns named '{c.name}'; give one an alias (AS other_name)")
                self.ok = False
            seen.add(c.name)
        return tuple(out)

    def star(self, ref: ast.ColumnRef, scope: dict) -> list[ViewColumn]:
        names = [f.sval for f in ref.fields if isinstance(f, ast.String)]
        aliases = [names[-1]] if names else list(scope)
        out = []
        for alias in aliases:
            columns = scope.get(alias)
            if columns is BROKEN:
                return out
            if columns is None:
                self.error(ref, f"'{'.'.join(names + ['*'])}' reads a relation whose columns schemac does not know; list the columns")
                return out
            out += [self.view_column(name, src) for name, src in columns.items()]
        return out

    def resolve(self, ref: ast.ColumnRef, scope: dict) -> _Source | None:
        names = [f.sval for f in ref.fields if isinstance(f, ast.String)]
        column, qualifier = names[-1], (names[-2] if len(names) > 1 else None)
        if scope.get(qualifier) is BROKEN or (qualifier is None and any(c is BROKEN for c in scope.values())):
            return QUIET  # its table is already reported unknown
        candidates = [scope[qualifier]] if qualifier in scope else ([] if qualifier else list(scope.values()))
        if qualifier and qualifier not in scope:
            self.error(ref, f"'{qualifier}' is not a table in the query's FROM; use one of: {', '.join(sorted(scope))}")
            return None
        for columns in candidates:
            if columns is BROKEN:
                return QUIET
            if columns is None:
                if qualifier:
                    return _Source(None, None, None, None, None)
                continue
            if column in columns:
                return columns[column]
        if any(c is None for c in candidates):
            return _Source(None, None, None, None, None)
        known = sorted({n for cols in candidates if cols for n in cols})
        close = difflib.get_close_matches(column, known, n=1)
        self.error(ref, f"unknown column '{column}'" + (f"; did you mean '{close[0]}'?" if close else ""))
        return None

    def column(self, name: str, value: Any, scope: dict, target: Any) -> ViewColumn:
        declared = self.spec.columns.get(name)
        if isinstance(value, ast.ColumnRef):
            src = self.resolve(value, scope)
            if src is None:  # reported where it is written
                return ViewColumn(name, None, None, SqlType("text", "text"), "administrative", None)
            return self.view_column(name, src)
        classes = [s.classification for ref in _column_refs(value) if (s := self.resolve(ref, scope)) is not None]
        if None in classes and not (declared and declared.classification) and self.required:
            self.error(target, f"column '{name}' reads a table outside the spec; declare its classification under columns: {name}")
        classification = next((c for c in CLASSIFICATION_ORDER if c in classes), "administrative" if self.required else UNCLASSIFIED)
        vtype = _inferred_type(value)
        if declared is not None and declared.type is not None:
            vtype = self.declared_type(name, declared.type)
        if vtype is None:
            self.error(target, f"schemac cannot tell the type of column '{name}'; cast it (expression::type) or declare it under columns: {name}: {{type: ...}}")
            vtype = SqlType("text", "text")
        return self.finish(ViewColumn(name, None, None, vtype, classification, None))

    def view_column(self, name: str, src: _Source) -> ViewColumn:
        declared = self.spec.columns.get(name)
        if src.column is None and src.type is None and not (declared and declared.type):
            self.error(None, f"schemac cannot tell the type of column '{name}' (it comes from outside the spec); declare it under columns: {name}: {{type: ...}}")
        if src.classification is None and not (declared and declared.classification) and self.required:
            self.error(None, f"column '{name}' comes from a table outside the spec; declare its classification under columns: {name}")
        vtype = self.declared_type(name, declared.type) if declared and declared.type else src.type
        column = None if declared and declared.type else src.column
        if column is None and vtype is None:
            vtype = SqlType("text", "text")
        return self.finish(ViewColumn(name, column, src.source, vtype, src.classification or ("administrative" if self.required else UNCLASSIFIED), src.description))

    def finish(self, c: ViewColumn) -> ViewColumn:
        declared = self.spec.columns.get(c.name)
        if declared is None:
            return c
        return ViewColumn(
            c.name,
            c.column,
            c.source,
            c.type,
            declared.classification or c.classification,
            declared.description if declared.description is not None else c.description,
        )

    def declared_type(self, name: str, text: str) -> SqlType | None:
        result = read_type(text)
        if isinstance(result, SqlType):
            return result
        self.problems.add_in_value(self.path + ("columns", name, "type"), text, result.offset, result.message)
        self.ok = False
        return None

    def indexes(self, names: set[str]) -> tuple[Index, ...]:
        out = []
        for i, ix in enumerate(self.spec.indexes):
            ipath = self.path + ("indexes", i)
            for j, c in enumerate(ix.columns):
                if c not in names:
                    self.problems.add(ipath + ("columns", j), f"the view has no column '{c}'; its columns: {', '.join(sorted(names))}")
                    self.ok = False
            if explicit_name(ix.name, ipath, self.problems):
                name = ix.name or naming.index(self.name, tuple(ix.columns), ix.unique)
                out.append(Index(name, tuple(ix.columns), ix.unique, None, "btree", None, self.problems.loaded.pos(ipath)))
        return tuple(out)


def _figure_name(node: Any) -> str | None:
    """The name PostgreSQL gives an unnamed output column, for the cases schemac accepts without an alias."""
    if isinstance(node, ast.ColumnRef):
        return node.fields[-1].sval
    if isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval
    if isinstance(node, ast.TypeCast):
        inner = _figure_name(node.arg) if not isinstance(node.arg, ast.ColumnRef) else node.arg.fields[-1].sval
        return inner or node.typeName.names[-1].sval
    return None


def _inferred_type(node: Any) -> SqlType | None:
    if isinstance(node, ast.TypeCast):
        return sql_type(node.typeName)
    if isinstance(node, ast.FuncCall) and node.funcname[-1].sval in KNOWN_RESULT_TYPES:
        return KNOWN_RESULT_TYPES[node.funcname[-1].sval]
    return None


def _column_refs(node: Any) -> list[ast.ColumnRef]:
    found: list[ast.ColumnRef] = []

    def walk(n: Any) -> None:
        if isinstance(n, tuple):
            for item in n:
                walk(item)
        elif isinstance(n, ast.SubLink):
            walk(n.testexpr)
        elif isinstance(n, ast.ColumnRef):
            if not isinstance(n.fields[-1], ast.A_Star):
                found.append(n)
        elif isinstance(n, ast.Node):
            for slot in type(n).__slots__:
                walk(getattr(n, slot))

    walk(node)
    return found


AGGREGATE_OR_WINDOW = frozenset("count sum avg min max array_agg string_agg bool_and bool_or json_agg jsonb_agg".split())


def _auto_updatable(stmt: ast.SelectStmt, scope: dict | None) -> bool:
    """PostgreSQL's simple-view rule: one table in FROM, no DISTINCT, GROUP BY, HAVING, LIMIT, OFFSET, WITH, set operations, aggregates or windows."""
    if stmt.op != SetOperation.SETOP_NONE or stmt.withClause or stmt.distinctClause or stmt.groupClause or stmt.havingClause:
        return False
    if stmt.limitCount is not None or stmt.limitOffset is not None or stmt.windowClause:
        return False
    if len(stmt.fromClause or ()) != 1 or not isinstance(stmt.fromClause[0], ast.RangeVar):
        return False
    for target in stmt.targetList or ():
        for n in _walk(target.val):
            if isinstance(n, ast.FuncCall) and (n.over is not None or n.agg_star or n.funcname[-1].sval in AGGREGATE_OR_WINDOW):
                return False
            if isinstance(n, ast.SubLink):
                continue
    return True


def _walk(node: Any):
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for slot in type(node).__slots__:
            yield from _walk(getattr(node, slot))
