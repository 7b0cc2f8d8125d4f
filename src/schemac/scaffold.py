"""The files `schemac init` writes for a new project: a spec with one example table, the
[tool.schemac] settings, a docs page with the markers, and a GitHub Actions workflow.

Pure: the version in, {relative path: text} out; the CLI checks nothing exists and writes them.
Together they pass `schemac compile`, `schemac check` and `schemac lint` with no edits.
"""

from __future__ import annotations

SPEC = """\
# yaml-language-server: $schema=compiled/schemac.schema.json
# The schema of this project: change it, run `schemac compile`, and commit it with compiled/.
# The spec language is described in schemac's README ("The spec language").
version: 1

tables:
  notes:
    description: A note a signed-in user writes for themselves.
    classification: administrative       # phi | administrative | public_social (per column too)
    retention: Deleted with the user's account.
    timestamps: true                     # created_at, updated_at and the trigger that sets updated_at
    columns:
      id:
        type: uuid
        primary_key: true
        default: gen_random_uuid()
        description: Note identifier.
      user_id:
        type: uuid
        references: auth.users.id        # Supabase Auth's users
        on_delete: cascade
        description: The user who wrote the note.
      body:
        type: text
        description: What the note says.
    indexes:
      - columns: [user_id]
        description: A user's notes.
    policies:
      - name: notes_owner
        for: [all]
        to: [authenticated]
        owner: user_id                   # each user sees and changes only their own notes
"""

PYPROJECT = """\
[tool.schemac]
# Hand-written pages (relative to schema.yaml) whose part between the
# <!-- schemac:begin --> and <!-- schemac:end --> lines `schemac compile` refreshes
# and `schemac check` guards.
inject = ["docs/schema.md"]
"""

DOCS_PAGE = """\
# Database schema

Written by hand: everything outside the two marker lines stays as you write it.

<!-- schemac:begin -->
<!-- schemac:end -->
"""

WORKFLOW = """\
# Fails a push or pull request whose compiled/ does not match schema.yaml, and shows the
# compliance findings as annotations on the changed lines.
name: schemac

on:
  push:
  pull_request:

permissions:
  contents: read

jobs:
  schema:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # The version that generated compiled/; check compares with its output byte for byte.
      # Installing from a Git repository instead: pip install "schemac @ git+https://<host>/<owner>/schemac@<tag>"
      - run: python -m pip install "schemac=={version}"
      - run: schemac lint --format github
      - run: schemac check
"""

WORKFLOW_PATH = ".github/workflows/schemac.yml"


def project_files(version: str) -> dict[str, str]:
    """Every file of a new project, by path relative to its folder."""
    return {
        "schema.yaml": SPEC,
        "pyproject.toml": PYPROJECT,
        "docs/schema.md": DOCS_PAGE,
        WORKFLOW_PATH: WORKFLOW.format(version=version),
    }
