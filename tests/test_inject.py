"""Marker injection: only the part between the marker lines changes; compile and check cover it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO_SPEC
from typer.testing import CliRunner

from schemac.cli import app
from schemac.inject import BEGIN, END, InjectError, inject
from schemac.outputs import commit, existing_files, stage_folder, stage_page, write_outputs

BLOCK = "## Generated\n\nline one\n"


def test_only_the_marked_part_changes_with_lf():
    before = "# Title\n\nhand-written\n"
    after = "\nmore hand-written text, no final newline"
    text = before + BEGIN + "\nold generated\n" + END + after
    result = inject(text, BLOCK, "doc.md")
    assert result == before + BEGIN + "\n\n## Generated\n\nline one\n\n" + END + after


def test_crlf_file_keeps_crlf_and_surrounding_bytes():
    before = "# Title\r\n\r\nhand-written \t trailing spaces  \r\n"
    after = "\r\ntrailing text\r\n\r\n"
    text = before + BEGIN + "\r\nstale\r\n" + END + after
    result = inject(text, BLOCK, "doc.md")
    assert result.startswith(before + BEGIN + "\r\n")
    assert result.endswith(END + after)
    inner = result[len(before + BEGIN) : -len(END + after)]
    assert inner == "\r\n\r\n## Generated\r\n\r\nline one\r\n\r\n"
    assert "\n" not in inner.replace("\r\n", "")


def test_injection_is_idempotent():
    text = "intro\n" + BEGIN + "\n" + END + "\noutro\n"
    once = inject(text, BLOCK, "doc.md")
    assert inject(once, BLOCK, "doc.md") == once


def test_markers_mentioned_in_prose_are_not_markers():
    text = f"Put `{BEGIN}` on its own line.\n{BEGIN}\n{END}\n"
    assert inject(text, BLOCK, "doc.md").startswith(f"Put `{BEGIN}` on its own line.\n{BEGIN}\n\n## Generated")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no markers\n", f"doc.md: no {BEGIN} line"),
        (f"{BEGIN}\n", f"doc.md: no {END} line"),
        (f"{END}\n{BEGIN}\n", f"doc.md:1:1: {END} comes before {BEGIN}"),
        (f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n", f"doc.md:3:1: a second {BEGIN} line"),
    ],
)
def test_bad_markers_are_clear_errors(text, message):
    with pytest.raises(InjectError) as exc:
        inject(text, BLOCK, "doc.md")
    assert str(exc.value).startswith(message)


# ---------------------------------------------------------------- through the CLI


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repo's spec naming a hand-written docs/schema.md (CRLF, trailing text) under docs.inject."""
    (tmp_path / "schema.yaml").write_text(REPO_SPEC.read_text() + "\ndocs:\n  inject: [docs/schema.md]\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "schema.md").write_bytes(
        b"# Reference\r\n\r\nHand-written intro.\r\n" + BEGIN.encode() + b"\r\n" + END.encode() + b"\r\nHand-written outro, no newline"
    )
    return tmp_path


def run(project: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--spec", str(project / "schema.yaml"), "--out", str(project / "compiled")])


def test_compile_fills_the_block_and_check_passes(project):
    result = run(project, "compile")
    assert result.exit_code == 0, result.output
    doc = (project / "docs" / "schema.md").read_bytes()
    assert doc.startswith(b"# Reference\r\n\r\nHand-written intro.\r\n" + BEGIN.encode() + b"\r\n\r\n")
    assert doc.endswith(b"\r\n" + END.encode() + b"\r\nHand-written outro, no newline")
    assert b'<a id="patients-phone"></a>' in doc
    assert b"\n" not in doc.replace(b"\r\n", b"")  # the file stays CRLF throughout
    assert run(project, "check").exit_code == 0


def test_check_fails_when_the_injected_part_is_stale(project):
    assert run(project, "compile").exit_code == 0
    path = project / "docs" / "schema.md"
    path.write_bytes(path.read_bytes().replace(b"Full name as given by the patient.", b"Full name."))
    result = run(project, "check")
    assert result.exit_code == 1
    assert "stale: " in result.output and "schema.md" in result.output
    assert "+| <a id=\"patients-name\"></a>`name`" in result.output  # the diff shows what compile would write
    assert run(project, "compile").exit_code == 0
    assert run(project, "check").exit_code == 0


def test_check_fails_when_the_spec_changed_but_the_page_did_not(project):
    assert run(project, "compile").exit_code == 0
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("Full name as given by the patient.", "Legal name."))
    shutil.copy(project / "docs" / "schema.md", project / "before.md")
    result = run(project, "check")
    assert result.exit_code == 1 and "docs/schema.md" in result.output
    assert (project / "docs" / "schema.md").read_bytes() == (project / "before.md").read_bytes()  # check writes nothing


