"""DB_SCHEMA.md: the committed file is what the emitter renders, and it says what a reader needs."""

from __future__ import annotations

import re

from conftest import ROOT

from schemac.emit.markdown import DB_SCHEMA_PATH, PHI_BADGE, anchor, cell, code, render_db_schema, render_reference


def test_committed_db_schema_matches_render(repo_outputs):
    committed = (ROOT / "compiled" / DB_SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == repo_outputs[DB_SCHEMA_PATH], "compiled/DB_SCHEMA.md is stale: run `schemac compile`"


def test_render_is_deterministic(repo_schema):
    assert render_db_schema(repo_schema) == render_db_schema(repo_schema)


def test_every_table_and_column_has_its_anchor_and_section(repo_schema):
    text = render_db_schema(repo_schema)
    for table in repo_schema.tables:
        assert f'<a id="{table.name}"></a>\n\n### Table `{table.name}`' in text
        assert f"[{table.name}](#{table.name})" in text  # the overview links to it
        for column in table.columns:
            assert f'<a id="{table.name}-{column.name}"></a>`{column.name}`' in text
    assert '<a id="patients-phone"></a>' in text
    ids = re.findall(r'<a id="([^"]+)"></a>', text)
    assert len(ids) == len(set(ids)), "anchors must be unique"


def test_every_internal_link_points_at_an_anchor(repo_schema):
    text = render_db_schema(repo_schema)
    ids = set(re.findall(r'<a id="([^"]+)"></a>', text))
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= ids, f"links without a target: {sorted(links - ids)}"


def _column_row(text: str, table: str, column: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f'| <a id="{table}-{column}"></a>'))


def test_phi_columns_are_marked_in_tables_and_diagram(repo_schema):
    text = render_db_schema(repo_schema)
    assert PHI_BADGE in _column_row(text, "patients", "phone")
    assert PHI_BADGE not in _column_row(text, "patients", "id")
    diagram = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert '        text phone "PHI, encrypted"' in diagram
    assert "        uuid id PK\n" in diagram
    phi_columns = [c for t in repo_schema.tables for c in t.columns if c.classification == "phi"]
    assert diagram.count('"PHI') == len(phi_columns)


def test_diagram_has_every_table_relationship_and_auth_users_as_external(repo_schema):
    text = render_db_schema(repo_schema)
    diagram = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert diagram.startswith("erDiagram\n")
    for table in repo_schema.tables:
        assert f"    {table.name} {{\n" in diagram
    assert 'auth_users["auth.users (external)"] {' in diagram
    assert '    patients ||--o{ conversations : "patient_id, doctor_id (cascade)"' in diagram
    assert '    conversations |o--o{ appointments : "conversation_id (set null)"' in diagram
    assert '    auth_users ||--o{ conversations : "doctor_id (restrict)"' in diagram
    fks = sum(len(t.foreign_keys) for t in repo_schema.tables)
    assert len(re.findall(r"--o[{|] ", diagram)) == fks


def test_foreign_keys_link_to_the_target_section_with_on_delete(repo_schema):
    text = render_db_schema(repo_schema)
    assert "| `messages_conversation_id_fkey` | `conversation_id` | [conversations](#conversations) (`id`) | cascade |" in text
    assert "[auth.users](#auth-users) (`id`) | restrict |" in text
    assert '<a id="auth-users"></a>' in text


def test_sections_show_constraints_indexes_triggers_and_rls(repo_schema):
    text = render_db_schema(repo_schema)
    assert "| `availability_time_range_check` | check | `end_time > start_time` | A slot ends after it starts. |" in text
    assert "| `appointments_no_double_booking_excl` | exclusion | `EXCLUDE USING gist (\"doctor_id\" WITH =, " in text
    assert "| `patients_set_updated_at` | BEFORE | UPDATE | FOR EACH ROW | `public.schemac_set_updated_at()` |" in text
    assert (
        "| `patients_audit` | AFTER | INSERT OR DELETE OR UPDATE | FOR EACH ROW | [`public.audit_row_change()`](#function-audit_row_change) |"
        in text
    )
    assert '<a id="function-doctor_appointments_between"></a>`doctor_appointments_between`' in text
    assert text.count("#### Row level security") == len(repo_schema.tables)


