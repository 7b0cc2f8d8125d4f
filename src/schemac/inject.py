"""The schema reference inside hand-written Markdown, between two marker lines.

`inject` is pure: it replaces only what lies between a `<!-- schemac:begin -->`
line and a `<!-- schemac:end -->` line, so every byte around them (line endings,
trailing text, a missing final newline) stays as the author wrote it.
`read_documents` is the I/O edge: it reads the files listed under `docs.inject` in the
spec or `[tool.schemac] inject` in the pyproject.toml beside it.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

from .model import Schema

BEGIN = "<!-- schemac:begin -->"
END = "<!-- schemac:end -->"


class InjectError(Exception):
    """A document that cannot receive the reference; the message is one line for the user."""


@dataclass(frozen=True)
class Document:
    """A hand-written file as it is (`current`) and as compile would leave it (`desired`)."""

    display: str  # the path as the user sees it (relative to the working directory)
    path: str  # the path to open
    current: str
    desired: str

    @property
    def stale(self) -> bool:
        return self.current != self.desired


def _marker_lines(text: str, marker: str) -> list[re.Match[str]]:
    """Lines consisting of the marker alone; mentions in prose or inside fenced code blocks (a page
    documenting the markers) do not count."""
    fences = _fenced_ranges(text)
    found = re.finditer(r"^[ \t]*" + re.escape(marker) + r"[ \t]*(\r?\n|$)", text, re.M)
    return [m for m in found if not any(start <= m.start() < end for start, end in fences)]


FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})", re.M)


def _fenced_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of CommonMark fenced code blocks; an unclosed fence runs to the end."""
    ranges, opening = [], None
    for m in FENCE.finditer(text):
        fence = m.group(1)
        if opening is None:
            opening = m
        elif fence[0] == opening.group(1)[0] and len(fence) >= len(opening.group(1)):
            ranges.append((opening.start(), m.end()))
            opening = None
    if opening is not None:
        ranges.append((opening.start(), len(text)))
    return ranges


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def inject(text: str, block: str, name: str) -> str:
    """text with the part between the marker lines replaced by block; raises InjectError."""
    begins, ends = _marker_lines(text, BEGIN), _marker_lines(text, END)
    hint = f"put {BEGIN} and {END} on lines of their own where the schema reference goes"
    if not begins:
        raise InjectError(f"{name}: no {BEGIN} line; {hint}")
    if not ends:
        raise InjectError(f"{name}: no {END} line; {hint}")
    for found, marker in ((begins, BEGIN), (ends, END)):
        if len(found) > 1:
            raise InjectError(f"{name}:{_line_col(text, found[1].start())}: a second {marker} line; keep exactly one pair of markers")
    begin, end = begins[0], ends[0]
    if end.start() < begin.end():
        raise InjectError(f"{name}:{_line_col(text, end.start())}: {END} comes before {BEGIN}; put the end marker after the begin marker")
    newline = "\r\n" if begin.group(1) == "\r\n" else "\n"
    body = block.replace("\n", newline)
    return text[: begin.end()] + newline + body + newline + text[end.start() :]


@dataclass(frozen=True)
class Target:
    """A file to inject into, and where it was configured (for error messages)."""

    path: str  # relative to the spec file's directory, normalised, forward slashes
    origin: str  # e.g. 'schema.yaml:4:12: docs.inject' or 'pyproject.toml: [tool.schemac] inject'


def normalise(path: str) -> str:
    """One spelling per file, so `docs/./a.md`, `docs//a.md` and `docs\\a.md` are all `docs/a.md`."""
    return posixpath.normpath(path.replace("\\", "/"))


def path_problem(path: object) -> str | None:
    """Why an inject entry is not usable, or None: it must be a relative .md path inside the spec's folder."""
    if not isinstance(path, str):
        return f"{path!r} is not a path; list paths as strings"
    norm = path.replace("\\", "/")
    if not norm or norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return f"'{path}' must be a path relative to the spec file's directory, e.g. docs/schema.md"
    if normalise(norm) == ".." or normalise(norm).startswith("../"):
        return f"'{path}' is outside the spec file's folder; keep hand-written pages in or below that folder (move the page, or the spec) and list them relative to the spec"
    if not norm.endswith(".md"):
        return f"'{path}' is not a Markdown file; list .md files"
    return None


