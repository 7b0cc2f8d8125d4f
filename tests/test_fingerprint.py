"""fingerprint.sum: check proves compile's outputs current by hashing alone, and any difference runs the full check.

Each test changes one input or output after a compile and asserts two things: the fingerprint no
longer proves the folder current (`up_to_date` is None), and the check command then says what the
full check says (today's messages, exit 0 or 1).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_SPEC
from helpers import SCHEMAC
from schemac.fingerprint import FINGERPRINT, environment_lines, package_digest, package_files, up_to_date


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCHEMAC, *args], cwd=project, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The repo's spec with a hand-written page under docs.inject, compiled once."""
    (tmp_path / "schema.yaml").write_text(REPO_SPEC.read_text() + "\ndocs:\n  inject: [docs/schema.md]\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "schema.md").write_text("# Schema\n\n<!-- schemac:begin -->\n<!-- schemac:end -->\n\nAfter.\n")
    assert run(tmp_path, "compile").returncode == 0
    assert (tmp_path / "compiled" / FINGERPRINT).is_file()
    return tmp_path


def proved(project: Path) -> bool:
    return up_to_date(str(project / "schema.yaml"), str(project / "compiled")) is not None


def both_checks(project: Path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """check and check --full; they must agree on the exit code and on what they print."""
    fast, full = run(project, "check"), run(project, "check", "--full")
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr)
    return fast, full


def rewrite_fingerprint(project: Path, edit) -> None:
    """Apply edit to the fingerprint's lines and recompute its total, as a careful hand edit would."""
    path = project / "compiled" / FINGERPRINT
    lines = path.read_text().splitlines(True)
    header = [line for line in lines if line.startswith("#")]
    body = [edit(line) for line in lines if not line.startswith(("#", "total "))]
    total = hashlib.sha256("".join(body).encode()).hexdigest()
    path.write_text("".join(header) + f"total {total}\n" + "".join(body))


def test_a_fresh_compile_is_proved_and_both_checks_say_the_same(project):
    assert proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 0 and re.fullmatch(r"compiled: up to date \(\d+ files, 1 injected document\)\n", fast.stdout)
    assert run(project, "-q", "check").stdout == ""


def test_the_fingerprint_names_every_input_and_output(project):
    text = (project / "compiled" / FINGERPRINT).read_text()
    for line in environment_lines():
        assert line + "\n" in text
    assert re.search(r"^spec [0-9a-f]{64}  schema\.yaml$", text, re.M)
    assert re.search(r"^config absent  pyproject\.toml$", text, re.M)
    assert re.search(r"^page [0-9a-f]{64}  docs/schema\.md$", text, re.M)
    outputs = set(re.findall(r"^output [0-9a-f]{64}  (.+)$", text, re.M))
    on_disk = {str(p.relative_to(project / "compiled")) for p in (project / "compiled").rglob("*") if p.is_file()}
    assert outputs == on_disk - {FINGERPRINT}
    assert str(project) not in text  # no machine paths


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text + "x",  # an edit without a matching total
        lambda text: text.replace("output ", "output 0", 1),  # a damaged line
        lambda text: "",  # emptied
    ],
)
def test_a_tampered_fingerprint_falls_to_the_full_check_which_passes(project, edit):
    path = project / "compiled" / FINGERPRINT
    path.write_text(edit(path.read_text()))
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 0 and "up to date" in fast.stdout


def test_a_forged_output_hash_with_a_matching_total_falls_to_the_full_check(project):
    rewrite_fingerprint(project, lambda line: re.sub(r"^output [0-9a-f]{64}  DB_SCHEMA\.md", "output " + "0" * 64 + "  DB_SCHEMA.md", line))
    assert not proved(project)
    assert both_checks(project)[0].returncode == 0


def test_a_missing_fingerprint_runs_the_full_check(project):
    (project / "compiled" / FINGERPRINT).unlink()
    assert not proved(project)
    assert both_checks(project)[0].returncode == 0
    assert "fingerprint" not in run(project, "compile").stdout  # compile puts it back without listing it
    assert proved(project)


