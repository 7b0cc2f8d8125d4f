"""The inspector reads a live database into the model, and the differ finds drift in it as changes it can write."""

from __future__ import annotations

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.db.inspector import catalog_model, column_type
from schemac.emit.sql import column_comment, table_comment
from schemac.model import ColumnType
from schemac.plan import plan_migration

from plan_pairs import apply_plan, database, spec, differences
from dataclasses import asdict


def test_column_types_read_back():
    assert column_type("character varying(20)[]") == ColumnType("varchar", (20,), True)
    assert column_type("timestamp with time zone") == ColumnType("timestamptz")
    assert column_type("time without time zone") == ColumnType("time")
    assert column_type("numeric(10,2)") == ColumnType("numeric", (10, 2))
    assert column_type("jsonb") == ColumnType("jsonb")


def test_repo_schema_round_trips_types_comments_and_keys(migrated, repo_schema):
    inspected = {t.name: t for t in catalog_model(migrated).tables}
    assert set(inspected) == {t.name for t in repo_schema.tables}
    live = read_schema(migrated)
    for t in repo_schema.tables:
        got = inspected[t.name]
        assert table_comment(got) == live.tables[t.name].comment
        assert (got.rls, got.timestamps, got.log, got.retention) == (t.rls, t.timestamps, t.log, t.retention)
        assert got.primary_key.columns == t.primary_key.columns
        assert {fk.name: (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in got.foreign_keys} == {
            fk.name: (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in t.foreign_keys
        }
        assert {ix.name for ix in got.indexes} == {ix.name for ix in t.indexes}
        assert {p.name for p in got.policies} == {p.name for p in t.policies}
        for c in t.columns:
            g = got.column(c.name)
            assert (g.type, g.nullable, g.classification, g.encrypted, g.description) == (c.type, c.nullable, c.classification, c.encrypted, c.description)
            assert column_comment(g) == column_comment(c)


SPEC = """
tables:
  patients:
    classification: phi
    timestamps: true
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: text, description: Full name.}
      age: {type: integer, nullable: true}
    indexes:
      - columns: [name]
    checks:
      - {name: age_positive, expression: age > 0}
    policies:
      - {name: staff_read, for: [select], using: "true"}
"""

DRIFT = """
ALTER TABLE patients DROP COLUMN age;
DROP INDEX patients_name_idx;
DROP POLICY staff_read ON patients;
ALTER TABLE patients DISABLE ROW LEVEL SECURITY;
ALTER TABLE patients ALTER COLUMN name DROP NOT NULL;
COMMENT ON COLUMN patients.name IS 'edited by hand';
"""


def test_drift_is_a_plan_that_removes_it(pg_server, tmp_path):
    """verify's question, asked through the differ: what separates the live catalog from the spec's?"""
    schema = spec(tmp_path, "s", SPEC)
    with database(pg_server, schema) as live, database(pg_server, schema) as expected:
        run_sql(live, DRIFT)
        drift = plan_migration(catalog_model(live), catalog_model(expected))
        summaries = {s.summary for s in drift.statements}
        assert {"add column patients.age", "add index patients_name_idx on patients", "create policy staff_read on patients",
                "enable row level security on patients", "comment on column patients.name"} <= summaries
        assert any(s.startswith("make patients.name NOT NULL") for s in summaries)
        apply_plan(live, drift)
        assert differences(asdict(read_schema(live)), asdict(read_schema(expected))) == []
