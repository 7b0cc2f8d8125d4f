"""Every change kind as a pair test on a real PostgreSQL holding rows (see plan_pairs.py)."""

from __future__ import annotations

from plan_pairs import migrated, spec

BASE = """
tables:
  patients:
    classification: phi
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: text}
"""

ROWS = "INSERT INTO patients (name) VALUES ('Ann'), ('Bob');"


def test_add_table(pg_server, tmp_path):
    old = spec(tmp_path, "old", BASE)
    new = spec(tmp_path, "new", BASE + """
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
""")
    with migrated(pg_server, old, new, ROWS) as (conn, plan):
        assert conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 2
        assert plan.name == "create_visits"


def test_add_nullable_column_keeps_rows(pg_server, tmp_path):
    old = spec(tmp_path, "old", BASE)
    new = spec(tmp_path, "new", BASE + "      preferred_language: {type: text, nullable: true, description: The language to write in.}\n")
    with migrated(pg_server, old, new, ROWS) as (conn, plan):
        assert conn.execute("SELECT name, preferred_language FROM patients ORDER BY name").fetchall() == [("Ann", None), ("Bob", None)]
        assert plan.name == "add_patients_preferred_language"
