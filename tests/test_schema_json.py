"""compiled/schema.json: committed equals rendered, fully resolved, deterministic, documented shape."""

from __future__ import annotations

import json

from conftest import REPO_SPEC, ROOT

from schemac.emit.normalized import SCHEMA_JSON_PATH, SCHEMA_JSON_VERSION, render_schema_json
from schemac.pipeline import load_schema


def test_committed_schema_json_matches_render(repo_outputs):
    committed = (ROOT / "compiled" / SCHEMA_JSON_PATH).read_text(encoding="utf-8")
    assert committed == repo_outputs[SCHEMA_JSON_PATH], "compiled/schema.json is stale: run `schemac compile`"


def test_same_spec_gives_the_same_bytes():
    assert render_schema_json(load_schema(str(REPO_SPEC))) == render_schema_json(load_schema(str(REPO_SPEC)))


def test_top_level_shape_and_version(repo_outputs):
    doc = json.loads(repo_outputs[SCHEMA_JSON_PATH])
    assert list(doc) == ["version", "source", "source_sha256", "enums", "extensions", "domains", "tables", "external", "functions", "triggers", "views"]
    assert doc["external"] == []  # the clinic declares no external table (auth.users needs none)
    assert doc["version"] == SCHEMA_JSON_VERSION == 1
    assert doc["source"] == "schema.yaml"
    assert [e["name"] for e in doc["enums"]][:2] == ["platform", "conversation_status"]


def test_functions_and_triggers_are_resolved(repo_outputs):
    doc = json.loads(repo_outputs[SCHEMA_JSON_PATH])
    functions = {f["name"]: f for f in doc["functions"]}
    rpc = functions["doctor_appointments_between"]
    assert [(a["name"], a["type"]["name"]) for a in rpc["arguments"]] == [("range_start", "timestamptz"), ("range_end", "timestamptz")]
    assert rpc["returns"]["setof"] is True and rpc["returns"]["type"]["name"] == "appointments"
    assert rpc["execute"] == ["authenticated"] and rpc["classification"] == "phi" and rpc["reads"] == ["public.appointments"]
    audit = functions["audit_row_change"]
    assert (audit["security"], audit["search_path"], audit["execute"]) == ("definer", [], [])
    triggers = {t["name"]: t for t in doc["triggers"]}
    assert triggers["patients_audit"]["table"] == "public.patients"
    assert triggers["patients_audit"]["events"] == ["INSERT", "DELETE", "UPDATE"]
    assert triggers["appointments_audit"]["function"] == "public.audit_row_change"
    (view,) = doc["views"]
    columns = {c["name"]: c for c in view["columns"]}
    assert (view["name"], view["security_invoker"], view["materialized"], view["updatable"]) == ("appointment_schedule", True, False, True)
    assert columns["status"]["source"] == "appointments.status" and columns["ends_at"]["source"] is None
    assert "reason_for_visit" not in columns and {c["classification"] for c in view["columns"]} == {"administrative"}


def test_every_column_is_resolved(repo_outputs, repo_schema):
    doc = json.loads(repo_outputs[SCHEMA_JSON_PATH])
    keys = ["name", "type", "nullable", "default", "description", "classification", "encrypted", "enum", "generated_by", "identity", "serial", "generated", "collation"]
    for table in doc["tables"]:
        for column in table["columns"]:
            assert list(column) == keys
            assert column["classification"] in ("phi", "administrative", "public_social")
            assert isinstance(column["nullable"], bool) and isinstance(column["encrypted"], bool)
    patients = next(t for t in doc["tables"] if t["name"] == "patients")
    name = next(c for c in patients["columns"] if c["name"] == "name")
    assert name["classification"] == "phi"  # inherited from the table, not stated on the column
    assert [c["name"] for c in patients["columns"]][-2:] == ["created_at", "updated_at"]  # filled in by timestamps: true
    created = patients["columns"][-2]
    assert created["default"] == {"sql": "now()", "function": "now()", "value": None, "expression": False}
    assert created["type"] == {"sql": "timestamptz", "base": "timestamptz", "params": [], "array": False, "schema": None}
    fk = next(t for t in doc["tables"] if t["name"] == "messages")["foreign_keys"][0]
    assert fk == {
        "name": "messages_conversation_id_fkey",
        "columns": ["conversation_id"],
        "ref_schema": "public",
        "ref_table": "conversations",
        "ref_columns": ["id"],
        "on_delete": "cascade",
        "on_update": "no action",
        "match": "simple",
        "deferrable": False,
        "initially_deferred": False,
    }
    assert len(doc["tables"]) == len(repo_schema.tables)


def test_no_positions_or_machine_paths(repo_outputs):
    text = repo_outputs[SCHEMA_JSON_PATH]
    assert '"pos"' not in text and '"line"' not in text
    assert str(ROOT) not in text and "doc_targets" not in text
