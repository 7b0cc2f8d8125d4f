"""Spec-supplied text made inert in generated Markdown (DB_SCHEMA.md, DATA_INVENTORY.md).

Descriptions, retention notes, reasons and SQL expressions come from the spec, so they
must render as the literal text on GitHub (CommonMark/GFM) and in MkDocs (Python-Markdown):
no links, images, raw HTML, emphasis, headings or lists, and never a split table cell.
Characters that could start any of those become HTML entities (`[` → `&#91;`), which both
renderers show as the character itself and neither parses as syntax.

The one piece of Markdown kept in prose is a `code span` between single backticks: its
content is rendered through `code()`, which is inert by construction.
"""

from __future__ import annotations

import functools
import html
import re

# Escaped wherever they occur in prose. Links and images need `[` (so `(`, `)` and `!` are
# harmless once it is gone); `< > &` are raw HTML and entities; `|` splits a GFM cell; `\` escapes;
# `` ` `` opens code; `* ~` emphasis and strikethrough; `{ }` attribute lists (attr_list extension).
PROSE_SPECIALS = frozenset("[]|\\`*~{}")

# Characters Markdown would still interpret inside inline <code> HTML (& < > are already entities).
CODE_SPECIALS = frozenset("|`\\*_[]~!{}")

# A block marker at the start of a line: heading, list item, setext underline, ordered list item.
_BLOCK_START = re.compile(r"^(?:[#+=-]|\d{1,9}[.)])")

_CODE_SPAN = re.compile(r"(`[^`]+`)")


def _entity(ch: str) -> str:
    return f"&#{ord(ch)};"


def one_line(text: str) -> str:
    """All whitespace runs (newlines, tabs) as one space, trimmed."""
    return " ".join(text.split())


_PROSE_ENTITIES = {ord(ch): _entity(ch) for ch in PROSE_SPECIALS}


def _underscore(match: re.Match[str]) -> str:
    # `_` inside a word (reason_for_visit) is never emphasis in either renderer: kept readable.
    text, i = match.string, match.start()
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return "_" if before.isalnum() and after.isalnum() else "&#95;"


def _prose(text: str) -> str:
    """Inert text with no code spans: HTML-escaped, then every Markdown special as an entity."""
    escaped = html.escape(text, quote=False)
    if "_" in escaped:
        escaped = re.sub("_", _underscore, escaped)  # neighbours are read from the text before any entity
    return escaped.translate(_PROSE_ENTITIES)


# cell() and code() are pure functions of their text, and a spec repeats much of it (the same description,
# type or default on column after column): each repeated text is escaped once. A small bound: what repeats is
# met again within a table or two, and more entries only hold one-off texts (which cost peak memory).
MEMO_SIZE = 1024


@functools.lru_cache(maxsize=MEMO_SIZE)
def cell(text: str | None) -> str:
    """Spec prose as one inert line, safe in a table cell, a list item or a paragraph of its own.

    `Code spans` stay code; everything else is the literal text.
    """
    if not text:
        return ""
    flat = one_line(text)
    parts = []
    for i, part in enumerate(_CODE_SPAN.split(flat)):
        if i % 2:  # a `code span`
            parts.append(code(part[1:-1]))
        elif part:
            parts.append(_prose(part))
    out = "".join(parts)
    if m := _BLOCK_START.match(out):
        # The last character of the marker (`#`, `-`, `.` of `1.`) as an entity: no heading or list.
        end = m.end() - 1
        out = out[:end] + _entity(out[end]) + out[end + 1 :]
    return out


@functools.lru_cache(maxsize=MEMO_SIZE)
def code(text: str) -> str:
    """Inline code that survives table cells and cannot break out of its span.

    Backticks when the text has no `|` (which splits GFM cells even inside backticks) and no
    backtick; otherwise an HTML <code> element with every Markdown special as an entity.
    """
    flat = one_line(text)
    if "|" in flat or "`" in flat or not flat:
        escaped = html.escape(flat, quote=False)
        return "<code>" + "".join(_entity(ch) if ch in CODE_SPECIALS else ch for ch in escaped) + "</code>"
    return f"`{flat}`"


def comment(text: str) -> str:
    """Text inside an HTML comment: it can neither end the comment nor open another tag."""
    return html.escape(one_line(text), quote=False).replace("--", "-&#45;")
