"""SQL expressions from the spec, read by PostgreSQL's own parser (pglast: libpg_query, the PostgreSQL 18 grammar).

Every place the spec holds raw SQL (checks, index predicates, policy using / with_check, and
any later expression field such as a backfill or a type change's USING) goes through
`read_expression`:

    result = read_expression(text, CHECK, Scope("visits", frozenset({"id", "starts_at"})))
    if isinstance(result, Expression):  result.sql is the text to emit
    else:                               result is a list of ExpressionProblem(offset, message)

The text must parse as exactly one expression. What is emitted is the parser's own deparsed
form of that expression (string literals re-quoted so they read the same whatever
standard_conforming_strings says, control characters escaped), re-parsed to prove it is the
same tree: nothing outside the one expression can reach the migration. Column references
are resolved against the scope with a did-you-mean, and constructs PostgreSQL refuses in the
place (a subquery in a CHECK, a set-returning function in an index predicate, a volatile
function where only immutable ones may run) are refused at their position. Problems carry a
character offset into `text`; the caller maps it to FILE:LINE:COL (see Loaded.pos_in_value).
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pglast import ast, parser
from pglast.enums import SetOperation
from pglast.stream import RawStream

PREFIX = "SELECT "  # the expression is parsed as the one target of a bare SELECT


@dataclass(frozen=True)
class Place:
    """Where an expression is used, and what PostgreSQL allows there."""

    what: str  # how messages name the place, e.g. "check expression"
    column_refs: bool = True  # may name columns of the table in scope
    subqueries: bool = False  # may hold (SELECT ...) / EXISTS (...)
    immutable_only: bool = False  # only immutable functions (index predicates, generated columns)

    @property
    def a(self) -> str:
        """The place with its article: 'an index predicate'."""
        return ("an " if self.what[0] in "aeiou" else "a ") + self.what


CHECK = Place("check expression")
INDEX_PREDICATE = Place("index predicate", immutable_only=True)
INDEX_EXPRESSION = Place("index expression", immutable_only=True)
DOMAIN_CHECK = Place("domain check")  # its one "column" is VALUE
POLICY_USING = Place("policy using expression", subqueries=True)
POLICY_WITH_CHECK = Place("policy with_check expression", subqueries=True)
DEFAULT = Place("default expression", column_refs=False)
GENERATED = Place("generated column expression", immutable_only=True)
BACKFILL = Place("backfill expression", subqueries=True)
TYPE_CHANGE_USING = Place("type change USING expression")
TRIGGER_WHEN = Place("trigger WHEN condition")
ARGUMENT_DEFAULT = Place("argument default", column_refs=False)


@dataclass(frozen=True)
class Scope:
    """The table an expression belongs to, its columns, and (for subqueries) the other tables of the spec."""

    table: str | None = None
    columns: frozenset[str] = frozenset()
    tables: Mapping[str, frozenset[str]] = field(default_factory=dict)
    row_names: frozenset[str] = frozenset()  # qualifiers naming this row, e.g. old and new in a trigger's WHEN


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the canonical SQL to emit and the table columns it reads."""

    sql: str
    columns: tuple[str, ...]


@dataclass(frozen=True, order=True)
class ExpressionProblem:
    """What is wrong, at a 0-based character offset into the spec's text of the expression."""

    offset: int
    message: str


