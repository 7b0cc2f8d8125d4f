"""Collecting positioned problems while a spec is built, so all of them are reported at once."""

from __future__ import annotations

import functools

from ..errors import SpecError
from ..spec.load import Loaded, Path
from ..sqltext import identifier_problem
from .expressions import read_expression


class Problems:
    """Collects (path, message) pairs and turns them into positioned errors."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.errors: list[SpecError] = []

    def add(self, path: Path, message: str) -> None:
        self.errors.append(SpecError(self.loaded.pos(path), message))

    def add_in_value(self, path: Path, value: str, offset: int, message: str) -> None:
        """An error at character `offset` of the string value at path (e.g. inside a SQL expression)."""
        self.errors.append(SpecError(self.loaded.pos_in_value(path, value, offset), message))

    def expression(self, path: Path, text: str, place, scope):
        """Read a spec expression with PostgreSQL's parser; its canonical SQL, or None after adding its problems."""
        result = read_expression(text, place, scope)
        if isinstance(result, list):
            for problem in result:
                self.add_in_value(path, text, problem.offset, problem.message)
            return None
        return result.sql

    def keys(self, path: Path, spec) -> tuple:
        """Where each key the spec wrote under path is (YAML spelling, e.g. 'for'), so rules can point at it."""
        key_index, position = self.loaded.key_index, self.loaded.position
        found = []
        for key in _yaml_keys(type(spec)):
            index = key_index(path + (key,))
            if index is not None:
                found.append((key, position(index)))
        return tuple(found)

    def name(self, path: Path, name: str, what: str) -> bool:
        problem = identifier_problem(name)
        if problem is None and name == "__proto__":
            problem = (
                "'__proto__' cannot be used: in the generated TypeScript it becomes an object key, and a JavaScript object "
                "literal treats that key as its prototype, so the entry (and its classification) would silently vanish; rename it"
            )
        if problem:
            self.add(path, f"{what} name {problem}")
            return False
        return True


@functools.cache
def _yaml_keys(model: type) -> tuple[str, ...]:
    """A grammar model's keys as the YAML spells them, in field order."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


def explicit_name(name: str | None, path: Path, problems: Problems) -> bool:
    """An optional explicit constraint or index name is either absent or a valid identifier."""
    return name is None or problems.name(path + ("name",), name, "constraint or index")
