"""The spec's `lint:` section: severities, waivers with reasons, unused waivers, and positioned errors."""

from __future__ import annotations

from helpers import build_errors, lint_spec

# SC109 (row level security off) is the finding these tests switch, lower and waive.
NO_RLS = """
tables:
  notes:
    description: Notes about the clinic.
    classification: administrative
    rls: false
    columns:
      id:
        type: uuid
        primary_key: true
        default: gen_random_uuid()
        description: Note identifier.
"""


def test_severity_can_lower_an_error_to_a_warning(tmp_path):
    result = lint_spec(tmp_path, NO_RLS + "lint:\n  severity: {SC109: warning}\n")
    assert [(f.code, f.severity) for f in result.findings] == [("SC109", "warning")]
    assert result.errors == []


def test_severity_off_silences_a_rule(tmp_path):
    assert lint_spec(tmp_path, NO_RLS + "lint:\n  severity: {SC109: off}\n").findings == []


def test_a_waiver_sets_a_finding_aside_with_its_reason(tmp_path):
    spec = NO_RLS + "lint:\n  waivers:\n    - {rule: SC109, table: notes, reason: Notes are kept by law forever.}\n"
    result = lint_spec(tmp_path, spec)
    assert result.findings == []
    [(finding, waiver)] = result.waived
    assert (finding.code, waiver.table, waiver.reason) == ("SC109", "notes", "Notes are kept by law forever.")


def test_a_column_waiver_covers_only_that_column(tmp_path):
    spec = NO_RLS.replace("    rls: false\n", "")
    spec += "      a: {type: varchar(5)}\n      b: {type: varchar(5)}\n"
    spec += "lint:\n  severity: {SC114: off}\n  waivers:\n    - {rule: SC104, table: notes, column: a, reason: Legacy import format fixed at five.}\n"
    result = lint_spec(tmp_path, spec)
    assert [(f.code, f.column) for f in result.findings] == [("SC104", "b")]


def test_a_waiver_that_matches_nothing_is_reported(tmp_path):
    spec = NO_RLS + "lint:\n  severity: {SC109: off}\n  waivers:\n    - {rule: SC104, table: notes, reason: No longer needed at all.}\n"
    [f] = lint_spec(tmp_path, spec).findings
    assert (f.pos.line, f.pos.col, f.code, f.severity) == (15, 7, "SC100", "warning")
    assert f.message == "the waiver of SC104 for notes matches no finding (the rule passes there, or is off); remove the waiver"


def test_a_waiver_without_a_reason_is_an_error(tmp_path):
    spec = NO_RLS + "lint:\n  waivers:\n    - {rule: SC109, table: notes}\n    - {rule: SC109, table: notes, reason: ok}\n"
    assert build_errors(tmp_path, spec) == [
        "schema.yaml:14:7: waiver of SC109 for notes needs a 'reason' of at least 3 words saying why the rule does not apply; reviewers read it in DATA_INVENTORY.md",
        "schema.yaml:15:35: waiver of SC109 for notes needs a 'reason' of at least 3 words saying why the rule does not apply; reviewers read it in DATA_INVENTORY.md",
    ]


def test_unknown_rule_table_and_column_are_positioned_errors(tmp_path):
    spec = NO_RLS + (
        "lint:\n  severity: {SC151: warning}\n  waivers:\n"
        "    - {rule: SC999, table: note, reason: Some good reason here.}\n"
        "    - {rule: SC104, table: notes, column: titel, reason: Some good reason here.}\n"
    )
    assert build_errors(tmp_path, spec) == [
        "schema.yaml:13:14: unknown rule 'SC151'; did you mean 'SC141'?",
        "schema.yaml:15:8: unknown rule 'SC999'; did you mean 'SC109'?",
        "schema.yaml:15:21: waiver names unknown table 'note'; did you mean 'notes'?",
        "schema.yaml:16:35: waiver names unknown column 'titel' of table 'notes'; columns: id",
    ]


def test_a_bad_severity_is_a_grammar_error(tmp_path):
    errors = build_errors(tmp_path, NO_RLS + "lint:\n  severity: {SC109: loud}\n")
    assert errors == ["schema.yaml:13:14: 'SC109' cannot be 'loud'; expected 'error', 'warning' or 'off'"]


def test_an_unclassified_column_is_still_refused_by_build(tmp_path):
    spec = NO_RLS.replace("    classification: administrative\n", "")
    assert build_errors(tmp_path, spec) == [
        "schema.yaml:6:7: column 'id' has no classification; add 'classification: phi|administrative|public_social' "
        "to the column, or a default 'classification' to the table (or choose 'profile: general' or 'none', where classification is optional)"
    ]


def test_a_repeated_waiver_is_a_duplicate_not_an_unused_waiver(tmp_path):
    spec = NO_RLS + (
        "lint:\n  waivers:\n"
        "    - {rule: SC109, table: notes, reason: Notes are kept by law forever.}\n"
        "    - {rule: SC109, table: notes, reason: Notes are kept by law forever.}\n"
    )
    assert build_errors(tmp_path, spec) == [
        "schema.yaml:15:7: duplicate waiver: SC109 for notes is already waived at line 14; remove one of them"
    ]


def test_a_column_waiver_inside_a_table_waiver_is_a_duplicate(tmp_path):
    spec = NO_RLS.replace("    columns:", "    retention: One year.\n    columns:") + "      a: {type: varchar(5), description: A code.}\n"
    table = "    - {rule: SC104, table: notes, reason: Legacy import format fixed.}\n"
    column = "    - {rule: SC104, table: notes, column: a, reason: Legacy import format fixed.}\n"
    assert build_errors(tmp_path, spec + "lint:\n  waivers:\n" + table + column) == [
        "schema.yaml:17:7: duplicate waiver: SC104 is already waived for the whole table notes at line 16, which "
        "includes notes.a; remove one of them"
    ]
    assert build_errors(tmp_path, spec + "lint:\n  waivers:\n" + column + table) == [
        "schema.yaml:17:7: duplicate waiver: the waiver of SC104 for notes.a at line 16 is included in this "
        "whole-table one; remove one of them"
    ]