def test_a_hand_edited_output_fails_with_todays_message(project):
    path = project / "compiled" / "DB_SCHEMA.md"
    path.write_text(path.read_text() + "hand edit\n")
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 1 and "stale: compiled/DB_SCHEMA.md" in fast.stdout


@pytest.mark.parametrize("rel", ["migrations/001_initial_schema.sql", "state/001_initial_schema.json", "migrations.sum"])
def test_a_hand_edited_migration_state_or_sum_fails(project, rel):
    path = project / "compiled" / rel
    path.write_text(path.read_text().replace("\n", "\n ", 1))
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 1 and "migrations.sum" in fast.stderr + fast.stdout


def test_an_extra_file_an_empty_folder_or_a_symlink_in_the_output_folder_is_judged_by_the_full_check(project):
    (project / "compiled" / "notes.txt").write_text("mine\n")
    assert not proved(project)
    assert both_checks(project)[0].returncode == 1
    (project / "compiled" / "notes.txt").unlink()
    (project / "compiled" / "empty").mkdir()
    assert not proved(project)
    both_checks(project)
    (project / "compiled" / "empty").rmdir()
    assert proved(project)
    target = project / "compiled" / "types" / "database.ts"
    moved = project / "database.ts"
    target.rename(moved)
    target.symlink_to(moved)  # same bytes, but a link: the full check decides
    assert not proved(project)
    both_checks(project)


def test_an_edited_spec_fails_as_the_full_check_says(project):
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("version: 1", "version: 1\n# a comment", 1))  # the hash in every header changes
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 1 and "stale: compiled/" in fast.stdout
    spec.write_text(spec.read_text() + "\n")
    run(project, "compile")
    assert proved(project) and run(project, "check").returncode == 0


def test_a_spec_of_the_same_bytes_under_another_name_is_not_proved(project):
    shutil.copy(project / "schema.yaml", project / "other.yaml")  # the outputs name the spec's file
    assert up_to_date(str(project / "other.yaml"), str(project / "compiled")) is None
    assert run(project, "check", "--spec", "other.yaml").returncode == 1


def test_an_edited_injected_page_fails(project):
    page = project / "docs" / "schema.md"
    page.write_text(page.read_text().replace("<!-- schemac:end -->", "hand edit\n<!-- schemac:end -->"))
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 1 and "docs/schema.md" in fast.stdout
    page.write_text(page.read_text().replace("After.", "After, edited outside the markers."))  # outside the block: still current
    run(project, "compile")
    assert proved(project)


def test_a_new_pyproject_is_an_input(project):
    (project / "pyproject.toml").write_text('[tool.schemac]\nlock_timeout = "2s"\n')
    assert not proved(project)
    both_checks(project)


def test_a_staging_leftover_beside_the_folder_is_reported(project):
    (project / ".schemac-new-abc123").mkdir()
    assert not proved(project)
    fast, _ = both_checks(project)
    assert fast.returncode == 1 and "leftover" in fast.stdout


def test_another_schemac_source_python_or_library_is_not_trusted(project):
    """The environment lines: an edited checkout of schemac (here: its source digest over one file fewer), another
    Python or another pglast each stop the fingerprint proving anything."""
    files = package_files()
    assert "cli.py" in files and "fingerprint.py" in files and "migrations/history.py" in files
    assert package_digest(files=files) == package_digest()
    assert package_digest(files=files[1:]) != package_digest()
    assert environment_lines(files=files[1:]) != environment_lines()
    for pattern, replacement in ((r"^schemac (\S+) [0-9a-f]{64}", rf"schemac \1 {package_digest(files=files[1:])}"),
                                 (r"^python \S+", "python 3.99"), (r"^library pglast \S+", "library pglast 7.0")):
        text = (project / "compiled" / FINGERPRINT).read_text()
        rewrite_fingerprint(project, lambda line: re.sub(pattern, replacement, line))
        assert not proved(project), pattern
        assert both_checks(project)[0].returncode == 0
        (project / "compiled" / FINGERPRINT).write_text(text)
        assert proved(project)


