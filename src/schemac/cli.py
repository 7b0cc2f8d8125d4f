"""The command line: the only place that prints and exits.

Each command imports the parts it uses when it runs (the pipeline, the emitters, the output
folder code), so `schemac --help` and `validate` do not pay for what they never call.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from .terminal import count, paint, up_to_date as up_to_date_message

if TYPE_CHECKING:
    from .inject import Document
    from .outputs import Stale


class _PlainHelp:
    """Help without typer's `<bool>` / `<str>` type labels: flags and arguments show none, options
    that take a value show its upper-case name (PATH, DIR, URL)."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for p in params:
            plain = getattr(p, "is_flag", False) or isinstance(p, TyperArgument)
            label = None if plain else (p.metavar or (p.name or "").upper())
            p.display_type_rich = lambda ctx, label=label: label
        return params


class SchemacGroup(_PlainHelp, TyperGroup):
    def parse_args(self, ctx, args):
        """`--show-completion zsh` / `--install-completion fish` use the shell named instead of the one detected."""
        if len(args) >= 2 and args[0] in ("--show-completion", "--install-completion") and args[1] in COMPLETION_SHELLS:
            if args[0] == "--show-completion":
                args = ["completion", *args[1:]]
            else:
                from typer.completion import install

                shell, path = install(shell=args[1], prog_name="schemac", complete_var="_SCHEMAC_COMPLETE")
                typer.echo(f"{shell} completion installed in {path}; it takes effect in a new shell")
                ctx.exit(0)
        return super().parse_args(ctx, args)


class SchemacCommand(_PlainHelp, TyperCommand):
    pass


EXIT_CODES = (
    "Exit codes: 0 success; 1 problems in the spec, lint errors or differences found; 2 usage error (bad option, "
    "missing spec file); 128 + the signal when stopped (130 SIGINT, 143 SIGTERM, 129 SIGHUP)."
)


class SchemacTyper(typer.Typer):
    """Every command uses SchemacCommand, so its help has no type labels either."""

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", SchemacCommand)
        return super().command(*args, **kwargs)


app = SchemacTyper(
    cls=SchemacGroup,
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES,
)

QUIET = False  # set by --quiet: success messages are not printed


def _say(message: str) -> None:
    """A success message on stdout (green on a terminal); nothing with --quiet."""
    if not QUIET:
        typer.echo(paint(message, "green", sys.stdout))


def _warn(message: str) -> None:
    """A failure summary on stderr (red on a terminal); printed even with --quiet."""
    typer.echo(paint(message, "red", sys.stderr), err=True)


def _version(value: bool) -> None:
    """--version: print the installed version and stop before any command runs."""
    if value:
        from importlib.metadata import version

        typer.echo(f"schemac {version('schemac')}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success; problems are still reported."),
) -> None:
    """schemac: compile one schema.yaml into PostgreSQL migrations, TypeScript types and docs."""
    global QUIET
    QUIET = quiet


SPEC_OPTION = typer.Option("schema.yaml", "--spec", "-s", metavar="PATH", help="The spec file.")
OUT_OPTION = typer.Option("compiled", "--out", "-o", metavar="DIR", help="The output directory.")


LINT_SPOKE = False  # set by _load: the rules printed a finding (then compile writes no fingerprint for check to replay)


def _load(spec: str, lint: bool = True):
    """Load and build the spec, then (unless lint=False) run the rules: any error exits 1 before anything is written."""
    from .pipeline import lint_schema
    from .rules.report import render, summary

    global LINT_SPOKE
    schema = _build(spec, lint)
    if lint:
        result = lint_schema(schema)
        for line in render(result, "text", spec).splitlines():
            LINT_SPOKE = True
            typer.echo(line, err=True)
        if result.errors:
            _warn(f"{summary(result)}; nothing written. Fix the spec, or set a severity or waiver under 'lint:'.")
            raise typer.Exit(1)
    return schema


