"""Compliance profiles: phi (the default, the clinic's rules), general and none; configurable classification vocabularies."""

from __future__ import annotations

import json

from helpers import build_errors, lint_spec, write_spec
from test_typescript import npx  # noqa: F401 (the fixture: npm ci'd TypeScript toolchain)

from schemac.db.apply import run_sql
from schemac.emit.inventory import INVENTORY_JSON_PATH
from schemac.emit.sql import MIGRATION_PATH
from schemac.emit.typescript import TYPESCRIPT_PATH
from schemac.pipeline import load_schema, render_outputs

# An ordinary web application: serial-free but otherwise what a non-medical schema looks like,
# with varchar, no descriptions, no retention, and a user_id pointing at its own users table.
SHOP = """
profile: general
tables:
  users:
    rls: false
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      email: {type: varchar(255), classification: pii}
      password_hash: {type: text, classification: confidential, encrypted: true}
      created: {type: timestamp, default: now()}
  orders:
    columns:
      id: {type: bigint, primary_key: true}
      user_id: {type: uuid, references: users.id}
      note: {type: text, nullable: true}
    policies:
      - {name: orders_read, for: [select], to: [authenticated], using: "true"}
"""


def test_general_profile_needs_no_classification_and_fails_on_no_phi_rule(tmp_path):
    result = lint_spec(tmp_path, SHOP)
    assert result.errors == []
    # only good-practice warnings remain: timestamp without time zone, RLS off, an unindexed foreign key,
    # and retention on the tables holding (or linking to) personal data
    assert sorted((f.code, f.table, f.severity) for f in result.findings) == [
        ("SC102", "users", "warning"),
        ("SC109", "users", "warning"),
        ("SC113", "orders", "warning"),
        ("SC115", "orders", "warning"),
        ("SC115", "users", "warning"),
    ]


def test_the_same_spec_under_the_phi_profile_is_refused(tmp_path):
    errors = build_errors(tmp_path, SHOP.replace("profile: general", "profile: phi"))
    assert any("column 'id' has no classification" in e for e in errors)
    assert any("unknown classification 'pii'" in e for e in errors)


def test_profile_none_runs_no_rule(tmp_path):
    assert lint_spec(tmp_path, SHOP.replace("profile: general", "profile: none")).findings == []


def test_a_lint_severity_still_overrides_the_profile(tmp_path):
    result = lint_spec(tmp_path, SHOP + "lint:\n  severity: {SC104: error}\n")
    assert [(f.code, f.column) for f in result.errors] == [("SC104", "email")]


def test_general_profile_keeps_classification_where_given(tmp_path, conn):
    schema = load_schema(str(write_spec(tmp_path, SHOP)))
    outputs = render_outputs(schema)
    run_sql(conn, outputs[MIGRATION_PATH])
    comments = dict(
        conn.execute(
            "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
            "WHERE a.attrelid = 'public.users'::regclass AND a.attnum > 0"
        ).fetchall()
    )
    assert comments == {"id": None, "email": "[PII]", "password_hash": "[confidential, encrypted]", "created": None}
    assert conn.execute("SELECT obj_description('public.orders'::regclass, 'pg_class')").fetchone()[0] is None
    ts = outputs[TYPESCRIPT_PATH]
    assert 'export type Classification = "pii" | "confidential" | "internal" | "public"' in ts
    assert "      email: \"pii\"," in ts or '    email: "pii",' in ts
    assert '    note: null,' in ts
    assert "export type SensitiveColumns<T extends PublicTableName> = ColumnsClassifiedAs<T, \"pii\">" in ts
    assert "PhiColumns" not in ts
    inventory = json.loads(outputs[INVENTORY_JSON_PATH])
    assert [(f["column"], f["classification"]) for f in inventory["fields"]] == [("email", "pii"), ("password_hash", "confidential")]


def test_own_vocabulary(tmp_path):
    spec = SHOP.replace("profile: general", "profile: general\nclassifications: [secret, internal, open]")
    spec = spec.replace("classification: pii", "classification: secret").replace("classification: confidential", "classification: internal")
    schema = load_schema(str(write_spec(tmp_path, spec)))
    assert schema.classifications == ("secret", "internal", "open")
    assert schema.table("users").column("email").classification == "secret"
    # SC107 (off in the general profile; turned on here) follows the vocabulary: email is 'secret' and not encrypted
    spec += "lint:\n  severity: {SC107: error}\n"
    assert [(f.code, f.column) for f in lint_spec(tmp_path, spec).errors] == [("SC107", "email")]


