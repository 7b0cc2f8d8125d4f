"""Functions: who they run as, and who may call them."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Schema
from .access import phi_tables
from .base import Violation, rule


@rule("SC130", "a SECURITY DEFINER function fixes its search_path", "error")
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


@rule("SC131", "no function anon may execute reads a PHI table", "error")
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
