"""fingerprint.sum: what compile's outputs were made from, so `schemac check` can prove them current by hashing alone.

The outputs are a deterministic function of the spec's bytes and file name, the pyproject.toml
beside it (or its absence), the injected pages, schemac's own source, the Python version and the
libraries that parse and serialize (pglast, pydantic, PyYAML, orjson). compile records the SHA-256
of each, and of every file it leaves in the output folder. check recomputes them (no YAML, no
Pydantic, no pglast); only when every line matches, the folder holds nothing else and no staging
copy lies beside it or a page does it report up to date without recompiling. Anything else (a
missing or edited fingerprint, another schemac, one changed byte anywhere) runs the full check,
which gives its precise messages. The fingerprint is never compared by the full check: it is a
cache of a verdict, not an output.

Only this module's imports run on the fast path: hashlib, os, sys.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys

FINGERPRINT = "fingerprint.sum"
FORMAT = "1"
LIBRARIES = ("orjson", "pglast", "pydantic", "pydantic_core", "pyyaml")
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
HEADER = (
    "# Written by `schemac compile`; never edit by hand. What the outputs here were made from (the spec, the\n"
    "# pyproject.toml beside it, injected pages, schemac's own source, Python and its libraries) and the SHA-256\n"
    "# of each output. While all of it still holds, `schemac check` reports up to date without recompiling;\n"
    "# `schemac check --full` always recompiles. Deleting this file only makes check slower.\n"
)


SLICE = 1 << 20  # texts are encoded for hashing a slice at a time: no second copy of a 100 MB output


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_sha256(text: str) -> str:
    """The SHA-256 of text's UTF-8 bytes, as written to disk."""
    h = hashlib.sha256()
    for start in range(0, len(text), SLICE):
        h.update(text[start : start + SLICE].encode("utf-8"))
    return h.hexdigest()


