"""Append-only migrations on disk: snapshots, compile writing the next migration, check guarding the history."""

from __future__ import annotations

import re

import pytest

from migration_project import TITLE, compiled, new_project, two_migrations
from schemac.migrations.checksums import render_sums
from schemac.migrations.snapshot import load_snapshot, snapshot_json
from schemac.pipeline import load_schema

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
SPECS = [ROOT / "schema.yaml"] + sorted(p / "schema.yaml" for p in GOLDEN.iterdir() if not p.name.startswith("error"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_a_snapshot_loads_back_into_an_equal_schema(spec):
    schema = load_schema(str(spec))
    text = snapshot_json(schema)
    loaded = load_snapshot(text, "state.json")
    assert loaded == schema
    assert snapshot_json(loaded) == text  # and writes the same bytes again
    assert str(spec.parent) not in text and '"pos"' not in text  # no machine paths, no positions


def test_a_snapshot_keeps_what_a_change_touches():
    schema = load_schema(str(ROOT / "schema.yaml"))
    text = snapshot_json(schema)
    assert '"preferred_language"' in text
    changed = load_snapshot(text.replace('"preferred_language"', '"spoken_language"'), "s.json")
    assert changed != schema and changed.table("patients").has_column("spoken_language")


def test_a_snapshot_from_an_older_model_loads_with_the_new_fields_defaults():
    """States are never rewritten: a field the model gained later (here Column.collation) takes its default."""
    schema = load_schema(str(ROOT / "schema.yaml"))
    old = re.sub(r',\n\s*"collation": null', "", snapshot_json(schema))
    assert '"collation"' not in old and old.count("{") == snapshot_json(schema).count("{")
    assert load_snapshot(old, "s.json") == schema


def test_a_damaged_snapshot_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"^state/001\.json: not a schemac snapshot"):
        load_snapshot('{"snapshot_version": 1, "schema": {"tables": 3}}', "state/001.json")


def test_the_first_compile_writes_001_its_state_and_the_sums(tmp_path):
    project = new_project(tmp_path)
    compiled(project)
    files = project.bytes_of()
    assert {"migrations/001_initial_schema.sql", "state/001_initial_schema.json", "migrations.sum"} <= set(files)
    assert b"sha256" not in files["migrations/001_initial_schema.sql"]  # the spec's hash would change it with every edit
    assert load_snapshot(files["state/001_initial_schema.json"].decode(), "s") == load_schema(str(project.spec))


def test_compile_is_append_only(tmp_path):
    project = new_project(tmp_path)
    compiled(project)
    first = project.bytes_of()
    project.edit_spec("      body:", TITLE + "      body:")
    result = compiled(project)
    assert "migration " in result.output and "002_add_notes_title.sql" in result.output
    after = project.bytes_of()
    assert project.migrations() == ["001_initial_schema.sql", "002_add_notes_title.sql"]
    for rel in ("migrations/001_initial_schema.sql", "state/001_initial_schema.json"):
        assert after[rel] == first[rel]
    assert 'ADD COLUMN "title" text' in after["migrations/002_add_notes_title.sql"].decode()
    # compiling again changes nothing
    again = compiled(project)
    assert "up to date" in again.output and project.bytes_of() == after


def test_a_generated_migration_has_timeouts_and_hazard_comments(tmp_path):
    project = two_migrations(tmp_path)
    text = (project.compiled / "migrations" / "002_add_notes_title.sql").read_text()
    lines = text.splitlines()
    assert lines.index("SET lock_timeout = '5s';") < lines.index("BEGIN;")
    assert "SET statement_timeout = '15min';" in lines
    add = lines.index('ALTER TABLE "public"."notes" ADD COLUMN "title" text;')
    assert lines[add - 1].startswith("-- hazard access-exclusive-lock: ")


def test_timeouts_come_from_tool_schemac(tmp_path):
    project = new_project(tmp_path, pyproject='[tool.schemac]\nlock_timeout = "2s"\nstatement_timeout = "1min"\n')
    compiled(project)
    project.edit_spec("      body:", TITLE + "      body:")
    compiled(project)
    text = (project.compiled / "migrations" / "002_add_notes_title.sql").read_text()
    assert "SET lock_timeout = '2s';" in text and "SET statement_timeout = '1min';" in text


def test_a_bad_timeout_setting_is_refused_naming_the_key(tmp_path):
    project = new_project(tmp_path, pyproject='[tool.schemac]\nlock_timeout = "5 seconds; DROP TABLE x"\n')
    result = project.run("compile")
    assert result.exit_code == 1
    assert "[tool.schemac] lock_timeout must be a duration" in result.output
    assert not project.compiled.exists()


def test_compile_names_the_migration_when_asked(tmp_path):
    project = new_project(tmp_path)
    compiled(project)
    project.edit_spec("      body:", TITLE + "      body:")
    compiled(project, "--name", "Notes get a Title!")
    assert project.migrations()[-1] == "002_notes_get_a_title.sql"


def test_a_docs_only_change_writes_no_migration_but_refreshes_the_docs(tmp_path):
    project = two_migrations(tmp_path)
    before = project.bytes_of()
    project.edit_spec("tables:", "# The clinic's notes.\ntables:")
    result = compiled(project)
    assert "no migration: nothing the database holds changed" in result.output
    after = project.bytes_of()
    assert project.migrations() == ["001_initial_schema.sql", "002_add_notes_title.sql"]
    assert {k for k in after if after[k] != before.get(k)} >= {"schema.json"}
    assert not any(k.startswith(("migrations", "state")) for k in after if after[k] != before.get(k))
    final = project.run("check")
    assert final.exit_code == 0, final.output


def test_check_fails_on_a_spec_change_no_migration_holds(tmp_path):
    project = two_migrations(tmp_path)
    final = project.run("check")
    assert final.exit_code == 0, final.output
    project.edit_spec("description: A short title.", "description: A short title for lists.")
    result = project.run("check")
    assert result.exit_code == 1
    assert "schema.yaml has a change no migration holds yet: comment on column notes.title" in result.output
    assert "run `schemac compile` to write the next migration" in result.output


@pytest.mark.parametrize("rel", ["migrations/001_initial_schema.sql", "state/002_add_notes_title.json"])
def test_check_and_compile_fail_on_a_hand_edited_migration_or_state(tmp_path, rel):
    project = two_migrations(tmp_path)
    path = project.compiled / rel
    path.write_text(path.read_text().replace("notes", "notez", 1))
    before = project.bytes_of()
    for command in ("check", "compile"):
        result = project.run(command)
        assert result.exit_code == 1, result.output
        assert f"{path}: changed after `schemac compile` wrote it" in result.output
    assert project.bytes_of() == before  # compile wrote nothing, and kept the edit for the user to see


def test_a_hand_edited_sum_file_is_caught(tmp_path):
    project = two_migrations(tmp_path)
    sums = project.compiled / "migrations.sum"
    sums.write_text(sums.read_text().replace("state/002_add_notes_title.json", "state/002_other.json"))
    result = project.run("check")
    assert result.exit_code == 1
    assert "migrations.sum: edited by hand" in result.output


def test_an_edit_with_a_matching_sum_is_still_caught_by_the_total(tmp_path):
    """Re-hashing one line is not enough: the total covers every line."""
    project = two_migrations(tmp_path)
    migration = project.compiled / "migrations" / "002_add_notes_title.sql"
    migration.write_text(migration.read_text() + "\n-- edited\n")
    sums = project.compiled / "migrations.sum"
    old = render_sums([("migrations/002_add_notes_title.sql", migration.read_text())]).splitlines()[-1].split()[0]
    lines = [f"{old}  migrations/002_add_notes_title.sql" if l.endswith("migrations/002_add_notes_title.sql") else l for l in sums.read_text().splitlines()]
    sums.write_text("\n".join(lines) + "\n")
    assert "edited by hand" in project.run("check").output


def test_compile_keeps_and_refuses_an_unknown_sql_file(tmp_path):
    project = two_migrations(tmp_path)
    hand = project.compiled / "migrations" / "003_hand_written.sql"
    hand.write_text("CREATE EXTENSION pg_trgm;\n")
    project.edit_spec("description: A short title.", "description: A title.")
    before = project.bytes_of()
    result = project.run("compile")
    assert result.exit_code == 1
    assert f"{hand}: not a migration `schemac compile` wrote (it is not in migrations.sum); schemac never deletes it" in result.output
    assert project.bytes_of() == before and hand.read_text() == "CREATE EXTENSION pg_trgm;\n"
    assert project.run("check").exit_code == 1


def test_a_destructive_change_is_refused_at_its_position_and_nothing_is_written(tmp_path):
    project = two_migrations(tmp_path)
    before = project.bytes_of()
    project.edit_spec(TITLE, "")
    result = project.run("compile")
    assert result.exit_code == 1
    assert re.search(r"schema\.yaml:\d+:\d+: .*title", result.output), result.output
    assert "refused; nothing written" in result.output
    assert project.bytes_of() == before
    result = compiled(project, "--allow-destructive")
    assert project.migrations()[-1] == "003_drop_notes_title.sql"
    assert "hazard deletes-data" in result.output


def test_a_project_from_before_append_only_migrations_starts_its_history(tmp_path):
    """An older schemac wrote only compiled/migrations/001_initial_schema.sql (with the spec's hash): the first
    compile re-renders it once and starts the history."""
    project = new_project(tmp_path)
    legacy = project.compiled / "migrations" / "001_initial_schema.sql"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("-- Generated by schemac from schema.yaml. Do not edit by hand:\n-- source sha256: 0123\nBEGIN;\nCOMMIT;\n")
    result = project.run("check")
    assert result.exit_code == 1 and "the migration history has not been started" in result.output
    compiled(project)
    assert "sha256" not in legacy.read_text() and (project.compiled / "migrations.sum").is_file()
    final = project.run("check")
    assert final.exit_code == 0, final.output


SUPABASE = '[tool.schemac]\nmigrations = "supabase/migrations"\n'
CLI_PATTERN = re.compile(r"^[0-9]{14}_.*\.sql$")  # the Supabase CLI's migration file pattern


def test_the_supabase_layout_uses_the_cli_names_and_keeps_the_state_in_compiled(tmp_path, monkeypatch):
    project = new_project(tmp_path, pyproject=SUPABASE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1769766300")  # 2026-01-30 09:45:00 UTC
    compiled(project)
    project.edit_spec("      body:", TITLE + "      body:")
    compiled(project)  # the same second: the next one is a second later
    names = project.migrations("supabase/migrations")
    assert names == ["20260130094500_initial_schema.sql", "20260130094501_add_notes_title.sql"]
    assert all(CLI_PATTERN.match(n) for n in names)
    assert not (project.compiled / "migrations").exists()
    assert sorted(p.name for p in (project.compiled / "state").iterdir()) == [n.replace(".sql", ".json") for n in names]
    final = project.run("check")
    assert final.exit_code == 0, final.output
    # a hand-edited Supabase migration is caught the same way
    edited = project.root / "supabase" / "migrations" / names[0]
    edited.write_text(edited.read_text() + "-- x\n")
    assert "changed after `schemac compile` wrote it" in project.run("check").output


def test_a_state_written_before_expressions_were_deparsed_is_not_a_change():
    """The repo's states were written when policy expressions kept the spec's spelling; today's compiler
    deparses them. Compared in today's spelling they are the same, so check finds nothing to migrate."""
    from schemac.migrations.config import load_settings
    from schemac.migrations.history import read_history
    from schemac.migrations.project import pending_changes

    history = read_history(load_settings(str(ROOT / "schema.yaml"), str(ROOT / "compiled")))
    raw = history.state(history.migrations[1].stem)  # 002, written before the deparsing (003 is in today's spelling)
    spec = load_schema(str(ROOT / "schema.yaml"))
    assert raw.table("appointments").policies != spec.table("appointments").policies  # spelled differently on disk
    assert pending_changes(history, spec) == []


def test_a_rename_hint_is_consumed_once_then_reported_as_stale_by_compile_and_check(tmp_path):
    project = two_migrations(tmp_path)
    project.edit_spec(TITLE, TITLE.replace("title:", "heading:").replace("{type", "{renamed_from: title, type"))
    result = compiled(project)
    assert project.migrations()[-1].startswith("003_")
    assert 'RENAME COLUMN "title" TO "heading"' in (project.compiled / "migrations" / project.migrations()[-1]).read_text()
    before = project.bytes_of()
    again = project.run("compile")  # the hint now names a column no state has: stale, never applied twice
    assert again.exit_code == 1, again.output
    assert re.search(r"schema\.yaml:\d+:\d+: .*renamed_from", again.output) or re.search(r"schema\.yaml:\d+:\d+: .*stale", again.output), again.output
    assert project.bytes_of() == before
    check = project.run("check")
    assert check.exit_code == 1 and ("stale" in check.output or "renamed_from" in check.output), check.output
    project.edit_spec("renamed_from: title, ", "")  # the hint removed: no migration, the documents refreshed
    assert "no migration" in compiled(project).output
    assert project.migrations()[-1].startswith("003_")
    final = project.run("check")
    assert final.exit_code == 0, final.output
