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


def write_atomically(out_dir: str, files: dict[str, str]) -> None:
    """Replace out_dir's contents with files, all or nothing.

    The new tree is written beside the old one and swapped in with renames, so a
    failure part-way leaves the previous outputs untouched.
    """
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".schemac-new-", dir=parent)
    os.chmod(staging, 0o755)
    try:
        for rel, text in files.items():
            target = os.path.join(staging, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        old = None
        if os.path.exists(out_dir):
            old = tempfile.mkdtemp(prefix=".schemac-old-", dir=parent)
            os.rmdir(old)
            os.rename(out_dir, old)
        try:
            os.rename(staging, out_dir)
        except OSError:
            if old:
                os.rename(old, out_dir)
            raise
        staging = None
        if old:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging and os.path.exists(staging):
            shutil.rmtree(staging, ignore_errors=True)


def write_outputs(out_dir: str, files: dict[str, str], documents: dict[str, str]) -> None:
    """Write out_dir and the hand-written documents that receive the reference, all or nothing.

    Each document's new text is staged beside it first; only when every file is
    staged is out_dir swapped in and each document renamed over its original, so a
    failure while staging leaves every file as it was.
    """
    staged: list[tuple[str, str]] = []
    try:
        for path, text in documents.items():
            staged.append((_stage(path, text), path))
        write_atomically(out_dir, files)
        while staged:
            tmp, path = staged.pop()
            os.replace(tmp, path)
    finally:
        for tmp, _path in staged:
            if os.path.exists(tmp):
                os.remove(tmp)


def _stage(path: str, text: str) -> str:
    """Write text to a temporary file beside path, with path's permissions; returns its name."""
    fd, tmp = tempfile.mkstemp(prefix=".schemac-", suffix=".md", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        shutil.copymode(path, tmp)
    except BaseException:
        os.remove(tmp)
        raise
    return tmp
