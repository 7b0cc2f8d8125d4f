"""verify and the planner are one comparison: what verify names in a drifted database, the plan between the
inspected database and the spec repairs, after which verify names nothing."""

from __future__ import annotations

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.db.inspector import catalog_model
from schemac.plan import plan_migration
from schemac.verify.expected import expected_model
from schemac.verify.run import compare_schema, normalize_expressions

from plan_pairs import apply_plan

DRIFT = """
ALTER TABLE patients DROP COLUMN gender;
DROP INDEX audit_logs_action_idx;
CREATE INDEX extra_idx ON patients (name);
ALTER TABLE conversations ALTER COLUMN status SET DEFAULT 'closed';
DROP POLICY messages_doctor_select ON public.messages;
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey,
  ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE RESTRICT;
ALTER TABLE appointments DROP CONSTRAINT appointments_status_check;
COMMENT ON COLUMN patients.name IS 'just a name';
ALTER TABLE messages DISABLE ROW LEVEL SECURITY;
"""


def verify_differences(conn, schema) -> list[str]:
    diffs: list[str] = []
    compare_schema(schema, read_schema(conn), normalize_expressions(conn, schema), diffs)
    return diffs


def test_verify_differences_are_changes_the_planner_writes(migrated, repo_schema):
    run_sql(migrated, DRIFT)
    before = verify_differences(migrated, repo_schema)
    assert len(before) == 9, before
    plan = plan_migration(catalog_model(migrated), expected_model(repo_schema, normalize_expressions(migrated, repo_schema)), allow_destructive=True)
    summaries = {s.summary for s in plan.statements}
    assert {"add column patients.gender", "drop index extra_idx on patients", "add index audit_logs_action_idx on audit_logs",
            "set default of conversations.status", "create policy messages_doctor_select on messages",
            "add constraint messages.messages_conversation_id_fkey (NOT VALID: no scan under the lock)",
            "add constraint appointments.appointments_status_check (NOT VALID: no scan under the lock)",
            "comment on column patients.name", "enable row level security on messages"} <= summaries, summaries
    apply_plan(migrated, plan)
    assert verify_differences(migrated, repo_schema) == []