# Without a catalog these lists decide what PostgreSQL would refuse; verify catches anything rarer.
AGGREGATES = frozenset(
    "count sum avg min max array_agg string_agg bool_and bool_or every json_agg jsonb_agg json_object_agg "
    "jsonb_object_agg bit_and bit_or bit_xor xmlagg stddev stddev_pop stddev_samp variance var_pop var_samp "
    "corr covar_pop covar_samp mode percentile_cont percentile_disc rank dense_rank percent_rank cume_dist "
    "row_number ntile lag lead first_value last_value nth_value any_value range_agg range_intersect_agg".split()
)
SET_RETURNING = frozenset(
    "generate_series generate_subscripts unnest json_array_elements jsonb_array_elements json_array_elements_text "
    "jsonb_array_elements_text json_each jsonb_each json_each_text jsonb_each_text json_object_keys jsonb_object_keys "
    "regexp_matches regexp_split_to_table string_to_table jsonb_path_query json_populate_recordset "
    "jsonb_populate_recordset json_to_recordset jsonb_to_recordset pg_ls_dir".split()
)
NOT_IMMUTABLE = frozenset(
    "now random random_normal clock_timestamp statement_timestamp transaction_timestamp timeofday current_setting "
    "gen_random_uuid uuid_generate_v4 uuidv4 uuidv7 nextval currval setval lastval txid_current pg_backend_pid "
    "age to_char to_date to_timestamp uid jwt role email set_config pg_sleep".split()
)


def read_expression(text: str, place: Place, scope: Scope = Scope()) -> Expression | list[ExpressionProblem]:
    """Parse one spec expression for `place`; the canonical SQL, or every problem found at its offset."""
    if not isinstance(text, str) or not text.strip():
        return [ExpressionProblem(0, f"the {place.what} is empty; write a SQL expression")]
    if "\x00" in text:
        return [ExpressionProblem(text.index("\x00"), f"the {place.what} contains a NUL character; remove it")]
    try:
        node = _parse_one(text)
        if isinstance(node, list):
            return node
        problems = _Checker(place, scope).run(node)
        if problems:
            return sorted(set(problems))
        sql = _canonical_sql_of(text)
    except _Refused as exc:
        return [exc.problem]
    except RecursionError:
        return [ExpressionProblem(0, f"the {place.what} is nested too deeply; simplify it")]
    return Expression(sql, tuple(sorted(_columns_read(node, scope))))


@functools.lru_cache(maxsize=4096)
def canonical_expression(text: str) -> str | None:
    """The spelling read_expression emits for an already-checked expression (e.g. one a migration state
    recorded before expressions were deparsed), or None when it is not one expression. Once per distinct
    text: check re-spells the last state's expressions and the spec's, mostly the same texts."""
    try:
        node = _parse_one(text)
        return None if isinstance(node, list) else canonical_sql(node)
    except (_Refused, RecursionError):
        return None


class _Refused(Exception):
    def __init__(self, problem: ExpressionProblem):
        self.problem = problem


def _parse_one(text: str) -> ast.Node | list[ExpressionProblem]:
    """The expression node, or a problem when the text is not exactly one SQL expression. The node is shared
    by every caller of the same text (nothing here changes a node); the list of problems is each caller's own."""
    node, problems = _parsed(text)
    return list(problems) if node is None else node


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> tuple[ast.Node | None, tuple[ExpressionProblem, ...]]:
    """_parse_one's answer, once per distinct text: parsing and building pglast's Python tree is most of
    reading an expression, and specs repeat the same checks, predicates and defaults table after table."""
    result = _parse_uncached(text)
    return (None, tuple(result)) if isinstance(result, list) else (result, ())


def _parse_uncached(text: str) -> ast.Node | list[ExpressionProblem]:
    full = PREFIX + text
    try:
        semicolon = next((t.start for t in parser.scan(full) if full[t.start : t.end + 1] == ";"), None)
    except parser.ParseError:
        semicolon = None  # the parser below says what is wrong
    ends_statement = ExpressionProblem(
        (semicolon or 0) - len(PREFIX), "a ';' would end the statement; an expression must be a single SQL expression"
    )
    try:
        statements = parser.parse_sql(full)
    except parser.ParseError as exc:
        message, location = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        offset = max(0, min(len(text) if location is None else location - len(PREFIX), len(text)))
        if semicolon is not None and ends_statement.offset < offset:
            return [ends_statement]  # whichever comes first is what the user must fix
        return [ExpressionProblem(offset, f"SQL syntax error in the expression: {message}; fix it at this point")]
    if semicolon is not None:
        return [ends_statement]
    if len(statements) != 1:
        return [ExpressionProblem(0, "this is more than one SQL statement; write a single SQL expression")]
    stmt = statements[0].stmt
    extra = _beyond_expression(stmt)
    if extra is not None:
        return [ExpressionProblem(max(0, extra - len(PREFIX)), "the text goes on past one expression (FROM, WHERE, UNION, a second value, ...); write a single SQL expression")]
    return stmt.targetList[0].val


