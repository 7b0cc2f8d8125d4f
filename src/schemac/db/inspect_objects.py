"""The inspector's part for functions, triggers and views: catalog readings → the model's Function, Trigger, View.

Each reader returns the model object, or a one-line reason the spec cannot say it (import then
keeps the object's SQL in the `sql:` section). Catalog texts (argument lists, results, trigger
and view definitions) are read by PostgreSQL's parser (pglast), and expressions are spelled as
the spec's resolution spells them (canonical_expression), so an object schemac wrote reads back
equal to the model it was written from, and two readings compare directly.
"""

from __future__ import annotations

import re

from pglast import ast, parser
from pglast.enums import FunctionParameterMode
from pglast.stream import RawStream

from ..model import CLASSIFICATION_LABELS, Argument, Function, Index, Returns, SqlType, Trigger, View, ViewColumn
from ..resolve.bodies import read_returns, read_type
from ..resolve.expressions import ExpressionProblem, canonical_expression
from .catalog import LiveFunction, LiveTrigger, LiveView

LABELS = {label: classification for classification, label in CLASSIFICATION_LABELS.items()}
API_ROLES = ("anon", "authenticated", "service_role")


def function_from_catalog(name: str, f: LiveFunction, pos) -> Function | str:
    """The model of a function of public (name without arguments), or why the spec cannot say it."""
    if f.returns is None:
        return "a procedure (functions: holds functions)"
    if f.other_execute:
        return f"EXECUTE is granted to {', '.join(f.other_execute)} (grant_execute: names anon, authenticated and service_role)"
    if f.language not in ("sql", "plpgsql"):
        return f"written in {f.language} (functions: takes sql or plpgsql)"
    try:
        stmt = parser.parse_sql(f"CREATE FUNCTION f({f.arguments}) RETURNS {f.returns} LANGUAGE sql AS ''")[0].stmt
    except parser.ParseError as exc:
        return f"its signature could not be read ({exc.args[0]})"
    arguments = []
    for p in stmt.parameters or ():
        mode = p.mode
        if mode == FunctionParameterMode.FUNC_PARAM_TABLE:
            continue  # a column of RETURNS TABLE (...), read with the result
        if mode not in (FunctionParameterMode.FUNC_PARAM_IN, FunctionParameterMode.FUNC_PARAM_DEFAULT):
            return f"has {mode.name.removeprefix('FUNC_PARAM_')} parameters (functions: declares input arguments only)"
        if not p.name:
            return "has an argument without a name (supabase.rpc() calls arguments by name)"
        atype = read_type(RawStream()(p.argType))
        if isinstance(atype, ExpressionProblem):
            return f"argument {p.name}: {atype.message}"
        default = canonical_expression(RawStream()(p.defexpr)) if p.defexpr is not None else None
        arguments.append(Argument(p.name, atype, default))
    returns = read_returns(f.returns)
    if isinstance(returns, ExpressionProblem):
        return f"returns {f.returns}, which functions: cannot say ({returns.message})"
    search_path = _search_path(f.settings)
    if isinstance(search_path, str):
        return search_path
    classification, description = _tagged_comment(f.comment, "returns ")
    return Function(
        name=name,
        arguments=tuple(arguments),
        returns=Returns(returns.sql, returns.setof, returns.type, returns.columns),
        language=f.language,
        body=f.body[1:] if f.body.startswith("\n") else f.body,  # schemac writes the body after a line break
        volatility=f.volatility,
        security_definer=f.security_definer,
        search_path=search_path,
        execute=tuple(r for r in API_ROLES if r in f.execute),
        description=None if description in (None, name) else description,
        classification=classification,
        reads=(),
        pos=pos,
    )


def _search_path(settings: str | None) -> tuple[str, ...] | None | str:
    """proconfig (joined with ', ') as the spec's search_path, or why it cannot be said."""
    if settings is None:
        return None
    if not settings.startswith("search_path=") or re.search(r", \w+=", settings):
        return f"sets {settings} (functions: can fix only search_path)"
    value = settings[len("search_path="):]
    if value in ('""', "''"):
        return ()
    return tuple(part.strip().strip('"') for part in value.split(","))


def _tagged_comment(comment: str | None, prefix: str) -> tuple[str | None, str | None]:
    """(classification, description) from a comment schemac wrote as '[<prefix>label] description'."""
    if comment is None:
        return None, None
    match = re.fullmatch(r"\[" + re.escape(prefix) + r"(?P<label>[^\]]+)\](?: (?P<description>.*))?", comment, re.DOTALL)
    if match is None or match["label"] not in LABELS:
        return None, comment
    return LABELS[match["label"]], match["description"]


