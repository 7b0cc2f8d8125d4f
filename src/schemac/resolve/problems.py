"""Collecting positioned problems while a spec is built, so all of them are reported at once."""

from __future__ import annotations

import functools

from ..errors import SpecError
from ..spec.load import Loaded, Path
from ..sqltext import identifier_problem


class Problems:
    """Collects (path, message) pairs and turns them into positioned errors."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.errors: list[SpecError] = []

    def add(self, path: Path, message: str) -> None:
        self.errors.append(SpecError(self.loaded.pos(path), message))

    def keys(self, path: Path, spec) -> tuple:
        """Where each key the spec wrote under path is (YAML spelling, e.g. 'for'), so rules can point at it."""
        key_pos, position = self.loaded.key_pos, self.loaded.position
        found = []
        for key in _yaml_keys(type(spec)):
            index = key_pos.get(path + (key,))
            if index is not None:
                found.append((key, position(index)))
        return tuple(found)

    def name(self, path: Path, name: str, what: str) -> bool:
        problem = identifier_problem(name)
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
