"""Functions and the `triggers:` section in the migration: model in, SQL text out.

Bodies go in verbatim, dollar-quoted with a tag that does not occur in them. EXECUTE is
revoked from PUBLIC and every API role, then granted to exactly the roles the spec names,
so the result does not depend on the database's default privileges (Supabase grants
EXECUTE on new functions in public to anon, authenticated and service_role).
"""

from __future__ import annotations

from ..model import CLASSIFICATION_LABELS, Function, Schema, Table, Trigger
from ..resolve.bodies import dollar_quote
from ..resolve.expressions import sql_string
from ..sqltext import qualified, quote_ident, quote_literal

API_ROLES = ("anon", "authenticated", "service_role")


def function_sql_name(function: Function, schema: str = "public") -> str:
    """The function's name with its argument types, as GRANT and COMMENT name it."""
    return f"{qualified(schema, function.name)}(" + ", ".join(a.type.sql for a in function.arguments) + ")"


def create_function_sql(function: Function, schema: str = "public") -> str:
    """CREATE OR REPLACE FUNCTION; verify passes schema='pg_temp' to build the expected one."""
    args = ", ".join(
        f"{quote_ident(a.name)} {a.type.sql}" + (f" DEFAULT {a.default}" if a.default is not None else "") for a in function.arguments
    )
    lines = [
        f"CREATE OR REPLACE FUNCTION {qualified(schema, function.name)}({args})",
        f"RETURNS {function.returns.sql}",
        f"LANGUAGE {function.language}",
        function.volatility,
        "SECURITY DEFINER" if function.security_definer else "SECURITY INVOKER",
    ]
    if function.search_path is not None:
        lines.append("SET search_path = " + (", ".join(quote_ident(s) for s in function.search_path) or "''"))
    body = function.body if function.body.endswith("\n") else function.body + "\n"
    quoted = dollar_quote("\n" + body)
    return "\n".join(lines) + f"\nAS {quoted};"


def function_grants_sql(function: Function, schema: str = "public") -> list[str]:
    """REVOKE from everyone, then GRANT EXECUTE to the spec's roles."""
    name = function_sql_name(function, schema)
    out = [f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC, {', '.join(API_ROLES)};"]
    if function.execute:
        out.append(f"GRANT EXECUTE ON FUNCTION {name} TO {', '.join('PUBLIC' if r == 'public' else r for r in function.execute)};")
    return out


def function_comment(function: Function) -> str | None:
    """COMMENT ON FUNCTION: the classification of what it returns first, then the description (None: nothing to say)."""
    tag = f"[returns {CLASSIFICATION_LABELS.get(function.classification, function.classification)}]" if function.classification else ""
    return " ".join(p for p in (tag, " ".join((function.description or "").split())) if p) or None


def function_comment_sql(function: Function, schema: str = "public") -> list[str]:
    comment = function_comment(function)
    return [] if comment is None else [f"COMMENT ON FUNCTION {function_sql_name(function, schema)} IS {quote_literal(comment)};"]


def render_function(function: Function) -> str:
    head = f"-- function {function.name}" + (f": {function.description.strip().splitlines()[0]}" if function.description and function.description.strip() else "")
    return "\n".join(
        [
            head,
            create_function_sql(function),
            *function_grants_sql(function),
            *function_comment_sql(function),
        ]
    ) + "\n"


def trigger_comment(trigger: Trigger) -> str | None:
    return " ".join(trigger.description.split()) if trigger.description else None


def render_trigger(table: Table | None, trg: Trigger, on: str | None = None, name: str | None = None) -> str:
    """CREATE OR REPLACE TRIGGER for the migration; verify passes `on`/`name` to build the same trigger on a temporary table."""
    fschema, fname = trg.function.split(".")
    events = []
    for event in trg.events:
        if event == "UPDATE" and trg.update_of:
            event += " OF " + _idents(trg.update_of)
        events.append(event)
    s = f"CREATE OR REPLACE TRIGGER {quote_ident(name or trg.name)} {trg.timing} {' OR '.join(events)} ON {on or qualified(table.schema, table.name)}"
    referencing = []
    if trg.old_table:
        referencing.append(f"OLD TABLE AS {quote_ident(trg.old_table)}")
    if trg.new_table:
        referencing.append(f"NEW TABLE AS {quote_ident(trg.new_table)}")
    if referencing:
        s += " REFERENCING " + " ".join(referencing)
    s += f" FOR EACH {trg.level}"
    if trg.when is not None:
        s += f" WHEN ({trg.when})"
    args = ", ".join(sql_string(a) for a in trg.arguments)
    return s + f" EXECUTE FUNCTION {qualified(fschema, fname)}({args});"


def _idents(names: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def render_spec_trigger(trigger: Trigger) -> str:
    on = qualified(trigger.table_schema, trigger.table)
    out = [f"-- trigger {trigger.name} on {trigger.table_qualified}", render_trigger(None, trigger, on=on)]
    if (comment := trigger_comment(trigger)) is not None:
        out.append(f"COMMENT ON TRIGGER {quote_ident(trigger.name)} ON {on} IS {quote_literal(comment)};")
    return "\n".join(out) + "\n"


def render_routines(schema: Schema) -> list[str]:
    """Every function, then the views (which may call them), then every trigger of the `triggers:` section."""
    from .views import render_views  # views.py does not depend on this module

    out = [render_function(f) for f in schema.functions]
    out += render_views(schema.views)
    out += [render_spec_trigger(t) for t in schema.triggers]
    return out
