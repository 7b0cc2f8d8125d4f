"""One test per built-in rule: a small spec that breaks it, asserting code, message and position."""

from __future__ import annotations

import pytest
from helpers import build_errors, lint_spec

from schemac.rules import RULES

# A compliant one-table spec; tests append columns from line 12 on.
BASE = """
tables:
  notes:
    description: Notes about the clinic.
    classification: administrative
    retention: Deleted after one year.
    columns:
      id:
        type: uuid
        primary_key: true
        default: gen_random_uuid()
        description: Note identifier.
"""


def only(result, code=None):
    """The single finding of a lint result (optionally of one rule), as (position, code, message)."""
    found = [f for f in result.findings if code is None or f.code == code]
    assert len(found) == 1, [str(f.pos) + " " + f.code + " " + f.message for f in result.findings]
    f = found[0]
    return f"{f.pos.line}:{f.pos.col}", f.code, f.message


def test_base_spec_is_clean(tmp_path):
    assert lint_spec(tmp_path, BASE).findings == []


def test_rule_codes_are_unique_and_documented():
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes))
    assert all(r.title and r.severity in ("error", "warning") for r in RULES)


def test_sc101_primary_key_not_uuid(tmp_path):
    spec = BASE.replace("type: uuid", "type: bigint").replace("default: gen_random_uuid()", "default: 1")
    assert only(lint_spec(tmp_path, spec)) == (
        "8:9",  # the type key
        "SC101",
        "primary key 'notes.id' is bigint with default 1; make it 'type: uuid' with 'default: gen_random_uuid()'",
    )


def test_sc101_no_primary_key(tmp_path):
    spec = BASE.replace("        primary_key: true\n", "")
    assert only(lint_spec(tmp_path, spec)) == (
        "2:3",
        "SC101",
        "table 'notes' has no primary key; add an 'id' column with 'type: uuid', 'primary_key: true', 'default: gen_random_uuid()'",
    )


def test_sc102_timestamp_without_time_zone(tmp_path):
    spec = BASE + "      seen_at: {type: timestamp, description: When it was seen.}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "12:17",  # the type key
        "SC102",
        "'notes.seen_at' is timestamp (without time zone); write 'type: timestamptz' so instants stay correct across time zones",
    )


def test_sc103_created_at_without_now_default(tmp_path):
    spec = BASE + "      created_at: {type: timestamptz, description: When it was made.}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "12:7",
        "SC103",
        "'notes.created_at' must be 'type: timestamptz' with 'default: now()' and not nullable (or use 'timestamps: true' on the table)",
    )


def test_sc104_varchar(tmp_path):
    spec = BASE + "      title: {type: varchar(20), description: Short title.}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "12:15",
        "SC104",
        "'notes.title' is varchar(20); write 'type: text' (add a CHECK on length(...) if a limit matters)",
    )


def test_sc104_char(tmp_path):
    spec = BASE + "      code: {type: char(2), description: Country code.}\n"
    assert only(lint_spec(tmp_path, spec))[:2] == ("12:14", "SC104")


def test_sc105_json_in_a_log_table_is_a_warning(tmp_path):
    spec = BASE.replace("    retention:", "    log: true\n    retention:") + "      payload: {type: jsonb, description: Extra data.}\n"
    result = lint_spec(tmp_path, spec)
    assert only(result) == (
        "13:17",
        "SC105",
        "log table 'notes' has free-form column 'payload' (jsonb), which can carry PHI unnoticed; store IDs and codes "
        "in typed columns, or waive SC105 for it with the reason it only ever holds IDs",
    )
    assert result.findings[0].severity == "warning" and not result.errors


def test_sc106_table_without_classification(tmp_path):
    spec = BASE.replace("    classification: administrative\n", "").replace(
        "        description: Note identifier.", "        description: Note identifier.\n        classification: administrative"
    )
    assert only(lint_spec(tmp_path, spec)) == (
        "2:3",
        "SC106",
        "table 'notes' states no classification; add 'classification: phi|administrative|public_social' to the table "
        "(the default for its columns)",
    )


