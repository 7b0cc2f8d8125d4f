"""Every built-in rule, by code. SC100 is the engine's own: a waiver that matches nothing."""

from __future__ import annotations

from . import access, classification, column_types, documentation, keys, routines
from .base import Rule

UNUSED_WAIVER = Rule("SC100", "every waiver matches a finding", "warning", lambda schema: ())

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            UNUSED_WAIVER,
            keys.uuid_primary_key,
            column_types.timestamptz_only,
            column_types.row_timestamp_defaults,
            column_types.text_not_varchar,
            classification.log_free_form,
            classification.table_classified,
            classification.phi_encrypted,
            classification.log_without_phi,
            access.rls_enabled,
            access.phi_policies,
            access.no_anon_phi,
            access.phi_operations_explained,
            keys.user_reference_foreign_key,
            keys.foreign_key_index,
            keys.identity_not_serial,
            documentation.described,
            documentation.retention_stated,
            routines.definer_search_path,
            routines.anon_function_phi,
            routines.view_security_invoker,
            routines.view_phi_exposure,
        ),
        key=lambda r: r.code,
    )
)
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
