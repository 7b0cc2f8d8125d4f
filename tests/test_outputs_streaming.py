"""compile stages each output as it is rendered and lets its text go (outputs.FolderUpdate), so its peak memory
never holds every output at once. The guarantees of writing everything at the end must all still hold: a failure
at any later output leaves compiled/ as it was with nothing staged beside it, a compile that changes nothing
writes nothing, check --full never writes, and the verdicts and digests are what comparing whole texts gave."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from schemac import outputs
from schemac import cli
from schemac.cli import app
from schemac.emit import typescript
from schemac.fingerprint import FINGERPRINT, up_to_date
from schemac.outputs import FolderUpdate, compare, existing_files

runner = CliRunner()
TEXT = "".join(f"line {i}: é→漢字 🙂\n" for i in range(40))  # multi-byte characters across slice boundaries


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copy(ROOT / "schema.yaml", tmp_path / "schema.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "LINT_SPOKE", False)  # set by any earlier in-process run that printed a finding
    assert runner.invoke(app, ["compile"]).exit_code == 0
    return tmp_path


def edit_spec(project) -> None:
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("version: 1", "version: 1\n# another revision", 1))


def beside(project) -> list[str]:
    return sorted(os.listdir(project))


def test_a_failure_while_rendering_a_later_output_leaves_compiled_untouched_and_nothing_staged(project, monkeypatch):
    before = existing_files("compiled")
    edit_spec(project)
    seen_while_rendering = []

    def failing(schema):
        seen_while_rendering.extend(beside(project))
        raise RuntimeError("emitter failed")

    monkeypatch.setattr(typescript, "render_typescript", failing)  # database.ts is rendered after the other documents
    with pytest.raises(AssertionError, match="emitter failed"):  # conftest's runner turns a crash into this
        runner.invoke(app, ["compile"])
    # the earlier outputs were already staged when the later one failed (else this test proves nothing) ...
    assert any(name.startswith(".schemac-new-") for name in seen_while_rendering), seen_while_rendering
    # ... and the failure removed the staging and left the folder exactly as it was
    assert beside(project) == ["compiled", "schema.yaml"]
    assert existing_files("compiled") == before


def test_an_interrupt_while_rendering_leaves_compiled_untouched_and_nothing_staged(project, monkeypatch):
    before = existing_files("compiled")
    edit_spec(project)

    def interrupted(schema):
        raise KeyboardInterrupt

    monkeypatch.setattr(typescript, "render_typescript", interrupted)
    runner.invoke(app, ["compile"])
    assert beside(project) == ["compiled", "schema.yaml"]
    assert existing_files("compiled") == before


def test_a_compile_that_changes_nothing_stages_nothing(project, monkeypatch):
    def refuse(self):
        raise AssertionError("staged although nothing changed")

    monkeypatch.setattr(FolderUpdate, "_open", refuse)
    result = runner.invoke(app, ["compile"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_check_full_never_stages_even_when_everything_differs(project, monkeypatch):
    edit_spec(project)
    (project / "compiled" / "DB_SCHEMA.md").write_text("# edited\n")
    (project / "compiled" / "stray.txt").write_text("left over\n")
    (project / "compiled" / "schema.json").unlink()
    before = existing_files("compiled")

    def refuse(self):
        raise AssertionError("check staged a folder")

    monkeypatch.setattr(FolderUpdate, "_open", refuse)
    result = runner.invoke(app, ["check", "--full"])
    assert result.exit_code == 1
    assert "stale: compiled/DB_SCHEMA.md" in result.output and "-# edited" in result.output
    assert "missing: compiled/schema.json" in result.output
    assert "extra: compiled/stray.txt" in result.output
    assert existing_files("compiled") == before and beside(project) == ["compiled", "schema.yaml"]


def test_only_the_fingerprint_missing_restages_every_output_from_the_folder_byte_for_byte(project):
    """The outputs compared equal before the first difference (here: all of them) are copied from the folder."""
    before = {p: p.read_bytes() for p in (project / "compiled").rglob("*") if p.is_file()}
    (project / "compiled" / FINGERPRINT).unlink()
    result = runner.invoke(app, ["compile"])
    assert result.exit_code == 0, result.output
    assert "0 of 9 files changed" in result.output
    assert {p: p.read_bytes() for p in (project / "compiled").rglob("*") if p.is_file()} == before
    assert up_to_date("schema.yaml", "compiled") is not None
    assert beside(project) == ["compiled", "schema.yaml"]


def test_the_compile_report_is_unchanged(project):
    edit_spec(project)
    (project / "compiled" / "stray.txt").write_text("left over\n")
    result = runner.invoke(app, ["compile"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [  # in path order, as whole-folder comparing listed them; the history is unchanged
        "updated  compiled/DATA_INVENTORY.md",
        "updated  compiled/data_inventory.json",
        "updated  compiled/schema.json",
        "removed  compiled/stray.txt",
        "updated  compiled/types/database.ts",
        "no migration: nothing the database holds changed",
        "compiled: 5 of 9 files changed, 0 injected documents refreshed",
    ]


@pytest.fixture(params=[1, 7, 1 << 20])
def sliced(request, monkeypatch):
    monkeypatch.setattr(outputs, "SLICE", request.param)


def test_verdicts_and_digests_are_those_of_whole_texts(tmp_path, sliced):
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "same.md").write_text(TEXT)
    (out / "stale.md").write_text(TEXT[:-3] + "X\n")
    (out / "longer.md").write_text(TEXT + "more\n")
    (out / "extra.md").write_text("extra\n")
    os.symlink("same.md", out / "link.md")
    expected = {"same.md": TEXT, "stale.md": TEXT, "longer.md": TEXT, "missing/new.ts": TEXT, "link.md": TEXT, "empty.json": ""}
    update = FolderUpdate(str(out), stage=False, keep_texts=True)
    for path, text in expected.items():
        update.add(path, text)
    stale = update.finish()  # the verdicts of whole texts, each difference with both texts for its diff
    assert [(s.path, s.state) for s in stale] == [
        ("empty.json", "missing"), ("extra.md", "extra"), ("link.md", "stale"), ("longer.md", "stale"),
        ("missing/new.ts", "missing"), ("stale.md", "stale"),
    ]
    texts = {s.path: (s.current, s.desired) for s in stale}
    assert texts["stale.md"] == (TEXT[:-3] + "X\n", TEXT) and texts["longer.md"] == (TEXT + "more\n", TEXT)
    assert texts["extra.md"] == ("extra\n", None) and texts["missing/new.ts"] == (None, TEXT)
    assert stale == compare(str(out), expected)  # compare is this same check
    assert update.digests == {path: hashlib.sha256(text.encode("utf-8")).hexdigest() for path, text in expected.items()}
    assert os.listdir(tmp_path) == ["compiled"]


def test_staged_folder_holds_every_output_as_whole_writing_gives(tmp_path, sliced):
    out, whole = tmp_path / "compiled", tmp_path / "whole"
    out.mkdir()
    (out / "a.md").write_text(TEXT)  # equal: found before the first difference, so copied from the folder
    (out / "gone.md").write_text("x\n")
    files = {"a.md": TEXT, "types/b.ts": TEXT + "b\n", "c.json": ""}
    update = FolderUpdate(str(out))
    try:
        for path, text in files.items():
            update.add(path, text)
        assert [(s.path, s.state) for s in update.finish()] == [("c.json", "missing"), ("gone.md", "extra"), ("types/b.ts", "missing")]
        outputs.replace_staged(update.staged, {})
    finally:
        update.discard()
    outputs.write_outputs(str(whole), files, {})
    assert existing_files(str(out)) == existing_files(str(whole)) == files
    assert sorted(os.listdir(tmp_path)) == ["compiled", "whole"]


def test_a_file_edited_between_compare_and_copy_is_not_staged(tmp_path):
    """An output found equal is copied from the folder later; if the file changed meanwhile, nothing is written."""
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "a.md").write_text(TEXT)
    update = FolderUpdate(str(out))
    try:
        update.add("a.md", TEXT)
        (out / "a.md").write_text("edited meanwhile\n")
        with pytest.raises(OSError, match="changed while compile ran"):
            update.add("b.md", "new\n")
    finally:
        update.discard()
    assert os.listdir(tmp_path) == ["compiled"] and (out / "a.md").read_text() == "edited meanwhile\n"


def test_the_encoded_emitters_give_the_utf8_bytes_of_the_texts(repo_schema):
    """compile writes the large JSON documents (and a new state) as orjson's bytes, never decoded: the same bytes."""
    from schemac.migrations.snapshot import snapshot_bytes, snapshot_json
    from schemac.pipeline import document_emitters, render_documents

    texts = render_documents(repo_schema)
    encoded = {path: emit(repo_schema) for path, emit in document_emitters(encoded=True).items()}
    assert sorted(path for path, content in encoded.items() if isinstance(content, bytes)) == ["data_inventory.json", "schema.json"]
    assert {path: c.decode("utf-8") if isinstance(c, bytes) else c for path, c in encoded.items()} == texts
    assert snapshot_bytes(repo_schema) == snapshot_json(repo_schema).encode("utf-8")