def test_sc107_phi_not_encrypted(tmp_path):
    spec = BASE + "      body: {type: text, classification: phi, description: Note text.}\n"
    result = lint_spec(tmp_path, spec)
    assert only(result, "SC107") == (
        "12:7",
        "SC107",
        "PHI column 'notes.body' is not marked encrypted; add 'encrypted: true' (encrypted at rest and in transit)",
    )


def test_sc108_phi_in_a_log_table(tmp_path):
    spec = BASE.replace("    retention:", "    log: true\n    retention:")
    spec += "      body: {type: text, classification: phi, encrypted: true, description: Note text.}\n"
    assert only(lint_spec(tmp_path, spec), "SC108") == (
        "13:26",  # the column's classification key
        "SC108",
        "log table 'notes' holds PHI column 'body'; logs keep IDs only: store the id of the record instead, "
        "or move the column to a non-log table",
    )


@pytest.mark.parametrize("written", ["false", "no", "off"])  # 0 is not a boolean: strict types refuse it
def test_sc109_rls_off_points_at_the_rls_key(tmp_path, written):
    spec = BASE.replace("    retention:", f"    rls: {written}\n    retention:")
    assert only(lint_spec(tmp_path, spec)) == (
        "5:5",
        "SC109",
        "table 'notes' turns row level security off; remove its 'rls:' key (or write 'rls: true'): service_role "
        "bypasses RLS for backend jobs",
    )


PHI_TABLE = BASE + "      body: {type: text, classification: phi, encrypted: true, description: Note text.}\n"


def test_sc110_phi_table_without_policies(tmp_path):
    assert only(lint_spec(tmp_path, PHI_TABLE)) == (
        "2:3",
        "SC110",
        "table 'notes' holds PHI but no policy lets its users select, insert, update, delete; add a policy with "
        "'for: [select, insert, update, delete]' (e.g. 'owner: doctor_id'), or, if only service_role does that, drop "
        "them from the table's 'user_operations' and say why in 'user_operations_reason'",
    )


def test_sc110_counts_only_the_operations_users_perform(tmp_path):
    spec = PHI_TABLE.replace("    retention:", "    user_operations: [select]\n    user_operations_reason: Notes are written by the backend only.\n    retention:")
    spec += "      author_id: {type: uuid, description: Who wrote it.}\n"
    spec += "    policies:\n      - {name: notes_read, for: [select], owner: author_id}\n"
    assert lint_spec(tmp_path, spec).findings == []
    spec = spec.replace("user_operations: [select]", "user_operations: [select, update]")
    assert only(lint_spec(tmp_path, spec)) == (
        "5:5",  # the user_operations key, which lists update
        "SC110",
        "table 'notes' holds PHI but no policy lets its users update; add a policy with 'for: [update]' "
        "(e.g. 'owner: doctor_id'), or, if only service_role does that, drop them from the table's 'user_operations' "
        "and say why in 'user_operations_reason'",
    )


def test_sc110_covers_tables_linked_to_phi(tmp_path):
    spec = PHI_TABLE + """
    policies:
      - {name: notes_all, for: [all], using: "true", with_check: "true"}
  note_links:
    description: Links between notes.
    classification: administrative
    retention: Deleted with the note.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Link id.}
      note_id: {type: uuid, references: notes.id, description: The note.}
    indexes:
      - columns: [note_id]
"""
    assert only(lint_spec(tmp_path, spec)) == (
        "16:3",
        "SC110",
        "table 'note_links' links to PHI table notes but no policy lets its users select, insert, update, delete; "
        "add a policy with 'for: [select, insert, update, delete]' (e.g. 'owner: doctor_id'), or, if only service_role "
        "does that, drop them from the table's 'user_operations' and say why in 'user_operations_reason'",
    )


def test_sc111_phi_table_open_to_anon(tmp_path):
    spec = PHI_TABLE + '    policies:\n      - {name: notes_all, for: [all], to: [anon], using: "true", with_check: "true"}\n'
    assert only(lint_spec(tmp_path, spec)) == (
        "14:39",  # the policy's 'to' key
        "SC111",
        "policy 'notes_all' on 'notes' applies to anon; PHI is for signed-in users only: set 'to: [authenticated]'",
    )


