"""YAML syntax errors in plain words: what the user did (bad indentation, a tab, an unclosed
quote, a missing colon, …) and a one-line fix, at the position where it happened.

PyYAML's messages describe its parser ("expected <block end>, but found '<block mapping
start>'"); libyaml (the C loader) words the same errors differently ("did not find expected
key"). Both are recognised by their context and by looking at the text at the error's mark,
so the message does not depend on which loader read the file. Anything not recognised keeps
the parser's own words.
"""

from __future__ import annotations

import bisect
import re

import yaml

CLOSING = {"[": "]", "{": "}"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as editors count lines (YAML also counts U+0085, U+2028, U+2029)


class _Lines:
    """The text's lines, and a parser mark's character index as (line, column), both 0-based."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
        self.lines = LINE_BREAK.split(text)

    def at(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, max(index, 0)) - 1
        return line, index - self.starts[line]


def explain_yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """(line, column, message) for a YAML error raised while reading text; 1-based."""
    at = _Lines(text)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(exc, at)
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    line, col = at.at(mark.index) if mark else (0, 0)
    opening = at.at(context_mark.index) if context_mark is not None else None  # where the construct began
    context = (getattr(exc, "context", None) or "").lower()
    problem = (getattr(exc, "problem", None) or "").lower()
    lines = at.lines
    here = lines[line] if line < len(lines) else ""
    char = here[col] if col < len(here) else "\n"

    if "\t" in _indentation(here) or (char == "\t" and "cannot start any token" in problem):
        return _at(line, here.index("\t"), "a tab character in the indentation; YAML indents with spaces only: replace the tab with spaces")
    if "quoted scalar" in context and ("end of stream" in problem or "document" in problem):
        return _unclosed_quote(opening, lines)
    if "quoted scalar" in context and ("escape" in problem or "hex" in problem):
        return _at(
            line, max(here.rfind("\\", 0, col + 1), 0),
            "not a valid escape in a double-quoted value; write \\\\ for a backslash, or use single quotes, in which a backslash is plain text",
        )
    if "cannot start any token" in problem:
        return _at(line, col, f"{char!r} cannot start a value in YAML; put the value in quotes, e.g. \"{_short(here[col:].strip())}\"")
    if "could not find expected ':'" in problem and opening is not None:
        return _missing_colon(opening[0], lines)
    if "mapping values are not allowed" in problem:
        return _unexpected_colon(line, col, lines)
    if "sequence entries are not allowed" in problem:
        return _at(line, col, "a list item ('- ') cannot start on the line of its key; put it on the next line, indented under the key")
    if "mapping keys are not allowed" in problem:
        return _at(line, col, "'?' starts a complex key, which a spec does not use; put the value in quotes")
    if "block mapping" in context or "block collection" in context:
        return _bad_indentation(line, col, opening, lines)
    if "flow sequence" in context or "flow mapping" in context:
        return _unclosed_bracket(opening, lines, line, col)
    if "node content" in problem:
        return _at(line, col, f"a value cannot start with {char!r}; put the value in quotes")
    if "anchor" in context or "alias" in context or "alias" in problem or "anchor" in problem:
        return _at(line, col, "'&' and '*' start YAML anchors and aliases, which a spec does not support; write the value out, or put it in quotes")
    if "tag" in context or "tag" in problem:
        return _at(line, col, "'!' starts a YAML tag, which a spec does not support; remove it, or put the value in quotes")
    if "block scalar" in context:
        return _at(
            line, col,
            "after '|' or '>' only an indentation digit (1-9) and '+' or '-' may follow; start the text on the next line, indented",
        )
    if "directive" in context or "directive" in problem or "incompatible yaml document" in problem:
        return _at(line, col, "a line starting with '%' is a YAML directive, which a spec does not need; remove the line")
    if "single document" in context:
        return _at(line, col, "a second YAML document starts here ('---'); a spec is one document: remove the '---' and merge the two parts")
    if "document start" in problem:
        return _at(line, col, "text after the end of the document (a '...' line ends it); remove the '...' line")
    words = getattr(exc, "problem", None) or "invalid YAML"
    if getattr(exc, "context", None):
        words = f"{exc.context}: {words}"
    return _at(line, col, f"YAML syntax error: {words}; fix the YAML at this point")


def _at(line: int, col: int, message: str) -> tuple[int, int, str]:
    return line + 1, col + 1, message


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _reader_error(exc: yaml.reader.ReaderError, at: _Lines) -> tuple[int, int, str]:
    line, col = at.at(exc.position)
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return _at(line, col, f"YAML cannot contain the control character U+{code:04X}; remove it")


def _unclosed_quote(opening: tuple[int, int], lines: list[str]) -> tuple[int, int, str]:
    line, col = opening
    quote = lines[line][col] if col < len(lines[line]) else '"'
    return _at(line, col, f"the quote {quote} opened here is never closed; add the closing {quote} at the end of the value")


def _missing_colon(line: int, lines: list[str]) -> tuple[int, int, str]:
    shown = lines[line].strip()
    col = len(lines[line]) - len(lines[line].lstrip())
    key = re.match(r"(?:- )?([^:]*):(\s|$)", shown)
    if key and len(key.group(1)) > 1024:  # YAML gives up looking for the ':' of a key after 1024 characters
        return _at(line, col, "this key is longer than 1024 characters, YAML's limit for a key; shorten it")
    return _at(line, col, f"'{_short(shown)}' has no ':' after its key; write 'key: value' (a space after the colon)")


def _unexpected_colon(line: int, col: int, lines: list[str]) -> tuple[int, int, str]:
    here = lines[line]
    start = len(_indentation(here)) + (2 if here.lstrip().startswith("- ") else 0)
    if col - start > 1024 and ":" not in here[start:col]:  # YAML stops reading a key after 1024 characters
        return _at(line, start, "this key is longer than 1024 characters, YAML's limit for a key; shorten it")
    if re.search(r":(\s|$)", here[:col]):  # `key: text: more`
        return _at(line, col, "a second ': ' on one line; put the value in quotes, e.g. key: \"text: more\"")
    previous = next((i for i in range(line - 1, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if previous is not None and ":" not in lines[previous] and not lines[previous].lstrip().startswith("-"):
        return _missing_colon(previous, lines)
    indent = len(_indentation(here))
    if previous is not None and indent > len(_indentation(lines[previous])):  # read as the value above, continued
        above = len(_indentation(lines[previous]))
        return _at(
            line, indent,
            f"bad indentation: this line is indented {indent} spaces, deeper than the line above ({above}), so YAML reads it "
            f"as the rest of that line's value; indent it by {above} spaces like the line above",
        )
    return _at(line, col, "a ':' where none is expected; check this line's indentation, or put the value in quotes")


def _bad_indentation(line: int, col: int, block: tuple[int, int] | None, lines: list[str]) -> tuple[int, int, str]:
    here = lines[line] if line < len(lines) else ""
    if here[col:col + 1] == "-" and (block is None or col <= block[1]):
        return _at(line, col, "a list item ('- ') where a key was expected; put the list under a key ('key:', then '- item' indented below it)")
    indent = len(_indentation(here))
    if block is None:
        return _at(line, col, f"bad indentation: this line is indented {indent} spaces; indent it like the lines it belongs with")
    return _at(
        line,
        col,
        f"bad indentation: this line is indented {indent} spaces, but the block it is in (from line {block[0] + 1}) "
        f"is indented {block[1]}; indent it exactly like the keys it belongs with (or deeper, under a key ending in ':')",
    )


def _unclosed_bracket(opening: tuple[int, int] | None, lines: list[str], line: int, col: int) -> tuple[int, int, str]:
    if opening is None:
        return _at(line, col, "a list '[...]' or mapping '{...}' is not closed; add the closing bracket")
    bracket = lines[opening[0]][opening[1]]
    close = CLOSING.get(bracket, "]")
    return _at(
        opening[0],
        opening[1],
        f"the '{bracket}' opened here is not closed (the parser gave up at line {line + 1}); add the '{close}', "
        f"separate items with ', ' and quote any item that contains ': '",
    )


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