def test_missing_end_marker_is_an_error_and_nothing_is_written(project):
    path = project / "docs" / "schema.md"
    original = path.read_bytes().replace(END.encode(), b"")
    path.write_bytes(original)
    result = run(project, "compile")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{path}: no {END} line; put {BEGIN} and {END} on lines of their own where the schema reference goes (nothing written)"
    ]
    assert path.read_bytes() == original
    assert not (project / "compiled").exists()
    assert "Traceback" not in result.output


def test_missing_file_is_an_error_pointing_at_the_spec(project):
    (project / "docs" / "schema.md").unlink()
    result = run(project, "compile")
    assert result.exit_code == 1
    assert "schema.yaml:" in result.output and "docs.inject lists docs/schema.md" in result.output
    assert not (project / "compiled").exists()


def test_a_failing_compile_leaves_the_hand_written_file_untouched(project):
    path = project / "docs" / "schema.md"
    original = path.read_bytes()
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("type: uuid\n", "type: uuidd\n", 1))
    result = run(project, "compile")
    assert result.exit_code == 1 and "unknown column type 'uuidd'" in result.output
    assert path.read_bytes() == original
    assert not (project / "compiled").exists()


def test_paths_are_relative_to_the_spec_directory(project, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(elsewhere)
    assert run(project, "compile").exit_code == 0
    assert b"## Overview" in (project / "docs" / "schema.md").read_bytes()
    assert not (elsewhere / "docs").exists()


# a table the compliance rules pass, so only the docs errors are reported (rule errors of clean tables would be too)
CLEAN_TABLES = (
    "tables: {t: {classification: public_social, retention: Kept for the life of the account., description: T.,\n"
    "  columns: {id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Key.}}}}\n"
)


def test_docs_inject_entries_are_checked_with_positions(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text(
        "version: 1\n"
        "docs:\n"
        "  inject: [notes.txt, /etc/x.md, a.md, a.md]\n"
        + CLEAN_TABLES
    )
    result = CliRunner().invoke(app, ["validate", "--spec", str(spec)])
    assert result.exit_code == 1
    expected = [
        ":3:12: 'notes.txt' is not a Markdown file; list .md files",
        ":3:23: '/etc/x.md' must be a path relative to the spec file's directory, e.g. docs/schema.md",
        ":3:40: 'a.md' is listed twice under docs.inject (first at 3:34 as 'a.md'); list it once",
    ]
    lines = result.output.splitlines()
    # the clean table's compliance findings are reported beside them (SpecErrors' partial model)
    assert lines[-1].endswith("problems found; nothing written.") and all(": SC1" in line for line in lines[3:-1])
    for line, tail in zip(lines, expected):
        assert line.startswith(str(spec.name)) or line.startswith(str(spec)), line  # the file as named
        assert line.endswith(tail), line


def test_spellings_of_one_path_are_duplicates_at_their_position(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text(
        "docs:\n"
        "  inject:\n"
        "    - docs/a.md\n"
        "    - docs/./a.md\n"
        "    - docs//a.md\n"
        "    - docs/sub/../a.md\n"
        + CLEAN_TABLES
    )
    result = CliRunner().invoke(app, ["validate", "--spec", str(spec)])
    assert result.exit_code == 1
    lines = [line.replace(str(spec), "schema.yaml") for line in result.output.splitlines()]
    assert lines == [
        f"schema.yaml:{n}:7: '{p}' is listed twice under docs.inject (first at 3:7 as 'docs/a.md'); list it once"
        for n, p in ((4, "docs/./a.md"), (5, "docs//a.md"), (6, "docs/sub/../a.md"))
    ] + ["3 problems found; nothing written."]


def test_a_page_outside_the_spec_folder_is_refused(tmp_path):
    spec = tmp_path / "project" / "schema.yaml"
    spec.parent.mkdir()
    (tmp_path / "outside.md").write_text(f"{BEGIN}\n{END}\n")
    spec.write_text("docs:\n  inject: [docs/../../outside.md]\ntables: {t: {classification: phi, columns: {a: {type: text}}}}\n")
    result = CliRunner().invoke(app, ["validate", "--spec", str(spec)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{spec}:2:12: 'docs/../../outside.md' is outside the spec file's folder; keep hand-written pages in or "
        "below that folder (move the page, or the spec) and list them relative to the spec"
    )
    assert (tmp_path / "outside.md").read_text() == f"{BEGIN}\n{END}\n"


def test_a_page_reached_through_a_symlink_out_of_the_folder_is_refused(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "page.md").write_text(f"{BEGIN}\n{END}\n")
    (project / "docs" / "linked").symlink_to(elsewhere)
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("inject: [docs/schema.md]", "inject: [docs/linked/page.md]"))
    result = run(project, "compile")
    assert result.exit_code == 1 and "outside the spec file's folder (through a symbolic link)" in result.output
    assert (elsewhere / "page.md").read_text() == f"{BEGIN}\n{END}\n" and not (project / "compiled").exists()


@pytest.mark.parametrize("command", ["compile", "check"])
def test_a_page_inside_the_output_folder_is_refused_and_nothing_is_written(project, command):
    assert run(project, "compile").exit_code == 0
    compiled = project / "compiled"
    (compiled / "page.md").write_text(f"{BEGIN}\n{END}\n")
    before, inode = existing_files(str(compiled)), compiled.stat().st_ino
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("inject: [docs/schema.md]", "inject: [docs/schema.md, compiled/page.md]"))
    result = run(project, command)
    assert result.exit_code == 1, result.output
    [line] = result.output.strip().splitlines()
    assert "docs.inject lists compiled/page.md, which is inside the output folder " in line
    assert line.endswith("keep hand-written pages outside it (e.g. docs/schema.md) or pass another --out (nothing written)")
    assert existing_files(str(compiled)) == before and compiled.stat().st_ino == inode  # the folder was not swapped out
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".schemac")) == []


