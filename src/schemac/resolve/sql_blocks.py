"""The `sql:` section: hand-written SQL for what the spec cannot say.

Each block is parsed by PostgreSQL's parser at compile time (an error is positioned inside
it) and kept verbatim in the migration. Transaction control is refused, so a block cannot
end the migration's transaction early. The parse also says which objects the block creates,
so verify neither reports them as extra nor leaves them unchecked.
"""

from __future__ import annotations

from pglast import ast, parser

from ..model import SqlBlock
from ..spec.language import SqlBlockSpec
from .problems import Problems


def build_sql_blocks(specs: dict[str, SqlBlockSpec], problems: Problems) -> tuple[SqlBlock, ...]:
    blocks = []
    for name, spec in specs.items():
        path = ("sql", name)
        if not problems.name(path, name, "sql block"):
            continue
        text = spec.sql
        if "\x00" in text or not text.strip():
            problems.add(path + ("sql",), "the block must hold SQL statements (and no NUL character)")
            continue
        try:
            statements = parser.parse_sql(text)
        except parser.ParseError as exc:
            location = exc.args[1] if len(exc.args) > 1 and exc.args[1] is not None else len(text)
            problems.add_in_value(path + ("sql",), text, min(location, len(text)), f"SQL syntax error: {exc.args[0]}; fix it at this point")
            continue
        creates: list[tuple[str, str]] = []
        ok = True
        first = all(isinstance(raw.stmt, RUN_FIRST) for raw in statements)
        for raw in statements:
            if isinstance(raw.stmt, ast.TransactionStmt):
                problems.add_in_value(path + ("sql",), text, raw.stmt_location, "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) cannot be used here: the whole migration is one transaction")
                ok = False
            creates += created_objects(raw.stmt)
        if ok:
            blocks.append(SqlBlock(name, text, spec.description, tuple(dict.fromkeys(creates)), problems.loaded.pos(path), first))
    return tuple(blocks)


# Statements a block may hold and still run before the tables: what a column's type or default can use
RUN_FIRST = (
    ast.CreateSeqStmt, ast.AlterSeqStmt, ast.CreateEnumStmt, ast.CreateDomainStmt, ast.CompositeTypeStmt, ast.CreateRangeStmt,
    ast.CreateSchemaStmt, ast.CreateExtensionStmt,
)


def created_objects(stmt: ast.Node) -> list[tuple[str, str]]:
    """The (kind, name) of what a statement creates in public, as verify names the live objects."""
    if isinstance(stmt, ast.CreateFunctionStmt):
        return [("function", stmt.funcname[-1].sval)]
    if isinstance(stmt, ast.ViewStmt):
        return [("view", stmt.view.relname)]
    if isinstance(stmt, ast.CreateTableAsStmt) and stmt.into is not None:
        return [("view", stmt.into.rel.relname)]  # CREATE MATERIALIZED VIEW
    if isinstance(stmt, ast.CreateTrigStmt):
        return [("trigger", f"{stmt.relation.relname}.{stmt.trigname}")]
    if isinstance(stmt, ast.IndexStmt) and stmt.idxname:
        return [("index", f"{stmt.relation.relname}.{stmt.idxname}")]
    if isinstance(stmt, ast.CreatePolicyStmt):
        return [("policy", f"{stmt.table.relname}.{stmt.policy_name}")]
    if isinstance(stmt, ast.CreateSeqStmt):
        return [("other", stmt.sequence.relname)]
    if isinstance(stmt, (ast.CreateEnumStmt, ast.CreateDomainStmt)):
        return [("other", stmt.typeName[-1].sval if isinstance(stmt, ast.CreateEnumStmt) else stmt.domainname[-1].sval)]
    if isinstance(stmt, ast.CompositeTypeStmt):
        return [("other", stmt.typevar.relname)]
    if isinstance(stmt, ast.CreateStmt):
        return [("table", stmt.relation.relname)]
    return []