def _build(spec: str, lint: bool = True):
    from .errors import SpecErrors
    from .pipeline import lint_schema, load_schema
    from .rules.report import text_line

    if not Path(spec).is_file():
        typer.echo(f"{spec}: no such file; pass the spec with --spec PATH", err=True)
        raise typer.Exit(2)
    try:
        return load_schema(spec)
    except SpecErrors as exc:
        # compliance errors of the tables that did build are reported too: every error at once
        compliance = lint_schema(exc.partial).errors if lint and exc.partial is not None else []
        lines = [(e.pos, str(e)) for e in exc.errors] + [(f.pos, text_line(f)) for f in compliance]
        for _pos, line in sorted(lines):
            typer.echo(line, err=True)
        _warn(f"{count(len(lines), 'problem')} found; nothing written.")
        raise typer.Exit(1)


def _documents(spec: str, schema, out: str) -> list[Document]:
    """The configured hand-written pages with their refreshed reference; exit 1 when one cannot take it (or lies in out)."""
    from .emit.markdown import render_injected
    from .inject import InjectError, read_documents

    try:
        return read_documents(spec, schema, lambda: render_injected(schema), out)
    except InjectError as exc:
        typer.echo(f"{exc} (nothing written)", err=True)
        raise typer.Exit(1)


COMPILE_WORDS = {"stale": "updated", "missing": "created", "extra": "removed", "new": "created"}  # compare's states, as compile acted on them


def _all_stale(out: str, folder: list[Stale], documents: list[Document]) -> list[tuple[str, Stale]]:
    """Every differing output (the folder's, then the pages') as (path shown to the user, difference)."""
    from .outputs import document_stale

    found = [(f"{out}/{s.path}", s) for s in folder]
    found += [(d.display, document_stale(d.display, d.current, d.desired)) for d in documents if d.stale]
    return found


def _take_outputs(update, schema, files: dict[str, str | bytes]) -> None:
    """Give the update files (the history's, emptied as it goes), then every regenerated document, rendered one at a
    time: no text is kept once the update has compared, hashed and (compile) staged it, and the history's texts (a
    first migration and its state) are gone before the largest document is rendered."""
    from .pipeline import document_emitters

    while files:
        path = next(iter(files))
        update.add(path, files.pop(path))
    for path, emit in document_emitters(encoded=True).items():
        update.add(path, emit(schema))


@app.command()
def validate(spec: str = SPEC_OPTION) -> None:
    """Check the spec and report every problem as FILE:LINE:COL; writes nothing."""
    schema = _load(spec)
    _say(f"{spec}: ok ({count(len(schema.tables), 'table')}, {count(sum(len(t.columns) for t in schema.tables), 'column')})")


def _refuse_unsafe_out(spec: str, out: str) -> None:
    """compile replaces the output directory whole: never let that be a folder holding the spec or the working directory."""
    from .outputs import replace_problem

    target = Path(out).resolve()
    problem = replace_problem(out)
    if Path(out).is_symlink():
        problem = "it is a symbolic link (the link itself would be replaced); pass the folder it points to"
    for precious in (Path(spec).resolve().parent, Path.cwd().resolve()):
        if target == precious or target in precious.parents:
            problem = "it holds the spec or the working directory"
    if problem:
        typer.echo(
            f"{out}: refusing to use this as the output directory: compile replaces it whole, and {problem}; "
            "pass a dedicated folder such as --out compiled",
            err=True,
        )
        raise typer.Exit(2)


