"""The `functions:` section resolved into model Functions.

Types, the return type, argument defaults and the body are each read by PostgreSQL's
parser (see bodies.py and expressions.py), so every mistake is reported at its place
in schema.yaml, all at once.
"""

from __future__ import annotations

from ..model import Argument, Function, Returns, Table
from ..spec.language import FunctionSpec
from ..sqltext import quote_ident
from .bodies import read_body, read_returns, read_type
from .expressions import ARGUMENT_DEFAULT, ExpressionProblem, Scope
from .problems import Problems

DEFAULT_EXECUTE = ("authenticated", "service_role")
CLASSIFICATION_ORDER = ("phi", "administrative", "public_social")  # strictest first


def build_functions(specs: dict[str, FunctionSpec], tables: dict[str, Table], problems: Problems) -> tuple[Function, ...]:
    functions = []
    for name, spec in specs.items():
        function = _build_function(name, spec, tables, problems)
        if function is not None:
            functions.append(function)
    return tuple(functions)


def _problem(problems: Problems, path: tuple, text: str, problem: ExpressionProblem) -> None:
    problems.add_in_value(path, text, problem.offset, problem.message)


def _build_function(name: str, spec: FunctionSpec, tables: dict[str, Table], problems: Problems) -> Function | None:
    path = ("functions", name)
    ok = problems.name(path, name, "function")
    if name in tables:
        problems.add(path, f"'{name}' is also a table; PostgREST would not know which one `{name}` means: rename the function")
        ok = False
    arguments: list[Argument] = []
    seen: set[str] = set()
    defaulted = False
    for i, arg in enumerate(spec.arguments):
        apath = path + ("arguments", i)
        ok = problems.name(apath + ("name",), arg.name, "argument") and ok
        if arg.name in seen:
            problems.add(apath + ("name",), f"argument '{arg.name}' is listed twice; give each argument its own name")
            ok = False
        seen.add(arg.name)
        atype = read_type(arg.type)
        if isinstance(atype, ExpressionProblem):
            _problem(problems, apath + ("type",), arg.type, atype)
            ok = False
            continue
        default = None
        if arg.default is not None:
            default = problems.expression(apath + ("default",), arg.default, ARGUMENT_DEFAULT, Scope())
            ok = ok and default is not None
            defaulted = True
        elif defaulted:
            problems.add(apath, f"argument '{arg.name}' follows one with a default, so it needs a default too (PostgreSQL requires it)")
            ok = False
        arguments.append(Argument(arg.name, atype, default))
    returns = read_returns(spec.returns)
    if isinstance(returns, ExpressionProblem):
        _problem(problems, path + ("returns",), spec.returns, returns)
        return None
    model_returns = Returns(returns.sql, returns.setof, returns.type, returns.columns)
    if model_returns.trigger and spec.arguments:
        problems.add(path + ("arguments",), "a trigger function takes no declared arguments; pass values with the trigger's 'arguments:' (TG_ARGV)")
        ok = False
    if spec.security == "definer" and spec.search_path is None:
        pass  # lint SC140 reports it, so a project may waive it
    for i, schema in enumerate(spec.search_path or ()):
        ok = problems.name(path + ("search_path", i), schema, "schema") and ok
    header = (
        f"CREATE FUNCTION public.{quote_ident(name)}("
        + ", ".join(f"{quote_ident(a.name)} {a.type.sql}" for a in arguments)
        + f") RETURNS {model_returns.sql} LANGUAGE {spec.language}"
    )
    body = read_body(spec.body, spec.language, header)
    if isinstance(body, ExpressionProblem):
        _problem(problems, path + ("body",), spec.body, body)
        return None
    if not ok:
        return None
    reads = tuple(dict.fromkeys((s or "public", t) for s, t in body.relations))
    execute = tuple(spec.grant_execute) if spec.grant_execute is not None else (() if model_returns.trigger else DEFAULT_EXECUTE)
    return Function(
        name=name,
        arguments=tuple(arguments),
        returns=model_returns,
        language=spec.language,
        body=spec.body,
        volatility=spec.volatility.upper(),
        security_definer=spec.security == "definer",
        search_path=tuple(spec.search_path) if spec.search_path is not None else None,
        execute=tuple(dict.fromkeys(execute)),
        description=spec.description,
        classification=spec.classification or _derived_classification(reads, tables),
        reads=reads,
        pos=problems.loaded.pos(path),
        keys=problems.keys(path, spec),
    )


def _derived_classification(reads: tuple[tuple[str, str], ...], tables: dict[str, Table]) -> str | None:
    """The strictest classification among the tables the body reads (PHI in, PHI out)."""
    found = {c for schema, t in reads if schema == "public" and t in tables for c in tables[t].classifications}
    return next((c for c in CLASSIFICATION_ORDER if c in found), None)
