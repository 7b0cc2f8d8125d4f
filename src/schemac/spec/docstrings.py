"""The spec models' attribute docstrings, as the `description`s of their JSON Schema properties.

Pydantic's `use_attribute_docstrings` reads them for every model while the models are built,
by walking the caller's frames and tokenizing the source once per class: a third of the time
it takes to import the grammar, paid by every command. Only the JSON Schema output shows them,
so they are read here, once per module, when a JSON Schema is made; the rule is pydantic's: a
string right after an annotated attribute documents it, cleaned with `inspect.cleandoc`, and a
description given with `Field(description=...)` wins.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any


def attribute_docstrings(schema: dict[str, Any], cls: type) -> None:
    """`json_schema_extra` for a model: each property without a description gets its attribute's docstring."""
    properties = schema.get("properties", {})
    for name, info in cls.model_fields.items():
        key = info.alias if info.alias in properties else name
        if key not in properties or info.description is not None:
            continue
        doc = _docstring(cls, name)
        if doc is not None:
            _describe(properties[key], doc)


def _describe(prop: dict[str, Any], doc: str) -> None:
    """Put the description where pydantic does, just before the title: pydantic sorts the keys afterwards, but
    not those of a property named `default` (it takes it for a default value), whose order therefore shows."""
    items = list(prop.items())
    at = next((i for i, (k, _) in enumerate(items) if k == "title"), len(items))
    items.insert(at, ("description", doc))
    prop.clear()
    prop.update(items)


def _docstring(cls: type, name: str) -> str | None:
    """The docstring of `name` in the class that last annotated it (an inherited field keeps its parent's)."""
    for klass in cls.__mro__:
        if name in vars(klass).get("__annotations__", {}):
            return _module_docstrings(klass.__module__).get(klass.__qualname__, {}).get(name)
    return None


@functools.cache
def _module_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Class qualname → attribute → docstring, for the top-level classes of a module."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    return {node.name: _class_docstrings(node) for node in tree.body if isinstance(node, ast.ClassDef)}


def _class_docstrings(node: ast.ClassDef) -> dict[str, str]:
    docs: dict[str, str] = {}
    target, previous = None, None
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            target = statement.target.id
        elif (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
            and isinstance(previous, ast.AnnAssign)
        ):
            if target:
                docs[target] = inspect.cleandoc(statement.value.value)
            target = None
        previous = statement
    return docs
