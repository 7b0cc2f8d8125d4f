"""Writing outputs atomically and comparing them with what is on disk."""

from __future__ import annotations

import ctypes
import difflib
import errno
import hashlib
import os
import shutil
import signal
import stat
import sys
import tempfile
from dataclasses import dataclass

from .emit.sql import GENERATED_MARK
from .migrations.checksums import HEADER as SUMS_HEADER


@dataclass(frozen=True)
class Stale:
    """One way the output directory differs from what compile would write.

    The unified diff is built only when asked for (check prints it; compile does not).
    """

    path: str
    state: str  # 'stale' | 'missing' | 'extra' | 'leftover'
    current: str | None = None  # the text on disk (None when missing)
    desired: str | None = None  # the text compile would write (None when extra)
    note: str | None = None  # shown instead of a diff

    @property
    def diff(self) -> str:
        if self.note is not None:
            return self.note
        if self.state == "extra":
            return f"{self.path} is not produced by the spec; delete it or run `schemac compile`\n"
        if self.current is None:
            return "".join(difflib.unified_diff([], self.desired.splitlines(True), "/dev/null", f"b/{self.path}"))
        return "".join(
            difflib.unified_diff(self.current.splitlines(True), self.desired.splitlines(True), f"a/{self.path}", f"b/{self.path}")
        )


NOT_A_FILE = "\x00(not a regular file)"  # never equal to generated text, so such an entry is always reported

# Outputs are written and compared a slice of this many characters at a time: encoding a whole output makes a copy
# as big as the file, and a copy over glibc's mmap threshold (32 MB) takes fresh pages from the kernel each time,
# which made writing and comparing grow faster than the spec (at 5,000 tables DB_SCHEMA.md is over 100 MB).
SLICE = 1 << 20


def write_text(fh, text: str) -> None:
    """text into a file opened for writing text, a slice at a time (the same bytes as one write)."""
    for start in range(0, len(text), SLICE):
        fh.write(text[start : start + SLICE])


def existing_files(out_dir: str) -> dict[str, str]:
    """Every entry under out_dir, by relative path (forward slashes); symlinks, FIFOs and unreadable files are not followed."""
    return {rel: _text(content) for rel, content in _entries(out_dir).items()}


def _entries(out_dir: str) -> dict[str, bytes | str]:
    """Every entry under out_dir: a regular file's bytes, or NOT_A_FILE."""
    return {rel: _read_regular(full) for rel, full in _paths(out_dir).items()}


def _paths(out_dir: str) -> dict[str, str | None]:
    """Every entry under out_dir: its path, or None for an empty folder."""
    found: dict[str, str | None] = {}
    if not os.path.isdir(out_dir):
        return found
    for root, dirs, files in os.walk(out_dir):
        if root != out_dir and not dirs and not files:  # an empty folder: compile would not keep it either
            found[os.path.relpath(root, out_dir).replace(os.sep, "/") + "/"] = None
        for f in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            full = os.path.join(root, f)
            rel = os.path.relpath(full, out_dir).replace(os.sep, "/")
            found[rel] = full
    return found


def _read_regular(path: str | None) -> bytes | str:
    if path is None:
        return NOT_A_FILE
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return NOT_A_FILE
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return NOT_A_FILE


def _text(content: bytes | str) -> str:
    """A file's content as text, as an editor would show it (bad bytes replaced)."""
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def compare(out_dir: str, expected: dict[str, str]) -> list[Stale]:
    """What differs between out_dir and the expected files, each with both texts for its diff: the check FolderUpdate
    makes, for callers that hold every text already."""
    update = FolderUpdate(out_dir, stage=False, keep_texts=True)
    for path, text in expected.items():
        update.add(path, text)
    return update.finish()


