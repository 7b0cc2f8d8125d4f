"""Every change kind as a pair test on a real PostgreSQL holding rows (see plan_pairs.py).

Each test builds the old spec's database, inserts rows, applies the plan to the new spec, and
(inside `migrated`) asserts the catalog equals a fresh build of the new spec and that planning
again yields nothing. Here the rows are checked, and which hazards the statements carry.
"""

from __future__ import annotations

import pytest

from plan_pairs import migrated, spec

PATIENTS = """
enums:
  status:
    values: [new, active, closed]
tables:
  patients:
    classification: phi
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: text}
      age: {type: integer, nullable: true}
      status: {enum: status, default: new}
"""

ROWS = "INSERT INTO patients (name, age, status) VALUES ('Ann', 40, 'active'), ('Bob', NULL, 'new');"


def pair(pg_server, tmp_path, old: str, new: str, rows: str = ROWS, allow_destructive: bool = False):
    return migrated(pg_server, spec(tmp_path, "old", old), spec(tmp_path, "new", new), rows, allow_destructive)


def codes(plan) -> set[str]:
    return {h.code for s in plan.statements for h in s.hazards}


def names(conn) -> list:
    return conn.execute("SELECT name FROM patients ORDER BY name").fetchall()


# ---------------------------------------------------------------- tables


VISITS = """
  visits:
    classification: phi
    timestamps: true
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      patient_id: {type: uuid, references: patients.id, on_delete: cascade}
      note: {type: text, nullable: true}
    indexes:
      - columns: [note]
    policies:
      - {name: staff_read, for: [select], using: "true"}
"""


def test_add_table(pg_server, tmp_path):
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS + VISITS) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]
        assert plan.name == "create_visits"
        assert all(p.transactional for p in plan.parts)  # the new table's index is built inside the transaction


def test_drop_table(pg_server, tmp_path):
    rows = ROWS + "INSERT INTO visits (patient_id) SELECT id FROM patients;"
    with pair(pg_server, tmp_path, PATIENTS + VISITS, PATIENTS, rows, allow_destructive=True) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]
        assert "deletes-data" in codes(plan)
        assert plan.name == "drop_visits"


def test_rename_table_keeps_rows_and_references(pg_server, tmp_path):
    rows = ROWS + "INSERT INTO visits (patient_id, note) SELECT id, name FROM patients;"
    renamed = PATIENTS.replace("  patients:\n", "  clients:\n    renamed_from: patients\n") + VISITS.replace("patients.id", "clients.id")
    with pair(pg_server, tmp_path, PATIENTS + VISITS, renamed, rows) as (conn, plan):
        assert conn.execute("SELECT c.name FROM visits v JOIN clients c ON c.id = v.patient_id ORDER BY 1").fetchall() == [("Ann",), ("Bob",)]
        assert "deletes-data" not in codes(plan)
        assert plan.name == "rename_patients_to_clients"


# ---------------------------------------------------------------- columns


def test_add_nullable_column_keeps_rows(pg_server, tmp_path):
    new = PATIENTS + "      preferred_language: {type: text, nullable: true, description: The language to write in.}\n"
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT name, preferred_language FROM patients ORDER BY name").fetchall() == [("Ann", None), ("Bob", None)]
        assert plan.name == "add_patients_preferred_language"


def test_add_not_null_column_with_default(pg_server, tmp_path):
    new = PATIENTS + "      language: {type: text, default: en}\n"
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT DISTINCT language FROM patients").fetchall() == [("en",)]
        assert "table-rewrite" not in codes(plan)


def test_add_not_null_column_with_backfill(pg_server, tmp_path):
    new = PATIENTS + "      display_name: {type: text, backfill: \"upper(name)\"}\n"
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT display_name FROM patients ORDER BY 1").fetchall() == [("ANN",), ("BOB",)]
        assert "updates-rows" in codes(plan)


