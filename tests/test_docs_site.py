"""The docs site: `mkdocs build --strict` passes, and in headless Chromium the schema page
shows the ER diagram (rendered by the site's own Mermaid copy) and every table section.

At a 1,400 px window, measured in the browser (tests/docs_site/measure.js, injected into a
copy of the page): every diagram's text renders at 11 px or more, for the repo's schema and
for a 40-table fixture; the diagram viewer fits the page width and zooms and pans; no table
cell breaks an identifier or a word; and no relationship line runs through another box.
Screenshots are kept in artifacts/.

Needs Mermaid from `npm ci --prefix docs-assets` and Debian's chromium. Without them the
test skips on a laptop, but fails when CI is set: CI must run it.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
MERMAID = ROOT / "docs-assets" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
SCREENSHOT = ROOT / "artifacts" / "docs-schema.png"
ARTIFACTS = ROOT / "artifacts"
MEASURE_JS = Path(__file__).parent / "docs_site" / "measure.js"
WINDOW = "1400,900"
READABLE_PX = 11


def _require(ok: bool, why: str) -> None:
    """Skip on a developer machine, fail in CI, when a tool the test needs is missing."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI is set, so this is a failure, not a skip)")
    pytest.skip(why)


def build_site(config: Path, out: Path) -> Path:
    """`mkdocs build --strict` of config into out, plus a copy of the schema page that measures itself."""
    _require(MERMAID.is_file(), "docs-assets/node_modules is missing; run `npm ci --prefix docs-assets`")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = (out / "schema" / "index.html").read_text(encoding="utf-8")
    (out / "schema-measured").mkdir()  # same depth as schema/, so the page's relative links still work
    (out / "schema-measured" / "index.html").write_text(page.replace("</body>", '<script src="../measure.js"></script></body>'), encoding="utf-8")
    shutil.copy(MEASURE_JS, out / "measure.js")
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built with --strict into a temporary directory."""
    return build_site(ROOT / "mkdocs.yml", tmp_path_factory.mktemp("site"))


def forty_table_spec() -> str:
    """A 40-table schema: a tree of foreign keys (each table under an earlier one), owners in auth.users, some PHI."""
    lines = ["version: 1", "tables:"]
    for i in range(1, 41):
        lines += [
            f"  table_{i:02d}:",
            f"    description: Fixture table number {i}.",
            "    classification: administrative",
            "    columns:",
            "      id: {type: uuid, primary_key: true, default: gen_random_uuid()}",
            "      display_name: {type: text}",
            f"      measured_value_{i:02d}: {{type: \"numeric(10,2)\", nullable: true}}",
        ]
        if i > 1:
            lines.append(f"      parent_id: {{type: uuid, references: table_{(i - 2) // 3 + 1:02d}.id, on_delete: cascade}}")
        if i % 4 == 0:
            lines.append("      owner_id: {type: uuid, references: auth.users.id, on_delete: restrict}")
        if i % 5 == 0:
            lines.append("      date_of_birth: {type: date, classification: phi, encrypted: true}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def forty_table_site(tmp_path_factory) -> Path:
    """The docs site with the reference of a 40-table schema on its schema page."""
    from schemac.emit.markdown import render_injected
    from schemac.inject import inject
    from schemac.pipeline import load_schema

    work = tmp_path_factory.mktemp("forty")
    (work / "schema.yaml").write_text(forty_table_spec(), encoding="utf-8")
    schema = load_schema(str(work / "schema.yaml"))
    assert len(schema.tables) == 40
    shutil.copytree(ROOT / "docs", work / "docs")
    (work / "docs" / "index.md").write_text("# A 40-table fixture\n\nSee the [schema reference](schema.md).\n", encoding="utf-8")
    page = work / "docs" / "schema.md"
    page.write_text(inject(page.read_text(encoding="utf-8"), render_injected(schema), "schema.md"), encoding="utf-8")
    (work / "docs-assets").symlink_to(ROOT / "docs-assets", target_is_directory=True)
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    return build_site(work / "mkdocs.yml", work / "site")


def serve(directory: Path):
    """directory on 127.0.0.1, served by the standard library in a thread; yields its URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="module")
def server(site):
    yield from serve(site)


@pytest.fixture(scope="module")
def forty_table_server(forty_table_site):
    yield from serve(forty_table_site)