class FolderUpdate:
    """The output folder's next version, taken one output at a time as each is rendered: the output is compared with
    what out_dir holds, its SHA-256 noted (for fingerprint.sum) and, once the folder is being staged, written into the
    staging folder beside out_dir; then its text can go. So compile never holds every output's text at once (at
    5,000 tables they are over 300 MB, a third of its peak memory).

    The staging folder is made at the first output that differs (those found equal before it are copied from
    out_dir, each checked against its digest), so a compile that changes nothing writes nothing. With stage=False
    (a read-only folder, or check) nothing is ever written; with keep_texts each difference keeps both texts for
    its diff (check prints it). `finish` adds the files out_dir holds that no output replaced; `staged` is then
    the Swap to commit (None when the folder needs no new version), and `discard` removes what is left.
    """

    def __init__(self, out_dir: str, stage: bool = True, keep_texts: bool = False):
        self.out_dir = os.path.abspath(out_dir)
        self.stage = stage
        self.keep_texts = keep_texts
        self.actual = _paths(out_dir)
        self.digests: dict[str, str] = {}  # every output taken so far → the SHA-256 of its UTF-8 bytes
        self.stale: list[Stale] = []
        self.equal: list[str] = []  # outputs equal to out_dir's file, not yet staged
        self.staged: Swap | None = None

    def add(self, path: str, content: str | bytes) -> None:
        """Take one rendered output (relative path, forward slashes): its text, or the text's UTF-8 bytes."""
        on_disk = self.actual.get(path)
        digest, same = _digest_and_compare(content, on_disk if path in self.actual else None)
        self.digests[path] = digest
        if not same:
            current = _text(_read_regular(on_disk)) if self.keep_texts and path in self.actual else None
            state = "stale" if path in self.actual else "missing"
            self.stale.append(Stale(path, state, current, _text(content) if self.keep_texts else None))
            if self.stage and self.staged is None:
                self._open()
        if self.staged is not None:
            self._write(path, content)
        elif same:
            self.equal.append(path)

    def finish(self) -> list[Stale]:
        """Every difference between out_dir and the outputs taken, sorted by path (compare's verdicts)."""
        for path in sorted(set(self.actual) - set(self.digests)):
            self.stale.append(Stale(path, "extra", _text(_read_regular(self.actual[path])) if self.keep_texts else None))
        if self.stale and self.stage and self.staged is None:
            self._open()
        return sorted(self.stale, key=lambda s: s.path)

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.discard()

    def _open(self) -> None:
        """Make the staging folder beside out_dir and copy into it the outputs already found equal."""
        parent = os.path.dirname(self.out_dir)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".schemac-new-", dir=parent)
        self.staged = Swap(staging, self.out_dir, _unused_name(parent, ".schemac-old-"), folder=True)
        os.chmod(staging, 0o755)
        for path in self.equal:
            self._copy(path)
        self.equal = []

    def _target(self, path: str) -> str:
        target = os.path.join(self.staged.staged, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return target

    def _write(self, path: str, content: str | bytes) -> None:
        target = self._target(path)
        if isinstance(content, bytes):
            with open(target, "wb") as fh:
                fault_point()
                fh.write(content)
            return
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fault_point()
            write_text(fh, content)

    def _copy(self, path: str) -> None:
        """An output found equal to out_dir's file, copied from it; refused if the file changed since."""
        target = self._target(path)
        h = hashlib.sha256()
        with open(self.actual[path], "rb") as src, open(target, "wb") as dst:
            fault_point()
            while data := src.read(SLICE):
                h.update(data)
                dst.write(data)
        if h.hexdigest() != self.digests[path]:
            raise OSError(errno.EAGAIN, "changed while compile ran; run compile again", self.actual[path])


def _digest_and_compare(content: str | bytes, path: str | None) -> tuple[str, bool]:
    """(SHA-256 of the content's bytes (a text's UTF-8), whether path is a regular file holding exactly them), a slice
    at a time."""
    h = hashlib.sha256()
    fh = None
    try:
        if path is not None and stat.S_ISREG(os.lstat(path).st_mode):
            fh = open(path, "rb")
    except OSError:
        fh = None
    same = fh is not None
    try:
        view = memoryview(content) if isinstance(content, bytes) else None
        for start in range(0, len(content), SLICE):
            data = view[start : start + SLICE] if view is not None else content[start : start + SLICE].encode("utf-8")
            h.update(data)
            if same:
                try:
                    same = fh.read(len(data)) == data
                except OSError:
                    same = False
        if same:
            try:
                same = fh.read(1) == b""
            except OSError:
                same = False
    finally:
        if fh is not None:
            fh.close()
    return h.hexdigest(), same


def document_stale(path: str, current: str, desired: str) -> Stale:
    """A hand-written document whose injected part is out of date (its diff is built when printed)."""
    return Stale(path, "stale", current, desired)


def replace_problem(out_dir: str) -> str | None:
    """Why compile must not replace out_dir (it swaps the whole folder), or None when it may.

    It may when the folder is missing, empty, or holds a migration history or a migration schemac generated:
    never a folder of the user's own files.
    """
    if not os.path.exists(out_dir):
        return None
    if not os.path.isdir(out_dir):
        return "it is a file, not a folder"
    if not os.listdir(out_dir):
        return None
    sums = os.path.join(out_dir, "migrations.sum")
    if os.path.isfile(sums) and not os.path.islink(sums):
        with open(sums, encoding="utf-8", errors="replace") as fh:
            if fh.read(len(SUMS_HEADER)) == SUMS_HEADER:
                return None
    migrations = os.path.join(out_dir, "migrations")
    if os.path.isdir(migrations):
        for name in os.listdir(migrations):
            path = os.path.join(migrations, name)
            if name.endswith(".sql") and os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as fh:
                    if fh.read(len(GENERATED_MARK)) == GENERATED_MARK:
                        return None
    return "it holds files that schemac did not generate (no migrations.sum, no migrations/*.sql starting with '-- Generated by schemac')"


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
    exchanged: bool = False

    def apply(self) -> None:
        fault_point()
        if self.folder and os.path.exists(self.dest) and exchange(self.staged, self.dest):
            self.staged, self.spare = self.spare, self.staged  # the old tree now sits at the staged name
            self.parked = False
            self.exchanged = True
            return
        if self.folder and os.path.exists(self.dest):
            fault_point()
            os.rename(self.dest, self.spare)
            self.parked = True
        try:
            fault_point()
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
        if self.exchanged:
            exchange(self.spare, self.dest)
            self.staged, self.spare = self.spare, self.staged
            self.exchanged = False
            return
        fault_point()
        os.rename(self.dest, self.staged)
        if self.parked:
            fault_point()
            os.rename(self.spare, self.dest)
            self.parked = False

    def discard(self) -> None:
        """Remove what is left beside dest: an unused staged version, the old folder or the page's copy."""
        for leftover in (self.staged, self.spare):
            if leftover and os.path.isdir(leftover) and not os.path.islink(leftover):
                fault_point()
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover and os.path.lexists(leftover):
                fault_point()
                os.remove(leftover)


@dataclass
class NewFile:
    """A file that must not exist yet (a new migration outside the output folder): staged beside it, linked into place."""

    staged: str
    dest: str

    def apply(self) -> None:
        os.link(self.staged, self.dest)  # fails if dest appeared meanwhile: a written migration is never replaced

    def undo(self) -> None:
        os.remove(self.dest)

    def discard(self) -> None:
        if os.path.lexists(self.staged):
            os.remove(self.staged)


def stage_new_file(path: str, text: str) -> NewFile:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".schemac-", suffix=".sql", dir=folder)
    os.close(fd)
    swap = NewFile(tmp, os.path.abspath(path))
    try:
        os.chmod(tmp, 0o644)
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            write_text(fh, text)
    except BaseException:
        swap.discard()
        raise
    return swap