def test_add_column_with_volatile_default_is_a_rewrite(pg_server, tmp_path):
    new = PATIENTS + "      token: {type: uuid, default: gen_random_uuid()}\n"
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT count(DISTINCT token) FROM patients").fetchone()[0] == 2
        assert "table-rewrite" in codes(plan)


def test_drop_column(pg_server, tmp_path):
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS.replace("      age: {type: integer, nullable: true}\n", ""), allow_destructive=True) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]
        assert "deletes-data" in codes(plan)


def test_rename_column_keeps_values_index_and_enum_check(pg_server, tmp_path):
    old = PATIENTS + "    indexes:\n      - columns: [status]\n    unique:\n      - columns: [name, status]\n"
    new = old.replace("      status: {enum: status, default: new}", "      state: {enum: status, default: new, renamed_from: status}").replace("[status]", "[state]").replace("[name, status]", "[name, state]")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert conn.execute("SELECT name, state FROM patients ORDER BY name").fetchall() == [("Ann", "active"), ("Bob", "new")]
        sqls = [s.sql for s in plan.statements]
        assert not any("DROP INDEX" in s or "DROP COLUMN" in s for s in sqls), sqls  # renamed, not rebuilt


# ---------------------------------------------------------------- types


@pytest.mark.parametrize(
    "old_type, new_type, rewrite",
    [("integer", "bigint", True), ("varchar(10)", "varchar(50)", False), ("varchar(10)", "text", False), ("numeric(6,2)", "numeric(10,2)", False), ("integer", "numeric(12,2)", True)],
)
def test_widening_type_change_keeps_values(pg_server, tmp_path, old_type, new_type, rewrite):
    old = PATIENTS + f"      score: {{type: '{old_type}', nullable: true}}\n"
    rows = ROWS + "UPDATE patients SET score = 7;"
    with pair(pg_server, tmp_path, old, old.replace(f"type: '{old_type}'", f"type: '{new_type}'"), rows) as (conn, plan):
        assert [str(v) for (v,) in conn.execute("SELECT score FROM patients")] in (["7", "7"], ["7.00", "7.00"])
        assert ("table-rewrite" in codes(plan)) == rewrite
        assert "deletes-data" not in codes(plan)


def test_narrowing_type_change_with_using(pg_server, tmp_path):
    old = PATIENTS + "      code: {type: text, nullable: true}\n"
    new = PATIENTS + "      code: {type: integer, nullable: true, using: \"length(code)\"}\n"
    rows = ROWS + "UPDATE patients SET code = 'abc';"
    with pair(pg_server, tmp_path, old, new, rows, allow_destructive=True) as (conn, plan):
        assert conn.execute("SELECT DISTINCT code FROM patients").fetchall() == [(3,)]
        assert {"deletes-data", "table-rewrite"} <= codes(plan)


def test_type_change_of_a_column_a_policy_uses(pg_server, tmp_path):
    old = PATIENTS + "      rank: {type: smallint, nullable: true}\n    policies:\n      - {name: ranked, for: [select], using: \"rank > 0\"}\n"
    with pair(pg_server, tmp_path, old, old.replace("type: smallint", "type: integer")) as (conn, plan):
        assert "authorization-change" in codes(plan)


def test_type_change_with_a_default(pg_server, tmp_path):
    old = PATIENTS + "      visits: {type: smallint, default: 0}\n"
    with pair(pg_server, tmp_path, old, old.replace("type: smallint, default: 0", "type: bigint, default: 1")) as (conn, plan):
        assert conn.execute("SELECT DISTINCT visits FROM patients").fetchall() == [(0,)]


def test_collation_change(pg_server, tmp_path):
    old = PATIENTS.replace("name: {type: text}", "name: {type: text}\n      code: {type: varchar(20), nullable: true}")
    with pair(pg_server, tmp_path, old, old.replace("{type: varchar(20), nullable: true}", "{type: varchar(20), nullable: true, collation: C}")) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]


