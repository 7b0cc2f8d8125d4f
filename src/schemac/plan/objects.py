"""The differ's part for functions, the `triggers:` section, views, realtime and `sql:` blocks.

Called by diff.diff_schemas after the tables are compared, because what these objects need
follows from the table changes: a view over a table whose columns are dropped, retyped or
renamed is dropped before and created again after (PostgreSQL refuses to change a column a
view uses), and so is every view over such a view. A function whose arguments or return type
change is dropped and created again (CREATE OR REPLACE cannot change them), and the triggers,
policies and views that use it go and come back around it. Anything else that changes in a
function is CREATE OR REPLACE, which keeps its grants, comment and dependents.

`sql:` blocks cannot be diffed: a new block, or one whose text changed, is written into the
next migration whole and runs again (blocks are to be re-runnable: CREATE OR REPLACE, IF NOT
EXISTS, DROP ... IF EXISTS). A removed block writes nothing: schemac cannot know how to undo
hand-written SQL, and verify then reports what the block created as extra until a block drops it.
"""

from __future__ import annotations

from functools import lru_cache

from pglast import ast, parser

from ..model import Function, Policy, Schema, Table, Trigger, View
from . import changes as ch


def diff_objects(current: Schema, desired: Schema, current_tables: dict[str, Table], changes: list) -> list:
    """The changes for functions, section triggers, views, realtime and sql: blocks; `changes` are the table changes so far
    (read, and extended with the policies a re-created function makes re-created)."""
    out: list = []
    recreated = _diff_functions(current, desired, out)
    _recreate_policies(recreated, desired, changes, out)
    dropped_views = _diff_views(current, desired, recreated, changes, out)
    _diff_triggers(current, desired, recreated, changes, out, dropped_views)
    _diff_realtime(current_tables, desired, out)
    _diff_sql_blocks(current, desired, out)
    return out


# ---------------------------------------------------------------- functions


def _signature(f: Function) -> tuple:
    """What CREATE OR REPLACE cannot change: argument names, types and defaults, and the return type."""
    return (tuple((a.name, a.type.sql, a.default) for a in f.arguments), f.returns)


def _definition(f: Function) -> tuple:
    """What CREATE OR REPLACE changes in place."""
    return (f.language, f.body, f.volatility, f.security_definer, f.search_path)


def _diff_functions(current: Schema, desired: Schema, out: list) -> set[str]:
    """Function changes; returns the names of the functions dropped and created again."""
    from ..emit.routines import function_comment

    cur = {f.name: f for f in current.functions}
    recreated: set[str] = set()
    for f in desired.functions:
        old = cur.get(f.name)
        if old is None:
            out.append(ch.CreateFunction(f))
            continue
        if _signature(old) != _signature(f):
            out.append(ch.RecreateFunction(old, f))
            recreated.add(f.name)
            continue
        if _definition(old) != _definition(f):
            out.append(ch.ReplaceFunction(f))
        if old.execute != f.execute:
            out.append(ch.SetFunctionGrants(f))
        if function_comment(old) != function_comment(f):
            out.append(ch.SetFunctionComment(f))
    wanted = {f.name for f in desired.functions}
    for f in current.functions:
        if f.name not in wanted:
            out.append(ch.DropFunction(f))
            recreated.add(f.name)  # what uses it must go first (and fails to come back, as it should)
    return recreated


@lru_cache(maxsize=4096)
def called_functions(sql: str, expression: bool = False) -> frozenset[str]:
    """Names of the functions a query (or, with `expression`, an SQL expression) calls, unqualified or in public."""
    try:
        statements = parser.parse_sql(f"SELECT ({sql})" if expression else sql)
    except parser.ParseError:
        return frozenset()
    names: set[str] = set()
    for raw in statements:
        for node in _walk(raw.stmt):
            if isinstance(node, ast.FuncCall):
                parts = [p.sval for p in node.funcname]
                if len(parts) == 1 or parts[0] == "public":
                    names.add(parts[-1])
    return frozenset(names)