def test_docs_must_be_a_mapping_with_known_keys(tmp_path):
    spec = tmp_path / "schema.yaml"
    tables = "tables: {t: {classification: phi, columns: {a: {type: text}}}}\n"
    spec.write_text("docs: [docs/schema.md]\n" + tables)
    assert "'docs' must be a mapping" in CliRunner().invoke(app, ["validate", "--spec", str(spec)]).output
    spec.write_text("docs: {injct: [docs/schema.md]}\n" + tables)
    result = CliRunner().invoke(app, ["validate", "--spec", str(spec)])
    assert result.exit_code == 1 and "unknown key 'injct'; did you mean 'inject'?" in result.output


def test_pyproject_tool_schemac_configures_the_same(project):
    spec = project / "schema.yaml"
    spec.write_text(REPO_SPEC.read_text())  # no docs key in the spec
    (project / "pyproject.toml").write_text('[tool.schemac]\ninject = ["docs/schema.md"]\n')
    assert run(project, "compile").exit_code == 0
    assert b'<a id="patients-phone"></a>' in (project / "docs" / "schema.md").read_bytes()
    assert run(project, "check").exit_code == 0
    (project / "pyproject.toml").write_text('[tool.schemac]\ninject = ["docs/missing.md"]\n')
    result = run(project, "check")
    assert result.exit_code == 1
    assert "pyproject.toml: [tool.schemac] inject lists docs/missing.md, but " in result.output


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.schemac]\ninject = "docs/schema.md"\n', "[tool.schemac] inject must be a list of Markdown paths"),
        ('[tool.schemac]\ninject = ["/abs/schema.md"]\n', "'/abs/schema.md' must be a path relative to the spec file's directory"),
        ("[tool.schemac\n", "not valid TOML"),
        ("[tool]\nschemac = 5\n", "pyproject.toml: 'tool.schemac' must be a table, e.g. [tool.schemac] with inject = "),
        ("tool = 5\n", "pyproject.toml: 'tool' must be a table"),
        ('[tool]\nschemac = "x"\n', "'tool.schemac' must be a table, e.g. [tool.schemac] with inject = [\"docs/schema.md\"], but it is a string "
         "(no line number: Python's TOML reader does not give positions; search the file for it)"),
        ('[tool.schemac]\ninject = "x"\n', "pyproject.toml: [tool.schemac] inject must be a list of Markdown paths, e.g. inject = [\"docs/schema.md\"], but it is a string"),
        ("[tool.schemac]\ninject = [5]\n", "pyproject.toml: [tool.schemac] inject: 5 is not a path; list paths as strings"),
        ('[tool.schemac]\ninject = [{a = 1}]\n', "[tool.schemac] inject: {'a': 1} is not a path; list paths as strings"),
        ('[tool.schemac]\ninject = ["docs/schema.md", "docs/./schema.md"]\n', "'docs/./schema.md' is the same file as an earlier entry (docs/schema.md); list it once"),
        ('[tool.schemac]\ninject = ["../outside.md"]\n', "'../outside.md' is outside the spec file's folder"),
    ],
)
def test_bad_pyproject_config_is_a_one_line_error(project, toml, message):
    (project / "pyproject.toml").write_text(toml)
    before = (project / "docs" / "schema.md").read_bytes()
    result = run(project, "compile")
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert (project / "docs" / "schema.md").read_bytes() == before and not (project / "compiled").exists()