# ---------------------------------------------------------------- nullability and defaults


def test_set_not_null_with_backfill(pg_server, tmp_path):
    new = PATIENTS.replace("age: {type: integer, nullable: true}", "age: {type: integer, backfill: \"0\"}")
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT name, age FROM patients ORDER BY name").fetchall() == [("Ann", 40), ("Bob", 0)]
        sqls = [s.sql for s in plan.statements]
        assert any("NOT VALID" in s for s in sqls) and any("VALIDATE CONSTRAINT" in s for s in sqls)


def test_drop_not_null(pg_server, tmp_path):
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS.replace("name: {type: text}", "name: {type: text, nullable: true}")) as (conn, plan):
        conn.execute("INSERT INTO patients (name) VALUES (NULL)")


@pytest.mark.parametrize("old_default, new_default", [("", ", default: 18"), (", default: 18", ", default: 21"), (", default: 18", "")])
def test_default_changes(pg_server, tmp_path, old_default, new_default):
    old = PATIENTS.replace("age: {type: integer, nullable: true}", f"age: {{type: integer, nullable: true{old_default}}}")
    new = PATIENTS.replace("age: {type: integer, nullable: true}", f"age: {{type: integer, nullable: true{new_default}}}")
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]


# ---------------------------------------------------------------- enums


def test_enum_value_added(pg_server, tmp_path):
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS.replace("[new, active, closed]", "[new, active, paused, closed]")) as (conn, plan):
        conn.execute("UPDATE patients SET status = 'paused' WHERE name = 'Ann'")


def test_enum_value_removed(pg_server, tmp_path):
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS.replace("[new, active, closed]", "[new, active]"), allow_destructive=True) as (conn, plan):
        assert "rows-may-violate" in codes(plan)


def test_enum_value_renamed_updates_rows(pg_server, tmp_path):
    new = PATIENTS.replace("[new, active, closed]", "[new, {value: open, renamed_from: active}, closed]")
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert conn.execute("SELECT name, status FROM patients ORDER BY name").fetchall() == [("Ann", "open"), ("Bob", "new")]


# ---------------------------------------------------------------- constraints


KEYS = """
tables:
  clinics:
    classification: administrative
    columns:
      region: {type: text}
      code: {type: text}
      name: {type: text}
    primary_key: [region, code]
  doctors:
    classification: administrative
    columns:
      id: {type: integer, primary_key: true}
      region: {type: text}
      clinic: {type: text}
      email: {type: text}
    foreign_keys:
      - columns: [region, clinic]
        references: {table: clinics, columns: [region, code]}
"""

KEY_ROWS = "INSERT INTO clinics VALUES ('n', 'a', 'North A'), ('s', 'b', 'South B'); INSERT INTO doctors VALUES (1, 'n', 'a', 'x@example.test'), (2, 's', 'b', 'y@example.test');"


def test_add_composite_unique_and_check(pg_server, tmp_path):
    new = KEYS + "    unique:\n      - columns: [region, email]\n    checks:\n      - {expression: \"email LIKE '%@%'\"}\n"
    with pair(pg_server, tmp_path, KEYS, new, KEY_ROWS) as (conn, plan):
        assert "index-not-concurrent" in codes(plan)  # UNIQUE builds its index under the lock
        assert any(s.sql.endswith("NOT VALID;") for s in plan.statements)


def test_drop_and_change_check(pg_server, tmp_path):
    old = KEYS + "    checks:\n      - {name: email_shape, expression: \"email LIKE '%@%'\"}\n      - {name: id_positive, expression: \"id > 0\"}\n"
    new = KEYS + "    checks:\n      - {name: email_shape, expression: \"email LIKE '%@%.%'\"}\n"
    with pair(pg_server, tmp_path, old, new, KEY_ROWS) as (conn, plan):
        assert conn.execute("SELECT count(*) FROM doctors").fetchone()[0] == 2


