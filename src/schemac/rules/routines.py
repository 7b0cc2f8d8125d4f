"""Functions: who they run as, and who may call them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .access import phi_tables
from .base import Violation, rule

if TYPE_CHECKING:  # the rules import the model only when they run (schemac --help loads none of the pipeline)
    from ..model import Schema


@rule("SC140", "a SECURITY DEFINER function fixes its search_path", "error")
def definer_search_path(schema: Schema) -> Iterator[Violation]:
    """A definer function resolves unqualified names in the caller's search_path, so a caller could slip in their own objects."""
    for f in schema.functions:
        if f.security_definer and f.search_path is None:
            yield Violation(
                f.at("security"),
                f.name,
                None,
                f"function '{f.name}' is SECURITY DEFINER (it runs with its owner's rights) but its search_path is not fixed, so a caller "
                "could make an unqualified name resolve to their own object; add 'search_path: []' and schema-qualify every name in the body",
            )


@rule("SC141", "no function anon may execute reads a PHI table", "error")
def anon_function_phi(schema: Schema) -> Iterator[Violation]:
    """A function is called around the table's grants; anon (not signed in) must not reach PHI through one."""
    phi = phi_tables(schema)
    for f in schema.functions:
        if not ({"anon", "public"} & set(f.execute)):
            continue
        for table_schema, table in f.reads:
            if table_schema == "public" and table in phi:
                who = "anon" if "anon" in f.execute else "public (which includes anon)"
                yield Violation(
                    f.at("grant_execute"),
                    f.name,
                    None,
                    f"function '{f.name}' may be executed by {who} and its body reads '{table}', which {phi[table]}; "
                    "remove anon from 'grant_execute' (e.g. grant_execute: [authenticated])",
                )
                break


USER_ROLES = ("anon", "authenticated", "public")


@rule("SC142", "a view that reads a table with row level security reads it with the caller's rights", "error")
def view_security_invoker(schema: Schema) -> Iterator[Violation]:
    """A view runs as its owner by default, and the owner bypasses row level security: every row would be visible."""
    rls_tables = {t.name for t in schema.tables if t.rls}
    for v in schema.views:
        if v.materialized or v.security_invoker or not set(v.select_roles) & set(USER_ROLES):
            continue
        read = [t for s, t in v.reads if s == "public" and t in rls_tables]
        if read:
            yield Violation(
                v.at("security_invoker"),
                v.name,
                None,
                f"view '{v.name}' reads '{read[0]}', which has row level security, with its owner's rights, so {', '.join(r for r in v.select_roles if r in USER_ROLES)} "
                "would see every row the policies hide; add 'security_invoker: true'",
            )


@rule("SC143", "no view shows PHI to users without the policies deciding", "error")
def view_phi_exposure(schema: Schema) -> Iterator[Violation]:
    """A materialized view (or a view run with its owner's rights) is not filtered by any policy: PHI in it reaches every grantee."""
    for v in schema.views:
        if v.security_invoker and not v.materialized:
            continue
        users = [r for r in v.select_roles if r in USER_ROLES]
        phi = [c.name for c in v.columns if c.classification == "phi"]
        if users and phi:
            kind = "materialized view" if v.materialized else "view run with its owner's rights"
            yield Violation(
                v.at("grant_select"),
                v.name,
                None,
                f"{kind} '{v.name}' shows PHI ({', '.join(phi)}) to {', '.join(users)} with no row level security deciding which rows; "
                "leave the PHI columns out, grant SELECT to service_role only, or use a security_invoker view",
            )
