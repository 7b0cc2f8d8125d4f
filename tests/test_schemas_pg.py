"""Tables in several schemas: `schema: billing` on a table.

The migration creates the schema (with the API roles' privileges, as Supabase has them on public) and the
tables in it; foreign keys cross schemas; verify reads every schema of the spec; the planner creates a new
schema with its first table and refuses to move a table between schemas; database.ts types each schema
under Database[schema] exactly as Supabase's generator does; DB_SCHEMA.md groups the tables by schema.
"""

from __future__ import annotations

import psycopg
from helpers import build_errors
from migration_project import compiled, new_project
from plan_pairs import migrated, spec
from test_typescript import npx, official_types, run_tsc, scratch_project, supabase_view  # noqa: F401 (npx: the fixture)

from schemac.db.apply import run_sql
from schemac.db.catalog import read_schema
from schemac.emit.markdown import render_db_schema
from schemac.emit.sql import render_migration
from schemac.emit.typescript import render_typescript
from schemac.plan import plan_migration

PUBLIC_ONLY = """
profile: general
tables:
  customers:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      name: {type: text}
"""

BILLING = PUBLIC_ONLY + """
  invoices:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      customer_id: {type: uuid, references: customers.id}
      total: {type: "numeric(10,2)"}
    indexes:
      - columns: [customer_id]
    policies:
      - {name: read, for: [select], to: [authenticated], using: "true"}
  invoice_lines:
    schema: billing
    timestamps: true
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      invoice_id: {type: bigint, references: billing.invoices.id}
      note: {type: text, nullable: true}
  payments:
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      invoice_id: {type: bigint, references: invoices.id, on_delete: cascade}
"""


def test_the_migration_creates_the_schema_its_tables_and_keys_across_schemas(tmp_path, conn):
    schema = spec(tmp_path, "s", BILLING)
    assert [(t.name, t.schema) for t in schema.tables] == [("customers", "public"), ("invoices", "billing"), ("invoice_lines", "billing"), ("payments", "public")]
    run_sql(conn, render_migration(schema))
    billing = read_schema(conn, "billing")
    assert set(billing.tables) == {"invoices", "invoice_lines"}
    assert billing.tables["invoices"].constraints["invoices_customer_id_fkey"].ref_table == "public.customers"
    assert billing.tables["invoice_lines"].constraints["invoice_lines_invoice_id_fkey"].ref_table == "billing.invoices"
    assert read_schema(conn).tables["payments"].constraints["payments_invoice_id_fkey"].ref_table == "billing.invoices"
    assert set(billing.tables["invoices"].indexes) == {"invoices_customer_id_idx"} and set(billing.tables["invoices"].policies) == {"read"}
    assert "invoice_lines_set_updated_at" in billing.tables["invoice_lines"].triggers
    privileges = conn.execute(
        "SELECT has_schema_privilege('anon', 'billing', 'USAGE'), has_table_privilege('authenticated', 'billing.invoices', 'SELECT'),"
        " has_sequence_privilege('service_role', pg_get_serial_sequence('billing.invoices', 'id'), 'USAGE')"
    ).fetchone()
    assert privileges == (True, True, True)
    # rows flow across the schemas
    conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.execute("INSERT INTO billing.invoices (customer_id, total) SELECT id, 12.5 FROM customers")
    conn.execute("INSERT INTO payments (invoice_id) SELECT id FROM billing.invoices")
    conn.execute("DELETE FROM billing.invoices")
    assert conn.execute("SELECT count(*) FROM payments").fetchone() == (0,)  # ON DELETE CASCADE across schemas


def test_verify_reads_every_schema_and_catches_a_hand_made_change(tmp_path, db_url):
    project = new_project(tmp_path, BILLING)
    compiled(project)
    assert project.run("apply", "--database-url", db_url).exit_code == 0
    clean = project.run("verify", "--database-url", db_url)
    assert clean.exit_code == 0, clean.output
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE billing.invoices DROP COLUMN total")
        conn.execute("CREATE TABLE billing.by_hand (id int)")
        conn.execute("DROP INDEX billing.invoices_customer_id_idx")
    drifted = project.run("verify", "--database-url", db_url)
    assert drifted.exit_code == 1
    assert "column invoices.total: missing from the database" in drifted.output, drifted.output
    assert "table by_hand: in the database but not in the spec" in drifted.output
    assert "index invoices.invoices_customer_id_idx: missing from the database" in drifted.output