def test_sc112_doctor_id_not_a_foreign_key(tmp_path):
    spec = BASE + "      doctor_id: {type: uuid, description: The doctor.}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "12:7",
        "SC112",
        "'notes.doctor_id' names a user but is not a foreign key to a user table; add 'references: auth.users.id' "
        "(or the key of your own users table, e.g. 'users.id') and an on_delete to the column",
    )


USERS_TABLE = """
  users:
    description: The application's own users.
    classification: administrative
    retention: Until the account is closed.
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: User identifier.}
"""
PROFILES_TABLE = """
  profiles:
    description: One profile per Supabase user.
    classification: administrative
    retention: Until the account is closed.
    columns:
      id: {type: uuid, primary_key: true, references: auth.users.id, on_delete: cascade, description: The user.}
"""


@pytest.mark.parametrize(("target", "extra"), [("users.id", USERS_TABLE), ("profiles.id", PROFILES_TABLE), ("auth.users.id", "")])
def test_sc112_accepts_a_key_of_a_users_table_or_a_table_keyed_by_auth_users(tmp_path, target, extra):
    """`user_id -> public.users` and `user_id -> profiles(id) -> auth.users` are the common patterns."""
    spec = BASE + f"      user_id: {{type: uuid, references: {target}, description: The user.}}\n    indexes: [{{columns: [user_id]}}]\n" + extra
    assert "SC112" not in [f.code for f in lint_spec(tmp_path, spec).findings]


def test_sc112_still_refuses_a_table_that_is_not_a_user_table(tmp_path):
    spec = BASE + "      user_id: {type: uuid, references: things.id, description: The user.}\n    indexes: [{columns: [user_id]}]\n"
    spec += USERS_TABLE.replace("users:", "things:").replace("The application's own users.", "Things.")
    assert [f.code for f in lint_spec(tmp_path, spec).findings] == ["SC112"]


def test_sc112_applies_to_prefixed_doctor_ids_and_user_id(tmp_path):
    spec = BASE + "      referring_doctor_id: {type: uuid, description: Referrer.}\n      user_id: {type: uuid, description: User.}\n"
    found = [(f.code, f.column) for f in lint_spec(tmp_path, spec).findings]
    assert found == [("SC112", "referring_doctor_id"), ("SC112", "user_id")]


def test_sc113_foreign_key_without_index_is_a_warning(tmp_path):
    spec = BASE + "      doctor_id: {type: uuid, references: auth.users.id, description: The doctor.}\n"
    result = lint_spec(tmp_path, spec)
    assert only(result) == (
        "12:31",
        "SC113",
        "foreign key notes(doctor_id) has no index starting with (doctor_id); deletes on auth.users and joins will "
        "scan notes: add 'indexes: [{columns: [doctor_id]}]'",
    )
    assert result.findings[0].severity == "warning"


def test_sc113_accepts_an_index_led_by_the_columns_but_not_a_partial_one(tmp_path):
    spec = BASE + "      doctor_id: {type: uuid, references: auth.users.id, description: The doctor.}\n"
    covered = spec + "    indexes:\n      - columns: [doctor_id, id]\n"
    assert lint_spec(tmp_path, covered).findings == []
    trailing = spec + "    indexes:\n      - columns: [id, doctor_id]\n"
    assert only(lint_spec(tmp_path, trailing))[1] == "SC113"
    partial = spec + "    indexes:\n      - {columns: [doctor_id], where: id IS NOT NULL}\n"
    assert only(lint_spec(tmp_path, partial))[1] == "SC113"


def test_sc114_missing_description(tmp_path):
    spec = BASE + "      title: {type: text}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "12:7",
        "SC114",
        "column 'notes.title' has no description; add 'description:' saying what it holds",
    )


def test_sc115_no_retention_on_a_phi_table(tmp_path):
    spec = PHI_TABLE.replace("    retention: Deleted after one year.\n", "    user_operations: []\n    user_operations_reason: Only the backend reads notes.\n")
    assert only(lint_spec(tmp_path, spec)) == (
        "2:3",
        "SC115",
        "table 'notes' holds PHI but states no retention; add 'retention:' saying how long rows are kept and how they are deleted",
    )


def test_sc115_leaves_tables_without_phi_alone(tmp_path):
    """Retention is asked of sensitive records, not of every lookup table."""
    assert lint_spec(tmp_path, BASE.replace("    retention: Deleted after one year.\n", "")).findings == []


