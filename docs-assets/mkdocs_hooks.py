"""MkDocs hook: serve Mermaid from the site itself, so the ER diagram renders offline.

The script comes from the `mermaid` npm package pinned in docs-assets/package-lock.json
(`npm ci --prefix docs-assets`); it is added to the site as js/mermaid.min.js.
"""

from __future__ import annotations

import os

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

MERMAID = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_modules", "mermaid", "dist", "mermaid.min.js")


def on_files(files, config):
    """Add node_modules' mermaid.min.js to the site as js/mermaid.min.js."""
    if not os.path.isfile(MERMAID):
        raise PluginError("docs-assets/node_modules/mermaid is missing; run `npm ci --prefix docs-assets` first")
    files.append(File.generated(config, "js/mermaid.min.js", abs_src_path=MERMAID))
    return files