def test_change_primary_key_rebuilds_the_foreign_key_on_it(pg_server, tmp_path):
    new = KEYS.replace("primary_key: [region, code]", "primary_key: [region, code]\n    unique:\n      - columns: [code]").replace(
        "      - columns: [region, clinic]\n        references: {table: clinics, columns: [region, code]}",
        "      - columns: [clinic]\n        references: {table: clinics, columns: [code]}\n        on_delete: cascade",
    )
    with pair(pg_server, tmp_path, KEYS, new, KEY_ROWS) as (conn, plan):
        conn.execute("DELETE FROM clinics WHERE code = 'a'")
        assert conn.execute("SELECT id FROM doctors").fetchall() == [(2,)]


def test_primary_key_changed_with_foreign_key_unchanged(pg_server, tmp_path):
    old = KEYS.replace("primary_key: [region, code]", "primary_key: [region, code]\n    unique:\n      - columns: [code, region]")
    new = KEYS.replace("primary_key: [region, code]", "primary_key: [code, region]\n    unique:\n      - columns: [region, code]")
    with pair(pg_server, tmp_path, old, new, KEY_ROWS) as (conn, plan):
        assert conn.execute("SELECT count(*) FROM doctors").fetchone()[0] == 2


def test_add_and_drop_foreign_key(pg_server, tmp_path):
    old = KEYS.replace("      - columns: [region, clinic]\n        references: {table: clinics, columns: [region, code]}\n", "      - columns: [region, clinic]\n        references: {table: clinics, columns: [region, code]}\n        name: doctors_clinic_fk\n")
    no_fk = KEYS.split("    foreign_keys:")[0]
    with pair(pg_server, tmp_path, no_fk, KEYS, KEY_ROWS) as (conn, plan):
        assert any("NOT VALID" in s.sql for s in plan.statements)
    with pair(pg_server, tmp_path, old, no_fk, KEY_ROWS) as (conn, plan):
        assert conn.execute("SELECT count(*) FROM doctors").fetchone()[0] == 2


def test_rename_constraint_by_hint(pg_server, tmp_path):
    old = KEYS + "    checks:\n      - {name: email_shape, expression: \"email LIKE '%@%'\"}\n"
    new = KEYS + "    checks:\n      - {name: email_has_at, renamed_from: email_shape, expression: \"email LIKE '%@%'\"}\n"
    with pair(pg_server, tmp_path, old, new, KEY_ROWS) as (conn, plan):
        assert [s.summary for s in plan.statements] == ["rename constraint doctors.email_shape to email_has_at"]


# ---------------------------------------------------------------- indexes


def test_add_index_concurrently_in_its_own_part(pg_server, tmp_path):
    new = PATIENTS + "    indexes:\n      - columns: [name]\n      - {columns: [age], where: \"age IS NOT NULL\", unique: true}\n"
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert [p.transactional for p in plan.parts] == [False, False]
        assert all("CONCURRENTLY" in p.statements[0].sql for p in plan.parts)


def test_change_drop_and_rename_index(pg_server, tmp_path):
    old = PATIENTS + "    indexes:\n      - {columns: [name], name: by_name}\n      - {columns: [age], name: by_age}\n      - {columns: [status], name: by_status}\n"
    new = PATIENTS + "    indexes:\n      - {columns: [name, age], name: by_name}\n      - {columns: [status], name: status_idx, renamed_from: by_status}\n"
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        summaries = [s.summary for s in plan.statements]
        assert "rename index by_status on patients to status_idx" in summaries
        assert "drop index by_age on patients" in summaries


# ---------------------------------------------------------------- comments, classification, timestamps, RLS, policies


