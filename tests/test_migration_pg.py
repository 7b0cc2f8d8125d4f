"""The task card's section 7, as code: the compiled migration on a real PostgreSQL.

Every assertion reads the database (catalog or data), never the emitted SQL text.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

# ON DELETE RESTRICT: PostgreSQL 18 reports restrict_violation, 15 foreign_key_violation.
BLOCKED_BY_REFERENCE = (psycopg.errors.RestrictViolation, psycopg.errors.ForeignKeyViolation)

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import MIGRATION_PATH
from schemac.verify.run import compare_schema, normalize_expressions


def new_user(conn) -> uuid.UUID:
    return conn.execute("INSERT INTO auth.users (email) VALUES ('doctor@example.test') RETURNING id").fetchone()[0]


def new_patient(conn, doctor) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO patients (doctor_id, name, phone) VALUES (%s, 'Ann Example', '+15550100') RETURNING id", (doctor,)
    ).fetchone()[0]


def new_conversation(conn, doctor, patient) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) "
        "VALUES (%s, %s, 'whatsapp', %s) RETURNING id",
        (doctor, patient, uuid.uuid4().hex),
    ).fetchone()[0]


def test_catalog_matches_the_spec(migrated, repo_schema):
    diffs: list[str] = []
    checked = compare_schema(repo_schema, read_schema(migrated), normalize_expressions(migrated, repo_schema), diffs)
    assert diffs == []
    assert checked > 300


def test_every_table_exists_with_rls_enabled(migrated, repo_schema):
    rows = dict(
        migrated.execute(
            "SELECT relname, relrowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
        ).fetchall()
    )
    assert set(rows) == {t.name for t in repo_schema.tables}
    assert len(rows) == 8
    assert all(rows.values()), rows


def test_insert_and_read_back_a_row_in_every_table(migrated, repo_schema):
    c = migrated
    doctor = new_user(c)
    patient = new_patient(c, doctor)
    conv = new_conversation(c, doctor, patient)
    c.execute(
        "INSERT INTO messages (conversation_id, platform_message_id, sender_type, content) VALUES (%s, 'm1', 'patient', 'Hello doctor')",
        (conv,),
    )
    c.execute("INSERT INTO availability (doctor_id, day_of_week, start_time, end_time) VALUES (%s, 'monday', '09:00', '17:00')", (doctor,))
    c.execute(
        "INSERT INTO blocked_times (doctor_id, start_time, end_time, reason) VALUES (%s, '2026-12-24 00:00Z', '2026-12-27 00:00Z', 'holiday')",
        (doctor,),
    )
    c.execute(
        "INSERT INTO appointments (doctor_id, patient_id, conversation_id, appointment_date) VALUES (%s, %s, %s, '2026-12-01 10:00Z')",
        (doctor, patient, conv),
    )
    c.execute("INSERT INTO webhook_idempotency (provider, event_id) VALUES ('whatsapp', 'evt-1')")
    c.execute(
        "INSERT INTO audit_logs (user_id, action, resource_type, resource_id, status) VALUES (%s, 'appointment.create', 'appointments', %s, 'success')",
        (doctor, patient),
    )
    for t in repo_schema.tables:
        # audit_logs: this entry plus the audit trigger's for the patient and the appointment
        assert c.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] == (3 if t.name == "audit_logs" else 1), t.name
    assert c.execute("SELECT content, sender_type FROM messages").fetchone() == ("Hello doctor", "patient")
    # defaults applied by the database
    row = c.execute("SELECT status, duration_minutes, created_at IS NOT NULL FROM appointments").fetchone()
    assert row == ("pending", 30, True)
    assert c.execute(
        "SELECT a.metadata, w.status, w.attempts FROM audit_logs a, webhook_idempotency w WHERE a.action = 'appointment.create'"
    ).fetchone() == ({}, "pending", 0)
    assert c.execute("SELECT is_available FROM availability").fetchone() == (True,)


def test_foreign_key_to_a_missing_row_is_rejected(migrated):
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        new_conversation(migrated, uuid.uuid4(), uuid.uuid4())
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        migrated.execute("INSERT INTO messages (conversation_id, sender_type, content) VALUES (%s, 'bot', 'x')", (uuid.uuid4(),))


def test_on_delete_cascade_removes_children(migrated):
    c = migrated
    doctor = new_user(c)
    patient = new_patient(c, doctor)
    conv = new_conversation(c, doctor, patient)
    c.execute("INSERT INTO messages (conversation_id, sender_type, content) VALUES (%s, 'patient', 'hi')", (conv,))
    c.execute("DELETE FROM patients WHERE id = %s", (patient,))
    assert c.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0
    assert c.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_on_delete_set_null_keeps_the_row(migrated):
    c = migrated
    doctor = new_user(c)
    patient = new_patient(c, doctor)
    conv = new_conversation(c, doctor, patient)
    appt = c.execute(
        "INSERT INTO appointments (doctor_id, patient_id, conversation_id, appointment_date) VALUES (%s, %s, %s, now()) RETURNING id",
        (doctor, patient, conv),
    ).fetchone()[0]
    c.execute("DELETE FROM conversations WHERE id = %s", (conv,))
    assert c.execute("SELECT conversation_id FROM appointments WHERE id = %s", (appt,)).fetchone() == (None,)
    c.execute("INSERT INTO audit_logs (user_id, action, resource_type, status) VALUES (%s, 'login', 'auth', 'success')", (doctor,))
    c.execute("DELETE FROM patients")  # cascades to conversations and appointments
    c.execute("DELETE FROM auth.users WHERE id = %s", (doctor,))
    assert c.execute("SELECT user_id, action FROM audit_logs WHERE action = 'login'").fetchone() == (None, "login")


def test_on_delete_restrict_blocks_deleting_a_doctor_with_conversations(migrated):
    c = migrated
    doctor = new_user(c)
    patient = new_patient(c, doctor)
    new_conversation(c, doctor, patient)
    with pytest.raises(BLOCKED_BY_REFERENCE):
        c.execute("DELETE FROM auth.users WHERE id = %s", (doctor,))


def test_on_delete_cascade_from_auth_users(migrated):
    c = migrated
    doctor = new_user(c)
    c.execute("INSERT INTO availability (doctor_id, day_of_week, start_time, end_time) VALUES (%s, 'friday', '08:00', '12:00')", (doctor,))
    c.execute("DELETE FROM auth.users WHERE id = %s", (doctor,))
    assert c.execute("SELECT count(*) FROM availability").fetchone()[0] == 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) VALUES (%(d)s, %(p)s, 'myspace', 'x')",
        "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id, status) VALUES (%(d)s, %(p)s, 'whatsapp', 'x', 'deleted')",
        "INSERT INTO availability (doctor_id, day_of_week, start_time, end_time) VALUES (%(d)s, 'funday', '09:00', '10:00')",
        "INSERT INTO availability (doctor_id, day_of_week, start_time, end_time) VALUES (%(d)s, 'monday', '10:00', '09:00')",
        "INSERT INTO appointments (doctor_id, patient_id, appointment_date, status) VALUES (%(d)s, %(p)s, now(), 'maybe')",
        "INSERT INTO appointments (doctor_id, patient_id, appointment_date, duration_minutes) VALUES (%(d)s, %(p)s, now(), 0)",
        "INSERT INTO webhook_idempotency (provider, event_id) VALUES ('telegram', 'e')",
        "INSERT INTO audit_logs (action, resource_type, status) VALUES ('x', 'y', 'ok')",
    ],
)
def test_check_constraints_reject_bad_values(migrated, statement):
    doctor = new_user(migrated)
    params = {"d": doctor, "p": new_patient(migrated, doctor)}
    with pytest.raises(psycopg.errors.CheckViolation):
        migrated.execute(statement, params)


def test_exclusion_constraint_prevents_double_booking(migrated):
    """Live appointments of one doctor may not overlap at all; the old unique index only caught equal start times."""
    c = migrated
    doctor = new_user(c)
    patient = new_patient(c, doctor)
    sql = "INSERT INTO appointments (doctor_id, patient_id, appointment_date, duration_minutes, status) VALUES (%s, %s, %s, %s, %s)"
    c.execute(sql, (doctor, patient, "2026-12-01 10:00Z", 30, "cancelled"))
    c.execute(sql, (doctor, patient, "2026-12-01 10:00Z", 30, "confirmed"))  # a cancelled one does not count
    with pytest.raises(psycopg.errors.ExclusionViolation):
        c.execute(sql, (doctor, patient, "2026-12-01 10:00Z", 30, "pending"))  # the same start
    with pytest.raises(psycopg.errors.ExclusionViolation):
        c.execute(sql, (doctor, patient, "2026-12-01 10:15Z", 30, "pending"))  # a later start inside the first (unique index let it in)
    with pytest.raises(psycopg.errors.ExclusionViolation):
        c.execute(sql, (doctor, patient, "2026-12-01 11:15+01", 30, "pending"))  # the same instant in another zone
    c.execute(sql, (doctor, patient, "2026-12-01 10:30Z", 30, "pending"))  # back to back is fine
    c.execute(sql, (doctor, patient, "2026-12-01 10:15Z", 30, "completed"))  # past states are not guarded
    other = new_user(c)
    c.execute(sql, (other, new_patient(c, other), "2026-12-01 10:00Z", 30, "confirmed"))  # another doctor's agenda


def test_updated_at_moves_on_update(migrated):
    c = migrated
    patient = new_patient(c, new_user(c))
    c.execute("UPDATE patients SET updated_at = '2000-01-01Z', created_at = '2000-01-01Z' WHERE id = %s", (patient,))
    c.execute("UPDATE patients SET phone = '+15550199' WHERE id = %s", (patient,))
    created, updated = c.execute("SELECT created_at, updated_at FROM patients WHERE id = %s", (patient,)).fetchone()
    assert created.year == 2000  # the trigger touches only updated_at
    assert updated.year >= 2026


def _catalog_snapshot(conn):
    """Everything verify reads, plus object identities, so a re-run that recreated anything would show."""
    live = read_schema(conn)
    oids = conn.execute(
        "SELECT c.relname, c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1"
    ).fetchall()
    cons = conn.execute("SELECT conname, oid FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1").fetchall()
    trg = conn.execute("SELECT tgname, oid FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1").fetchall()
    return live, oids, cons, trg


def test_applying_twice_is_a_no_op(migrated, repo_outputs):
    c = migrated
    patient = new_patient(c, new_user(c))
    before = _catalog_snapshot(c)
    run_sql(c, repo_outputs[MIGRATION_PATH])
    after = _catalog_snapshot(c)
    assert before == after
    assert c.execute("SELECT id FROM patients").fetchall() == [(patient,)]