def test_overview_lists_classification_mix_rls_and_retention(repo_schema):
    text = render_db_schema(repo_schema)
    overview = text.split("## Overview", 1)[1].split("## Entity relationship diagram", 1)[0]
    row = next(line for line in overview.splitlines() if line.startswith("| [messages]"))
    assert f"| {PHI_BADGE}, administrative, public social | on, 4 policies | Kept as long as the conversation" in row


def test_policies_are_rendered_when_present(repo_schema):
    import dataclasses

    from schemac.model import Policy

    table = repo_schema.table("patients")
    policy = Policy("patients_owner_select", ("select",), ("authenticated",), None, "doctor_id = (select auth.uid())", None, "Doctors read their own patients.", table.pos)
    schema = dataclasses.replace(repo_schema, tables=(dataclasses.replace(table, policies=(policy,)),))
    text = render_reference(schema)
    assert "| `patients_owner_select` | select | authenticated |  | `doctor_id = (select auth.uid())` |  | Doctors read their own patients. |" in text
    assert "on, 1 policy" in text


def test_cells_cannot_break_a_table():
    assert code("a || b") == "<code>a &#124;&#124; b</code>"
    assert code("x `y` \\ *z*") == "<code>x &#96;y&#96; &#92; &#42;z&#42;</code>"
    assert cell("a | <b>\\") == "a &#124; &lt;b&gt;&#92;"
    assert cell("[x](javascript:alert(1)) ![t](http://e/t.png)") == "&#91;x&#93;(javascript:alert(1)) !&#91;t&#93;(http://e/t.png)"
    assert cell("# h *e* _f_ reason_for_visit `a|b` `c`") == "&#35; h &#42;e&#42; &#95;f&#95; reason_for_visit <code>a&#124;b</code> `c`"
    assert cell("1. item") == "1&#46; item" and cell("- item") == "&#45; item"
    assert anchor("webhook_idempotency", "event_id") == "webhook_idempotency-event_id"


def _diagrams(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, re.S)


def test_overview_diagram_shows_key_and_phi_columns_only(repo_schema):
    overview = _diagrams(render_db_schema(repo_schema))[0]
    assert "        timestamptz created_at\n" not in overview  # neither a key nor PHI
    assert "        uuid doctor_id FK\n" in overview and '        text phone "PHI, encrypted"' in overview
    assert overview.index("auth_users[") < overview.index("    patients {")  # the external root first
    assert "direction" not in overview  # TB is Mermaid's default, and older renderers (GitHub) lack the keyword


def test_each_table_section_has_a_neighbourhood_diagram(repo_schema):
    text = render_db_schema(repo_schema)
    section = text.split("### Table `conversations`", 1)[1].split("### Table ", 1)[0]
    (diagram,) = _diagrams(section)
    conversations = repo_schema.table("conversations")
    for column in conversations.columns:  # every column of the table itself
        assert re.search(rf"^        \S+ {column.name}\b", diagram, re.M), column.name
    assert "    patients\n" in diagram and "    messages\n" in diagram and "    appointments\n" in diagram
    assert 'auth_users["auth.users (external)"]' in diagram
    assert "    availability" not in diagram  # not related to conversations
    edges = re.findall(r"^    (\w+) \S+ (\w+) : ", diagram, re.M)
    assert edges and all("conversations" in pair for pair in edges)  # only lines touching the table
    assert len(edges) == len(conversations.foreign_keys) + sum(
        fk.ref_table == "conversations" for t in repo_schema.tables for fk in t.foreign_keys
    )


def test_er_direction_is_a_choice_in_the_spec(tmp_path):
    from helpers import build_errors, write_spec

    from schemac.pipeline import load_schema

    spec = """
    version: 1
    docs: {er_direction: LR}
    tables:
      a:
        classification: administrative
        columns:
          id: {type: uuid, primary_key: true}
      b:
        classification: administrative
        columns:
          id: {type: uuid, primary_key: true}
          a_id: {type: uuid, references: a.id}
    """
    schema = load_schema(str(write_spec(tmp_path, spec)))
    assert _diagrams(render_db_schema(schema))[0].startswith("erDiagram\n    direction LR\n")
    errors = build_errors(tmp_path, spec.replace("LR", "sideways"))
    assert len(errors) == 1 and errors[0].startswith("schema.yaml:2:") and "er_direction" in errors[0]