def test_plan_creates_the_schema_with_its_first_table_and_changes_tables_in_it(tmp_path, pg_server):
    old, new = spec(tmp_path, "old", PUBLIC_ONLY), spec(tmp_path, "new", BILLING)
    with migrated(pg_server, old, new, rows="INSERT INTO customers (name) VALUES ('Ada'), ('Bo');") as (conn, plan):
        summaries = [s.summary for s in plan.statements]
        assert summaries[0] == "create schema billing"
        assert "create table invoices" in summaries and "create table invoice_lines" in summaries
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (2,)
    changed = spec(tmp_path, "changed", BILLING.replace("      note: {type: text, nullable: true}\n", "      note: {type: text, nullable: true}\n      paid: {type: boolean, default: false}\n"))
    with migrated(pg_server, new, changed, rows="INSERT INTO customers (name) VALUES ('Ada');") as (conn, plan):
        assert [s.sql for s in plan.statements if "ADD COLUMN" in s.sql] == ['ALTER TABLE "billing"."invoice_lines" ADD COLUMN "paid" boolean NOT NULL DEFAULT false;']


def test_moving_a_table_between_schemas_is_refused_at_its_schema_key(tmp_path):
    old = spec(tmp_path, "old", BILLING)
    moved = spec(tmp_path, "moved", BILLING.replace("  invoice_lines:\n    schema: billing\n", "  invoice_lines:\n    schema: public\n"))
    plan = plan_migration(old, moved)
    [refusal] = plan.refusals
    assert "table 'invoice_lines' moves from schema billing to public" in refusal.message
    assert refusal.pos.line == BILLING.splitlines().index("  invoice_lines:") + 1  # its schema key (the file starts at BILLING's second line)


def test_database_ts_types_each_schema_as_supabases_generator_does(npx, conn, db_url, tmp_path):
    schema = spec(tmp_path, "s", BILLING)
    run_sql(conn, render_migration(schema))
    ours = render_typescript(schema)
    assert ours.index("  billing: {") < ours.index("  public: {")  # sorted by name, as the generator does
    assert supabase_view(ours) == official_types(db_url, ("public", "billing"))
    usage = (
        'import { ColumnClassification, type Tables, type TablesInsert } from "../../compiled/types/database"\n'
        'const invoice: Tables<{ schema: "billing" }, "invoices"> = { id: 1, customer_id: "c", total: 2 }\n'
        'const line: TablesInsert<{ schema: "billing" }, "invoice_lines"> = { invoice_id: 1 }\n'
        'const customer: Tables<"customers"> = { id: "c", name: "Ada" }\n'
        "// @ts-expect-error: invoices is not a table of public\n"
        'const wrong: Tables<"invoices"> = invoice\n'
        "console.log(invoice, line, customer, wrong, ColumnClassification.invoices.total)\n"
    )
    result = run_tsc(npx, scratch_project(tmp_path / "project", ours, usage))
    assert result.returncode == 0, result.stdout + result.stderr


def test_db_schema_groups_tables_by_schema(tmp_path):
    md = render_db_schema(spec(tmp_path, "s", BILLING))
    public, billing = md.index("## Tables in schema `public`"), md.index("## Tables in schema `billing`")
    assert public < md.index("### Table `customers`") < md.index("### Table `payments`") < billing
    assert billing < md.index("### Table `billing.invoices`") < md.index("### Table `billing.invoice_lines`")
    assert "[billing.invoices](#invoices)" in md  # the overview names it with its schema
    assert "## Tables\n" not in render_db_schema(spec(tmp_path, "s", BILLING)) and "## Tables\n" in render_db_schema(spec(tmp_path, "p", PUBLIC_ONLY))