def test_the_source_digest_changes_with_one_byte_of_one_file(tmp_path):
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "a.py").write_text("A = 1\n")
    (root / "sub" / "b.py").write_text("B = 2\n")
    (root / "sub" / "__pycache__").mkdir()
    (root / "sub" / "__pycache__" / "b.cpython.pyc").write_bytes(b"\0")
    before = package_digest(str(root))
    assert package_files(str(root)) == ["a.py", "sub/b.py"]
    (root / "sub" / "b.py").write_text("B = 3\n")
    assert package_digest(str(root)) != before


WARNED = """
tables:
  notes:
    description: Notes.
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Id.}
      title: {type: text}
"""


def test_no_fingerprint_when_every_check_prints_a_lint_warning(tmp_path):
    """A lint warning is printed by every check (the fast path prints nothing but the verdict): no fingerprint."""
    (tmp_path / "schema.yaml").write_text(WARNED)
    result = run(tmp_path, "compile")
    assert result.returncode == 0 and "SC114" in result.stderr
    assert (tmp_path / "compiled" / "DB_SCHEMA.md").is_file() and not (tmp_path / "compiled" / FINGERPRINT).exists()
    check = run(tmp_path, "check")
    assert check.returncode == 0 and "SC114" in check.stderr
    (tmp_path / "schema.yaml").write_text(WARNED.replace("title: {type: text}", "title: {type: text, description: Title.}"))
    assert run(tmp_path, "compile").stderr == "" and proved(tmp_path)


def test_no_fingerprint_while_a_rename_hint_is_in_the_spec(tmp_path):
    """check reports a consumed hint as stale, which compile does not: no fingerprint may claim otherwise."""
    (tmp_path / "schema.yaml").write_text(WARNED.replace("title: {type: text}", "title: {type: text, description: Title.}"))
    assert run(tmp_path, "compile").returncode == 0 and proved(tmp_path)
    (tmp_path / "schema.yaml").write_text(WARNED.replace("title: {type: text}", "heading: {type: text, description: Title., renamed_from: title}"))
    assert run(tmp_path, "compile").returncode == 0
    assert not (tmp_path / "compiled" / FINGERPRINT).exists()
    fast, _ = both_checks(tmp_path)
    assert fast.returncode == 1 and "stale" in fast.stderr + fast.stdout


def test_a_text_is_hashed_as_its_utf8_bytes_whatever_the_slices():
    from schemac import fingerprint

    text = "é€😀 plain\n" * 300_000  # slices cut between characters of 1 to 4 bytes
    assert fingerprint.text_sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert fingerprint.text_sha256("") == hashlib.sha256(b"").hexdigest()


def _make_read_only(folder: Path) -> dict[Path, int]:
    modes = {}
    for path in [folder, *folder.rglob("*")]:
        modes[path] = path.stat().st_mode
        path.chmod(modes[path] & ~0o222)
    return modes


def test_a_read_only_output_folder_missing_only_its_fingerprint_is_up_to_date_and_left_alone(project):
    """A fresh clone or a new schemac has no (or an old) fingerprint: compile must not refuse an
    up-to-date folder someone made read-only, and must write nothing into it."""
    out = project / "compiled"
    (out / FINGERPRINT).unlink()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    modes = _make_read_only(out)
    try:
        result = run(project, "compile")
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
        assert not (out / FINGERPRINT).exists()
        assert run(project, "check").returncode == 0
        # a real change is still refused, with the reason and the fix
        spec = project / "schema.yaml"
        spec.write_text(spec.read_text().replace("Messaging platform a patient writes through.", "Messaging platform a patient writes through (edited).", 1))
        refused = run(project, "compile")
        assert refused.returncode == 1
        assert "is read-only" in refused.stderr and "chmod -R u+w" in refused.stderr
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