def _beyond_expression(stmt: ast.Node) -> int | None:
    """None when `SELECT <text>` is a bare select of one unnamed value; else the offset where it stops being one."""
    if not isinstance(stmt, ast.SelectStmt) or stmt.op != SetOperation.SETOP_NONE or not stmt.targetList:
        return len(PREFIX)
    if len(stmt.targetList) != 1:
        return stmt.targetList[1].location
    target = stmt.targetList[0]
    if target.name is not None or target.indirection:
        return target.location
    for slot in ast.SelectStmt.__slots__:
        if slot in ("targetList", "op", "limitOption", "all", "groupDistinct"):
            continue
        value = getattr(stmt, slot)
        if value:
            return _first_location(value) or len(PREFIX)
    if stmt.all or stmt.groupDistinct:
        return len(PREFIX)
    return None


def _first_location(node: Any) -> int | None:
    """The smallest source location inside a node (clauses such as INTO have none of their own)."""
    if isinstance(node, tuple):
        found = [loc for n in node if (loc := _first_location(n)) is not None]
        return min(found) if found else None
    if not isinstance(node, ast.Node):
        return None
    found = [loc for slot in type(node).__slots__ if (loc := (getattr(node, slot) if slot == "location" else _first_location(getattr(node, slot)))) is not None and loc >= 0]
    return min(found) if found else None