@app.command("compile")
def compile_(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    name: Optional[str] = typer.Option(None, "--name", help="Name of the next migration (default: derived from the change)."),
    allow_destructive: bool = typer.Option(
        False, "--allow-destructive", help="Write changes that delete data (dropped tables or columns, narrowing types, removed enum values)."
    ),
) -> None:
    """Write the next migration when the spec changed, and every other output; all or nothing.

    Written migrations never change: a change of the spec becomes the next numbered
    migration (and the schema's new state under <out>/state/); a change that touches
    only documentation writes no migration.
    """
    from .fingerprint import FINGERPRINT
    from .migrations.history import has_rename_hints
    from .outputs import FolderUpdate, Stale, leftovers, read_only_problem, remove_leftovers, replace_staged

    _refuse_unsafe_out(spec, out)
    schema = _load(spec)
    documents = _documents(spec, schema, out)
    history = _compile_history(spec, out, schema, name, allow_destructive)
    remove_leftovers(leftovers(out, [d.path for d in documents]))  # an interrupted compile's staging
    problem = read_only_problem(out)
    # each output is compared, hashed and staged as it is rendered, then let go; nothing is staged in a read-only folder
    update = FolderUpdate(out, stage=problem is None)
    try:
        _take_outputs(update, schema, history.inside)
        shown_files = len(update.digests)  # the fingerprint is not counted: check's message counts the same files
        if history.settings.migrations_inside_out and not LINT_SPOKE and not has_rename_hints(schema):
            # what the full check would say right after this compile: nothing (a rename hint it reports as stale)
            update.add(FINGERPRINT, _fingerprint(spec, schema, update.digests, documents))
        stale = _all_stale(out, update.finish(), documents) + [(path, Stale(path, "new")) for path in history.outside]
        # only check's cached verdict missing or old (a new schemac, a fresh clone) in a folder someone made read-only:
        # the outputs are current, and the folder is left as it is (check then runs its full comparison)
        if not stale or (problem and all(s.path == FINGERPRINT for _, s in stale)):
            _say(up_to_date_message(out, shown_files, len(documents), "; no change for a migration"))
            return
        if problem:
            typer.echo(f"{out}: not replaced because {problem}; make it writable (chmod -R u+w {out}) to compile into it", err=True)
            raise typer.Exit(1)
        replace_staged(update.staged, {d.path: d.desired for d in documents if d.stale}, history.outside)
    except OSError as exc:
        typer.echo(f"{out}: cannot write the outputs ({exc.strerror or exc}: {exc.filename or out}); nothing written", err=True)
        raise typer.Exit(1)
    finally:
        update.discard()
    for shown, s in stale:
        if s.path != FINGERPRINT:  # a cache of check's verdict, not an output to review
            _say(f"{COMPILE_WORDS[s.state]:>7}  {shown}")
    for path in history.new:
        _say(f"migration {path}")
    for file_name, code, message in history.hazards:
        typer.echo(f"  hazard {code} in {file_name}: {message}")
    if not history.new:
        _say("no migration: nothing the database holds changed")
    refreshed = sum(d.stale for d in documents)
    changed = len(stale) - refreshed - sum(s.path == FINGERPRINT for _, s in stale)
    _say(f"{out}: {changed} of {count(shown_files, 'file')} changed, {count(refreshed, 'injected document')} refreshed")


def _fingerprint(spec: str, schema, digests: dict[str, str], documents: list[Document]) -> str:
    """fingerprint.sum for the outputs of these digests: the pages by the target paths the full check resolves again."""
    from .fingerprint import render_fingerprint
    from .inject import configured_targets

    with open(spec, "rb") as fh:
        spec_bytes = fh.read()
    targets = [t.path for t in configured_targets(spec, schema)]  # read_documents gave one document for each, in order
    return render_fingerprint(spec, spec_bytes, {t: d.desired for t, d in zip(targets, documents, strict=True)}, digests)


def _compile_history(spec: str, out: str, schema, name: str | None, allow_destructive: bool):
    """The migration history after this compile, or exit 1 with every reason nothing may be written."""
    from .migrations.config import ConfigError
    from .migrations.project import HistoryProblems, Refusals, compile_history

    try:
        return compile_history(spec, out, schema, name=name, allow_destructive=allow_destructive)
    except ConfigError as exc:
        typer.echo(f"{exc} (nothing written)", err=True)
    except HistoryProblems as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        typer.echo(f"{count(len(exc.problems), 'problem')} with the migration history; nothing written.", err=True)
    except Refusals as exc:
        for e in exc.errors:
            typer.echo(str(e), err=True)
        typer.echo(
            f"{count(len(exc.errors), 'change')} refused; nothing written. Fix the spec, or pass --allow-destructive "
            "when deleting that data is intended.",
            err=True,
        )
    raise typer.Exit(1)


