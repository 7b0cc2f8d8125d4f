"""Rule profiles: which rules a spec's `profile:` turns on, and how severe each is.

The phi profile is the clinic's: every rule at its own default severity. The general
profile keeps the rules that are good practice for any PostgreSQL/Supabase schema and
leaves out those written for protected health information; none turns every rule off.
A spec's `lint.severity` still overrides a profile, rule by rule.
"""

from __future__ import annotations

# Severities the general profile gives; a rule not listed is off there.
GENERAL_SEVERITIES: dict[str, str] = {
    "SC100": "warning",  # stale waivers
    "SC102": "warning",  # timestamp without time zone
    "SC103": "warning",  # created_at / updated_at shape
    "SC109": "warning",  # RLS on every table
    "SC113": "warning",  # foreign keys covered by an index
    "SC115": "warning",  # retention stated where the most sensitive class is held
    "SC130": "warning",  # identity rather than serial for new keys
}


def profile_severity(profile: str, code: str, default: str) -> str:
    """The severity of rule `code` under `profile`, before the spec's own overrides."""
    if profile == "phi":
        return default
    if profile == "general":
        return GENERAL_SEVERITIES.get(code, "off")
    return "off"
