"""What the planner refuses, and where in schema.yaml it says so (no database needed)."""

from __future__ import annotations

from plan_pairs import spec

from schemac.plan import plan_migration

OLD = """
enums:
  status:
    values: [new, active, closed]
tables:
  patients:
    classification: phi
    columns:
      id: {type: uuid, primary_key: true}
      name: {type: text}
      age: {type: integer, nullable: true}
      status: {enum: status}
    indexes:
      - {columns: [name], name: by_name}
  notes:
    classification: phi
    columns:
      id: {type: uuid, primary_key: true}
"""


def refusals(tmp_path, old: str, new: str, allow_destructive: bool = False) -> list[str]:
    plan = plan_migration(spec(tmp_path, "old", old), spec(tmp_path, "new", new), allow_destructive=allow_destructive)
    return [str(r).replace(f"{tmp_path}/new/", "") for r in plan.refusals]


def test_every_destructive_change_is_refused_at_its_place(tmp_path):
    new = OLD.replace("  notes:\n    classification: phi\n    columns:\n      id: {type: uuid, primary_key: true}\n", "")
    new = new.replace("      age: {type: integer, nullable: true}\n", "").replace("name: {type: text}", "name: {type: 'varchar(20)'}")
    new = new.replace("[new, active, closed]", "[new, active]")
    found = refusals(tmp_path, OLD, new)
    assert len(found) == 4, found
    assert found[0].startswith("schema.yaml:2:3: enum 'status' no longer has 'closed'")
    assert found[1].startswith("schema.yaml:4:1: table 'notes' is no longer in the spec: dropping it deletes its rows")
    assert found[2].startswith("schema.yaml:5:3: column 'patients.age' is no longer in the spec")
    assert found[3].startswith("schema.yaml:9:14: column 'patients.name' changes from text to varchar(20)")
    assert all("--allow-destructive" in f for f in found)
    assert refusals(tmp_path, OLD, new, allow_destructive=True) == []


def test_widening_is_not_destructive(tmp_path):
    assert refusals(tmp_path, OLD, OLD.replace("age: {type: integer", "age: {type: bigint")) == []


def test_not_null_needs_a_backfill(tmp_path):
    found = refusals(tmp_path, OLD, OLD.replace("age: {type: integer, nullable: true}", "age: {type: integer}"))
    assert len(found) == 1 and "becomes NOT NULL" in found[0] and "backfill" in found[0]
    added = refusals(tmp_path, OLD, OLD.replace("      status: {enum: status}\n", "      status: {enum: status}\n      code: {type: text}\n"))
    assert len(added) == 1 and added[0].startswith("schema.yaml:12:7: new column 'patients.code' is NOT NULL without a default")


def test_a_column_of_a_new_table_needs_no_backfill(tmp_path):
    assert refusals(tmp_path, OLD, OLD + "  visits:\n    classification: phi\n    columns:\n      id: {type: uuid, primary_key: true}\n      note: {type: text}\n") == []


def test_rename_hints_are_applied_once_then_reported_stale(tmp_path):
    renamed = (
        OLD.replace("  notes:\n", "  memos:\n    renamed_from: notes\n")
        .replace("age: {type: integer, nullable: true}", "years: {type: integer, nullable: true, renamed_from: age}")
        .replace("{columns: [name], name: by_name}", "{columns: [name], name: name_idx, renamed_from: by_name}")
        .replace("[new, active, closed]", "[new, {value: open, renamed_from: active}, closed]")
    )
    first = plan_migration(spec(tmp_path, "old", OLD), spec(tmp_path, "new", renamed))
    assert first.refusals == ()
    summaries = [s.summary for s in first.statements]
    assert "rename table notes to memos" in summaries and "rename column patients.age to years" in summaries
    assert "rename index by_name on patients to name_idx" in summaries
    assert "rename value 'active' to 'open' in patients.status" in summaries

    state = spec(tmp_path, "state", renamed)  # the state as of the migration that used the hints
    again = plan_migration(state, spec(tmp_path, "new", renamed))
    assert again.parts == ()  # never applied twice
    stale = [str(r).replace(f"{tmp_path}/new/", "") for r in again.refusals]
    assert [s.split(": stale hint")[0] for s in stale] == ["schema.yaml:3:19", "schema.yaml:10:46", "schema.yaml:13:9", "schema.yaml:15:5"]
    assert all("remove 'renamed_from" in s for s in stale), stale


def test_a_hint_naming_nothing_is_reported(tmp_path):
    found = refusals(tmp_path, OLD, OLD.replace("age: {type: integer, nullable: true}", "years: {type: integer, nullable: true, renamed_from: agee}"))
    assert any("'renamed_from: agee' names no column of the last migration's state ('patients.agee')" in f for f in found), found


def test_a_hint_whose_old_and_new_both_exist_is_reported(tmp_path):
    found = refusals(tmp_path, OLD, OLD.replace("  notes:\n", "  notes:\n    renamed_from: patients\n"))
    assert found == ["schema.yaml:15:5: 'renamed_from: patients' cannot apply: both table 'patients' and 'notes' exist as of the last migration; remove the hint, or drop 'notes' first"]


def test_migration_names(tmp_path):
    def name(new: str, **kw) -> str:
        return plan_migration(spec(tmp_path, "old", OLD), spec(tmp_path, "new", new), **kw).name

    assert name(OLD.replace("      status: {enum: status}\n", "      status: {enum: status}\n      preferred_language: {type: text, nullable: true}\n")) == "add_patients_preferred_language"
    assert name(OLD.replace("{columns: [name], name: by_name}", "{columns: [name, age], name: by_name}")) == "drop_by_name_and_add_by_name"
    assert name(OLD) == "no_changes"


def test_a_type_change_without_a_cast_needs_using(tmp_path):
    old = OLD.replace("      status: {enum: status}\n", "      status: {enum: status}\n      flag: {type: boolean}\n")
    found = refusals(tmp_path, old, old.replace("flag: {type: boolean}", "flag: {type: bigint}"), allow_destructive=True)
    assert found == ["schema.yaml:12:14: column 'patients.flag' changes from boolean to bigint, which PostgreSQL cannot convert by a cast; add 'using: <SQL expression>' computing the new value from the old"]
    assert refusals(tmp_path, old, old.replace("flag: {type: boolean}", "flag: {type: bigint, using: \"CASE WHEN flag THEN 1 ELSE 0 END\"}"), allow_destructive=True) == []
    assert refusals(tmp_path, old, old.replace("flag: {type: boolean}", "flag: {type: integer}"), allow_destructive=True) == []
