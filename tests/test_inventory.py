"""The data inventory lists PHI and administrative fields with readers, encryption, retention and waivers."""

from __future__ import annotations

import json

from helpers import write_spec

from schemac.emit.inventory import INVENTORY_JSON_PATH, INVENTORY_MD_PATH, read_access, readers
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
        "read_access": {"anon": "none", "authenticated": "own rows", "service_role": "all rows"},
        "retention": "Kept as long as the conversation; deleted with it.",
    }
    assert by_key[("webhook_idempotency", "event_id")]["readable_by"] == ["service_role"]
    assert ("conversations", "platform") not in by_key  # public social is not listed
    assert [w["rule"] for w in data["waivers"]] == ["SC105"]
    md = repo_outputs[INVENTORY_MD_PATH]
    assert "| content | text | phi | yes | none | own rows | all rows |" in md
    assert "authenticated, service_role" not in md  # role lists are not repeated on every row
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
      members:
        description: Members only.
        classification: administrative
        retention: One year.
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
        policies:
          - {name: read, for: [select], to: [authenticated], using: "true"}
    """
    schema = load_schema(str(write_spec(tmp_path, spec)))
    assert readers(schema.table("notes")) == ("anon", "authenticated", "service_role")  # `to: [public]` grants every role
    assert readers(schema.table("secrets")) == ("anon", "authenticated", "service_role")
    assert readers(schema.table("hidden")) == ("service_role",)
    assert readers(schema.table("members")) == ("authenticated", "service_role")  # the role the policy grants, not anon
    md = render_outputs(schema)[INVENTORY_MD_PATH]
    assert "- Read access: anon: all rows; authenticated: all rows; service_role: all rows (row level security is off)" in md
    assert read_access(schema.table("notes")) == {"anon": "all rows", "authenticated": "all rows", "service_role": "all rows"}
    assert read_access(schema.table("hidden")) == {"anon": "none", "authenticated": "none", "service_role": "all rows"}


def test_read_access_words_for_owner_and_condition_policies(tmp_path):
    spec = """
    tables:
      notes:
        description: Notes.
        classification: administrative
        retention: One year.
        columns:
          id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
          user_id: {type: uuid, references: auth.users.id, description: Owner.}
          shared: {type: boolean, default: false, description: Shared.}
        indexes:
          - {columns: [user_id]}
        policies:
          - {name: own, for: [select], to: [authenticated], owner: user_id}
          - {name: shared, for: [select], to: [anon], using: shared}
    """
    schema = load_schema(str(write_spec(tmp_path, spec)))
    assert read_access(schema.table("notes")) == {"anon": "rows its policy allows", "authenticated": "own rows", "service_role": "all rows"}
    md = render_outputs(schema)[INVENTORY_MD_PATH]
    assert "| user_id | uuid | administrative | no | rows its policy allows | own rows | all rows |" in md


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