TIMINGS = {2: "BEFORE", 64: "INSTEAD OF", 0: "AFTER"}
EVENTS = ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE"))


def trigger_from_catalog(name: str, t: LiveTrigger, table_schema: str, table: str, description: str | None = None) -> Trigger | str:
    """The model of a trigger from its definition (pg_get_triggerdef from the timing keyword on), or why the spec cannot say it."""
    if t.definition.startswith("CONSTRAINT "):
        return "a constraint trigger (triggers: holds plain triggers)"
    try:
        stmt = parser.parse_sql(f"CREATE TRIGGER t {t.definition}")[0].stmt
    except parser.ParseError as exc:
        return f"its definition could not be read ({exc.args[0]})"
    if not isinstance(stmt, ast.CreateTrigStmt):
        return "its definition could not be read"
    timing = TIMINGS.get(stmt.timing & (2 | 64), "AFTER")
    events = tuple(word for bit, word in EVENTS if stmt.events & bit)
    funcname = [n.sval for n in stmt.funcname]
    old_table = new_table = None
    for rel in stmt.transitionRels or ():
        if rel.isNew:
            new_table = rel.name
        else:
            old_table = rel.name
    when = canonical_expression(RawStream()(stmt.whenClause)) if stmt.whenClause is not None else None
    return Trigger(
        name=name,
        timing=timing,
        events=events,
        # a bare name was found on the search_path (public, or pg_catalog's tsvector_update_trigger): pg_proc says which
        function=".".join(funcname) if len(funcname) > 1 else (t.function if t.function.endswith(f".{funcname[0]}") else f"public.{funcname[0]}"),
        level="ROW" if stmt.row else "STATEMENT",
        update_of=tuple(c.sval for c in stmt.columns or ()),
        when=when,
        old_table=old_table,
        new_table=new_table,
        arguments=tuple(a.sval for a in stmt.args or ()),
        description=description,
        table_schema=table_schema,
        table=table,
    )


VIEW_COMMENT = re.compile(r"^(?:(?P<description>.*) )?(?:Materialized view|View); reads with (?:the caller's rights \(security_invoker\)|its owner's rights)\.$", re.DOTALL)


def view_from_catalog(name: str, v: LiveView, pos) -> View | str:
    """The model of a view of public, or why the spec cannot say it. Column types are the catalog's (format_type)."""
    options = set(v.options)
    invoker = "security_invoker=true" in options
    other = sorted(o for o in options if o not in ("security_invoker=true", "security_invoker=false"))
    if other:
        return f"has the option{'s' if len(other) > 1 else ''} {', '.join(other)} (views: can set security_invoker only)"
    query = view_query(v.definition)
    if query is None:
        return "its query could not be read back by PostgreSQL's parser"
    description = v.comment
    match = VIEW_COMMENT.fullmatch(v.comment or "")
    if match is not None:
        description = match["description"]
    columns = []
    for cname, ctype in v.columns:
        classification, cdescription = _tagged_comment(v.column_comments.get(cname), "")
        columns.append(ViewColumn(cname, None, None, SqlType(ctype, ctype), classification or "unclassified", cdescription))
    indexes = []
    for index, tail in v.indexes.items():
        match = re.fullmatch(r"(?P<unique>UNIQUE )?USING btree \((?P<columns>[^()]*)\)", tail)
        if match is None:
            return f"has the index {index} ({tail}), which views: cannot say (btree on columns only)"
        keys = tuple(c.strip().strip('"') for c in match["columns"].split(","))
        indexes.append(Index(index, keys, bool(match["unique"]), None, "btree", None, pos))
    return View(
        name=name,
        query=query,
        materialized=v.materialized,
        security_invoker=invoker,
        columns=tuple(columns),
        description=description,
        select_roles=tuple(r for r in API_ROLES if r in v.select_roles),
        reads=(),
        updatable=False,
        indexes=tuple(indexes),
        pos=pos,
    )


def view_query(definition: str) -> str | None:
    """pg_get_viewdef as one SELECT without its final ';', deparsed as the spec's resolution deparses a query."""
    try:
        statements = parser.parse_sql(definition)
    except parser.ParseError:
        return None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return None
    return RawStream()(statements[0].stmt)
