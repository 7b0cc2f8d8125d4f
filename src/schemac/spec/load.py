"""Read YAML into plain data while remembering where every key and value came from.

PyYAML's own loader forgets positions and silently keeps the last of two duplicate
keys; here the node tree is walked by hand so both are caught. Only plain YAML is
accepted: no anchors or aliases (they make alias bombs and cycles possible), no tags
beyond the core ones, and dates stay text so a bad date is a message, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import Pos, SpecError, SpecErrors
from .yaml_messages import explain_yaml_error

Path = tuple[str | int, ...]

MAX_DEPTH = 64
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


@dataclass
class Loaded:
    """The data of a YAML file plus the position of every key and value in it."""

    file: str
    data: Any
    key_pos: dict[Path, Pos] = field(default_factory=dict)
    value_pos: dict[Path, Pos] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)  # duplicate keys etc.: reported with the rest
    # list -> original index of each item kept after invalid items were left out, so later paths still point right
    kept_items: dict[Path, list[int]] = field(default_factory=dict)

    def pos(self, path: Path) -> Pos:
        """Best position for a path: its key, else its value, else the nearest ancestor."""
        path = self._original(tuple(path))
        while True:
            if path in self.key_pos:
                return self.key_pos[path]
            if path in self.value_pos:
                return self.value_pos[path]
            if not path:
                return Pos(self.file, 1, 1)
            path = path[:-1]


    def _original(self, path: Path) -> Path:
        for k in range(len(path)):
            kept = self.kept_items.get(path[:k])
            if kept is not None and isinstance(path[k], int) and path[k] < len(kept):
                path = path[:k] + (kept[path[k]],) + path[k + 1 :]
        return path


def _pos(file: str, node: yaml.Node) -> Pos:
    return Pos(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _syntax_error(exc: yaml.YAMLError, text: str, file: str) -> SpecErrors:
    """A YAML error as one positioned message in plain words (see yaml_messages)."""
    line, col, message = explain_yaml_error(exc, text)
    return SpecErrors([SpecError(Pos(file, line, col), message)])


def load_yaml(text: str, file: str) -> Loaded:
    """Parse text; raise SpecErrors for syntax errors. Other problems are kept in `errors` (the first duplicate key wins)."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except RecursionError:
        raise SpecErrors([SpecError(Pos(file, 1, 1), f"the YAML is nested too deeply; keep it under {MAX_DEPTH} levels")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    loaded = Loaded(file=file, data=None)
    if root is None:
        loaded.data = {}
        return loaded
    walker = _Walker(loaded)
    loaded.data = walker.convert(root, ())
    return loaded


class _Walker:
    """Turns a composed node tree into dicts, lists and scalars, recording positions and problems."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.constructor = yaml.SafeLoader("")
        self.seen: set[int] = set()

    def error(self, node: yaml.Node, message: str) -> None:
        self.loaded.errors.append(SpecError(_pos(self.loaded.file, node), message))

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.loaded.value_pos[path] = _pos(self.loaded.file, node)
        if id(node) in self.seen:
            self.error(node, "YAML anchors and aliases (&name / *name) are not supported; write the value out")
            return None
        self.seen.add(id(node))
        if len(path) > MAX_DEPTH:
            self.error(node, f"the YAML is nested too deeply; keep it under {MAX_DEPTH} levels")
            return None
        if node.tag not in CORE_TAGS:
            self.error(node, f"the YAML tag {node.tag!r} is not supported; write a plain value")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            key_pos = _pos(self.loaded.file, key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node, "YAML merge keys (<<) are not supported; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in CORE_TAGS:
                self.error(key_node, "a key must be a plain name, not a list, mapping or tagged value")
                continue
            key = key_node.value if key_node.tag != "tag:yaml.org,2002:null" else "null"
            if key in first_seen:
                self.error(
                    key_node,
                    f"duplicate key '{key}' (first defined at line {first_seen[key].line}); "
                    "YAML keeps only the last one: remove or rename one of them",
                )
                continue
            first_seen[key] = key_pos
            child = path + (key,)
            self.loaded.key_pos[child] = key_pos
            result[key] = self.convert(value_node, child)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # a date stays text; the column type decides what it must be
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.error(node, f"cannot read the value {node.value!r} ({exc}); quote it to make it text")
            return None
        if isinstance(value, str) and "\x00" in value:
            self.error(node, "text cannot contain a NUL character (PostgreSQL rejects it); remove the \\0")
        return value