@app.command()
def check(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    full: bool = typer.Option(False, "--full", help="Recompile and compare even when <out>/fingerprint.sum proves the outputs current."),
) -> None:
    """Exit 1 if the spec has changes no migration holds, a migration or state was edited, or an output is stale (for CI).

    Writes nothing. Stale outputs and injected pages are shown as a diff. When every input and output still
    has the SHA-256 compile recorded in <out>/fingerprint.sum, that is the proof (no recompiling).
    """
    if not full:
        from .fingerprint import up_to_date

        if (proved := up_to_date(spec, out)) is not None:
            _say(up_to_date_message(out, *proved))
            return
    from .migrations.config import ConfigError
    from .migrations.project import HistoryProblems, committed_files, open_history, pending_changes
    from .fingerprint import FINGERPRINT
    from .outputs import FolderUpdate, Stale, leftovers

    schema = _load(spec)
    documents = _documents(spec, schema, out)
    files: dict[str, str] = {}
    try:
        history = open_history(spec, out, schema)
        problems = pending_changes(history, schema)
        files = committed_files(history) if history.started else {}
    except HistoryProblems as exc:  # still compare the rest, so every problem shows in one run
        history, problems = None, exc.problems
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    # each output is compared as it is rendered and let go; only a differing one keeps its texts, for the diff
    update = FolderUpdate(out, stage=False, keep_texts=True)
    _take_outputs(update, schema, files)
    stale = [
        (shown, s)
        for shown, s in _all_stale(out, update.finish(), documents)
        if history is not None or not (s.state == "extra" and s.path.startswith(("migrations", "state/")))
        if not (s.state == "extra" and s.path == FINGERPRINT)  # a cache of this verdict, never compared
    ]
    stale += [(path, Stale(path, "leftover", note="  an interrupted compile left this staging copy; `schemac compile` removes it\n")) for path in leftovers(out, [d.path for d in documents])]
    if not stale and not problems:
        _say(up_to_date_message(out, len(update.digests), len(documents)))
        return
    for shown, s in stale:
        typer.echo(f"{s.state}: {shown}")
        sys.stdout.write(s.diff)
    for line in problems:
        typer.echo(line, err=True)
    if stale:
        _warn(f"{count(len(stale), 'file')} out of date; run `schemac compile` and commit the result.")
    raise typer.Exit(1)


@app.command()
def init(directory: str = typer.Argument(".", metavar="DIR", help="The project folder; created when missing.")) -> None:
    """Start a project: schema.yaml with one example table, pyproject.toml with the tool.schemac settings, docs/schema.md with the markers, and a GitHub Actions workflow.

    Refuses to overwrite anything: when one of the files exists, nothing is written.
    """
    from importlib.metadata import version

    from .scaffold import project_files

    root = Path(directory)
    files = project_files(version("schemac"))
    existing = [name for name in files if (root / name).exists() or (root / name).is_symlink()]
    if root.exists() and not root.is_dir():
        existing = [directory]
    if existing:
        for name in existing:
            typer.echo(f"{root / name if name != directory else name}: already exists; init never overwrites a file", err=True)
        _warn(
            f"nothing written; run `schemac init` in an empty folder (`schemac init NEW_DIR`), "
            f"or move {'it' if len(existing) == 1 else 'them'} aside first"
        )
        raise typer.Exit(1)
    try:
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    except OSError as exc:
        typer.echo(f"{exc.filename or directory}: cannot write ({exc.strerror or exc})", err=True)
        raise typer.Exit(1)
    for name in files:
        _say(f"created  {root / name}")
    here = "" if root.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    _say(f"next: {here}schemac compile, then commit schema.yaml, compiled/ and docs/ together")


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