def test_description_and_classification_change_comments(pg_server, tmp_path):
    new = PATIENTS.replace("name: {type: text}", "name: {type: text, description: Full name., classification: administrative}").replace(
        "    classification: phi\n", "    classification: phi\n    description: People we care for.\n", 1
    )
    with pair(pg_server, tmp_path, PATIENTS, new) as (conn, plan):
        assert {s.summary for s in plan.statements} == {"comment on table patients", "comment on column patients.name"}


def test_timestamps_turned_on_and_off(pg_server, tmp_path):
    on = PATIENTS.replace("    classification: phi\n", "    classification: phi\n    timestamps: true\n", 1)
    with pair(pg_server, tmp_path, PATIENTS, on) as (conn, plan):
        conn.execute("UPDATE patients SET name = name || '!' WHERE name = 'Ann'")
        assert conn.execute("SELECT count(*) FROM patients WHERE updated_at > created_at").fetchone()[0] == 1
    with pair(pg_server, tmp_path, on, PATIENTS, allow_destructive=True) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]


def test_rls_flag_and_policies(pg_server, tmp_path):
    old = PATIENTS + "    policies:\n      - {name: staff_read, for: [select], using: \"true\"}\n      - {name: gone, for: [delete], using: \"false\"}\n"
    new = PATIENTS.replace("    classification: phi\n", "    classification: phi\n    rls: false\n", 1) + (
        "    policies:\n      - {name: staff_read, for: [select], to: [authenticated, service_role], using: \"age > 0\"}\n"
        "      - {name: staff_write, for: [insert, update], with_check: \"true\", using: \"true\"}\n"
    )
    with pair(pg_server, tmp_path, old, new) as (conn, plan):
        assert "authorization-change" in codes(plan)
    with pair(pg_server, tmp_path, new, old) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]


def test_documentation_only_change_plans_nothing(tmp_path):
    from schemac.plan import plan_migration

    old = spec(tmp_path, "old", PATIENTS + "    indexes:\n      - columns: [name]\n")
    new = spec(tmp_path, "new", PATIENTS.replace("values: [new, active, closed]", "values: [new, active, closed]\n    description: Where a patient is.")
               + "    indexes:\n      - {columns: [name], description: Search by name.}\n    user_operations: [select]\n    user_operations_reason: The backend writes patients as service_role for the app.\n")
    plan = plan_migration(old, new)
    assert plan.parts == () and plan.refusals == ()


def test_widening_a_referenced_key_and_its_reference(pg_server, tmp_path):
    old = """
tables:
  parents:
    classification: administrative
    columns:
      id: {type: integer, primary_key: true}
  children:
    classification: administrative
    columns:
      id: {type: integer, primary_key: true}
      parent_id: {type: integer, references: parents.id, on_delete: cascade}
"""
    rows = "INSERT INTO parents VALUES (1), (2); INSERT INTO children VALUES (10, 1), (20, 2);"
    with pair(pg_server, tmp_path, old, old.replace("type: integer", "type: bigint"), rows) as (conn, plan):
        conn.execute("DELETE FROM parents WHERE id = 1")
        assert conn.execute("SELECT id FROM children").fetchall() == [(20,)]


def test_tables_in_a_reference_cycle_added_and_dropped_together(pg_server, tmp_path):
    cycle = """
  husbands:
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      wife_id: {type: uuid, nullable: true, references: wives.id, on_delete: set null}
  wives:
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      husband_id: {type: uuid, nullable: true, references: husbands.id, on_delete: set null}
"""
    with pair(pg_server, tmp_path, PATIENTS, PATIENTS + cycle) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]
    rows = ROWS + "INSERT INTO husbands DEFAULT VALUES; INSERT INTO wives (husband_id) SELECT id FROM husbands; UPDATE husbands SET wife_id = (SELECT id FROM wives);"
    with pair(pg_server, tmp_path, PATIENTS + cycle, PATIENTS, rows, allow_destructive=True) as (conn, plan):
        assert names(conn) == [("Ann",), ("Bob",)]