def write_outputs(out_dir: str, files: dict[str, str], documents: dict[str, str], new_files: dict[str, str] | None = None) -> None:
    """Write out_dir and the hand-written pages that receive the reference, all or nothing.

    Everything is staged first, beside its destination (the output folder's new tree
    beside it, each page's new text and a copy of its original beside the page), so a
    failure while staging touches nothing. Then `commit` renames each into place and,
    if a rename fails, renames back the ones already done. The output folder is swapped
    with its new version in one atomic exchange (Linux), so it is never missing. The
    remaining window: if the process is killed during the renames, the folder and the
    pages may differ in age (each one whole), and the staged leftovers (.schemac-*) stay
    beside them; the next compile removes them and `check` reports them.
    """
    replace_staged(stage_folder(out_dir, files), documents, new_files)


def replace_staged(folder: Swap | None, documents: dict[str, str], new_files: dict[str, str] | None = None) -> None:
    """Commit a staged output folder (None: the folder stays as it is) with the pages and new files, all or nothing
    (see write_outputs); whatever is left staged is removed."""
    swaps: list[Swap | NewFile] = [folder] if folder is not None else []
    try:
        for path, text in documents.items():
            swaps.append(stage_page(path, text))
        for path, text in (new_files or {}).items():
            swaps.append(stage_new_file(path, text))
        commit(swaps)
    finally:
        for s in swaps:
            s.discard()


