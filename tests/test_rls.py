"""Row level security on a real PostgreSQL with the Supabase stand-in, using the repo's compiled migration.

Doctor A (role authenticated, JWT sub = A) sees and changes only A's rows; doctor B
sees none of them and cannot write into them; anon sees nothing; service_role sees all.
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.sql import MIGRATION_PATH

TABLES = ("patients", "conversations", "messages", "availability", "blocked_times", "appointments", "webhook_idempotency", "audit_logs")


@pytest.fixture
def clinic(migrated):
    """Two doctors, each with a patient, a conversation, a message, an appointment and an audit entry."""
    conn = migrated
    ids = {}
    for d in ("A", "B"):
        doctor = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id", (f"{d}@clinic.test",)).fetchone()[0]
        patient = conn.execute("INSERT INTO patients (doctor_id, name, phone) VALUES (%s, %s, '+100') RETURNING id", (doctor, f"P{d}")).fetchone()[0]
        convo = conn.execute(
            "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) VALUES (%s, %s, 'whatsapp', %s) RETURNING id",
            (doctor, patient, f"wa-{d}"),
        ).fetchone()[0]
        message = conn.execute("INSERT INTO messages (conversation_id, sender_type, content) VALUES (%s, 'patient', 'hello') RETURNING id", (convo,)).fetchone()[0]
        appt = conn.execute(
            "INSERT INTO appointments (doctor_id, patient_id, conversation_id, appointment_date) VALUES (%s, %s, %s, now()) RETURNING id",
            (doctor, patient, convo),
        ).fetchone()[0]
        conn.execute("INSERT INTO availability (doctor_id, day_of_week, start_time, end_time) VALUES (%s, 'monday', '09:00', '12:00')", (doctor,))
        conn.execute("INSERT INTO blocked_times (doctor_id, start_time, end_time) VALUES (%s, now(), now() + interval '1 day')", (doctor,))
        conn.execute("INSERT INTO audit_logs (user_id, action, resource_type, status) VALUES (%s, 'x', 'patients', 'success')", (doctor,))
        ids[d] = {"doctor": doctor, "patient": patient, "conversation": convo, "message": message, "appointment": appt}
    conn.execute("INSERT INTO webhook_idempotency (provider, event_id) VALUES ('whatsapp', 'evt-1')")
    yield conn, ids
    conn.execute("RESET ROLE")


def act_as(conn, role, sub=None):
    conn.execute("RESET ROLE")
    claims = json.dumps({"sub": str(sub), "role": role}) if sub else ""
    conn.execute("SELECT set_config('request.jwt.claims', %s, false)", (claims,))
    conn.execute(f"SET ROLE {role}")


def ids_in(conn, table):
    return {r[0] for r in conn.execute(f"SELECT id FROM {table}")}


def test_doctor_sees_only_their_own_rows(clinic):
    conn, ids = clinic
    act_as(conn, "authenticated", ids["A"]["doctor"])
    assert ids_in(conn, "patients") == {ids["A"]["patient"]}
    assert ids_in(conn, "conversations") == {ids["A"]["conversation"]}
    assert ids_in(conn, "messages") == {ids["A"]["message"]}
    assert ids_in(conn, "appointments") == {ids["A"]["appointment"]}
    assert conn.execute("SELECT count(*) FROM availability").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0] == 1
    assert ids_in(conn, "webhook_idempotency") == set()


def test_doctor_inserts_updates_and_deletes_their_own_rows(clinic):
    conn, ids = clinic
    a = ids["A"]
    act_as(conn, "authenticated", a["doctor"])
    convo = conn.execute(
        "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) VALUES (%s, %s, 'instagram', 'ig-A') RETURNING id",
        (a["doctor"], a["patient"]),
    ).fetchone()[0]
    msg = conn.execute("INSERT INTO messages (conversation_id, sender_type, content) VALUES (%s, 'doctor', 'hi') RETURNING id", (convo,)).fetchone()[0]
    appt = conn.execute(
        "INSERT INTO appointments (doctor_id, patient_id, conversation_id, appointment_date) VALUES (%s, %s, %s, now() + interval '1 day') RETURNING id",
        (a["doctor"], a["patient"], convo),
    ).fetchone()[0]
    assert conn.execute("UPDATE conversations SET status = 'archived' WHERE id = %s", (convo,)).rowcount == 1
    assert conn.execute("UPDATE messages SET intent = 'greeting' WHERE id = %s", (msg,)).rowcount == 1
    assert conn.execute("UPDATE appointments SET status = 'confirmed' WHERE id = %s", (appt,)).rowcount == 1
    assert conn.execute("DELETE FROM messages WHERE id = %s", (msg,)).rowcount == 1
    assert conn.execute("DELETE FROM appointments WHERE id = %s", (appt,)).rowcount == 1
    assert conn.execute("DELETE FROM conversations WHERE id = %s", (convo,)).rowcount == 1


def test_other_doctor_cannot_see_or_change_a_rows(clinic):
    conn, ids = clinic
    a = ids["A"]
    act_as(conn, "authenticated", ids["B"]["doctor"])
    for table, key in (("patients", "patient"), ("conversations", "conversation"), ("messages", "message"), ("appointments", "appointment")):
        assert a[key] not in ids_in(conn, table)
        assert conn.execute(f"UPDATE {table} SET created_at = created_at WHERE id = %s", (a[key],)).rowcount == 0
        assert conn.execute(f"DELETE FROM {table} WHERE id = %s", (a[key],)).rowcount == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO messages (conversation_id, sender_type, content) VALUES (%s, 'doctor', 'x')", (a["conversation"],))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) VALUES (%s, %s, 'facebook', 'fb')",
            (a["doctor"], a["patient"]),
        )
    with pytest.raises(psycopg.errors.ForeignKeyViolation):  # B's own row, but A's patient: the composite key refuses it
        conn.execute(
            "INSERT INTO conversations (doctor_id, patient_id, platform, platform_conversation_id) VALUES (%s, %s, 'facebook', 'fb')",
            (ids["B"]["doctor"], a["patient"]),
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # B's appointment linked to A's conversation
        conn.execute(
            "INSERT INTO appointments (doctor_id, patient_id, conversation_id, appointment_date) VALUES (%s, %s, %s, now())",
            (ids["B"]["doctor"], ids["B"]["patient"], a["conversation"]),
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # moving B's own message into A's conversation
        conn.execute("UPDATE messages SET conversation_id = %s WHERE id = %s", (a["conversation"], ids["B"]["message"]))
    act_as(conn, "service_role")
    assert conn.execute("SELECT count(*) FROM messages WHERE conversation_id = %s", (a["conversation"],)).fetchone()[0] == 1


def test_anon_sees_nothing(clinic):
    conn, _ = clinic
    act_as(conn, "anon")
    for table in TABLES:
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_service_role_sees_everything(clinic):
    conn, _ = clinic
    act_as(conn, "service_role")
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    # audit_logs: the fixture's two entries plus the audit trigger's for each doctor's patient and appointment
    assert counts == {t: {"webhook_idempotency": 1, "audit_logs": 6}.get(t, 2) for t in TABLES}


def test_applying_the_migration_twice_changes_nothing(migrated, repo_outputs):
    before = read_schema(migrated)
    assert sum(len(t.policies) for t in before.tables.values()) == 25
    run_sql(migrated, repo_outputs[MIGRATION_PATH])
    assert read_schema(migrated) == before


def test_unknown_sub_sees_nothing(clinic):
    conn, _ = clinic
    act_as(conn, "authenticated", uuid.uuid4())
    for table in TABLES:
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_audit_trigger_logs_ids_only_for_patient_and_appointment_changes(clinic):
    """The clinic's audit trigger: a doctor's own changes (through RLS) leave entries with IDs, never PHI."""
    conn, ids = clinic
    a = ids["A"]
    conn.execute("RESET ROLE")
    conn.execute("DELETE FROM audit_logs")
    act_as(conn, "authenticated", a["doctor"])
    patient = conn.execute(
        "INSERT INTO patients (doctor_id, name, phone) VALUES (%s, 'Grace Secret', '+15550001') RETURNING id", (a["doctor"],)
    ).fetchone()[0]
    conn.execute("UPDATE appointments SET status = 'confirmed' WHERE id = %s", (a["appointment"],))
    conn.execute("DELETE FROM appointments WHERE id = %s", (a["appointment"],))
    conn.execute("RESET ROLE")
    rows = conn.execute("SELECT user_id, action, resource_type, resource_id, status, metadata FROM audit_logs ORDER BY created_at, action").fetchall()
    assert sorted(rows, key=lambda r: r[1]) == sorted(
        [
            (a["doctor"], "patients.insert", "patients", patient, "success", {}),
            (a["doctor"], "appointments.update", "appointments", a["appointment"], "success", {}),
            (a["doctor"], "appointments.delete", "appointments", a["appointment"], "success", {}),
        ],
        key=lambda r: r[1],
    )
    dump = " ".join(str(v) for row in conn.execute("SELECT * FROM audit_logs").fetchall() for v in row)
    assert "Grace" not in dump and "+1555" not in dump  # IDs only
    # users still cannot write audit_logs themselves; only the trigger (running as its owner) can
    act_as(conn, "authenticated", a["doctor"])
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO audit_logs (user_id, action, resource_type, status) VALUES (%s, 'forged', 'x', 'success')", (a["doctor"],))


def test_data_inventory_read_access_matches_what_each_role_sees(clinic, repo_schema):
    """DATA_INVENTORY.md's per-role words hold on the database: 'all rows' sees every row, 'own rows' only
    doctor A's (some, not all), 'none' nothing."""
    from schemac.emit.inventory import read_access

    conn, ids = clinic
    checked = set()
    for table in repo_schema.tables:
        conn.execute("RESET ROLE")
        total = conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
        assert total > 0
        for role, words in read_access(table).items():
            act_as(conn, role, ids["A"]["doctor"] if role == "authenticated" else None)
            seen = conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            if words == "all rows":
                assert seen == total, (table.name, role)
            elif words == "own rows":
                assert 0 < seen < total, (table.name, role)
            else:
                assert words == "none" and seen == 0, (table.name, role, words)
            checked.add(words)
    assert checked == {"all rows", "own rows", "none"}
