"""The data inventory lists PHI and administrative fields with readers, encryption, retention and waivers."""

from __future__ import annotations

import json

from helpers import write_spec

from schemac.emit.inventory import INVENTORY_JSON_PATH, INVENTORY_MD_PATH, readers
from schemac.pipeline import load_schema, render_outputs


def test_repo_inventory(repo_schema, repo_outputs):
    data = json.loads(repo_outputs[INVENTORY_JSON_PATH])
    by_key = {(f["table"], f["column"]): f for f in data["fields"]}
    assert by_key[("messages", "content")] == {
        "table": "messages",
        "column": "content",
        "type": "text",
        "classification": "phi",
        "encrypted": True,
        "readable_by": ["authenticated", "service_role"],
        "retention": "Kept as long as the conversation; deleted with it.",
    }
    assert by_key[("webhook_idempotency", "event_id")]["readable_by"] == ["service_role"]
    assert ("conversations", "platform") not in by_key  # public social is not listed
    assert [w["rule"] for w in data["waivers"]] == ["SC105"]
    md = repo_outputs[INVENTORY_MD_PATH]
    assert "| content | text | phi | yes | authenticated, service_role |" in md
    assert "| SC105 | audit_logs | metadata | Actions need a varying set" in md


def test_readers_follow_select_policies(tmp_path):
    spec = """
    tables:
      notes:
        description: Notes.
        classification: administrative
        retention: One year.
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
        policies:
          - {name: write, for: [insert], to: [anon], with_check: "true"}
          - {name: read, for: [all], to: [public], using: "true", with_check: "true"}
      secrets:
        description: Secrets.
        classification: administrative
        retention: One year.
        rls: false
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      hidden:
        description: Hidden.
        classification: administrative
        retention: One year.
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
        policies:
          - {name: write, for: [insert], to: [anon], with_check: "true"}
    """
    schema = load_schema(str(write_spec(tmp_path, spec)))
    assert readers(schema.table("notes")) == ("public", "service_role")  # as the policy grants it: every role
    assert readers(schema.table("secrets")) == ("anon", "authenticated", "service_role")
    assert readers(schema.table("hidden")) == ("service_role",)
    md = render_outputs(schema)[INVENTORY_MD_PATH]
    assert "- Readable by: anon, authenticated, service_role (row level security is off)" in md


def test_operations_users_do_not_perform_are_listed_with_their_reason(repo_outputs):
    data = json.loads(repo_outputs[INVENTORY_JSON_PATH])
    assert data["user_operations_left_out"] == [
        {
            "table": "webhook_idempotency",
            "user_operations": [],
            "left_out": ["select", "insert", "update", "delete"],
            "reason": "Written and read by the webhook handler as service_role only; no policy, so users see nothing.",
        },
        {
            "table": "audit_logs",
            "user_operations": ["select"],
            "left_out": ["insert", "update", "delete"],
            "reason": "Written by the backend as service_role; users only read the entries of their own actions.",
        },
    ]
    md = repo_outputs[INVENTORY_MD_PATH]
    section = md.split("## Operations users do not perform\n")[1].split("## Waivers")[0]
    assert "| audit_logs | select | insert, update, delete | Written by the backend as service_role; users only" in section
    assert "| webhook_idempotency | (nothing) | select, insert, update, delete | Written and read by the webhook" in section
