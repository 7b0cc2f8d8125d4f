"""Read YAML into plain data while remembering where every key and value came from.

PyYAML's own loader forgets positions and silently keeps the last of two duplicate
keys; here the node tree is walked by hand so both are caught. Only plain YAML is
accepted: no anchors or aliases (they make alias bombs and cycles possible), no tags
beyond the core ones, and dates stay text so a bad date is a message, not a crash.

Positions are computed from a parser mark's character index by `editor_position`, which
counts lines the way editors do (LF, CRLF and lone CR end a line; U+0085, U+2028 and
U+2029 do not, though YAML's own line counter says they do). It needs only the index, so it
works with any composer (PyYAML's Python one or libyaml's C one).

Input is bounded: a spec over MAX_SPEC_BYTES, or a single value over MAX_VALUE_CHARS, is
refused with a positioned error before it is read further.
"""

from __future__ import annotations

import bisect
import sys
from array import array
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import Pos, SpecError, SpecErrors
from .yaml_messages import explain_yaml_error

Path = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_SPEC_BYTES = 32 * 1024 * 1024  # a real spec is well under 1 MB; 10,000 generated tables fit (bench/)
MAX_VALUE_CHARS = 64 * 1024  # one key, description or expression
CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
SCALAR_TAGS = CORE_TAGS - {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
STR_TAG = "tag:yaml.org,2002:str"
STYLES = (None, "'", '"', "|", ">")  # a scalar's style as PyYAML spells it (None: plain)
STYLE_CODES = {None: 0, "": 0, "'": 1, '"': 2, "|": 3, ">": 4}  # libyaml spells plain ''

# Loaded.places packs a value's place in one int: its start index (bits 0-31), a scalar's style (32-34), its end
# index + 1 (35-67; 0: not a scalar) and its key's start index + 1 (68 up; 0: no key). At 5,000 tables that is
# 600,000 entries: one dict and one int each instead of three dicts and three ints (about 60 MB less while building).
STYLE_SHIFT, END_SHIFT, KEY_SHIFT = 32, 35, 68
INDEX_MASK, END_MASK = (1 << 32) - 1, (1 << 33) - 1

LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_FEED = re.compile("\n")


class LineIndex:
    """Where each line of a text starts, counted as editors count them; maps a character index to (line, col)."""

    def __init__(self, text: str):
        self.length = len(text)  # not the text: positions made after the load must not keep it alive
        breaks = LINE_BREAK if "\r" in text else LINE_FEED  # LF alone is found at a third of the alternation's cost
        self.starts = array("q", [0] + [m.end() for m in breaks.finditer(text)])  # 8 bytes a line, not an int object

    def position(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of the character at `index` (columns count characters)."""
        if not 0 <= index <= self.length:
            index = max(0, min(index, self.length))
        starts = self.starts
        line = bisect.bisect_right(starts, index) - 1
        return line + 1, index - starts[line] + 1


def editor_position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of a character index in text, as an editor shows it."""
    return LineIndex(text).position(index)


def decode_source(raw: bytes, file: str) -> str:
    """The spec's bytes as text; raise SpecErrors at the first invalid UTF-8 byte or when the file is too large."""
    if len(raw) > MAX_SPEC_BYTES:
        head = raw[:MAX_SPEC_BYTES].decode("utf-8", errors="replace")
        line, col = editor_position(head, len(head))
        raise SpecErrors(
            [SpecError(Pos(file, line, col), f"the spec is {len(raw):,} bytes; schemac reads at most {MAX_SPEC_BYTES:,} bytes (it stops here); split long text out of the spec")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        line, col = editor_position(before, len(before))
        raise SpecErrors(
            [SpecError(Pos(file, line, col), f"byte 0x{raw[exc.start]:02X} here is not valid UTF-8 ({exc.reason}); save the file as UTF-8")]
        ) from None


class SourcePositions:
    """Character index -> Pos in one file; holds where each line starts, not the text (see KeyPositions)."""

    __slots__ = ("file", "lines")

    def __init__(self, file: str, lines: LineIndex | None):
        self.file = file
        self.lines = lines

    def __call__(self, index: int) -> Pos:
        if self.lines is None:
            return Pos(self.file, 1, 1)
        line, col = self.lines.position(index)
        return Pos(self.file, line, col)


@dataclass
class Loaded:
    """The data of a YAML file plus the position of every key and value in it."""

    file: str
    data: Any
    # every value's path -> where its key, the value and (a scalar's) its end are in `text`, as character indexes
    # (made a Pos when asked for), packed into one int (see `pack`): one dict entry per value, not three
    places: dict[Path, int] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)  # duplicate keys etc.: reported with the rest
    # list -> original index of each item kept after invalid items were left out, so later paths still point right
    kept_items: dict[Path, list[int]] = field(default_factory=dict)
    text: str = ""
    lines: LineIndex | None = None
    _positions: SourcePositions | None = field(default=None, repr=False, compare=False)

    def key_index(self, path: Path) -> int | None:
        """Where the key of the value at path starts, or None when it has none (a list item, the top)."""
        packed = self.places.get(path)
        return None if packed is None or not packed >> KEY_SHIFT else (packed >> KEY_SHIFT) - 1

    def value_index(self, path: Path) -> int | None:
        packed = self.places.get(path)
        return None if packed is None else packed & INDEX_MASK

    def span(self, path: Path) -> tuple[int, int, str | None] | None:
        """(start index, end index, style) of the scalar at path, to point inside it; None for a collection."""
        packed = self.places.get(path)
        if packed is None or not (packed >> END_SHIFT) & END_MASK:
            return None
        return packed & INDEX_MASK, ((packed >> END_SHIFT) & END_MASK) - 1, STYLES[(packed >> STYLE_SHIFT) & 7]

    def pos(self, path: Path) -> Pos:
        """Best position for a path: its key, else its value, else the nearest ancestor."""
        path = self._original(tuple(path))
        while True:
            packed = self.places.get(path)
            if packed is not None:
                key = packed >> KEY_SHIFT
                return self.position(key - 1 if key else packed & INDEX_MASK)
            if not path:
                return Pos(self.file, 1, 1)
            path = path[:-1]

    def key_position(self, path: Path) -> Pos | None:
        """Where the key at path was written, or None when the spec did not write it."""
        index = self.key_index(path)
        return None if index is None else self.position(index)

    def position(self, index: int) -> Pos:
        """The position of a character index of the text (positions are kept as indexes until asked for)."""
        if self.lines is None:
            return Pos(self.file, 1, 1)
        line, col = self.lines.position(index)
        return Pos(self.file, line, col)

    def positions(self) -> SourcePositions:
        """`position` as a callable that outlives this object without keeping the text or the path tables."""
        if self._positions is None or self._positions.lines is not self.lines:
            self._positions = SourcePositions(self.file, self.lines)
        return self._positions

    def mapping_at(self, path: Path) -> dict | None:
        """The mapping the spec wrote at path (its keys as written, values as loaded), or None when there is none."""
        node = self.data
        for step in path:
            if type(node) is dict:
                node = node.get(step)
            elif type(node) is list and type(step) is int and 0 <= step < len(node):
                node = node[step]
            else:
                return None
        return node if type(node) is dict else None

    def pos_in_value(self, path: Path, value: str, offset: int) -> Pos:
        """The position of character `offset` of the string `value` found at path; the value's start when unsure."""
        path = self._original(tuple(path))
        span = self.span(path)
        if span is None or self.lines is None:
            return self.pos(path)
        start, end, style = span
        index = source_index(self.text, start, end, style, value, offset)
        if index is None:
            return self.pos(path)
        return self.position(index)

    def _original(self, path: Path) -> Path:
        if not self.kept_items:  # items are left out only when some were invalid
            return path
        for k in range(len(path)):
            kept = self.kept_items.get(path[:k])
            if kept is not None and isinstance(path[k], int) and path[k] < len(kept):
                path = path[:k] + (kept[path[k]],) + path[k + 1 :]
        return path


ESCAPE_LENGTHS = {"x": 4, "u": 6, "U": 10}


def source_index(text: str, start: int, end: int, style: str | None, value: str, offset: int) -> int | None:
    """Index in text of character `offset` of a scalar's value, by walking value and source together; None if lost.

    Exact for plain, quoted and block scalars whose characters appear in the source; escapes,
    folded line breaks and indentation are stepped over.
    """
    body_start = start
    if style in ("'", '"'):
        body_start += 1
    elif style in ("|", ">"):
        header_end = LINE_BREAK.search(text, start, end)
        if header_end is None:
            return None
        body_start = header_end.end()
    if value and offset >= len(value):  # just past the end (e.g. "at end of input"): after the last character
        last = source_index(text, start, end, style, value, len(value) - 1)
        return None if last is None else last + 1
    j = body_start
    for i, ch in enumerate(value[: offset + 1]):
        while j < end:
            src = text[j]
            if i == offset and src == ch:
                return j
            if src == ch:
                j += 1
                break
            if style == "'" and text.startswith("''", j) and ch == "'":
                if i == offset:
                    return j
                j += 2
                break
            if style == '"' and src == "\\":
                kind = text[j + 1 : j + 2]
                if kind in "\r\n":  # escaped line break: nothing in the value
                    j += 2
                    continue
                if i == offset:
                    return j
                j += ESCAPE_LENGTHS.get(kind, 2)
                break
            if src in " \t\r\n" or (ch in " \n" and src != ch):
                j += 1  # folding and indentation
                if ch in " \n" and src in "\r\n":
                    break
                continue
            return None
        else:
            return None
    return None


def _syntax_error(exc: yaml.YAMLError, text: str, file: str, lines: LineIndex) -> SpecErrors:
    """A YAML error as one positioned message in plain words (see yaml_messages); a key over YAML's
    1024-character limit and a quote that swallowed the lines after it are found here first."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None and "got ':'" in (getattr(exc, "problem", None) or ""):
        long_key = _long_key_before(text, mark.index)
        if long_key is not None:
            line, col = lines.position(long_key)
            return SpecErrors([SpecError(Pos(file, line, col), "this key is longer than 1024 characters, YAML's limit for a key; shorten it")])
    if not isinstance(exc, yaml.reader.ReaderError):
        runaway = _runaway_quote(text, mark.index if mark else len(text), lines)
        if runaway is not None:
            return SpecErrors([SpecError(Pos(file, runaway.pos.line, runaway.pos.col), runaway.message)])
    line, col, message = explain_yaml_error(exc, text)
    return SpecErrors([SpecError(Pos(file, line, col), message)])


def _long_key_before(text: str, error_index: int) -> int | None:
    """Start of a scalar over YAML's 1024-character key limit that ends where the ':' error is, or None."""
    last = None
    try:
        for token in yaml.scan(text[:error_index]):
            if isinstance(token, yaml.ScalarToken):
                last = token
    except yaml.YAMLError:
        return None
    if last is not None and last.end_mark.index - last.start_mark.index > 1024 and not text[last.end_mark.index : error_index].strip():
        return last.start_mark.index
    return None


KEY_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t]*[^\s:#'\"][^:\n]*:(?:[ \t]|$)", re.M)


def _runaway_quote(text: str, error_index: int, lines: LineIndex) -> SpecError | None:
    """A quoted scalar before the error that swallowed lines looking like keys: its closing quote is missing."""
    found = None
    try:
        for token in yaml.scan(text[:error_index]):
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') and token.start_mark.line != token.end_mark.line:
                if KEY_LINE.search(text, token.start_mark.index, token.end_mark.index):
                    found = token
    except yaml.YAMLError:
        pass
    if found is None:
        return None
    line, col = lines.position(found.start_mark.index)
    end_line, _ = lines.position(found.end_mark.index)
    return SpecError(Pos("", line, col), f"this quoted text is not closed on its line and runs on to line {end_line}; add the closing quote")


# Where PyYAML's pure-Python composer still reads the text (see _compose): characters its reader
# refuses (libyaml's list differs), a byte order mark, and tabs (libyaml lets a plain scalar hold
# one, PyYAML does not). Anchors make the walker track the nodes it has seen, to refuse aliases. `&` counts as an anchor at the start or after a space or flow
# indicator, so "R&D" costs nothing and "Tom & Jerry" only the tracking.
PYTHON_READER_REFUSES = yaml.reader.Reader.NON_PRINTABLE
ANCHOR = re.compile(r"(?<![^\s\[\]{},])&")
CSafeLoader = getattr(yaml, "CSafeLoader", None)  # None when PyYAML was built without libyaml
# Inside flow collections ([...], {...}) the two scanners end plain scalars differently: PyYAML
# at '?' and at ':' before a flow indicator, libyaml (following YAML 1.2) not. A flow collection
# whose text has a '?' or a ':' not followed by a space is read by the Python composer.
FLOW_DISAGREEMENT = re.compile(r"\?|:(?=\S)")


if CSafeLoader is not None:

    class _FastLoader(CSafeLoader):
        """libyaml's composer with the tag of each distinct plain scalar resolved once: PyYAML resolves every
        scalar in Python by trying its regular expressions, and a spec repeats most of its texts
        (`type: text`, `nullable: true`, the same descriptions). The same tags as CSafeLoader gives."""

        def __init__(self, stream):
            super().__init__(stream)
            self._plain_tags: dict[str, str] = {}
            # a plain scalar's tag depends on its text alone because SafeLoader has no path resolvers
            self._by_text = not self.yaml_path_resolvers

        def resolve(self, kind, value, implicit, _scalar=yaml.ScalarNode, _resolve=CSafeLoader.resolve):
            if kind is _scalar and implicit[0] and self._by_text:
                tag = self._plain_tags.get(value)
                if tag is None:
                    tag = self._plain_tags[value] = _resolve(self, kind, value, implicit)
                return tag
            return _resolve(self, kind, value, implicit)


class _ComposersDisagree(Exception):
    """libyaml composed text that PyYAML reads differently; load again with PyYAML."""


def _compose(text: str, fast: bool = True):
    """The node tree, and whether libyaml composed it (else PyYAML's Python composer did).

    libyaml's nodes carry the same tags and the same character indexes (positions are
    computed from the index, see LineIndex), at a tenth of the cost. Any text libyaml
    rejects is composed again by the Python composer, so every syntax error, and every
    text only one of the two accepts, behaves exactly as it always did.
    """
    if fast and CSafeLoader is not None and "\ufeff" not in text and "\t" not in text and not PYTHON_READER_REFUSES.search(text):
        loader = _FastLoader(text)
        try:
            return loader.get_single_node(), True
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node(), False
    finally:
        loader.dispose()


def load_yaml(text: str, file: str) -> Loaded:
    """Parse text; raise SpecErrors for syntax errors. Other problems are kept in `errors` (the first duplicate key wins)."""
    lines = LineIndex(text)
    try:
        return _load(text, file, lines, fast=True)
    except _ComposersDisagree:
        return _load(text, file, lines, fast=False)


def _load(text: str, file: str, lines: LineIndex, fast: bool) -> Loaded:
    try:
        root, by_libyaml = _compose(text, fast)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, file, lines) from None
    except RecursionError:
        raise SpecErrors([_too_deep(text, file, lines)]) from None
    loaded = Loaded(file=file, data=None, text=text, lines=lines)
    if root is None:
        loaded.data = {}
        return loaded
    walker = _Walker(loaded, track_aliases="&" in text and ANCHOR.search(text) is not None, check_flow=by_libyaml)
    loaded.data = walker.convert(root, ())
    return loaded


def _too_deep(text: str, file: str, lines: LineIndex) -> SpecError:
    """Where nesting first goes past MAX_DEPTH, found from the event stream (which needs no recursion)."""
    depth = 0
    message = f"the YAML is nested more than {MAX_DEPTH} levels deep here; flatten it"
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth > MAX_DEPTH:  # depth = enclosing collections = the walker's path length
                    line, col = lines.position(event.start_mark.index)
                    return SpecError(Pos(file, line, col), message)
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        return _syntax_error(exc, text, file, lines).errors[0]
    return SpecError(Pos(file, 1, 1), message)


# Unicode's Cc, less tab and line feed; and lone surrogates ("\ud800" in a double-quoted YAML string), which are
# no character at all: UTF-8 cannot store them, so no file, hash or database could take the text
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(value: str) -> str | None:
    """The first C0 (other than tab and line feed), DEL or C1 character or lone surrogate in value, as U+XXXX, or None."""
    found = CONTROL_CHARACTER.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def character_phrase(code: str) -> str:
    """How an error names what control_character found."""
    return f"the lone surrogate {code} (not a character: UTF-8 cannot store it)" if "D800" <= code[2:] <= "DFFF" else f"the control character {code}"


class SourceFloat(float):
    """A YAML float that remembers how it was written, so a numeric default keeps every digit the spec gave."""

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text.replace("_", "")
        return obj


class _Walker:
    """Turns a composed node tree into dicts, lists and scalars, recording positions and problems."""

    def __init__(self, loaded: Loaded, track_aliases: bool = True, check_flow: bool = False):
        self.loaded = loaded
        self.check_flow = check_flow  # libyaml composed the tree: refuse flow text PyYAML reads differently
        self.constructor = yaml.SafeLoader("")
        # an alias is the same node met twice; without anchors in the text there is none to meet
        self.seen: set[int] | None = set() if track_aliases else None

    def at(self, mark) -> Pos:
        line, col = self.loaded.lines.position(mark.index)
        return Pos(self.loaded.file, line, col)

    def error(self, node: yaml.Node, message: str) -> None:
        self.loaded.errors.append(SpecError(self.at(node.start_mark), message))

    def convert(self, node: yaml.Node, path: Path, key: int = 0) -> Any:
        """The data of node, whose key (if any) is already packed for Loaded.places (see KEY_SHIFT)."""
        places = self.loaded.places
        places[path] = key | node.start_mark.index
        if self.seen is not None:
            if id(node) in self.seen:
                self.error(node, "YAML anchors and aliases (&name / *name) are not supported; write the value out")
                return None
            self.seen.add(id(node))
        if node.tag == STR_TAG and type(node) is yaml.ScalarNode and len(path) <= MAX_DEPTH:
            # the common case, first: plain text (what construct_yaml_str returns is node.value)
            value = node.value
            places[path] |= (node.end_mark.index + 1) << END_SHIFT | STYLE_CODES[node.style] << STYLE_SHIFT
            if len(value) > MAX_VALUE_CHARS or CONTROL_CHARACTER.search(value) is not None:
                return self.scalar(node)
            return value
        if len(path) > MAX_DEPTH:
            self.error(node, f"the YAML is nested more than {MAX_DEPTH} levels deep here; flatten it")
            return None
        if node.tag not in CORE_TAGS:
            self.error(node, f"the YAML tag {node.tag!r} is not supported; write a plain value")
            return None
        if self.check_flow and getattr(node, "flow_style", False) and FLOW_DISAGREEMENT.search(
            self.loaded.text, node.start_mark.index, node.end_mark.index
        ):
            raise _ComposersDisagree
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self.error(node, f"the YAML tag {node.tag!r} cannot be put on a mapping; remove the tag")
                return None
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.error(node, f"the YAML tag {node.tag!r} cannot be put on a list; remove the tag")
                return None
            return [self.convert(item, path + (i,)) for i, item in enumerate(self.children(node))]
        if node.tag not in SCALAR_TAGS:
            self.error(node, f"the YAML tag {node.tag!r} needs a mapping or list, not a single value; remove the tag")
            return None
        places[path] |= (node.end_mark.index + 1) << END_SHIFT | STYLE_CODES[node.style] << STYLE_SHIFT
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        places = self.loaded.places
        # plain text values are read here rather than through convert (most values are): the same
        # steps, without a call per value; not when aliases must be tracked or at the depth limit
        inline_text = self.seen is None and len(path) < MAX_DEPTH
        for key_node, value_node in self.children(node):
            key = key_node.value
            if (
                key_node.tag != STR_TAG
                or type(key_node) is not yaml.ScalarNode
                or len(key) > MAX_VALUE_CHARS
                or key in first_seen
                or (not key.isprintable() and CONTROL_CHARACTER.search(key) is not None)  # printable has none: no search
            ):
                key = self.key(key_node, first_seen)
                if key is None:
                    continue
            key = sys.intern(key)  # the same few key names, thousands of times: one string each
            index = key_node.start_mark.index
            first_seen[key] = index
            child = path + (key,)
            if inline_text and value_node.tag == STR_TAG and type(value_node) is yaml.ScalarNode:
                places[child] = (
                    (index + 1) << KEY_SHIFT
                    | (value_node.end_mark.index + 1) << END_SHIFT
                    | STYLE_CODES[value_node.style] << STYLE_SHIFT
                    | value_node.start_mark.index
                )
                value = value_node.value
                if len(value) > MAX_VALUE_CHARS or (not value.isprintable() and CONTROL_CHARACTER.search(value) is not None):
                    value = self.scalar(value_node)
                result[key] = value
            else:
                result[key] = self.convert(value_node, child, (index + 1) << KEY_SHIFT)
        return result

    def children(self, node: yaml.Node):
        """A collection's children, each let go of once read: the tree is freed as the data is built, so
        both never fill memory whole (peak memory stays near the composer's own). Not while aliases are
        tracked by node identity (a freed node's id can be reused)."""
        items = node.value
        if self.seen is not None:
            yield from items
            return
        node.value = []
        items.reverse()
        while items:
            yield items.pop()

    def key(self, key_node: yaml.Node, first_seen: dict[str, int]) -> str | None:
        """A mapping key as text, or None after reporting why it cannot be one."""
        if key_node.tag == "tag:yaml.org,2002:merge":
            self.error(key_node, "YAML merge keys (<<) are not supported; write the keys out")
            return None
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in SCALAR_TAGS:
            self.error(key_node, "a key must be a plain name, not a list, mapping or tagged value")
            return None
        if len(key_node.value) > MAX_VALUE_CHARS:
            self.error(key_node, f"this key is {len(key_node.value):,} characters long; keys are names: shorten it")
            return None
        key = key_node.value if key_node.tag != "tag:yaml.org,2002:null" else "null"
        if (code := control_character(key)) is not None:
            self.error(key_node, f"a key cannot contain {character_phrase(code)}; remove it")
            return None
        if key in first_seen:
            self.error(
                key_node,
                f"duplicate key '{key}' (first defined at line {self.loaded.position(first_seen[key]).line}); "
                "YAML keeps only the last one: remove or rename one of them",
            )
            return None
        return key

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if len(node.value) > MAX_VALUE_CHARS:
            self.error(node, f"this value is {len(node.value):,} characters long; schemac reads at most {MAX_VALUE_CHARS:,} per value: shorten it")
            return node.value[:MAX_VALUE_CHARS]
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # a date stays text; the column type decides what it must be
        if node.tag == "tag:yaml.org,2002:null" and node.value not in ("", "~", "null", "Null", "NULL"):
            self.error(node, f"'{node.value}' is not a YAML null; remove the !!null tag or write ~")
            return None
        try:
            value = self.constructor.construct_object(node)
            self.constructor.constructed_objects.clear()  # it would keep every node it read alive
        except Exception as exc:  # PyYAML raises KeyError, IndexError, ValueError... on bad tagged scalars
            reason = f" ({exc})" if isinstance(exc, (yaml.YAMLError, ValueError, OverflowError)) else ""
            self.error(node, f"cannot read the value '{node.value}' as {node.tag.rsplit(':', 1)[-1]}{reason}; remove the tag or quote the value to make it text")
            return None
        if type(value) is float:
            return SourceFloat(value, node.value)
        if isinstance(value, str):
            if "\x00" in value:
                self.error(node, "text cannot contain a NUL character (PostgreSQL rejects it); remove the \\0")
            elif (code := control_character(value)) is not None:
                self.error(node, f"text cannot contain {character_phrase(code)} (here written as an escape); remove it")
        return value