class _Checker:
    """Walks the tree: resolves column references and refuses what the place does not allow."""

    def __init__(self, place: Place, scope: Scope):
        self.place = place
        self.scope = scope
        self.problems: list[ExpressionProblem] = []

    def run(self, node: ast.Node) -> list[ExpressionProblem]:
        self.visit(node, depth=0, frames=())
        return self.problems

    def add(self, node: Any, message: str) -> None:
        location = getattr(node, "location", None)
        offset = 0 if location is None or location < len(PREFIX) else location - len(PREFIX)
        self.problems.append(ExpressionProblem(offset, message))

    def visit(self, node: Any, depth: int, frames: tuple) -> None:
        """depth counts enclosing subqueries; frames are their FROM scopes (None when a FROM item is unknown)."""
        if isinstance(node, tuple):
            for item in node:
                self.visit(item, depth, frames)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.ParamRef):
            self.add(node, f"parameters (${node.number}) have no value in {self.place.a}; write the value")
            return
        if isinstance(node, ast.ColumnRef):
            self.column_ref(node, frames)
            return
        if isinstance(node, ast.SubLink):
            if not self.place.subqueries and depth == 0:
                self.add(node, f"PostgreSQL does not allow a subquery in {self.place.a}; use only this row's columns")
                return
            if node.testexpr is not None:
                self.visit(node.testexpr, depth, frames)
            self.select(node.subselect, depth + 1, frames)
            return
        if isinstance(node, ast.SelectStmt):
            self.select(node, depth + 1, frames)
            return
        if isinstance(node, ast.FuncCall):
            self.func_call(node, depth)
        elif isinstance(node, ast.SQLValueFunction) and self.place.immutable_only and depth == 0:
            self.add(node, f"{_value_function_name(node)} changes over time; {self.place.a} may only use immutable functions")
        for slot in type(node).__slots__:
            if slot != "location":
                self.visit(getattr(node, slot), depth, frames)

    def func_call(self, node: ast.FuncCall, depth: int) -> None:
        name = node.funcname[-1].sval.lower() if node.funcname and isinstance(node.funcname[-1], ast.String) else ""
        if depth > 0:
            return
        if node.over is not None:
            self.add(node, f"PostgreSQL does not allow window functions in {self.place.a}")
        elif name in AGGREGATES or node.agg_star or node.agg_distinct or node.agg_order or node.agg_filter:
            self.add(node, f"PostgreSQL does not allow aggregate functions such as {name}() in {self.place.a}")
        elif name in SET_RETURNING:
            self.add(node, f"PostgreSQL does not allow set-returning functions such as {name}() in {self.place.a}")
        elif self.place.immutable_only and name in NOT_IMMUTABLE:
            self.add(node, f"{name}() is not immutable; {self.place.a} may only use immutable functions")

    def select(self, stmt: Any, depth: int, frames: tuple) -> None:
        if not isinstance(stmt, ast.SelectStmt):
            self.visit(stmt, depth, frames)
            return
        if stmt.larg is not None or stmt.rarg is not None:
            self.select(stmt.larg, depth, frames)
            self.select(stmt.rarg, depth, frames)
        frame = self.from_scope(stmt.fromClause or ())
        inner = frames + (frame,)
        self.visit(stmt.fromClause, depth, inner)
        for slot in ast.SelectStmt.__slots__:
            if slot not in ("fromClause", "larg", "rarg"):
                self.visit(getattr(stmt, slot), depth, inner)

    def from_scope(self, items: tuple) -> dict[str, frozenset[str]] | None:
        """Names usable as qualifiers in a subquery -> their columns; None when some FROM item is not a spec table."""
        scope: dict[str, frozenset[str]] = {}
        for item in items:
            if isinstance(item, ast.JoinExpr):
                inner = self.from_scope((item.larg, item.rarg))
                if inner is None:
                    return None
                scope.update(inner)
            elif isinstance(item, ast.RangeVar) and item.schemaname in (None, "public") and item.relname in self.scope.tables:
                name = item.alias.aliasname if item.alias is not None else item.relname
                scope[name] = self.scope.tables[item.relname]
            else:
                return None
        return scope

    def column_ref(self, node: ast.ColumnRef, frames: tuple) -> None:
        names = [f.sval if isinstance(f, ast.String) else "*" for f in node.fields]
        if "*" in names:
            if not frames:
                self.add(node, f"'*' is not a value; name the columns in the {self.place.what}")
            return
        if not self.place.column_refs:
            self.add(node, f"{self.place.a} cannot read columns ('{'.'.join(names)}'); write a constant or a function call")
            return
        column, qualifier = names[-1], names[-2] if len(names) > 1 else None
        if len(names) > 3 or (len(names) == 3 and names[0] != "public"):
            self.add(node, f"'{'.'.join(names)}' is not a column of this spec; write column or table.column")
            return
        for frame in reversed(frames):  # innermost subquery first, as PostgreSQL resolves names
            if frame is None:
                return  # an unknown table is in scope: PostgreSQL decides (verify checks it)
            if qualifier is None and any(column in cols for cols in frame.values()):
                return
            if qualifier in frame:
                if column not in frame[qualifier]:
                    self.unknown(node, column, qualifier, frame[qualifier])
                return
        if qualifier is not None and qualifier != self.scope.table and qualifier.lower() not in self.scope.row_names:
            known = sorted({*(n for f in frames if f for n in f), *([self.scope.table] if self.scope.table else [])})
            self.add(node, f"'{qualifier}' is not a table in scope here; use {', '.join(repr(k) for k in known) or 'the column name alone'}")
            return
        if column not in self.scope.columns:
            self.unknown(node, column, self.scope.table, self.scope.columns)

    def unknown(self, node: ast.ColumnRef, column: str, table: str | None, columns: frozenset[str]) -> None:
        close = difflib.get_close_matches(column, sorted(columns), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"columns of {table}: {', '.join(sorted(columns))}"
        self.add(node, f"the {self.place.what} names unknown column '{column}' of table '{table}'; {hint}")


def _value_function_name(node: ast.SQLValueFunction) -> str:
    return node.op.name.removeprefix("SVFOP_").lower()


def _columns_read(node: ast.Node, scope: Scope) -> set[str]:
    """Columns of the scope's table the expression names outside subqueries."""
    found: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, tuple):
            for item in n:
                walk(item)
        elif isinstance(n, ast.SubLink):
            walk(n.testexpr)
        elif isinstance(n, ast.ColumnRef):
            names = [f.sval for f in n.fields if isinstance(f, ast.String)]
            if names and names[-1] in scope.columns:
                found.add(names[-1])
        elif isinstance(n, ast.Node):
            for slot in type(n).__slots__:
                walk(getattr(n, slot))

    walk(node)
    return found