def commit(swaps: list) -> None:
    """Apply every swap; if one fails, undo the applied ones in reverse so every file is as before."""
    applied: list = []
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
                fault_point()
                write_text(fh, text)
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
        fault_point()
        shutil.copymode(path, tmp)
        fd, swap.spare = tempfile.mkstemp(prefix=".schemac-orig-", suffix=".md", dir=folder)
        os.close(fd)
        fault_point()
        shutil.copy2(path, swap.spare)
    except BaseException:
        swap.discard()
        raise
    return swap


RENAME_EXCHANGE = 2

# For the fault tests: `SCHEMAC_KILL_AT_STEP=n` makes the process SIGKILL itself at the n-th write or rename below,
# so a test can prove that dying at every such point leaves compiled/ whole. Unset, it does nothing.
KILL_AT_STEP = "SCHEMAC_KILL_AT_STEP"
_steps = [0]


def fault_point() -> None:
    _steps[0] += 1
    if os.environ.get(KILL_AT_STEP) == str(_steps[0]):
        os.kill(os.getpid(), signal.SIGKILL)



def exchange(a: str, b: str) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot.

    With it a killed compile leaves the output folder whole, old or new, never missing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel or a file system without exchange: fall back to two renames
    raise OSError(err, os.strerror(err), b)


STAGING_PREFIXES = (".schemac-new-", ".schemac-old-", ".schemac-orig-")


def leftovers(out_dir: str, pages: list[str] = ()) -> list[str]:
    """Staging files and folders an interrupted compile left beside out_dir or beside a page."""
    folders = {os.path.dirname(os.path.abspath(out_dir))} | {os.path.dirname(os.path.abspath(p)) for p in pages}
    found = []
    for folder in sorted(folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in sorted(names):
            page_copy = name.startswith(".schemac-") and name.endswith(".md")
            if name.startswith(STAGING_PREFIXES) or page_copy:
                found.append(os.path.join(folder, name))
    return found


def remove_leftovers(paths: list[str]) -> None:
    """Delete what leftovers() found (an interrupted compile's staging; never the user's files)."""
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.remove(path)


def read_only_problem(out_dir: str) -> str | None:
    """Why out_dir must not be replaced because someone made it (or a file in it) read-only, or None."""
    if not os.path.isdir(out_dir):
        return None
    for root, dirs, files in os.walk(out_dir):
        for name in [root] + [os.path.join(root, f) for f in files]:
            mode = os.lstat(name).st_mode
            if not stat.S_ISLNK(mode) and not mode & stat.S_IWUSR:
                return f"{name} is read-only"
    return None


def _unused_name(parent: str, prefix: str) -> str:
    """A name in parent that nothing uses yet (reserved by creating and removing a folder)."""
    name = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.rmdir(name)
    return name


def write_atomically(out_dir: str, files: dict[str, str]) -> None:
    """Replace out_dir's contents with files, all or nothing (no pages to refresh)."""
    write_outputs(out_dir, files, {})