def chromium(tmp_path: Path, *args: str, budget_ms: int = 10000) -> str:
    """Run headless Chromium with no network but the local server; returns its stdout."""
    _require(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing; apt-get install chromium")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        f"--virtual-time-budget={budget_ms}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_mkdocs_build_strict_serves_mermaid_itself(site):
    page = (site / "schema" / "index.html").read_text(encoding="utf-8")
    assert (site / "js" / "mermaid.min.js").read_bytes() == MERMAID.read_bytes()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert any(s.endswith("js/mermaid.min.js") for s in scripts)
    assert not [s for s in scripts if re.match(r"(https?:)?//", s)], f"scripts from elsewhere: {scripts}"
    assert 'class="language-mermaid"' in page and 'class="mermaid"' not in page  # Material's CDN loader never starts
    assert "fonts.googleapis" not in page


def test_schema_page_renders_the_diagram_and_every_table(server, tmp_path, repo_schema):
    dom = chromium(tmp_path, "--dump-dom", f"{server}/schema/")
    match = re.search(r'<svg[^>]*class="erDiagram".*?</svg>', dom, re.S)
    assert match, "the ER diagram did not render as an SVG"
    svg_text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))
    words = set(svg_text.split())
    for table in repo_schema.tables:
        assert table.name in words, f"{table.name} is missing from the ER diagram"
        assert f'id="{table.name}"' in dom, f"the section of {table.name} is missing"
        assert f"Table {table.name}" in html.unescape(re.sub(r"<[^>]+>", "", dom))
    assert "auth.users" in svg_text
    assert "PHI, encrypted" in svg_text
    assert 'id="patients-phone"' in dom
    assert dom.count('class="schemac-phi"') >= sum(c.classification == "phi" for t in repo_schema.tables for c in t.columns)


def test_schema_page_screenshot(server, tmp_path):
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={SCREENSHOT}", "--window-size=1400,4000", f"{server}/schema/")
    data = SCREENSHOT.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000


def measure(server_url: str, tmp_path: Path, screenshot: Path) -> dict:
    """The measurements of the schema page at a 1,400 px window, and a screenshot of it."""
    dom = chromium(tmp_path, "--dump-dom", f"--window-size={WINDOW}", f"{server_url}/schema-measured/", budget_ms=40000)
    found = re.search(r'<pre id="schemac-measure">(.*?)</pre>', dom, re.S)
    assert found, "the page did not finish measuring itself"
    screenshot.parent.mkdir(exist_ok=True)
    screenshot.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1400,1600", f"{server_url}/schema-measured/#screenshot", budget_ms=40000)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    return json.loads(html.unescape(found.group(1)))


def assert_readable_diagrams(data: dict, tables: list[str]) -> None:
    assert data["window"] == 1400
    assert data["page_scroll_width"] <= data["page_width"], "the page scrolls sideways"
    overview = data["diagrams"][0]
    for table in tables:
        assert table in overview["words"], f"{table} is missing from the ER diagram"
    for d in data["diagrams"]:
        assert d["texts"] > 0
        assert d["smallest"]["px"] >= READABLE_PX, f"diagram text renders at {d['smallest']['px']:.1f} px: {d['smallest']}"
        assert d["smallest"]["height"] >= READABLE_PX
        assert d["left"] >= 0 and d["right"] <= data["page_width"], "a diagram is wider than the page"


def assert_no_broken_identifiers(data: dict) -> None:
    words = data["table_words"]
    assert words["checked"] > 500 and data["code_in_tables"] > 100
    assert not [w for w in words["broken"] if w["code"]], words["broken"]  # identifiers, types, defaults
    assert all("-" in w["word"] for w in words["broken"]), words["broken"]  # prose wraps between words (or at a hyphen)


@pytest.fixture(scope="module")
def repo_measured(server, tmp_path_factory) -> dict:
    return measure(server, tmp_path_factory.mktemp("chromium"), ARTIFACTS / "docs-schema-diagram.png")


@pytest.fixture(scope="module")
def forty_measured(forty_table_server, tmp_path_factory) -> dict:
    return measure(forty_table_server, tmp_path_factory.mktemp("chromium"), ARTIFACTS / "docs-schema-40-tables.png")


def test_repo_diagrams_are_readable_at_1400px(repo_measured, repo_schema):
    data = repo_measured
    assert_readable_diagrams(data, [t.name for t in repo_schema.tables])
    related = [t for t in repo_schema.tables if t.foreign_keys or any(fk.ref_table == t.name for o in repo_schema.tables for fk in o.foreign_keys)]
    assert len(data["diagrams"]) == 1 + len(related)  # the whole schema, then one per table with related tables
    assert data["diagrams"][0]["crossings"] == [], "a relationship line runs through another table's box"


def test_repo_tables_never_break_an_identifier(repo_measured):
    assert_no_broken_identifiers(repo_measured)


def test_diagram_zooms_and_pans(repo_measured):
    i = repo_measured["interaction"]
    assert set(i["buttons"]) == {"−", "+", "Fit", "1:1"}
    assert i["zoomed_in"] == pytest.approx(i["start"] * 1.25)
    assert i["panned_by"] > 100  # dragging left by 150 px scrolls the diagram
    assert i["fit_svg_width"] <= i["viewport_width"]  # "Fit" shows the whole diagram in the page width
    assert i["fit"] < i["start"]


def test_forty_table_diagrams_are_readable_at_1400px(forty_measured):
    assert_readable_diagrams(forty_measured, [f"table_{i:02d}" for i in range(1, 41)])
    assert len(forty_measured["diagrams"]) == 41


def test_forty_table_tables_never_break_an_identifier(forty_measured):
    assert_no_broken_identifiers(forty_measured)
