"""Access: RLS on every table, and policies on every table that holds or links to PHI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Violation, rule

if TYPE_CHECKING:  # the CLI reads the registry at start-up (lint's help lists the rules): no model import
    from ..model import Schema, Table

USER_ROLES = ("anon", "authenticated", "public")


def phi_tables(schema: Schema) -> dict[str, str]:
    """Tables that hold PHI or reach a PHI table through foreign keys, each with the reason.

    A row linking a doctor to a patient (a conversation, an appointment) reveals a
    care relationship, so such tables are protected like the PHI they point at.
    """
    from ..model import classification_label  # at run time: importing the rules must not import the model

    by_name = {t.name: t for t in schema.tables}
    label = classification_label(schema.most_sensitive)
    reason = {t.name: f"holds {label}" for t in schema.tables if schema.most_sensitive in t.classifications}
    changed = True
    while changed:
        changed = False
        for t in schema.tables:
            if t.name in reason:
                continue
            for fk in t.foreign_keys:
                if schema.owns(fk) and fk.ref_table in reason and fk.ref_table in by_name:
                    reason[t.name] = f"links to {label} table {fk.ref_table}"
                    changed = True
                    break
    return reason


@rule("SC109", "row level security is enabled on every table", "error")
def rls_enabled(schema: Schema) -> Iterator[Violation]:
    for t in schema.tables:
        if not t.rls:
            yield Violation(t.at("rls"), t.name, None, f"table '{t.name}' turns row level security off; remove its 'rls:' key (or write 'rls: true'): service_role bypasses RLS for backend jobs")


@rule("SC110", "a table with PHI has a policy for each operation its users perform", "error")
def phi_policies(schema: Schema) -> Iterator[Violation]:
    for name, why in phi_tables(schema).items():
        t = schema.table(name)
        missing = [op for op in t.user_operations if not _covered(t, op)]
        if missing:
            ops = ", ".join(missing)
            yield Violation(t.at("user_operations"), name, None, f"table '{name}' {why} but no policy lets its users {ops}; add a policy with 'for: [{ops}]' (e.g. 'owner: doctor_id'), or, if only service_role does that, drop them from the table's 'user_operations' and say why in 'user_operations_reason'")


@rule("SC111", "no policy opens a PHI table to anon", "error")
def no_anon_phi(schema: Schema) -> Iterator[Violation]:
    for name in phi_tables(schema):
        for p in schema.table(name).policies:
            if "anon" in p.roles or "public" in p.roles:
                yield Violation(p.at("to"), name, None, f"policy '{p.name}' on '{name}' applies to {'anon' if 'anon' in p.roles else 'public (which includes anon)'}; PHI is for signed-in users only: set 'to: [authenticated]'")


@rule("SC116", "a table with PHI says why its users leave operations out", "error")
def phi_operations_explained(schema: Schema) -> Iterator[Violation]:
    """Leaving an operation out of user_operations silences SC110 for it, so the spec must say who does it instead."""
    from ..model import USER_OPERATIONS

    for name, why in phi_tables(schema).items():
        t = schema.table(name)
        left_out = [op for op in USER_OPERATIONS if op not in t.user_operations]
        if left_out and not t.user_operations_reason:
            yield Violation(t.at("user_operations"), name, None, f"table '{name}' {why} and its 'user_operations' leaves out {', '.join(left_out)} without saying why; add 'user_operations_reason:' saying who does that instead (e.g. the backend as service_role); reviewers read it in DATA_INVENTORY.md")


def _covered(table: Table, op: str) -> bool:
    return any(p.command in (op, "all") and any(r in USER_ROLES for r in p.roles) for p in table.policies)