def test_the_phi_profile_keeps_its_own_classes(tmp_path):
    spec = SHOP.replace("profile: general", "classifications: [pii, public]")
    errors = build_errors(tmp_path, spec)
    assert errors[0] == (
        "schema.yaml:1:1: the phi profile's classes are phi, administrative, public_social (its rules are written "
        "for them); remove 'classifications', or choose 'profile: general' for your own"
    )


def test_an_unknown_profile_is_a_grammar_error(tmp_path):
    errors = build_errors(tmp_path, SHOP.replace("profile: general", "profile: hipaa"))
    assert errors[0] == "schema.yaml:1:1: 'profile' cannot be 'hipaa'; expected 'phi', 'general' or 'none'"


def test_the_repo_schema_is_the_phi_profile(repo_schema):
    assert repo_schema.profile == "phi"
    assert repo_schema.classifications == ("phi", "administrative", "public_social")
    assert all(c.classification is not None for t in repo_schema.tables for c in t.columns)


GENERAL_USAGE = """import { type Database, type Redacted, type SensitiveColumns, ColumnClassification } from "../../compiled/types/database"

type Users = Database["public"]["Tables"]["users"]["Row"]
const email: SensitiveColumns<"users"> = "email"
const cls: "pii" = ColumnClassification.users.email
const unclassified: null = ColumnClassification.orders.note
function log(row: Partial<Redacted<"users">>) { return row }
declare const user: Users
log({ id: user.id })
// @ts-expect-error (TS2322) pii is left out of Redacted
log({ id: user.id, email: user.email })
export { email, cls, unclassified }
"""


def test_general_profile_typescript_typechecks(tmp_path, npx):
    """The vocabulary's union, null for unclassified columns, SensitiveColumns and Redacted, with the real tsc."""
    from test_typescript import DIRECTIVE, expected_errors, run_tsc, scratch_project, tsc_errors

    from schemac.emit.typescript import render_typescript

    schema = load_schema(str(write_spec(tmp_path, SHOP)))
    ts = render_typescript(schema)
    result = run_tsc(npx, scratch_project(tmp_path / "ok", ts, GENERAL_USAGE))
    assert result.returncode == 0, result.stdout  # an unused @ts-expect-error would fail it too (TS2578)
    stripped = "\n".join(DIRECTIVE.sub(r"\1// (directive removed)", line) for line in GENERAL_USAGE.splitlines()) + "\n"
    result = run_tsc(npx, scratch_project(tmp_path / "stripped", ts, stripped))
    assert {(line, code) for _file, line, code in tsc_errors(result)} == expected_errors(GENERAL_USAGE), result.stdout


def test_a_spec_error_elsewhere_does_not_bring_back_the_phi_rules(tmp_path):
    """With a broken table, the tables that built are still linted: under the spec's profile, not the phi one."""
    from typer.testing import CliRunner

    from schemac.cli import app

    spec = write_spec(tmp_path, SHOP.replace("      note: {type: text, nullable: true}", "      note: {type: txt, nullable: true}"))
    result = CliRunner().invoke(app, ["validate", "--spec", str(spec)])
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if " SC1" in line] == []  # general: warnings only, and not printed as errors
    assert "unknown column type 'txt'" in result.output


def test_a_profile_change_is_no_migration_and_a_class_change_only_rewrites_comments(tmp_path):
    """profile: and classifications: are lint and documentation; only a column's class reaches the database, in
    its COMMENT, so that is the one statement the next migration holds."""
    from migration_project import compiled, new_project

    project = new_project(tmp_path, """
        profile: general
        tables:
          notes:
            description: Notes.
            columns:
              id: {type: uuid, primary_key: true, default: gen_random_uuid()}
              email: {type: text, classification: pii}
        """)
    compiled(project)
    project.edit_spec("profile: general", "profile: none\nclassifications: [secret, pii, public]")
    result = compiled(project)
    assert "no migration: nothing the database holds changed" in result.output
    assert project.migrations() == ["001_initial_schema.sql"]
    project.edit_spec("classification: pii}", "classification: secret}")
    compiled(project)
    [second] = project.migrations()[1:]
    statements = [line for line in (project.compiled / "migrations" / second).read_text().splitlines() if line.startswith(("COMMENT", "ALTER", "CREATE", "DROP"))]
    assert statements == [
        """COMMENT ON COLUMN "public"."notes"."email" IS '[secret]';""",
        """COMMENT ON TABLE "public"."notes" IS 'Notes. Classification: secret.';""",
    ]
