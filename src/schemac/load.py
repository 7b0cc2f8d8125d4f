"""Read YAML into plain data while remembering where every key and value came from.

PyYAML's own loader forgets positions and silently keeps the last of two duplicate
keys; here the node tree is walked by hand so both are caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Pos, SpecError, SpecErrors

Path = tuple[str | int, ...]


@dataclass
class Loaded:
    """The data of a YAML file plus the position of every key and value in it."""

    file: str
    data: Any
    key_pos: dict[Path, Pos] = field(default_factory=dict)
    value_pos: dict[Path, Pos] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)  # duplicate keys etc.: reported with the rest

    def pos(self, path: Path) -> Pos:
        """Best position for a path: its key, else its value, else the nearest ancestor."""
        path = tuple(path)
        while True:
            if path in self.key_pos:
                return self.key_pos[path]
            if path in self.value_pos:
                return self.value_pos[path]
            if not path:
                return Pos(self.file, 1, 1)
            path = path[:-1]

    def has(self, path: Path) -> bool:
        return tuple(path) in self.value_pos


def _pos(file: str, node: yaml.Node) -> Pos:
    return Pos(file, node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(text: str, file: str) -> Loaded:
    """Parse text; raise SpecErrors for syntax errors. Duplicate keys are kept in `errors` (the first one wins)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        raise SpecErrors(
            [SpecError(Pos(file, line, col), f"YAML syntax error: {problem}; fix the YAML at this point")]
        ) from None
    finally:
        loader.dispose()
    loaded = Loaded(file=file, data=None)
    if root is None:
        loaded.data = {}
        return loaded
    constructor = yaml.SafeLoader("")
    loaded.data = _convert(root, (), loaded, constructor, loaded.errors)
    return loaded


def _convert(node: yaml.Node, path: Path, loaded: Loaded, constructor: yaml.SafeLoader, errors: list[SpecError]) -> Any:
    loaded.value_pos[path] = _pos(loaded.file, node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Pos] = {}
        for key_node, value_node in node.value:
            key_pos = _pos(loaded.file, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(SpecError(key_pos, "a key must be a plain name, not a list or mapping"))
                continue
            key = constructor.construct_object(key_node)
            if key == "<<" or key_node.tag == "tag:yaml.org,2002:merge":
                errors.append(SpecError(key_pos, "YAML merge keys (<<) are not supported; write the keys out"))
                continue
            if not isinstance(key, str):
                key = str(key) if key is not None else "null"
            if key in first_seen:
                errors.append(
                    SpecError(
                        key_pos,
                        f"duplicate key '{key}' (first defined at line {first_seen[key].line}); "
                        "YAML keeps only the last one: remove or rename one of them",
                    )
                )
                continue
            first_seen[key] = key_pos
            child = path + (key,)
            loaded.key_pos[child] = key_pos
            result[key] = _convert(value_node, child, loaded, constructor, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), loaded, constructor, errors) for i, item in enumerate(node.value)]
    value = constructor.construct_object(node)
    if isinstance(value, str) and "\x00" in value:
        errors.append(SpecError(_pos(loaded.file, node), "text cannot contain a NUL character (PostgreSQL rejects it); remove the \\0"))
    return value


def load_spec_file(path: str, display_name: str | None = None) -> Loaded:
    """Read and parse a spec file from disk."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    return load_yaml(text, display_name or path)


def spec_errors_from_loaded(loaded: Loaded, items: list[tuple[Path, str]]) -> SpecErrors:
    """Turn (path, message) pairs into positioned errors."""
    return SpecErrors([SpecError(loaded.pos(p), m) for p, m in items])