SC116_TAIL = (
    "without saying why; add 'user_operations_reason:' saying who does that instead (e.g. the backend as "
    "service_role); reviewers read it in DATA_INVENTORY.md"
)


@pytest.mark.parametrize(("written", "left_out"), [("[]", "select, insert, update, delete"), ("[select]", "insert, update, delete")])
def test_sc116_a_phi_table_leaving_operations_out_must_say_why(tmp_path, written, left_out):
    spec = PHI_TABLE.replace("    retention:", f"    user_operations: {written}\n    retention:")
    spec += "      author_id: {type: uuid, description: Who wrote it.}\n"
    spec += "    policies:\n      - {name: notes_read, for: [select], owner: author_id}\n"
    assert only(lint_spec(tmp_path, spec)) == (
        "5:5",
        "SC116",
        f"table 'notes' holds PHI and its 'user_operations' leaves out {left_out} {SC116_TAIL}",
    )
    reason = "    user_operations_reason: Written by the backend as service_role only.\n"
    assert lint_spec(tmp_path, spec.replace("    retention:", reason + "    retention:")).findings == []


def test_sc116_does_not_apply_without_phi_or_when_users_do_everything(tmp_path):
    assert lint_spec(tmp_path, BASE.replace("    retention:", "    user_operations: []\n    retention:")).findings == []
    full = PHI_TABLE.replace("    retention:", "    user_operations: [delete, select, update, insert]\n    retention:")
    assert only(lint_spec(tmp_path, full))[1] == "SC110"


def test_a_user_operations_reason_must_explain_something(tmp_path):
    short = BASE.replace("    retention:", "    user_operations: []\n    user_operations_reason: backend\n    retention:")
    assert build_errors(tmp_path, short) == [
        "schema.yaml:6:5: 'user_operations_reason' needs at least 3 words saying who performs the other operations "
        "(e.g. the backend as service_role); reviewers read it in DATA_INVENTORY.md"
    ]
    pointless = BASE.replace("    retention:", "    user_operations_reason: Nothing is left out here.\n    retention:")
    assert build_errors(tmp_path, pointless) == [
        "schema.yaml:5:5: 'user_operations_reason' explains operations left out of 'user_operations', but users "
        "perform all four here; remove the reason, or list only what users do"
    ]


@pytest.mark.parametrize("name", ["assigned_user_id", "created_by_user_id", "attending_doctor_id", "doctor_id", "user_id"])
def test_sc112_names_ending_in_user_id_or_doctor_id(tmp_path, name):
    spec = BASE + f"      {name}: {{type: uuid, description: A person.}}\n"
    assert only(lint_spec(tmp_path, spec))[:2] == ("12:7", "SC112")


@pytest.mark.parametrize("name", ["superuser_id", "userid", "user_ids", "doctor_id_hash", "user_identity", "doctors_count"])
def test_sc112_leaves_other_names_alone(tmp_path, name):
    assert lint_spec(tmp_path, BASE + f"      {name}: {{type: uuid, description: Something else.}}\n").findings == []


def test_sc112_points_at_a_references_key_that_goes_elsewhere(tmp_path):
    spec = BASE + "      user_id: {type: uuid, references: notes.id, description: The user.}\n    indexes: [{columns: [user_id]}]\n"
    assert only(lint_spec(tmp_path, spec))[:2] == ("12:29", "SC112")


def test_findings_point_at_a_blank_or_wrong_key_when_one_is_written(tmp_path):
    spec = BASE.replace("Notes about the clinic.", "' '").replace("Deleted after one year.", "''")
    spec += "      body: {type: text, classification: phi, encrypted: false, description: Note text.}\n"
    spec += "      created_at: {type: timestamptz, default: now(), nullable: true, description: Made.}\n"
    found = {f.code: f"{f.pos.line}:{f.pos.col}" for f in lint_spec(tmp_path, spec).findings}
    assert found == {"SC114": "3:5", "SC115": "5:5", "SC107": "12:47", "SC103": "13:55", "SC110": "2:3"}


