"""verify compares every policy's command, roles, USING and WITH CHECK with the spec, and fails naming it."""

from __future__ import annotations

import psycopg
from helpers import run_cli

from schemac.verify.run import run_verify

from conftest import REPO_SPEC, ROOT

OUT = ROOT / "compiled"


def _applied(db_url: str) -> None:
    result = run_cli("apply", "--database-url", db_url, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_verify_passes_then_names_a_dropped_and_an_altered_policy(db_url, repo_schema):
    out = OUT
    _applied(db_url)
    report = run_verify(repo_schema, str(REPO_SPEC), str(out), db_url)
    assert report.differences == []
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP POLICY messages_doctor_select ON public.messages")
        conn.execute("ALTER POLICY patients_doctor_update ON public.patients USING (true)")
        conn.execute("ALTER POLICY conversations_doctor_insert ON public.conversations TO authenticated, anon")
        conn.execute("CREATE POLICY sneaky ON public.audit_logs FOR SELECT TO anon USING (true)")
    report = run_verify(repo_schema, str(REPO_SPEC), str(out), db_url)
    assert report.differences == [
        "policy patients.patients_doctor_update: USING: the database has 'true'; the spec says '(doctor_id = ( SELECT auth.uid() AS uid))'",
        "policy conversations.conversations_doctor_insert: roles: the database has 'anon, authenticated'; the spec says 'authenticated'",
        "policy messages.messages_doctor_select: missing from the database",
        "policy audit_logs.sneaky: in the database but not in the spec",
    ]
    result = run_cli("verify", "--spec", str(REPO_SPEC), "--out", str(out), "--database-url", db_url, cwd=ROOT)
    assert result.returncode == 1
    assert "policy messages.messages_doctor_select: missing from the database" in result.stderr
    assert "4 differences between the database and" in result.stderr


def test_verify_compares_the_owner_path_expression(db_url, repo_schema):
    _applied(db_url)
    assert run_verify(repo_schema, str(REPO_SPEC), str(OUT), db_url).differences == []
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "ALTER POLICY messages_doctor_update ON public.messages WITH CHECK "
            "(EXISTS (SELECT 1 FROM public.conversations p1 WHERE p1.id = messages.conversation_id))"
        )
    [diff] = run_verify(repo_schema, str(REPO_SPEC), str(OUT), db_url).differences
    assert diff.startswith("policy messages.messages_doctor_update: WITH CHECK: the database has")
    assert "p1.doctor_id = ( SELECT auth.uid() AS uid)" in diff.split("the spec says")[1]