def _kind(value: object) -> str:
    """A TOML value's kind, as the user wrote it."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _toml_table(value: object, where: str, display: str) -> dict:
    """value when it is a TOML table; otherwise a one-line InjectError naming the key."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InjectError(
            f"{display}: {where} must be a table, e.g. [tool.schemac] with inject = [\"docs/schema.md\"], "
            f"but it is {_kind(value)} (no line number: Python's TOML reader does not give positions; search the file for it)"
        )
    return value


def pyproject_targets(spec_path: str) -> list[Target]:
    """`[tool.schemac] inject = [...]` of the pyproject.toml beside the spec, if there is one."""
    path = os.path.join(os.path.dirname(spec_path), "pyproject.toml")
    if not os.path.isfile(path):
        return []
    display = os.path.normpath(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InjectError(f"{display}: not valid TOML ({exc})") from None
    tool = _toml_table(data.get("tool"), "'tool'", display)
    entries = _toml_table(tool.get("schemac"), "'tool.schemac'", display).get("inject", [])
    origin = f"{display}: [tool.schemac] inject"
    if not isinstance(entries, list):
        raise InjectError(f"{origin} must be a list of Markdown paths, e.g. inject = [\"docs/schema.md\"], but it is {_kind(entries)}")
    targets: dict[str, Target] = {}
    for entry in entries:
        if problem := path_problem(entry):
            raise InjectError(f"{origin}: {problem}")
        if normalise(entry) in targets:
            raise InjectError(f"{origin}: '{entry}' is the same file as an earlier entry ({normalise(entry)}); list it once")
        targets[normalise(entry)] = Target(normalise(entry), origin)
    return list(targets.values())


def configured_targets(spec_path: str, schema: Schema) -> list[Target]:
    """docs.inject of the spec, then [tool.schemac] inject of pyproject.toml; each file once (the lists are merged)."""
    targets = [Target(t.path, f"{t.pos}: docs.inject") for t in schema.doc_targets]
    targets += pyproject_targets(spec_path)
    unique: dict[str, Target] = {}
    for t in targets:
        unique.setdefault(t.path, t)
    return list(unique.values())


def _inside(path: str, folder: str) -> bool:
    """True when path is folder or lies below it (both already resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _place(target: Target, base: str, out_dir: str | None) -> tuple[str, str]:
    """(path to open, path to show) of a target; InjectError if it leaves the spec's folder or sits in the output folder."""
    path = os.path.join(base, *target.path.split("/"))
    display = os.path.normpath(path)
    real = os.path.realpath(path)
    if not _inside(real, os.path.realpath(base or ".")):
        raise InjectError(
            f"{target.origin} lists {target.path}, which resolves to {real}, outside the spec file's folder "
            "(through a symbolic link); list a page that lives in or below that folder"
        )
    if out_dir is not None and _inside(real, os.path.realpath(out_dir)):
        raise InjectError(
            f"{target.origin} lists {target.path}, which is inside the output folder {out_dir}; compile replaces "
            "that folder whole, so keep hand-written pages outside it (e.g. docs/schema.md) or pass another --out"
        )
    return real, display


def read_documents(
    spec_path: str, schema: Schema, block: str | Callable[[], str], out_dir: str | None = None
) -> list[Document]:
    """Read every configured file and compute its refreshed text; raises InjectError.

    block is the reference, or a function that renders it: then it is rendered once, and
    only when a page is configured. out_dir is the folder compile replaces whole: a page
    inside it is refused before anything is read or written.
    """
    base = os.path.dirname(spec_path)
    documents = []
    for target in configured_targets(spec_path, schema):
        path, display = _place(target, base, out_dir)
        if not os.path.isfile(path):
            raise InjectError(
                f"{target.origin} lists {target.path}, but {display} does not exist; "
                f"create it with {BEGIN} and {END} lines, or remove it from the list"
            )
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            current = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InjectError(f"{display}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
        if callable(block):
            block = block()
        documents.append(Document(display, path, current, inject(current, block, display)))
    return documents