def test_repo_docs_page_is_current():
    from schemac.emit.markdown import render_injected
    from schemac.inject import read_documents
    from schemac.pipeline import load_schema

    documents = read_documents(str(REPO_SPEC), load_schema(str(REPO_SPEC)), render_injected(load_schema(str(REPO_SPEC))))
    assert [d.display.replace("\\", "/").endswith("docs/schema.md") for d in documents] == [True]
    assert not documents[0].stale, "docs/schema.md is stale: run `schemac compile`"


def test_a_failed_write_leaves_the_hand_written_file_untouched(project):
    path = project / "docs" / "schema.md"
    original = path.read_bytes()
    (project / "blocker").write_text("a file where the output directory's parent should be")
    result = CliRunner().invoke(app, ["compile", "--spec", str(project / "schema.yaml"), "--out", str(project / "blocker" / "compiled")])
    assert result.exit_code == 1 and "cannot write the outputs" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == original
    assert sorted(p.name for p in (project / "docs").iterdir()) == ["schema.md"]  # no staged leftovers


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_failure_while_committing_puts_back_the_folder_and_the_pages(tmp_path):
    """A rename failing after the output folder and one page were swapped in: both are put back."""
    out, docs = tmp_path / "compiled", tmp_path / "docs"
    write_outputs(str(out), {"a.sql": "old\n"}, {})
    docs.mkdir()
    (docs / "one.md").write_text("one, old\n")
    (docs / "two.md").write_text("two, old\n")
    before, inode = _tree(tmp_path), out.stat().st_ino
    swaps = [stage_folder(str(out), {"a.sql": "new\n"}), stage_page(str(docs / "one.md"), "one, new\n"), stage_page(str(docs / "two.md"), "two, new\n")]
    os.remove(swaps[2].staged)  # the last rename now fails for real (ENOENT)
    try:
        with pytest.raises(FileNotFoundError):
            commit(swaps)
    finally:
        for s in swaps:
            s.discard()
    assert _tree(tmp_path) == before and out.stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compiled", "docs"]  # nothing staged is left behind
    assert sorted(p.name for p in docs.iterdir()) == ["one.md", "two.md"]


def test_a_successful_write_replaces_folder_and_pages_and_leaves_nothing_staged(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("old\n")
    page.chmod(0o640)
    write_outputs(str(tmp_path / "compiled"), {"a.sql": "new\n"}, {str(page): "new\n"})
    assert _tree(tmp_path) == {"compiled/a.sql": b"new\n", "page.md": b"new\n"}
    assert page.stat().st_mode & 0o777 == 0o640


def test_markers_inside_a_fenced_code_block_are_not_markers():
    doc = (
        "How to mark a page:\n\n```markdown\n" + BEGIN + "\n" + END + "\n```\n\n"
        "~~~~\n" + BEGIN + "\n~~~\n" + END + "\n~~~~\n\n"
        + BEGIN + "\nold\n" + END + "\nafter\n"
    )
    out = inject(doc, "NEW\n", "page.md")
    documented = doc[: doc.rindex(BEGIN)]  # both fenced examples, untouched
    assert out.startswith(documented)
    assert "old" not in out and out.count("NEW") == 1 and out.endswith(END + "\nafter\n")