@app.command()
def completion(shell: str = typer.Argument(..., help="bash, zsh, fish, powershell or pwsh.")) -> None:
    """Print the shell completion script for SHELL.

    bash: eval "$(schemac completion bash)" in ~/.bashrc; zsh: eval "$(schemac completion zsh)" in
    ~/.zshrc; fish: schemac completion fish > ~/.config/fish/completions/schemac.fish.
    (--install-completion does this for the shell you are in.)
    """
    from typer.completion import get_completion_script

    if shell not in COMPLETION_SHELLS:
        typer.echo(f"unknown shell '{shell}'; use one of: {', '.join(COMPLETION_SHELLS)}", err=True)
        raise typer.Exit(2)
    typer.echo(get_completion_script(prog_name="schemac", complete_var="_SCHEMAC_COMPLETE", shell=shell))


class LintCommand(SchemacCommand):
    """lint's help lists every rule; the rules are imported when the help is shown, not when any command starts."""

    @property
    def help(self):
        from .rules.registry import RULES

        return self._help + "\n\nRules (code, default severity): " + "; ".join(f"{r.code} {r.title} ({r.severity})" for r in RULES) + "."

    @help.setter
    def help(self, text):
        self._help = text


@app.command(cls=LintCommand, help="Check the compliance rules; print findings as FILE:LINE:COL: CODE message; exit 1 on any error.")
def lint(
    spec: str = SPEC_OPTION,
    fmt: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, github (Actions annotations) or json."),
) -> None:
    """The rules step on its own, in the format CI or a person needs."""
    from .errors import SpecErrors
    from .pipeline import lint_schema, load_schema
    from .rules.report import FORMATS, render, spec_errors_as_findings, summary

    if fmt not in FORMATS:
        typer.echo(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    if fmt != "text" and Path(spec).is_file():
        try:
            load_schema(spec)
        except SpecErrors as exc:  # CI and tools get the spec's own errors in the format they asked for
            sys.stdout.write(render(spec_errors_as_findings(exc), fmt, spec))
            raise typer.Exit(1)
    result = lint_schema(_build(spec))
    sys.stdout.write(render(result, fmt, spec))
    if fmt == "text":
        if result.errors:
            typer.echo(paint(f"{spec}: {summary(result)}", "red", sys.stdout))
        else:
            _say(f"{spec}: {summary(result)}")
    if result.errors:
        raise typer.Exit(1)


DATABASE_URL_OPTION = typer.Option(None, "--database-url", envvar="SCHEMAC_DATABASE_URL", help="The database (or set SCHEMAC_DATABASE_URL).")
CONNECT_TIMEOUT_OPTION = typer.Option(None, "--connect-timeout", help="Seconds to wait for a connection (default: connect_timeout in [tool.schemac], else 10).")


@app.command()
def verify(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    database_url: Optional[str] = typer.Option(
        None, "--database-url", envvar="SCHEMAC_DATABASE_URL", help="Database to compare; a throwaway PostgreSQL when omitted."
    ),
    connect_timeout: Optional[int] = CONNECT_TIMEOUT_OPTION,
) -> None:
    """Prove from the catalog that the database is exactly the spec.

    Without --database-url a throwaway PostgreSQL with a minimal Supabase stand-in
    (schema auth, auth.users, auth.uid(), roles anon/authenticated/service_role) is
    started, every migration is applied through `schemac apply`'s code, and the server
    is removed afterwards. A database given by URL is only compared: verify never
    changes it (`schemac apply` does).
    """
    from .db.server import ServerStartError
    from .verify.run import Refused, run_verify

    schema = _load(spec, lint=False)  # verify compares the database with the spec; compliance is lint's job
    settings = _settings(spec, out)
    try:
        report = run_verify(schema, spec, out, database_url, connect_timeout or settings.connect_timeout)
    except (Refused, ServerStartError) as exc:
        _reraise_if_stopped(exc)
        typer.echo(f"verify: {exc}" if isinstance(exc, ServerStartError) else str(exc), err=True)
        raise typer.Exit(1)
    except Exception as exc:  # database errors are reported, not dumped
        _reraise_if_stopped(exc)
        typer.echo(f"verify failed: {type(exc).__name__}: {exc}".rstrip(), err=True)
        raise typer.Exit(1)
    for line in report.notes:
        typer.echo(line)
    if report.differences:
        for d in report.differences:
            typer.echo(f"  {d}", err=True)
        _warn(f"{count(len(report.differences), 'difference')} between the database and {spec}.")
        raise typer.Exit(1)
    _say(f"verified: the database matches {spec} ({count(report.checked, 'catalog fact')} checked)")


def _reraise_if_stopped(exc: Exception) -> None:
    """A signal that arrived inside a library call (psycopg cancelling a query, the server's start) can come back
    wrapped in the library's own error; the launcher, not this error message, must answer it."""
    from .launch import signal_behind

    if signal_behind(exc) is not None:
        raise exc


def _settings(spec: str, out: str):
    from .migrations.config import ConfigError, load_settings

    try:
        return load_settings(spec, out)
    except ConfigError as exc:
        typer.echo(f"{exc} (nothing done)", err=True)
        raise typer.Exit(1)


def _history(spec: str, out: str):
    """The migration history plan and apply read: every migration checked against migrations.sum, or exit 1."""
    from .migrations.config import ConfigError
    from .migrations.project import HistoryProblems, open_history

    try:
        history = open_history(spec, out)
    except ConfigError as exc:
        typer.echo(f"{exc} (nothing applied)", err=True)
        raise typer.Exit(1)
    except HistoryProblems as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        typer.echo(f"{count(len(exc.problems), 'problem')} with the migration history; nothing applied.", err=True)
        raise typer.Exit(1)
    if not history.started:
        typer.echo(f"{history.settings.sum_path}: missing: run `schemac compile` first (it starts the migration history); nothing applied", err=True)
        raise typer.Exit(1)
    return history


def _database(database_url: Optional[str]) -> str:
    if not database_url:
        typer.echo("no database given: pass --database-url URL or set SCHEMAC_DATABASE_URL", err=True)
        raise typer.Exit(2)
    return database_url


@app.command()
def plan(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    database_url: Optional[str] = DATABASE_URL_OPTION,
    connect_timeout: Optional[int] = CONNECT_TIMEOUT_OPTION,
) -> None:
    """List the migrations the database has not recorded yet, with their hazards; applies nothing."""
    from .db.apply import applied_rows, connect, pending_migrations

    url = _database(database_url)
    history = _history(spec, out)
    try:
        with connect(url, connect_timeout or history.settings.connect_timeout) as conn:
            pending, problems = pending_migrations(history.migrations, applied_rows(conn))
    except Exception as exc:  # psycopg errors: one line, no traceback
        typer.echo(f"plan failed: {type(exc).__name__}: {exc}".rstrip(), err=True)
        raise typer.Exit(1)
    for m in pending:
        typer.echo(f"pending  {m.path}" + ("" if m.transactional else "  (outside a transaction)"))
        for code, message in m.hazards:
            typer.echo(f"  hazard {code}: {message}")
    for line in problems:
        typer.echo(line, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{count(len(pending), 'migration')} to apply" + (" (`schemac apply` applies them)" if pending else ": the database is up to date"))


@app.command("apply")
def apply_(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    database_url: Optional[str] = DATABASE_URL_OPTION,
    install_stand_in: bool = typer.Option(
        False,
        "--install-stand-in",
        help="When the database has no auth.users, first create the minimal Supabase stand-in "
        "(roles, schema auth, auth.users, auth.uid(), Storage's storage.objects, and grants on every table of public), under the migration lock.",
    ),
    baseline: Optional[str] = typer.Option(
        None, "--baseline", help="Record the migrations up to this version as applied without running them (a database made before schemac)."
    ),
    lock_timeout: Optional[str] = typer.Option(None, "--lock-timeout", help="Session lock_timeout, e.g. 5s (default: [tool.schemac] lock_timeout, else 5s)."),
    statement_timeout: Optional[str] = typer.Option(None, "--statement-timeout", help="Session statement_timeout (default: [tool.schemac], else 15min)."),
    lock_wait: Optional[str] = typer.Option(None, "--lock-wait", help="How long to wait for another apply's migration lock (default: [tool.schemac] advisory_lock_wait, else 60s)."),
    connect_timeout: Optional[int] = CONNECT_TIMEOUT_OPTION,
) -> None:
    """Apply the migrations the database has not recorded, in order, each proven against its recorded state before it commits."""
    from .db.apply import ApplyError, Timeouts, apply_migrations, connect
    from .migrations.config import ConfigError, check_duration

    url = _database(database_url)
    history = _history(spec, out)
    settings = history.settings
    try:
        timeouts = Timeouts(
            lock_timeout=check_duration(lock_timeout or settings.lock_timeout, "--lock-timeout"),
            statement_timeout=check_duration(statement_timeout or settings.statement_timeout, "--statement-timeout"),
            advisory_lock_wait=check_duration(lock_wait or settings.advisory_lock_wait, "--lock-wait"),
        )
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    try:
        with connect(url, connect_timeout or settings.connect_timeout) as conn:
            result = apply_migrations(
                conn, history.migrations, lambda m: history.state(m.stem), timeouts, install_stand_in=install_stand_in, baseline=baseline
            )
    except ApplyError as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        raise typer.Exit(1)
    except Exception as exc:  # connection and server errors outside a migration: one line, no traceback
        typer.echo(f"apply failed: {type(exc).__name__}: {exc}".rstrip(), err=True)
        raise typer.Exit(1)
    for line in result.notes:
        typer.echo(line)
    if result.baselined:
        typer.echo(f"recorded as applied without running (--baseline {baseline}): {', '.join(result.baselined)}")
    for stem in result.applied:
        typer.echo(f"applied  {stem}")
    typer.echo(f"applied {count(len(result.applied), 'migration')}" + ("" if result.applied else ": the database was up to date"))


@app.command("import")
def import_(
    database_url: Optional[str] = DATABASE_URL_OPTION,
    schema: list[str] = typer.Option(["public"], "--schema", metavar="NAME", help="A schema to import (repeatable); public by default."),
    output: str = typer.Option("schema.yaml", "--output", metavar="PATH", help="The spec file to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite --output when it exists."),
    connect_timeout: Optional[int] = CONNECT_TIMEOUT_OPTION,
) -> None:
    """Write a schema.yaml from a live database, and report what the spec language cannot say.

    Classification is read back from comments schemac wrote; functions, triggers
    (including on auth.users), views and realtime go into their sections. Whole objects
    of public the spec cannot say go into its sql: section; anything else is written
    as commented SQL; each is listed, so nothing is silently lost. The database is only read.
    """
    import os
    import tempfile

    import psycopg

    from .db.apply import connect
    from .db.importing import MissingSchemas, import_database, report_lines
    from .errors import SpecErrors

    url = _database(database_url)
    if os.path.exists(output) and not force:
        typer.echo(f"{output} exists; pass --force to overwrite it, or choose another --output", err=True)
        raise typer.Exit(1)
    try:
        with connect(url, connect_timeout or 10) as conn:
            imported = import_database(conn, tuple(dict.fromkeys(schema)), os.path.basename(output))
    except MissingSchemas as exc:
        _warn(f"{exc}; nothing written.")
        raise typer.Exit(1)
    except SpecErrors as exc:
        for e in exc.errors:
            typer.echo(str(e), err=True)
        _warn("import produced a spec that does not build (a schemac bug); nothing written.")
        raise typer.Exit(1)
    except psycopg.Error as exc:
        _reraise_if_stopped(exc)
        _warn(f"import failed: {type(exc).__name__}: {exc}".rstrip())
        raise typer.Exit(1)
    folder = os.path.dirname(os.path.abspath(output))
    fd, staged = tempfile.mkstemp(prefix=".schemac-import-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(imported.text)
    os.replace(staged, output)
    for line in report_lines(imported):
        typer.echo(line)
    _say(f"wrote {output}")