def _walk(node):
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for slot in type(node).__slots__:
            yield from _walk(getattr(node, slot))


def _policy_calls(p: Policy, names: set[str]) -> bool:
    return any(text is not None and called_functions(text, expression=True) & names for text in (p.using, p.with_check))


def _recreate_policies(recreated: set[str], desired: Schema, changes: list, out: list) -> None:
    """A policy calling a function that is dropped and created again goes before and comes back after."""
    if not recreated:
        return
    dropped = {(c.table, c.policy.name) for c in changes if isinstance(c, ch.DropPolicy)}
    added = {(c.table, c.policy.name) for c in changes if isinstance(c, ch.AddPolicy)}
    new_tables = {c.table.name for c in changes if isinstance(c, ch.AddTable)}
    for t in desired.tables:
        if t.name in new_tables:
            continue
        for p in t.policies:
            if _policy_calls(p, recreated) and (t.name, p.name) not in dropped | added:
                changes.append(ch.DropPolicy(t.name, p))
                changes.append(ch.AddPolicy(t.name, p))


# ---------------------------------------------------------------- views


def _columns(v: View) -> tuple[tuple[str, str], ...]:
    return tuple((c.name, c.type_sql) for c in v.columns)


def _comments(v: View) -> tuple:
    from ..emit.views import view_column_comment, view_comment

    return (view_comment(v), tuple((c.name, view_column_comment(c, v.classification_tag)) for c in v.columns))


def _touched_relations(changes: list) -> set[str]:
    """Tables whose columns a view may use and that change shape: renamed, dropped, or with a column dropped, renamed or retyped."""
    touched: set[str] = set()
    for c in changes:
        if isinstance(c, (ch.DropColumn, ch.RenameColumn, ch.AlterColumnType, ch.SetGenerated, ch.DropGenerated)):
            touched.add(c.table)
        elif isinstance(c, ch.DropTable):
            touched.add(c.table.name)
        elif isinstance(c, ch.RenameTable):
            touched |= {c.old, c.new}
    return touched


def _order(views: list[View], names: set[str]) -> list[View]:
    """`views` with each after the views of `names` it reads (the spec allows a view to read only earlier views, but a state
    may list them in another order)."""
    done: set[str] = set()
    ordered: list[View] = []
    pending = list(views)
    while pending:
        progress = False
        for v in list(pending):
            needs = {rel for schema, rel in v.reads if schema == "public" and rel in names and rel != v.name}
            if needs <= done:
                ordered.append(v)
                done.add(v.name)
                pending.remove(v)
                progress = True
        if not progress:  # a cycle cannot exist in a database; keep the given order
            ordered += pending
            break
    return ordered


def _diff_views(current: Schema, desired: Schema, recreated_functions: set[str], changes: list, out: list) -> set[str]:
    """View changes; returns the views dropped (and perhaps created again), whose triggers go with them."""
    cur = {v.name: v for v in current.views}
    des = {v.name: v for v in desired.views}
    touched = _touched_relations(changes)
    rebuilt: set[str] = set()  # dropped and created again (or only dropped)
    replaced: set[str] = set()
    for name, old in cur.items():
        new = des.get(name)
        reads = {rel for schema, rel in old.reads if schema == "public"}
        if new is None or old.materialized != new.materialized or reads & touched or called_functions(old.query) & recreated_functions:
            rebuilt.add(name)
        elif old.query != new.query or _columns(old) != _columns(new):
            if not new.materialized and _columns(new)[: len(old.columns)] == _columns(old):
                replaced.add(name)
            else:
                rebuilt.add(name)
    # a view reading a rebuilt view is rebuilt too (PostgreSQL refuses to drop a view others depend on)
    grew = True
    while grew:
        grew = False
        for name, old in cur.items():
            if name not in rebuilt and any(schema == "public" and rel in rebuilt for schema, rel in old.reads):
                rebuilt.add(name)
                replaced.discard(name)
                grew = True
    for v in reversed(_order([cur[n] for n in cur if n in rebuilt], set(cur))):
        out.append(ch.DropView(v))
    for v in _order(list(desired.views), set(des)):
        old = cur.get(v.name)
        if old is None or v.name in rebuilt:
            out.append(ch.CreateView(v))
            continue
        if v.name in replaced:
            out.append(ch.ReplaceView(v))
        if old.security_invoker != v.security_invoker and not v.materialized:
            out.append(ch.SetViewOptions(v))
        if old.select_roles != v.select_roles:
            out.append(ch.SetViewGrants(v))
        if _comments(old) != _comments(v):
            out.append(ch.SetViewComments(v))
        old_ix = {ix.name: ix for ix in old.indexes}
        new_ix = {ix.name: ix for ix in v.indexes}
        for n, ix in old_ix.items():
            if new_ix.get(n) != ix:
                out.append(ch.DropViewIndex(v.name, ix))
        for n, ix in new_ix.items():
            if old_ix.get(n) != ix:
                out.append(ch.AddViewIndex(v.name, ix))
    return rebuilt