def package_files(root: str = PACKAGE_DIR) -> list[str]:
    """schemac's own source files (relative, forward slashes, sorted): an edited checkout never trusts an old fingerprint."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in files:
            if name.endswith((".py", ".json", ".yaml", ".md", ".txt")):
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return sorted(found)


def package_digest(root: str = PACKAGE_DIR, files: list[str] | None = None) -> str:
    """One SHA-256 over the names and bytes of schemac's source files."""
    h = hashlib.sha256()
    for rel in package_files(root) if files is None else files:
        with open(os.path.join(root, *rel.split("/")), "rb") as fh:
            data = fh.read()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def installed_versions(names: tuple[str, ...] = ("schemac", *LIBRARIES)) -> dict[str, str]:
    """{name: version} from the first *.dist-info on sys.path (as importlib.metadata finds it, without importing it)."""
    wanted, found = set(names), {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for name in listing:
            if name.endswith(".dist-info"):
                dist, _, version = name[: -len(".dist-info")].partition("-")
                key = dist.lower().replace("-", "_").replace(".", "_")
                if key in wanted and key not in found:
                    found[key] = version
    return {n: found.get(n, "absent") for n in names}


def environment_lines(files: list[str] | None = None) -> list[str]:
    """What besides the project's files decides the outputs: Python, schemac (version and source), the libraries."""
    versions = installed_versions()
    lines = [f"format {FORMAT}", f"python {sys.version_info[0]}.{sys.version_info[1]}"]
    lines.append(f"schemac {versions.pop('schemac')} {package_digest(files=files)}")
    lines += [f"library {name} {version}" for name, version in versions.items()]
    return lines


def _file_digest(path: str) -> str | None:
    """A regular file's SHA-256 (symlinks followed, as the full check opens it), or None."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def pyproject_path(spec: str) -> str:
    return os.path.join(os.path.dirname(spec), "pyproject.toml")


def render_fingerprint(spec: str, spec_bytes: bytes, pages: dict[str, str], outputs: dict[str, str]) -> str:
    """The fingerprint compile writes: pages are the inject targets relative to the spec's folder with the text compile
    leaves in them; outputs every file of the output folder but this one (relative path → the SHA-256 of its text,
    taken as each was written: compile does not keep the texts)."""
    lines = environment_lines()
    lines.append(f"spec {sha256(spec_bytes)}  {os.path.basename(spec)}")
    lines.append(f"config {_file_digest(pyproject_path(spec)) or 'absent'}  pyproject.toml")
    lines += [f"page {text_sha256(text)}  {page}" for page, text in pages.items()]
    lines.append(f"counts {len(outputs)} {len(pages)}")
    lines += [f"output {digest}  {path}" for path, digest in sorted(outputs.items())]
    body = "".join(line + "\n" for line in lines)
    return HEADER + f"total {sha256(body.encode('utf-8'))}\n" + body


def _page_path(spec: str, page: str) -> str:
    return os.path.join(os.path.dirname(spec), *page.split("/"))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def up_to_date(spec: str, out: str) -> tuple[int, int] | None:
    """(files, injected documents) when the fingerprint in `out` proves every output current; None when anything
    differs or cannot be read (then the full check decides)."""
    try:
        return _up_to_date(spec, out)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _up_to_date(spec: str, out: str) -> tuple[int, int] | None:
    own = os.path.join(out, FINGERPRINT)
    if not stat.S_ISREG(os.lstat(own).st_mode):
        return None
    with open(own, "rb") as fh:
        text = fh.read().decode("utf-8")
    body = [line for line in text.splitlines(True) if not line.startswith("#")]
    if not body or body[0] != f"total {sha256(''.join(body[1:]).encode('utf-8'))}\n":
        return None
    lines = [line.rstrip("\n") for line in body[1:]]
    environment = [line for line in lines if line.split(" ", 1)[0] in ("format", "python", "schemac", "library")]
    if environment != environment_lines():
        return None
    base = os.path.realpath(os.path.dirname(spec) or ".")
    real_out = os.path.realpath(out)
    outputs: dict[str, str] = {}
    counts = None
    folders = {os.path.dirname(os.path.abspath(out))}  # where an interrupted compile's staging copies would lie
    for line in lines[len(environment) :]:
        kind, _, rest = line.partition(" ")
        if kind == "counts":
            files, documents = rest.split(" ")
            counts = (int(files), int(documents))
            continue
        digest, _, name = rest.partition("  ")
        if kind == "spec":
            if name != os.path.basename(spec) or not os.path.isfile(spec) or _file_digest(spec) != digest:
                return None
        elif kind == "config":
            if (_file_digest(pyproject_path(spec)) or "absent") != digest:
                return None
        elif kind == "page":
            real = os.path.realpath(_page_path(spec, name))
            if not _inside(real, base) or _inside(real, real_out) or _file_digest(real) != digest:
                return None  # the full check refuses such a page, or it changed
            folders.add(os.path.dirname(real))
        elif kind == "output":
            outputs[name] = digest
        else:
            return None
    if counts is None:
        return None
    if _folder_digests(out) != outputs:
        return None
    for folder in folders:
        if any(name.startswith(".schemac-") for name in os.listdir(folder)):
            return None  # a staging copy the full check reports
    return counts


def _folder_digests(out: str) -> dict[str, str] | None:
    """{relative path: SHA-256} of every regular file under out but the fingerprint; None when anything else is there
    (a symbolic link, an empty folder, a FIFO), which the full check then judges."""
    found: dict[str, str] = {}
    if not os.path.isdir(out):
        return None
    for root, dirs, files in os.walk(out):
        if root != out and not dirs and not files:
            return None
        for name in files + dirs:
            full = os.path.join(root, name)
            mode = os.lstat(full).st_mode
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):
                return None
            rel = os.path.relpath(full, out).replace(os.sep, "/")
            if rel == FINGERPRINT:
                continue
            with open(full, "rb") as fh:
                found[rel] = hashlib.file_digest(fh, "sha256").hexdigest()
    return found


def plain_check_args(args: list[str]) -> tuple[bool, str, str] | None:
    """(quiet, spec, out) when args are `[-q|--quiet ...] check [--spec|-s PATH] [--out|-o DIR]` in the plain spellings;
    None for anything else (--full, --help, another command, an unknown option), which the command line parses."""
    quiet, spec, out = False, "schema.yaml", "compiled"
    rest = list(args)
    while rest and rest[0] in ("-q", "--quiet"):
        quiet = True
        rest.pop(0)
    if not rest or rest.pop(0) != "check":
        return None
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in ("--spec", "--out") and eq:
            pass
        elif arg in ("--spec", "-s", "--out", "-o") and rest and not rest[0].startswith("-"):
            name, value = arg, rest.pop(0)
        else:
            return None
        if name in ("--spec", "-s"):
            spec = value
        else:
            out = value
    return quiet, spec, out