def test_bytes_and_text_outputs_are_compared_hashed_and_written_alike(tmp_path, sliced):
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "same.json").write_text(TEXT)
    (out / "stale.json").write_text(TEXT + "x")
    expected = {"same.json": TEXT, "stale.json": TEXT, "new.json": TEXT}
    as_text, as_bytes = FolderUpdate(str(out), stage=False, keep_texts=True), FolderUpdate(str(out))
    try:
        for path, text in expected.items():
            as_text.add(path, text)
            as_bytes.add(path, text.encode("utf-8"))
        assert as_bytes.digests == as_text.digests
        assert [(s.path, s.state) for s in as_bytes.finish()] == [(s.path, s.state) for s in as_text.finish()] == [("new.json", "missing"), ("stale.json", "stale")]
        assert [s.desired for s in as_text.stale] == [TEXT, TEXT]
        outputs.replace_staged(as_bytes.staged, {})
    finally:
        as_bytes.discard()
    assert existing_files(str(out)) == expected and os.listdir(tmp_path) == ["compiled"]


@pytest.mark.parametrize("size", [1, 5, 1 << 20])
def test_a_state_is_compared_with_the_snapshot_bytes_a_slice_at_a_time(monkeypatch, size):
    """History.unchanged compares the state's text with the spec's snapshot bytes without copying either whole."""
    from schemac.migrations import history

    monkeypatch.setattr(history, "SLICE", size)
    data = TEXT.encode("utf-8")
    assert history.is_utf8_of(data, TEXT)
    assert not history.is_utf8_of(data, TEXT[:-1])  # the text is shorter
    assert not history.is_utf8_of(data[:-1], TEXT)  # the bytes are shorter
    assert not history.is_utf8_of(data, TEXT.replace("漢", "漠", 1))
    assert history.is_utf8_of(b"", "") and not history.is_utf8_of(b"x", "")
