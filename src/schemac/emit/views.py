"""Views and materialized views in the migration: model in, SQL text out.

The query is the parser's deparsed form (resolve/views.py), so it is one SELECT and
nothing more. SELECT is revoked from PUBLIC and every API role, then granted to the
roles the spec names (Supabase's default privileges grant everything on new relations
in public to anon, authenticated and service_role).
"""

from __future__ import annotations

from ..model import CLASSIFICATION_LABELS, Index, View, ViewColumn
from ..sqltext import qualified, quote_ident, quote_literal

API_ROLES = ("anon", "authenticated", "service_role")


def create_view_sql(view: View, name_sql: str | None = None, temporary: bool = False) -> str:
    """CREATE OR REPLACE VIEW / CREATE MATERIALIZED VIEW; verify passes a temporary name to build the expected one."""
    name = name_sql or qualified("public", view.name)
    if view.materialized and not temporary:
        return f"CREATE MATERIALIZED VIEW IF NOT EXISTS {name} AS\n{view.query}\nWITH DATA;"
    options = " WITH (security_invoker = true)" if view.security_invoker else ""
    kind = "TEMPORARY VIEW" if temporary else "VIEW"
    return f"CREATE OR REPLACE {kind} {name}{options} AS\n{view.query};"


def view_kind(view: View) -> str:
    return "MATERIALIZED VIEW" if view.materialized else "VIEW"


def view_grants_sql(view: View) -> list[str]:
    name = qualified("public", view.name)
    out = [f"REVOKE ALL ON {name} FROM PUBLIC, {', '.join(API_ROLES)};"]
    if view.select_roles:
        out.append(f"GRANT SELECT ON {name} TO {', '.join('PUBLIC' if r == 'public' else r for r in view.select_roles)};")
    return out


def view_comment(view: View) -> str | None:
    """The view's description, then what it is and with whose rights it reads; None without a description."""
    if not (view.description or "").strip():
        return None
    kind = "Materialized view" if view.materialized else "View"
    access = "reads with the caller's rights (security_invoker)" if view.security_invoker else "reads with its owner's rights"
    described = " ".join((view.description or "").split())
    return (f"{described} " if described else "") + f"{kind}; {access}."


def view_column_comment(column: ViewColumn, placement: str = "start") -> str | None:
    """The classification tag, then the description (with placement 'none': the description verbatim, None without one)."""
    if placement == "none" or column.classification == "unclassified":
        return " ".join(column.description.split()) if column.description else None
    tag = f"[{CLASSIFICATION_LABELS.get(column.classification, column.classification)}]"
    return f"{tag} {' '.join(column.description.split())}" if column.description else tag


def view_index_sql(view: View, ix: Index, on: str | None = None, name: str | None = None) -> str:
    unique = "UNIQUE " if ix.unique else ""
    cols = ", ".join(quote_ident(c) for c in ix.columns)
    return f"CREATE {unique}INDEX IF NOT EXISTS {quote_ident(name or ix.name)} ON {on or qualified('public', view.name)} USING {ix.using} ({cols});"


def render_view(view: View) -> str:
    name = qualified("public", view.name)
    head = f"-- {view_kind(view).lower()} {view.name}" + (f": {view.description.strip().splitlines()[0]}" if view.description and view.description.strip() else "")
    out = [head, create_view_sql(view)]
    out += [view_index_sql(view, ix) for ix in view.indexes]
    out += view_grants_sql(view)
    out += view_comments_sql(view)
    return "\n".join(out) + "\n"


def view_comments_sql(view: View) -> list[str]:
    """COMMENT ON the view and its columns; a comment with nothing to say is not written (or, `reset`, set to NULL)."""
    name = qualified("public", view.name)
    out = []
    if (comment := view_comment(view)) is not None:
        out.append(f"COMMENT ON {view_kind(view)} {name} IS {quote_literal(comment)};")
    for c in view.columns:
        if (text := view_column_comment(c, view.classification_tag)) is not None:
            out.append(f"COMMENT ON COLUMN {name}.{quote_ident(c.name)} IS {quote_literal(text)};")
    return out


def render_views(views: tuple[View, ...]) -> list[str]:
    return [render_view(v) for v in views]
