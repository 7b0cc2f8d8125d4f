"""The schema as of one migration, as deterministic JSON that loads back into an equal `Schema`.

Generic over the model's frozen dataclasses: every field that takes part in equality
is written, in declaration order; source positions (`pos`, `keys`) and the docs-only
`doc_targets` are left out, so a snapshot never changes because a line moved.
Loaded nodes get the snapshot file as their position. A field the model gained after a
snapshot was written (with a default) takes that default, so written states stay readable.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from typing import Any

from ..emit.jsontext import ExactFloat, dumps_built, encode_built
from ..errors import Pos
from ..model import Schema
from ..resolve.expressions import canonical_expression

SNAPSHOT_VERSION = 1


def snapshot_json(schema: Schema) -> str:
    """The snapshot text of a schema: sorted by nothing but the model's own order, two-space indented, one final newline."""
    # json.dumps(document, indent=2, ensure_ascii=False) + "\n", through orjson; built inside, freed before decoding
    return dumps_built(lambda: {"snapshot_version": SNAPSHOT_VERSION, "schema": _dump(schema)})


def snapshot_bytes(schema: Schema) -> bytes:
    """snapshot_json's UTF-8 bytes: a new state is written as they are (no second copy of 100 MB as text)."""
    return encode_built(lambda: {"snapshot_version": SNAPSHOT_VERSION, "schema": _dump(schema)})


def load_snapshot(text: str, path: str) -> Schema:
    """The Schema a snapshot holds; raises ValueError with a one-line reason when it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("snapshot_version") != SNAPSHOT_VERSION:
        raise ValueError(f"{path}: not a schemac snapshot of version {SNAPSHOT_VERSION}")
    try:
        return _load(Schema, document["schema"], Pos(path, 1, 1))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a schemac snapshot ({type(exc).__name__}: {exc})") from None


def in_current_spelling(schema: Schema) -> Schema:
    """The schema with every raw expression (CHECK, index predicate, policy USING / WITH CHECK) in the
    spelling today's compiler emits, so a state written by an earlier schemac does not differ from
    the spec only in how an unchanged expression is spelled."""

    def spell(text: str | None) -> str | None:
        return text if text is None else (canonical_expression(text) or text)

    tables = tuple(
        dataclasses.replace(
            t,
            checks=tuple(dataclasses.replace(c, expression=spell(c.expression)) for c in t.checks),
            indexes=tuple(dataclasses.replace(ix, where=spell(ix.where)) for ix in t.indexes),
            policies=tuple(dataclasses.replace(p, using=spell(p.using), with_check=spell(p.with_check)) for p in t.policies),
        )
        for t in schema.tables
    )
    return dataclasses.replace(schema, tables=tables)


@functools.cache
def _kept(cls: type) -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.compare)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A dataclass's resolved field types, once per class (resolving the string annotations is most of a load)."""
    return typing.get_type_hints(cls)


# values a snapshot writes as they are; most of the model is these, so they are told apart by exact type first
_LEAVES = frozenset({str, int, bool, type(None)})


@functools.cache
def _kept_names(cls: type) -> tuple[str, ...] | None:
    """The names of the fields a snapshot writes, for a dataclass; None for any other type."""
    return tuple(f.name for f in _kept(cls)) if dataclasses.is_dataclass(cls) else None


def _dump(value: Any) -> Any:
    # the model's 550,000 values at 1,000 tables: a call per value and is_dataclass's hasattr were most of the time
    cls = type(value)
    if cls in _LEAVES:
        return value
    names = _kept_names(cls)
    leaves = _LEAVES
    if names is not None:
        out = {}
        for name in names:
            field_value = getattr(value, name)
            out[name] = field_value if type(field_value) in leaves else _dump(field_value)
        return out
    if isinstance(value, (tuple, list)):
        return [v if type(v) in leaves else _dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, float):
        return ExactFloat(value)  # spelled as json spells it (1e+16), not as orjson does
    return value


def _has_default(f: dataclasses.Field) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


@functools.cache
def _shape(hint: Any) -> tuple:
    """What `_load` needs to know about a type, worked out once per type (a state holds hundreds of thousands of values)."""
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return ("dataclass", tuple((f.name, hints[f.name], _has_default(f)) for f in _kept(hint)), "pos" in hints)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        return ("union", type(None) in options, [o for o in options if o is not type(None)])
    if origin is tuple:
        return ("tuple", typing.get_args(hint))
    if hint is Any:
        return ("any",)
    if hint in (str, int, bool):
        return ("scalar",)
    return ("other",)


def _load(hint: Any, data: Any, pos: Pos) -> Any:
    """data (parsed JSON) as a value of the type `hint`."""
    shape = _shape(hint)
    kind = shape[0]
    if kind == "dataclass":
        if not isinstance(data, dict):
            raise TypeError(f"{hint.__name__} must be an object")
        _, fields, takes_pos = shape
        # a field the model gained after the snapshot was written takes its default (older states stay loadable)
        kwargs = {name: _load(field_hint, data[name], pos) for name, field_hint, has_default in fields if name in data or not has_default}
        if takes_pos:
            kwargs["pos"] = pos
        return hint(**kwargs)
    if kind == "union":
        _, none_ok, options = shape
        if data is None and none_ok:
            return None
        (inner,) = options
        return _load(inner, data, pos)
    if kind == "tuple":
        args = shape[1]
        if not isinstance(data, list):
            raise TypeError(f"expected a list, got {data!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item, pos) for item in data)
        return tuple(_load(a, item, pos) for a, item in zip(args, data, strict=True))
    if kind == "scalar" and not isinstance(data, hint):
        raise TypeError(f"expected {hint.__name__}, got {data!r}")
    return data