# ---------------------------------------------------------------- triggers of the `triggers:` section


def trigger_table(t: Trigger) -> str:
    """How the trigger's changes name its table: bare in public, schema-qualified elsewhere (auth.users)."""
    return t.table if t.table_schema == "public" else t.table_qualified


def _trigger_definition(t: Trigger) -> tuple:
    return (t.timing, t.events, t.function, t.level, t.update_of, t.when, t.old_table, t.new_table, t.arguments)


def _diff_triggers(current: Schema, desired: Schema, recreated_functions: set[str], changes: list, out: list, dropped_views: set[str] = frozenset()) -> None:
    """Section triggers; those on a view that is dropped go with it (and come back when it is created again)."""
    renamed = {c.old: c.new for c in changes if isinstance(c, ch.RenameTable)}
    dropped_tables = {c.table.name for c in changes if isinstance(c, ch.DropTable)}
    cur: dict[tuple[str, str, str], Trigger] = {}
    for t in current.triggers:
        table = renamed.get(t.table, t.table) if t.table_schema == "public" else t.table
        cur[(t.table_schema, table, t.name)] = t
    des = {(t.table_schema, t.table, t.name): t for t in desired.triggers}
    for key, old in cur.items():
        new = des.get(key)
        if old.table_schema == "public" and (old.table in dropped_tables or old.table in dropped_views):
            continue  # goes with its table or view
        if new is None or _trigger_definition(new) != _trigger_definition(old) or old.function.split(".")[-1] in recreated_functions:
            out.append(ch.DropTrigger(trigger_table(old) if key[1] == old.table else key[1], old))
    for key, new in des.items():
        old = cur.get(key)
        rebuilt_view = new.table_schema == "public" and new.table in dropped_views
        if old is None or rebuilt_view or _trigger_definition(new) != _trigger_definition(old) or new.function.split(".")[-1] in recreated_functions:
            out.append(ch.AddTrigger(trigger_table(new), new))
        elif (old.description or None) != (new.description or None):
            out.append(ch.SetTriggerComment(trigger_table(new), new))


# ---------------------------------------------------------------- realtime


def _diff_realtime(current_tables: dict[str, Table], desired: Schema, out: list) -> None:
    """Replica identity and supabase_realtime membership; a new table starts at PostgreSQL's defaults (DEFAULT, not published)."""
    for t in desired.tables:
        old = current_tables.get(t.name)
        identity = old.replica_identity if old is not None else "default"
        published = old.realtime if old is not None else False
        if identity != t.replica_identity:
            out.append(ch.SetReplicaIdentity(t.name, t.replica_identity))
        if published != t.realtime:
            out.append(ch.SetRealtime(t.name, t.realtime))


# ---------------------------------------------------------------- sql: blocks


def _diff_sql_blocks(current: Schema, desired: Schema, out: list) -> None:
    cur = {b.name: b for b in current.sql_blocks}
    for b in desired.sql_blocks:
        old = cur.get(b.name)
        if old is None or old.sql != b.sql:
            out.append(ch.RunSqlBlock(b, again=old is not None))
