"""Lint output formats: text for people, GitHub Actions annotations for CI, JSON for tools."""

from __future__ import annotations

from ..errors import SpecErrors
from .engine import Finding, LintResult

FORMATS = ("text", "github", "json")


def render(result: LintResult, fmt: str, spec_path: str) -> str:
    """The findings in one format; `spec_path` is the file as the user named it (for annotations)."""
    if fmt == "github":
        return "".join(github_line(f, spec_path) + "\n" for f in result.findings)
    if fmt == "json":
        import json  # only for --format json: `import schemac.cli` stays light

        return json.dumps(as_json(result, spec_path), indent=2, sort_keys=True) + "\n"
    return "".join(text_line(f) + "\n" for f in result.findings)


def spec_errors_as_findings(exc: SpecErrors) -> LintResult:
    """A spec that does not build, as findings (code SPEC), so `--format github|json` still reports it."""
    return LintResult([Finding(e.pos, "SPEC", "error", "the spec is invalid", e.message, "") for e in exc.errors])


def text_line(f: Finding) -> str:
    """`schema.yaml:LINE:COL: CODE message`, warnings marked at the end."""
    return f"{f.pos}: {f.code} {f.message}" + (" (warning)" if f.severity == "warning" else "")


def github_line(f: Finding, spec_path: str) -> str:
    """A workflow command GitHub turns into an annotation on the spec line."""
    props = f"file={_prop(spec_path)},line={f.pos.line},col={f.pos.col},title={_prop(f.code + ' ' + f.title)}"
    return f"::{f.severity} {props}::{_data(f.message)}"


def summary(result: LintResult) -> str:
    e, w = len(result.errors), len(result.warnings)
    waived = f", {len(result.waived)} waived" if result.waived else ""
    return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}{waived}"


def as_json(result: LintResult, spec_path: str) -> dict:
    def item(f: Finding) -> dict:
        return {
            "code": f.code,
            "severity": f.severity,
            "title": f.title,
            "message": f.message,
            "file": spec_path,
            "line": f.pos.line,
            "col": f.pos.col,
            "table": f.table,
            "column": f.column,
        }

    return {
        "findings": [item(f) for f in result.findings],
        "waived": [{**item(f), "reason": w.reason} for f, w in result.waived],
        "errors": len(result.errors),
        "warnings": len(result.warnings),
    }


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