PHI_COLUMN = "      body: {type: text, classification: phi, encrypted: true, description: Note text.}\n"
FUNCTION = """functions:
  note_count:
    returns: bigint
    language: sql
    security: definer
    search_path: []
    grant_execute: [anon, authenticated]
    body: select count(*) from public.notes
"""


def test_sc130_security_definer_without_search_path(tmp_path):
    spec = BASE + FUNCTION.replace("    search_path: []\n", "").replace("[anon, authenticated]", "[authenticated]")
    assert only(lint_spec(tmp_path, spec)) == (
        "16:5",  # the security key
        "SC140",
        "function 'note_count' is SECURITY DEFINER (it runs with its owner's rights) but its search_path is not fixed, so a caller "
        "could make an unqualified name resolve to their own object; add 'search_path: []' and schema-qualify every name in the body",
    )
    assert lint_spec(tmp_path, BASE + FUNCTION.replace("[anon, authenticated]", "[authenticated]")).findings == []


def test_sc131_anon_executable_function_reading_phi(tmp_path):
    policies = "    policies:\n      - {name: own, for: [all], using: auth.uid() IS NOT NULL}\n"
    spec = BASE + PHI_COLUMN + policies + FUNCTION
    assert only(lint_spec(tmp_path, spec), "SC141") == (
        "21:5",  # the grant_execute key
        "SC141",
        "function 'note_count' may be executed by anon and its body reads 'notes', which holds PHI; "
        "remove anon from 'grant_execute' (e.g. grant_execute: [authenticated])",
    )
    assert [f.code for f in lint_spec(tmp_path, spec.replace("[anon, authenticated]", "[authenticated]")).findings] == []
    # a PL/pgSQL body is read too, and the default grant does not include anon
    plpgsql = FUNCTION.replace("language: sql", "language: plpgsql").replace(
        "body: select count(*) from public.notes", "body: |\n      begin\n        return (select count(*) from public.notes);\n      end;"
    )
    assert only(lint_spec(tmp_path, BASE + PHI_COLUMN + policies + plpgsql), "SC141")[1] == "SC141"



VIEW = """views:
  note_view:
    query: SELECT n.id, n.body FROM public.notes n
"""


def test_sc132_view_over_rls_table_without_security_invoker(tmp_path):
    policies = "    policies:\n      - {name: own, for: [all], using: auth.uid() IS NOT NULL}\n"
    spec = BASE + policies + VIEW.replace("n.id, n.body", "n.id")
    assert only(lint_spec(tmp_path, spec)) == (
        "15:3",  # the view (no security_invoker key written)
        "SC142",
        "view 'note_view' reads 'notes', which has row level security, with its owner's rights, so authenticated "
        "would see every row the policies hide; add 'security_invoker: true'",
    )
    assert lint_spec(tmp_path, spec + "    security_invoker: true\n").findings == []


def test_sc133_materialized_view_showing_phi(tmp_path):
    policies = "    policies:\n      - {name: own, for: [all], using: auth.uid() IS NOT NULL}\n"
    spec = BASE + PHI_COLUMN + policies + VIEW + "    materialized: true\n    grant_select: [authenticated, service_role]\n"
    assert only(lint_spec(tmp_path, spec), "SC143") == (
        "19:5",  # the grant_select key
        "SC143",
        "materialized view 'note_view' shows PHI (body) to authenticated with no row level security deciding which rows; "
        "leave the PHI columns out, grant SELECT to service_role only, or use a security_invoker view",
    )
    assert [f.code for f in lint_spec(tmp_path, spec.replace("[authenticated, service_role]", "[service_role]")).findings] == []


def test_sc130_serial_suggests_identity(tmp_path):
    spec = BASE.replace("type: uuid", "type: bigserial").replace("        default: gen_random_uuid()\n", "")
    found = [f for f in lint_spec(tmp_path, spec).findings if f.code == "SC130"]
    assert len(found) == 1 and "write 'type: bigint, identity: by default'" in found[0].message
    assert not [f for f in lint_spec(tmp_path, BASE).findings if f.code == "SC130"]


@pytest.mark.parametrize("code", [r.code for r in RULES if r.code != "SC100"])
def test_every_rule_has_a_breaking_test(code):
    source = open(__file__, encoding="utf-8").read()
    assert f'"{code}"' in source.split("def test_every_rule_has_a_breaking_test")[0]