# ---------------------------------------------------------------- emitting


@functools.lru_cache(maxsize=4096)
def _canonical_sql_cached(text: str) -> str | ExpressionProblem:
    try:
        return canonical_sql(_parse_one(text))
    except _Refused as exc:
        return exc.problem


def _canonical_sql_of(text: str) -> str:
    """canonical_sql of the text's node, once per distinct text: it depends on nothing else, and pglast's
    printer and the re-parse that proves it cost milliseconds (specs repeat checks like `quantity >= 0`)."""
    result = _canonical_sql_cached(text)
    if isinstance(result, ExpressionProblem):
        raise _Refused(result)
    return result


def canonical_sql(node: ast.Node) -> str:
    """The deparsed expression with its string literals written to read the same on any server, proven by re-parsing."""
    deparsed = RawStream()(node)
    sql = _requote_strings(deparsed)
    if _unprintable(sql):
        raise _Refused(ExpressionProblem(0, "the expression holds a control character outside a string; remove it"))
    again = _parse_one(sql)
    if isinstance(again, list) or tree_shape(again) != tree_shape(node):
        raise _Refused(ExpressionProblem(0, "the expression cannot be written back unchanged by PostgreSQL's deparser; simplify it"))
    return sql


def _requote_strings(sql: str) -> str:
    """Every plain '...' literal the deparser wrote, as sql_string() writes it."""
    out, last = [], 0
    for token in parser.scan(sql):
        text = sql[token.start : token.end + 1]
        if token.name == "SCONST" and text.startswith("'") and text.endswith("'") and len(text) >= 2:
            out.append(sql[last : token.start])
            out.append(sql_string(text[1:-1].replace("''", "'")))
            last = token.end + 1
    out.append(sql[last:])
    return "".join(out)


def sql_string(value: str) -> str:
    """A string literal that reads as `value` whatever standard_conforming_strings is, with control characters escaped."""
    if "\\" not in value and not _unprintable(value):
        return "'" + value.replace("'", "''") + "'"
    parts = []
    for ch in value:
        if ch == "\\":
            parts.append("\\\\")
        elif ch == "'":
            parts.append("''")
        elif _unprintable(ch):
            parts.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
        else:
            parts.append(ch)
    return "E'" + "".join(parts) + "'"


def _unprintable(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def tree_shape(node: Any) -> Any:
    """A tree as plain data without source locations, for comparing two parses."""
    if isinstance(node, tuple):
        return tuple(tree_shape(n) for n in node)
    if isinstance(node, ast.Node):
        return (type(node).__name__,) + tuple((s, tree_shape(getattr(node, s))) for s in type(node).__slots__ if s not in LOCATION_SLOTS)
    return node


# Source offsets in the tree (PostgreSQL 18 adds list_start/list_end to ARRAY[...] and IN lists): not meaning.
LOCATION_SLOTS = frozenset({"location", "list_start", "list_end", "rexpr_list_start", "rexpr_list_end"})


def calls_a_function(text: str) -> bool:
    """Whether text parses as one SQL expression that calls a function (now() + interval '1 day',
    CURRENT_TIMESTAMP): tells a default *expression* from a literal that merely fails to parse as one."""
    try:
        node = _parse_one(text)
    except (_Refused, RecursionError):
        return False
    if isinstance(node, list):
        return False
    found = False

    def visit(n: Any) -> None:
        nonlocal found
        if isinstance(n, (ast.FuncCall, ast.SQLValueFunction)):
            found = True
        elif isinstance(n, ast.Node):
            for name in n:
                visit(getattr(n, name))
        elif isinstance(n, tuple):
            for item in n:
                visit(item)

    visit(node)
    return found
