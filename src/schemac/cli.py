"""The command line: the only place that prints and exits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .emit.markdown import render_injected
from .errors import SpecErrors
from .inject import Document, InjectError, read_documents
from .outputs import Stale, compare, document_stale, leftovers, read_only_problem, remove_leftovers, replace_problem, write_outputs
from .pipeline import lint_schema, load_schema, render_outputs
from .rules import RULES
from .rules.report import FORMATS, render, spec_errors_as_findings, summary, text_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="schemac: compile one schema.yaml into PostgreSQL migrations, TypeScript types and docs.",
)

SPEC_OPTION = typer.Option("schema.yaml", "--spec", "-s", help="The spec file.")
OUT_OPTION = typer.Option("compiled", "--out", "-o", help="The output directory.")


def _load(spec: str, lint: bool = True):
    """Load and build the spec, then (unless lint=False) run the rules: any error exits 1 before anything is written."""
    schema = _build(spec, lint)
    if lint:
        result = lint_schema(schema)
        for line in render(result, "text", spec).splitlines():
            typer.echo(line, err=True)
        if result.errors:
            typer.echo(f"{summary(result)}; nothing written. Fix the spec, or set a severity or waiver under 'lint:'.", err=True)
            raise typer.Exit(1)
    return schema


def _build(spec: str, lint: bool = True):
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
        typer.echo(f"{len(lines)} problem{'s' if len(lines) != 1 else ''} found; nothing written.", err=True)
        raise typer.Exit(1)


def _documents(spec: str, schema, out: str) -> list[Document]:
    """The configured hand-written pages with their refreshed reference; exit 1 when one cannot take it (or lies in out)."""
    try:
        return read_documents(spec, schema, render_injected(schema), out)
    except InjectError as exc:
        typer.echo(f"{exc} (nothing written)", err=True)
        raise typer.Exit(1)


def _all_stale(out: str, files: dict[str, str], documents: list[Document]) -> list[tuple[str, Stale]]:
    """Every differing output as (path shown to the user, difference)."""
    found = [(f"{out}/{s.path}", s) for s in compare(out, files)]
    found += [(d.display, document_stale(d.display, d.current, d.desired)) for d in documents if d.stale]
    return found


@app.command()
def validate(spec: str = SPEC_OPTION) -> None:
    """Check the spec and report every problem as FILE:LINE:COL; writes nothing."""
    schema = _load(spec)
    typer.echo(f"{spec}: ok ({len(schema.tables)} tables, {sum(len(t.columns) for t in schema.tables)} columns)")


def _refuse_unsafe_out(spec: str, out: str) -> None:
    """compile replaces the output directory whole: never let that be a folder holding the spec or the working directory."""
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
def compile_(spec: str = SPEC_OPTION, out: str = OUT_OPTION) -> None:
    """Write every output (migration SQL, docs, JSON) and refresh the injected pages, all or nothing."""
    _refuse_unsafe_out(spec, out)
    schema = _load(spec)
    files = render_outputs(schema)
    documents = _documents(spec, schema, out)
    remove_leftovers(leftovers(out, [d.path for d in documents]))  # an interrupted compile's staging
    stale = _all_stale(out, files, documents)
    if not stale:
        typer.echo(f"{out}: up to date ({len(files)} files, {len(documents)} injected documents)")
        return
    if problem := read_only_problem(out):
        typer.echo(f"{out}: not replaced because {problem}; make it writable (chmod -R u+w {out}) to compile into it", err=True)
        raise typer.Exit(1)
    try:
        write_outputs(out, files, {d.path: d.desired for d in documents if d.stale})
    except OSError as exc:
        typer.echo(f"{out}: cannot write the outputs ({exc.strerror or exc}: {exc.filename or out}); nothing written", err=True)
        raise typer.Exit(1)
    for shown, s in stale:
        typer.echo(f"{s.state:>8}  {shown}")
    typer.echo(f"{out}: wrote {len(files)} files; {sum(d.stale for d in documents)} injected document(s) refreshed")


@app.command()
def check(spec: str = SPEC_OPTION, out: str = OUT_OPTION) -> None:
    """Exit 1 if the outputs or injected pages differ from what compile would write (for CI); writes nothing."""
    schema = _load(spec)
    documents = _documents(spec, schema, out)
    stale = _all_stale(out, render_outputs(schema), documents)
    stale += [(path, Stale(path, "leftover", "  an interrupted compile left this staging copy; `schemac compile` removes it\n")) for path in leftovers(out, [d.path for d in documents])]
    if not stale:
        typer.echo(f"{out}: up to date" + (f" ({len(documents)} injected documents too)" if documents else ""))
        return
    for shown, s in stale:
        typer.echo(f"{s.state}: {shown}")
        sys.stdout.write(s.diff)
    typer.echo(f"{len(stale)} file(s) out of date; run `schemac compile` and commit the result.", err=True)
    raise typer.Exit(1)


LINT_HELP = (
    "Check the compliance rules; print findings as FILE:LINE:COL: CODE message; exit 1 on any error.\n\n"
    "Rules (code, default severity): " + "; ".join(f"{r.code} {r.title} ({r.severity})" for r in RULES) + "."
)


@app.command(help=LINT_HELP)
def lint(
    spec: str = SPEC_OPTION,
    fmt: str = typer.Option("text", "--format", "-f", help="text, github (Actions annotations) or json."),
) -> None:
    """The rules step on its own, in the format CI or a person needs."""
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
        typer.echo(f"{spec}: {summary(result)}")
    if result.errors:
        raise typer.Exit(1)


@app.command()
def verify(
    spec: str = SPEC_OPTION,
    out: str = OUT_OPTION,
    database_url: Optional[str] = typer.Option(
        None, "--database-url", envvar="SCHEMAC_DATABASE_URL", help="Database to verify; a throwaway PostgreSQL when omitted."
    ),
    apply: bool = typer.Option(True, "--apply/--no-apply", help="Apply compiled migrations not yet recorded as applied."),
    install_stand_in: bool = typer.Option(
        False,
        "--install-stand-in",
        help="When the database at --database-url has no auth.users, first create the minimal Supabase stand-in "
        "(roles, schema auth, auth.users, auth.uid(), and grants on every table of public).",
    ),
) -> None:
    """Apply the compiled migrations and prove from the catalog that the database is exactly the spec.

    Without --database-url a throwaway PostgreSQL with a minimal Supabase stand-in
    (schema auth, auth.users, auth.uid(), roles anon/authenticated/service_role) is
    started and removed afterwards. A database given by URL gets the stand-in only
    with --install-stand-in; without auth.users verify stops and changes nothing.
    """
    from .db.server import ServerStartError
    from .verify.run import Refused, run_verify

    schema = _load(spec, lint=False)  # verify compares the database with the spec; compliance is lint's job
    try:
        report = run_verify(schema, out, database_url, apply=apply, install_stand_in=install_stand_in)
    except (Refused, ServerStartError) as exc:
        typer.echo(f"verify: {exc}" if isinstance(exc, ServerStartError) else str(exc), err=True)
        raise typer.Exit(1)
    except Exception as exc:  # database errors are reported, not dumped
        typer.echo(f"verify failed: {type(exc).__name__}: {exc}".rstrip(), err=True)
        raise typer.Exit(1)
    for line in report.notes:
        typer.echo(line)
    if report.differences:
        for d in report.differences:
            typer.echo(f"  {d}", err=True)
        typer.echo(f"{len(report.differences)} difference(s) between the database and {spec}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"verified: the database matches {spec} ({report.checked} catalog facts checked)")