def test_bad_schemas_are_positioned_errors(tmp_path):
    errors = build_errors(tmp_path, """
        profile: none
        tables:
          notes:
            schema: auth
            columns:
              id: {type: uuid, primary_key: true}
          things:
            schema: "Bad Name"
            columns:
              id: {type: uuid, primary_key: true}
        external:
          billing.legacy:
            columns: {id: uuid}
          public.other:
            columns: {id: uuid}
    """)
    text = "\n".join(errors)
    assert "schema 'auth' belongs to PostgreSQL or Supabase" in text
    assert "schema name" in text and "Bad Name" not in text.split("schema name")[0][-5:]
    assert "'public.other' is in public, a schema of the spec's own tables" in text
    assert all(e.split(":")[1].isdigit() for e in errors), errors


PHI_TWO_SCHEMAS = """
profile: phi
tables:
  patients:
    classification: phi
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), classification: administrative}
      name: {type: text}
  invoices:
    schema: billing
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      patient_id: {type: uuid, references: patients.id}
      diagnosis: {type: text, classification: phi}
"""


def test_redacted_and_phi_columns_cover_every_schemas_tables(npx, tmp_path):
    """PhiColumns / Redacted take a table of any schema by its name, its row from Database[its schema]: tsc accepts a
    redacted billing row and rejects one carrying the PHI column (the directive would be unused otherwise)."""
    ours = render_typescript(spec(tmp_path, "s", PHI_TWO_SCHEMAS))
    assert 'type AppTables = Database["billing"]["Tables"] & Database["public"]["Tables"]' in ours
    usage = (
        'import { type PhiColumns, type Redacted } from "../../compiled/types/database"\n'
        'const column: PhiColumns<"invoices"> = "diagnosis"\n'
        'const safe: Redacted<"invoices"> = { id: 1, patient_id: "p" }\n'
        'const patient: Redacted<"patients"> = { id: "p" }\n'
        "// @ts-expect-error: diagnosis is PHI in billing.invoices\n"
        'const leak: Redacted<"invoices"> = { id: 1, patient_id: "p", diagnosis: "x" }\n'
        "// @ts-expect-error: not a table of any schema\n"
        'const none: PhiColumns<"nothing"> = "diagnosis"\n'
        "console.log(column, safe, patient, leak, none)\n"
    )
    result = run_tsc(npx, scratch_project(tmp_path / "project", ours, usage))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_data_inventory_names_other_schemas_tables_with_their_schema(tmp_path):
    """public's tables bare and first, then billing's as billing.table, in both the JSON and the Markdown."""
    from schemac.emit.inventory import inventory, render_inventory_markdown

    schema = spec(tmp_path, "s", PHI_TWO_SCHEMAS)
    data = inventory(schema)
    assert [t["table"] for t in data["tables"]] == ["patients", "billing.invoices"]
    assert [(f["table"], f["column"]) for f in data["fields"]] == [
        ("patients", "id"), ("patients", "name"), ("billing.invoices", "id"), ("billing.invoices", "patient_id"), ("billing.invoices", "diagnosis")
    ]
    md = render_inventory_markdown(schema)
    assert md.index("## patients\n") < md.index("## billing.invoices\n")
    assert "## invoices\n" not in md


def test_a_reserved_word_schema_typechecks(npx, tmp_path):
    """Database["select"] (a reserved word as schema and table key) is valid TypeScript that tsc types."""
    ours = render_typescript(spec(tmp_path, "s", PUBLIC_ONLY + "  order:\n    schema: select\n    columns:\n      id: {type: bigint, primary_key: true, identity: always}\n      from: {type: text}\n"))
    usage = (
        'import { type Redacted, type Tables } from "../../compiled/types/database"\n'
        'const row: Tables<{ schema: "select" }, "order"> = { id: 1, from: "x" }\n'
        'const redacted: Redacted<"order"> = { id: 1, from: "x" }\n'
        "// @ts-expect-error: from is text\n"
        'const wrong: Tables<{ schema: "select" }, "order"> = { id: 1, from: 2 }\n'
        "console.log(row, redacted, wrong)\n"
    )
    result = run_tsc(npx, scratch_project(tmp_path / "project", ours, usage))
    assert result.returncode == 0, result.stdout + result.stderr
