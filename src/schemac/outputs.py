"""Writing outputs atomically and comparing them with what is on disk."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Stale:
    """One way the output directory differs from what compile would write."""

    path: str
    state: str  # 'stale' | 'missing' | 'extra'
    diff: str


def existing_files(out_dir: str) -> dict[str, str]:
    """Every file under out_dir, by relative path (forward slashes)."""
    found = {}
    if not os.path.isdir(out_dir):
        return found
    for root, _dirs, files in os.walk(out_dir):
        for f in files:
            full = os.path.join(root, f)
            rel = os.path.relpath(full, out_dir).replace(os.sep, "/")
            with open(full, encoding="utf-8", errors="replace", newline="") as fh:
                found[rel] = fh.read()
    return found


def compare(out_dir: str, expected: dict[str, str]) -> list[Stale]:
    """What differs between out_dir and the expected files, each with a unified diff."""
    actual = existing_files(out_dir)
    result = []
    for path in sorted(set(actual) | set(expected)):
        if path not in actual:
            diff = "".join(difflib.unified_diff([], expected[path].splitlines(True), "/dev/null", f"b/{path}"))
            result.append(Stale(path, "missing", diff))
        elif path not in expected:
            result.append(Stale(path, "extra", f"{path} is not produced by the spec; delete it or run `schemac compile`\n"))
        elif actual[path] != expected[path]:
            diff = "".join(
                difflib.unified_diff(actual[path].splitlines(True), expected[path].splitlines(True), f"a/{path}", f"b/{path}")
            )
            result.append(Stale(path, "stale", diff))
    return result


def document_stale(path: str, current: str, desired: str) -> Stale:
    """A hand-written document whose injected part is out of date, with its diff."""
    diff = "".join(difflib.unified_diff(current.splitlines(True), desired.splitlines(True), f"a/{path}", f"b/{path}"))
    return Stale(path, "stale", diff)


@dataclass
class Swap:
    """One file or folder to replace: its complete new version waits beside it until commit.

    For a page, `spare` is a copy of the original made while staging, so undo is one
    rename. For the output folder, `spare` is the name the old folder is parked under.
    """

    staged: str
    dest: str
    spare: str | None
    folder: bool
    parked: bool = False

    def apply(self) -> None:
        if self.folder and os.path.exists(self.dest):
            os.rename(self.dest, self.spare)
            self.parked = True
        try:
            os.replace(self.staged, self.dest)
        except OSError:
            if self.parked:
                os.rename(self.spare, self.dest)
                self.parked = False
            raise

    def undo(self) -> None:
        if not self.folder:
            os.replace(self.spare, self.dest)
            return
        os.rename(self.dest, self.staged)
        if self.parked:
            os.rename(self.spare, self.dest)
            self.parked = False

    def discard(self) -> None:
        """Remove what is left beside dest: an unused staged version, the old folder or the page's copy."""
        for leftover in (self.staged, self.spare):
            if leftover and os.path.isdir(leftover) and not os.path.islink(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover and os.path.lexists(leftover):
                os.remove(leftover)


def write_outputs(out_dir: str, files: dict[str, str], documents: dict[str, str]) -> None:
    """Write out_dir and the hand-written pages that receive the reference, all or nothing.

    Everything is staged first, beside its destination (the output folder's new tree
    beside it, each page's new text and a copy of its original beside the page), so a
    failure while staging touches nothing. Then `commit` renames each into place and,
    if a rename fails, renames back the ones already done. The remaining window: if the
    process is killed during those renames, some files are new and some old (each
    one whole), and the staged leftovers (.schemac-*) stay beside them.
    """
    swaps: list[Swap] = []
    try:
        swaps.append(stage_folder(out_dir, files))
        for path, text in documents.items():
            swaps.append(stage_page(path, text))
        commit(swaps)
    finally:
        for s in swaps:
            s.discard()


def commit(swaps: list[Swap]) -> None:
    """Apply every swap; if one fails, undo the applied ones in reverse so every file is as before."""
    applied: list[Swap] = []
    try:
        for s in swaps:
            s.apply()
            applied.append(s)
    except OSError:
        for s in reversed(applied):
            s.undo()
        raise


def stage_folder(out_dir: str, files: dict[str, str]) -> Swap:
    """Write the new output tree into a fresh folder beside out_dir."""
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".schemac-new-", dir=parent)
    swap = Swap(staging, out_dir, _unused_name(parent, ".schemac-old-"), folder=True)
    try:
        os.chmod(staging, 0o755)
        for rel, text in files.items():
            target = os.path.join(staging, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    except BaseException:
        swap.discard()
        raise
    return swap


def stage_page(path: str, text: str) -> Swap:
    """Write text to a temporary file beside path (with path's permissions), and copy the original beside it too."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".schemac-", suffix=".md", dir=folder)
    os.close(fd)
    swap = Swap(tmp, os.path.abspath(path), None, folder=False)
    try:
        with open(tmp, "wb") as fh:
            fh.write(text.encode("utf-8"))
        shutil.copymode(path, tmp)
        fd, swap.spare = tempfile.mkstemp(prefix=".schemac-orig-", suffix=".md", dir=folder)
        os.close(fd)
        shutil.copy2(path, swap.spare)
    except BaseException:
        swap.discard()
        raise
    return swap


def _unused_name(parent: str, prefix: str) -> str:
    """A name in parent that nothing uses yet (reserved by creating and removing a folder)."""
    name = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.rmdir(name)
    return name


def write_atomically(out_dir: str, files: dict[str, str]) -> None:
    """Replace out_dir's contents with files, all or nothing (no pages to refresh)."""
    write_outputs(out_dir, files, {})
