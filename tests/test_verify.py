"""`schemac verify`: exit 0 on a database that is the spec, exit 1 naming whatever was broken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import psycopg
import pytest
from typer.testing import CliRunner

from schemac.cli import app

from conftest import ROOT

runner = CliRunner()


def verify(*args: str):
    return runner.invoke(app, ["verify", "--spec", str(ROOT / "schema.yaml"), "--out", str(ROOT / "compiled"), *args])


def applied(url: str, *args: str) -> None:
    """The repo's migrations applied with `schemac apply` (verify by URL only compares)."""
    result = runner.invoke(app, ["apply", "--spec", str(ROOT / "schema.yaml"), "--out", str(ROOT / "compiled"), "--database-url", url, *args])
    assert result.exit_code == 0, result.output


def test_verify_on_the_embedded_default_as_a_user_runs_it():
    """The real command line, in its own process: starts a throwaway server, applies, proves, removes it."""
    exe = shutil.which("schemac", path=os.path.dirname(sys.executable))
    result = subprocess.run([exe, "verify"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "started a throwaway PostgreSQL" in result.stdout
    assert (
        "applied 4 migrations: 001_initial_schema, 002_add_patients_preferred_language, 003_exclude_double_booking_appointments, "
        "004_audit_trigger_rpc_and_schedule_view"
    ) in result.stdout
    assert "verified: the database matches schema.yaml" in result.stdout
    assert "Traceback" not in result.stderr


def test_verify_against_a_database_given_by_url_compares_and_applies_nothing(db_url):
    before = verify("--database-url", db_url)
    assert before.exit_code == 1
    assert (
        "not recorded as applied here: 001_initial_schema, 002_add_patients_preferred_language, 003_exclude_double_booking_appointments, "
        "004_audit_trigger_rpc_and_schedule_view"
    ) in before.output
    assert "table patients: missing from the database" in before.output
    with psycopg.connect(db_url) as c:
        assert c.execute("SELECT to_regclass('public.patients'), to_regclass('schemac.applied_migrations')").fetchone() == (None, None)
    applied(db_url)
    after = verify("--database-url", db_url)
    assert after.exit_code == 0, after.output
    assert "not recorded" not in after.output


def test_apply_installs_the_stand_in_on_a_bare_database_only_when_asked(pg_server):
    from schemac.db.server import scratch_database

    with scratch_database(pg_server, "schemac_bare") as url:
        result = runner.invoke(app, ["apply", "--spec", str(ROOT / "schema.yaml"), "--out", str(ROOT / "compiled"), "--database-url", url])
        assert result.exit_code == 1 and "Pass --install-stand-in" in result.output
        applied(url, "--install-stand-in")
        with psycopg.connect(url) as c:
            assert c.execute("SELECT to_regclass('auth.users') IS NOT NULL").fetchone()[0]
        assert verify("--database-url", url).exit_code == 0


def _privileges_and_objects(url: str):
    """What the stand-in and a migration would change in one database: schemas, ACLs, default ACLs, relations."""
    with psycopg.connect(url) as c:
        return (
            c.execute("SELECT nspname, nspacl::text FROM pg_namespace ORDER BY 1").fetchall(),
            c.execute("SELECT defaclrole::regrole::text, defaclacl::text FROM pg_default_acl ORDER BY 1, 2").fetchall(),
            c.execute(
                "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2"
            ).fetchall(),
            c.execute("SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')").fetchall(),
        )


def test_verify_refuses_a_database_without_auth_users_and_changes_nothing(pg_server):
    """A URL may be a real database: verify must not grant privileges or create roles' schemas unasked."""
    from schemac.db.server import scratch_database

    with scratch_database(pg_server, "schemac_bare") as url:
        before = _privileges_and_objects(url)
        result = verify("--database-url", url)
        assert result.exit_code == 1, result.output
        dbname = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        assert result.output.strip() == (
            f"{dbname}: no auth.users: this does not look like a Supabase database; verify changes nothing. "
            "`schemac apply --install-stand-in` creates the minimal stand-in (roles anon/authenticated/service_role, auth.users, "
            "auth.uid(), default grants) before applying the migrations"
        )
        assert _privileges_and_objects(url) == before
        assert not any(name in ("auth", "schemac") for name, _acl in before[0])


MESSAGES_FK = (
    "ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey, ADD CONSTRAINT messages_conversation_id_fkey "
    "FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE"
)

BREAKAGES = [
    ("DROP TABLE blocked_times", "table blocked_times: missing from the database"),
    ("CREATE TABLE public.scratch (id int)", "table scratch: in the database but not in the spec"),
    ("ALTER TABLE patients DROP COLUMN gender", "column patients.gender: missing from the database"),
    ("ALTER TABLE patients ADD COLUMN ssn text", "column patients.ssn: in the database but not in the spec"),
    ("ALTER TABLE patients ALTER COLUMN phone TYPE varchar(20)", "column patients.phone: type: the database has 'character varying(20)'; the spec says 'text'"),
    (
        'ALTER TABLE patients ALTER COLUMN name TYPE text COLLATE "C"',
        "column patients.name: collation: the database has '\"C\"'; the spec says 'default'",
    ),
    ("ALTER TABLE patients ALTER COLUMN date_of_birth SET NOT NULL", "column patients.date_of_birth: nullability: the database has 'NOT NULL'; the spec says 'NULL'"),
    ("ALTER TABLE conversations ALTER COLUMN status SET DEFAULT 'closed'", "column conversations.status: default: the database has \"'closed'::text\"; the spec says \"'active'::text\""),
    ("ALTER TABLE appointments ALTER COLUMN duration_minutes DROP DEFAULT", "column appointments.duration_minutes: default: the database has none; the spec says '30'"),
    ("ALTER TABLE webhook_idempotency DROP CONSTRAINT webhook_idempotency_pkey", "primary key webhook_idempotency.webhook_idempotency_pkey: missing from the database"),
    ("ALTER TABLE webhook_idempotency DROP CONSTRAINT webhook_idempotency_provider_event_id_key", "unique constraint webhook_idempotency.webhook_idempotency_provider_event_id_key: missing"),
    ("ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey", "foreign key messages.messages_conversation_id_fkey: missing from the database"),
    (
        "ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey, ADD CONSTRAINT messages_conversation_id_fkey "
        "FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE RESTRICT",
        "foreign key messages.messages_conversation_id_fkey: ON DELETE: the database has 'RESTRICT'; the spec says 'CASCADE'",
    ),
    (
        "ALTER TABLE conversations DROP CONSTRAINT conversations_patient_id_doctor_id_fkey, ADD CONSTRAINT conversations_patient_id_doctor_id_fkey "
        "FOREIGN KEY (patient_id) REFERENCES patients(id) ON DELETE CASCADE",
        "foreign key conversations.conversations_patient_id_doctor_id_fkey: target: the database has '(patient_id) -> public.patients(id)'; "
        "the spec says '(patient_id, doctor_id) -> public.patients(id, doctor_id)'",
    ),
    (
        MESSAGES_FK + " ON UPDATE CASCADE",
        "foreign key messages.messages_conversation_id_fkey: ON UPDATE: the database has 'CASCADE'; the spec says 'NO ACTION'",
    ),
    (
        MESSAGES_FK + " DEFERRABLE INITIALLY DEFERRED",
        "foreign key messages.messages_conversation_id_fkey: deferrable: the database has 'DEFERRABLE INITIALLY DEFERRED'; "
        "the spec says 'NOT DEFERRABLE'",
    ),
    (
        MESSAGES_FK + " NOT VALID",
        "foreign key messages.messages_conversation_id_fkey: validity: the database has 'NOT VALID'; the spec says 'VALID'",
    ),
    (
        MESSAGES_FK + " NOT ENFORCED",
        "foreign key messages.messages_conversation_id_fkey: enforcement: the database has 'NOT ENFORCED'; the spec says 'ENFORCED'",
    ),
    (
        "ALTER TABLE conversations DROP CONSTRAINT conversations_patient_id_doctor_id_fkey, ADD CONSTRAINT conversations_patient_id_doctor_id_fkey "
        "FOREIGN KEY (patient_id, doctor_id) REFERENCES patients(id, doctor_id) MATCH FULL ON DELETE CASCADE",
        "foreign key conversations.conversations_patient_id_doctor_id_fkey: MATCH: the database has 'FULL'; the spec says 'SIMPLE'",
    ),
    (
        "ALTER TABLE webhook_idempotency DROP CONSTRAINT webhook_idempotency_provider_event_id_key, "
        "ADD CONSTRAINT webhook_idempotency_provider_event_id_key UNIQUE (provider, event_id) DEFERRABLE",
        "unique constraint webhook_idempotency.webhook_idempotency_provider_event_id_key: deferrable: "
        "the database has 'DEFERRABLE INITIALLY IMMEDIATE'; the spec says 'NOT DEFERRABLE'",
    ),
    ("ALTER TABLE appointments DROP CONSTRAINT appointments_status_check", "check constraint appointments.appointments_status_check: missing"),
    (
        "ALTER TABLE appointments DROP CONSTRAINT appointments_status_check, "
        "ADD CONSTRAINT appointments_status_check CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed', 'no_show')) NOT VALID",
        "check constraint appointments.appointments_status_check: validity: the database has 'NOT VALID'; the spec says 'VALID'",
    ),
    (
        "ALTER TABLE appointments DROP CONSTRAINT appointments_status_check, "
        "ADD CONSTRAINT appointments_status_check CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed', 'no_show')) NO INHERIT",
        "check constraint appointments.appointments_status_check: inheritance: the database has 'NO INHERIT'; the spec says 'INHERIT'",
    ),
    (
        "ALTER TABLE appointments DROP CONSTRAINT appointments_status_check, "
        "ADD CONSTRAINT appointments_status_check CHECK (status IN ('pending', 'confirmed'))",
        "check constraint appointments.appointments_status_check: expression",
    ),
    ("ALTER TABLE patients ADD CONSTRAINT patients_phone_check CHECK (phone <> '')", "check constraint patients.patients_phone_check: in the database but not in the spec"),
    ("DROP INDEX audit_logs_action_idx", "index audit_logs.audit_logs_action_idx: missing from the database"),
    ("CREATE INDEX extra_idx ON patients (name)", "index patients.extra_idx: in the database but not in the spec"),
    (
        "ALTER TABLE appointments DROP CONSTRAINT appointments_no_double_booking_excl, ADD CONSTRAINT appointments_no_double_booking_excl "
        "EXCLUDE USING gist (doctor_id WITH =, tsrange(timezone('UTC', appointment_date), timezone('UTC', appointment_date) "
        "+ make_interval(mins => duration_minutes)) WITH &&)",
        "exclusion constraint appointments.appointments_no_double_booking_excl: definition",
    ),
    (
        "DROP INDEX messages_conversation_id_created_at_idx; CREATE INDEX messages_conversation_id_created_at_idx ON messages (created_at)",
        "index messages.messages_conversation_id_created_at_idx: columns",
    ),
    ("DROP TRIGGER patients_set_updated_at ON patients", "trigger patients.patients_set_updated_at: missing from the database"),
    (
        "ALTER TABLE appointments DISABLE TRIGGER appointments_set_updated_at",
        "trigger appointments.appointments_set_updated_at: firing: the database has 'disabled'; the spec says 'enabled'",
    ),
    (
        "ALTER TABLE patients ENABLE REPLICA TRIGGER patients_set_updated_at",
        "trigger patients.patients_set_updated_at: firing: the database has 'replica'; the spec says 'enabled'",
    ),
    (
        "ALTER TABLE patients ENABLE ALWAYS TRIGGER patients_set_updated_at",
        "trigger patients.patients_set_updated_at: firing: the database has 'always'; the spec says 'enabled'",
    ),
    (
        "CREATE OR REPLACE TRIGGER patients_set_updated_at BEFORE UPDATE ON patients FOR EACH ROW WHEN (false) "
        "EXECUTE FUNCTION public.schemac_set_updated_at()",
        "trigger patients.patients_set_updated_at: definition: the database has "
        "'BEFORE UPDATE ON patients FOR EACH ROW WHEN (false) EXECUTE FUNCTION schemac_set_updated_at()'; "
        "the spec says 'BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION schemac_set_updated_at()'",
    ),
    (
        "CREATE OR REPLACE TRIGGER patients_set_updated_at BEFORE UPDATE OF name ON patients FOR EACH ROW "
        "EXECUTE FUNCTION public.schemac_set_updated_at()",
        "trigger patients.patients_set_updated_at: definition: the database has "
        "'BEFORE UPDATE OF name ON patients FOR EACH ROW EXECUTE FUNCTION schemac_set_updated_at()'",
    ),
    (
        "CREATE OR REPLACE TRIGGER patients_set_updated_at BEFORE UPDATE ON patients FOR EACH STATEMENT "
        "EXECUTE FUNCTION public.schemac_set_updated_at()",
        "trigger patients.patients_set_updated_at: definition: the database has "
        "'BEFORE UPDATE ON patients FOR EACH STATEMENT EXECUTE FUNCTION schemac_set_updated_at()'",
    ),
    (
        # the spec's trigger cannot be built for comparison without its function: verify still reports, not crashes
        "CREATE FUNCTION public.other_fn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; "
        "DROP FUNCTION public.schemac_set_updated_at() CASCADE; "
        "CREATE TRIGGER patients_set_updated_at BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION public.other_fn()",
        "trigger patients.patients_set_updated_at: the database has 'BEFORE UPDATE -> public.other_fn'; "
        "the spec says 'BEFORE UPDATE -> public.schemac_set_updated_at'",
    ),
    (
        "CREATE OR REPLACE FUNCTION public.schemac_set_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = '' "
        "AS $$BEGIN RETURN NEW; END$$",
        "function public.schemac_set_updated_at: body: the database has 'BEGIN RETURN NEW; END'; "
        "the spec says 'BEGIN NEW.updated_at := now(); RETURN NEW; END;'",
    ),
    (
        "CREATE OR REPLACE FUNCTION public.schemac_set_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = '' "
        "AS $$BEGIN NEW.updated_at := now(); PERFORM pg_notify('leak', NEW.id::text); RETURN NEW; END;$$",
        "function public.schemac_set_updated_at: body: the database has "
        "\"BEGIN NEW.updated_at := now(); PERFORM pg_notify('leak', NEW.id::text); RETURN NEW; END;\"",
    ),
    (
        "ALTER FUNCTION public.schemac_set_updated_at() SECURITY DEFINER",
        "function public.schemac_set_updated_at: security: the database has 'SECURITY DEFINER'; the spec says 'SECURITY INVOKER'",
    ),
    (
        "CREATE OR REPLACE FUNCTION public.schemac_set_updated_at() RETURNS trigger LANGUAGE internal SET search_path = '' "
        "AS 'suppress_redundant_updates_trigger'",
        "function public.schemac_set_updated_at: language: the database has 'internal'; the spec says 'plpgsql'",
    ),
    (
        "ALTER FUNCTION public.schemac_set_updated_at() SET search_path = public",
        "function public.schemac_set_updated_at: settings: the database has 'search_path=public'; the spec says 'search_path=\"\"'",
    ),
    (
        "ALTER FUNCTION public.schemac_set_updated_at() RESET ALL",
        "function public.schemac_set_updated_at: settings: the database has none; the spec says 'search_path=\"\"'",
    ),
    (
        "ALTER FUNCTION public.schemac_set_updated_at() STABLE",
        "function public.schemac_set_updated_at: volatility: the database has 'STABLE'; the spec says 'VOLATILE'",
    ),
    (
        "DROP FUNCTION public.schemac_set_updated_at() CASCADE; "
        "CREATE FUNCTION public.schemac_set_updated_at() RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$BEGIN END$$",
        "function public.schemac_set_updated_at: returns: the database has 'void'; the spec says 'trigger'",
    ),
    (
        "CREATE FUNCTION public.schemac_set_updated_at(x int) RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "function public.schemac_set_updated_at(x integer): in the database but not in the spec",
    ),
    ("ALTER TABLE messages DISABLE ROW LEVEL SECURITY", "table messages: row level security: the database has 'disabled'; the spec says 'enabled'"),
    (
        "ALTER TABLE patients FORCE ROW LEVEL SECURITY",
        "table patients: forced row level security: the database has 'forced'; the spec says 'not forced'",
    ),
    (
        "ALTER TABLE patients OWNER TO authenticated",
        "table patients: owner: the database has 'authenticated'; the spec says 'a role other than anon, authenticated "
        "and service_role (owners bypass row level security)'",
    ),
    ("ALTER TABLE messages OWNER TO anon", "table messages: owner: the database has 'anon'"),
    ("ALTER TABLE audit_logs OWNER TO service_role", "table audit_logs: owner: the database has 'service_role'"),
    ("COMMENT ON COLUMN patients.name IS 'just a name'", "column patients.name: comment: the database has 'just a name'"),
    ("COMMENT ON TABLE audit_logs IS NULL", "table audit_logs: comment: the database has none"),
    ("CREATE VIEW public.all_phones AS SELECT phone FROM patients", "view all_phones: in the database but not in the spec"),
    ("CREATE TYPE public.mood AS ENUM ('ok')", "enum type mood: in the database but not in the spec"),
    ("CREATE SEQUENCE public.counter", "sequence counter: in the database but not in the spec"),
    ("CREATE FUNCTION public.leak() RETURNS int LANGUAGE sql AS 'SELECT 1'", "function public.leak: in the database but not in the spec"),
    ("CREATE RULE r AS ON INSERT TO patients DO ALSO NOTIFY patients_inserted", "rule patients.r: in the database but not in the spec"),
    ("CREATE TRIGGER sneaky BEFORE DELETE ON patients FOR EACH ROW EXECUTE FUNCTION public.schemac_set_updated_at()", "trigger patients.sneaky: in the database but not in the spec"),
    ("CREATE POLICY sneaky ON patients FOR SELECT USING (true)", "policy patients.sneaky: in the database but not in the spec"),
    (
        "DROP INDEX patients_doctor_id_phone_idx; CREATE INDEX patients_doctor_id_phone_idx ON patients (doctor_id, phone text_pattern_ops)",
        "index patients.patients_doctor_id_phone_idx: definition: the database has 'USING btree (doctor_id, phone text_pattern_ops)'",
    ),
    (
        "DROP INDEX audit_logs_action_idx; CREATE INDEX audit_logs_action_idx ON audit_logs (action COLLATE \"C\")",
        "index audit_logs.audit_logs_action_idx: definition: the database has 'USING btree (action COLLATE \"C\")'",
    ),
    (
        "ALTER TABLE webhook_idempotency DROP CONSTRAINT webhook_idempotency_provider_event_id_key, "
        "ADD CONSTRAINT webhook_idempotency_provider_event_id_key UNIQUE NULLS NOT DISTINCT (provider, event_id)",
        "unique constraint webhook_idempotency.webhook_idempotency_provider_event_id_key: definition: the database has "
        "'UNIQUE NULLS NOT DISTINCT (provider, event_id)'; the spec says 'UNIQUE (provider, event_id)'",
    ),
    (
        "ALTER TABLE blocked_times DROP CONSTRAINT blocked_times_pkey, ADD CONSTRAINT blocked_times_pkey PRIMARY KEY (id) INCLUDE (reason)",
        "primary key blocked_times.blocked_times_pkey: definition: the database has 'PRIMARY KEY (id) INCLUDE (reason)'; the spec says 'PRIMARY KEY (id)'",
    ),
]


@pytest.mark.parametrize("statement, expected", BREAKAGES, ids=[b[1][:100] for b in BREAKAGES])
def test_breaking_the_database_makes_verify_fail_and_name_it(db_url, statement, expected):
    applied(db_url)
    with psycopg.connect(db_url, autocommit=True) as c:
        if "NOT ENFORCED" in statement and c.info.server_version < 180000:
            pytest.skip("NOT ENFORCED constraints exist from PostgreSQL 18")
        c.execute(statement)
    result = verify("--database-url", db_url)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert re.search(r"\n(1 difference|[2-9] differences) between the database and", result.output), result.output


@pytest.mark.parametrize(
    "definition, expected",
    [
        (
            ["CREATE TRIGGER t BEFORE UPDATE ON public.patients FOR EACH ROW EXECUTE FUNCTION f()", "t", "public.patients"],
            "BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION f()",
        ),
        (  # a temporary table: pg_temp.x from PostgreSQL 16, pg_temp_N.x before
            ["CREATE TRIGGER t BEFORE UPDATE ON pg_temp.tmp FOR EACH ROW EXECUTE FUNCTION f()", "t", "pg_temp_3.tmp", "pg_temp.tmp"],
            "BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION f()",
        ),
        (
            ["CREATE TRIGGER t BEFORE UPDATE ON pg_temp_3.tmp FOR EACH ROW EXECUTE FUNCTION f()", "t", "pg_temp_3.tmp", "pg_temp.tmp"],
            "BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION f()",
        ),
        (  # a quoted column in UPDATE OF that reads like the ON clause is not taken for it
            [
                'CREATE TRIGGER "Odd name" BEFORE UPDATE OF "a ON public.patients b" ON public.patients FOR EACH ROW EXECUTE FUNCTION f()',
                '"Odd name"',
                "public.patients",
            ],
            'BEFORE UPDATE OF "a ON public.patients b" ON patients FOR EACH ROW EXECUTE FUNCTION f()',
        ),
        (
            [
                "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON public.patients DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f()",
                "t",
                "public.patients",
            ],
            "CONSTRAINT AFTER INSERT ON patients DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f()",
        ),
    ],
)
def test_trigger_definitions_are_compared_without_the_trigger_and_schema_names(definition, expected):
    from schemac.db.catalog import trigger_tail

    assert trigger_tail(definition, "patients") == expected


def test_verify_compares_the_trigger_function_body_up_to_whitespace(db_url):
    """Re-indenting the function is not drift; changing a statement is (see BREAKAGES)."""
    applied(db_url)
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute(
            "CREATE OR REPLACE FUNCTION public.schemac_set_updated_at() RETURNS trigger LANGUAGE plpgsql SET search_path = '' "
            "AS $$\n\tBEGIN NEW.updated_at := now();\n\n    RETURN NEW;   END;$$"
        )
    result = verify("--database-url", db_url)
    assert result.exit_code == 0, result.output


def test_verify_refuses_a_hand_edited_migration_before_starting_a_database(tmp_path):
    shutil.copytree(ROOT / "compiled", tmp_path / "compiled")
    migration = tmp_path / "compiled" / "migrations" / "001_initial_schema.sql"
    migration.write_text(migration.read_text().replace("CREATE INDEX IF NOT EXISTS", "-- CREATE INDEX IF NOT EXISTS", 1))
    result = runner.invoke(app, ["verify", "--spec", str(ROOT / "schema.yaml"), "--out", str(tmp_path / "compiled")])
    assert result.exit_code == 1
    assert f"{migration}: changed after `schemac compile` wrote it" in result.output
    assert "started a throwaway PostgreSQL" not in result.output


def test_verify_names_a_change_no_migration_holds_yet(db_url, tmp_path):
    spec = tmp_path / "schema.yaml"
    shutil.copy(ROOT / "schema.yaml", spec)
    out = str(tmp_path / "compiled")
    assert runner.invoke(app, ["compile", "--spec", str(spec), "--out", out]).exit_code == 0
    assert runner.invoke(app, ["apply", "--spec", str(spec), "--out", out, "--database-url", db_url]).exit_code == 0
    spec.write_text(spec.read_text().replace("description: Full name as given by the patient.", "description: The patient's full name."))
    result = runner.invoke(app, ["verify", "--spec", str(spec), "--out", out])
    assert result.exit_code == 1
    assert "schema.yaml has a change no migration holds yet: comment on column patients.name" in result.output
    result = runner.invoke(app, ["verify", "--spec", str(spec), "--out", out, "--database-url", db_url])
    assert result.exit_code == 1
    assert "column patients.name: comment: the database has '[ENCRYPTED PHI: encrypted at rest and in transit] Full name as given by the patient.'" in result.output
    assert runner.invoke(app, ["compile", "--spec", str(spec), "--out", out]).exit_code == 0
    result = runner.invoke(app, ["verify", "--spec", str(spec), "--out", out, "--database-url", db_url])
    assert "not recorded as applied here: 002_comment_patients" in result.output
    assert runner.invoke(app, ["apply", "--spec", str(spec), "--out", out, "--database-url", db_url]).exit_code == 0
    result = runner.invoke(app, ["verify", "--spec", str(spec), "--out", out, "--database-url", db_url])
    assert result.exit_code == 0, result.output


def test_verify_with_an_unreachable_database_fails_cleanly():
    result = verify("--database-url", "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    assert result.exit_code == 1
    assert "verify failed: OperationalError" in result.output


def test_verify_without_compiled_migrations_says_so_before_starting_a_database(tmp_path):
    result = verify("--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert f"no compiled migrations in {tmp_path / 'nowhere'}/migrations; run `schemac compile`" in result.output
    assert "started a throwaway PostgreSQL" not in result.output
