"""Checking loaded YAML against the Pydantic grammar, with messages that say how to fix it.

Pydantic's errors carry a loc (a path of keys and indexes); here each becomes a
positioned problem with a message a spec author can act on. Unknown keys are
reported and then ignored, and each column is validated on its own, so one bad
key does not hide the rest of a table's problems.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .load import Path
from ..resolve.problems import Problems
from .language import CheckSpec, ColumnSpec, ForeignKeySpec, IndexSpec, PolicySpec, TableSpec, UniqueSpec

# Table sections that are lists of items, each validated on its own.
LIST_SECTIONS = {"unique": UniqueSpec, "checks": CheckSpec, "foreign_keys": ForeignKeySpec, "indexes": IndexSpec, "policies": PolicySpec}


def validate(model: type[BaseModel], value: Any, path: Path, problems: Problems, skip: tuple[str, ...] = ()) -> Any:
    """Validate against the grammar, recording every error. Unknown keys are reported and then
    ignored, so the rest of the node is still checked for meaning."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        unknown = set()
        for err in exc.errors():
            loc = tuple(err["loc"])
            if loc and loc[0] in skip:
                continue
            problems.add(path + _data_path(loc), _message(model, loc, err))
            if err["type"] == "extra_forbidden" and len(loc) == 1:
                unknown.add(loc[0])
            else:
                unknown.add(None)
        if unknown and None not in unknown and isinstance(value, dict):
            try:
                return model.model_validate({k: v for k, v in value.items() if k not in unknown})
            except ValidationError:
                return None
        return None


def validate_each(model: type[BaseModel], mapping: Any, path: Path, problems: Problems) -> dict[str, Any]:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        problems.add(path, f"'{path[-1]}' must be a mapping of names to definitions")
        return {}
    result = {}
    for name, value in mapping.items():
        if not isinstance(value, dict):
            problems.add(path + (name,), f"'{name}' must be a mapping of keys (got {kind_of(value)})")
            continue
        spec = validate(model, value, path + (name,), problems)
        if spec is not None:
            result[name] = spec
    return result


def validate_tables(mapping: Any, problems: Problems, broken: dict[str, set[str]]) -> dict[str, TableSpec]:
    """Validate each column and each list item on its own, so one bad entry does not hide the problems of the rest of its table."""
    if not isinstance(mapping, dict):
        return validate_each(TableSpec, mapping, ("tables",), problems)
    result = {}
    for name, value in mapping.items():
        path = ("tables", name)
        if not isinstance(value, dict) or not isinstance(value.get("columns"), dict):
            spec = validate_each(TableSpec, {name: value}, ("tables",), problems).get(name)
        else:
            good = _validate_columns(value["columns"], path, problems, broken.setdefault(name, set()))
            if not good and broken[name]:
                continue
            sections = {key: _validate_items(model, value[key], path + (key,), problems)
                        for key, model in LIST_SECTIONS.items() if isinstance(value.get(key), list)}
            spec = validate(TableSpec, {**value, "columns": good, **sections}, path, problems)
        if spec is not None:
            result[name] = spec
    return result


def _validate_columns(columns: dict, path: Path, problems: Problems, broken: set[str]) -> dict[str, ColumnSpec]:
    good = {}
    for col, col_value in columns.items():
        if not isinstance(col_value, dict):
            problems.add(path + ("columns", col), f"column '{col}' must be a mapping of keys, e.g. {{type: text}} (got {kind_of(col_value)})")
            broken.add(col)
        elif (col_spec := validate(ColumnSpec, col_value, path + ("columns", col), problems)) is None:
            broken.add(col)
        else:
            good[col] = col_spec
    return good


def _validate_items(model: type[BaseModel], items: list, path: Path, problems: Problems) -> list:
    """The items of a list section that are valid; the others are reported and left out."""
    good, kept = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.add(path + (i,), f"{path[-1]} item {i + 1} must be a mapping of keys (got {kind_of(item)})")
        elif (spec := validate(model, item, path + (i,), problems)) is not None:
            good.append(spec)
            kept.append(i)
    if len(kept) < len(items):
        problems.loaded.kept_items[path] = kept
    return good


def _data_path(loc: tuple) -> Path:
    """Drop Pydantic's union/validator tags from a loc so it matches the YAML path."""
    return tuple(p for p in loc if isinstance(p, int) or not ("[" in p or p.startswith("function-")))


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "null"
    return type(value).__name__


def _got(value: Any) -> str:
    return "null" if value is None else f"{kind_of(value)} {value!r}"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The Pydantic model class a loc (without its last part) points into."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            fields.update(current.model_fields)
            if part not in fields:
                return None
            current = fields[part].annotation
            continue
        origin = typing.get_origin(current)
        args = [a for a in typing.get_args(current) if a is not type(None)]
        if origin in (dict, list) or (origin is typing.Union and args):
            current = args[-1]
            # a dict key or list index consumes this part; unwrap Optional[X]
            while typing.get_origin(current) is typing.Union:
                current = [a for a in typing.get_args(current) if a is not type(None)][0]
        else:
            return None
    while typing.get_origin(current) is typing.Union:
        current = [a for a in typing.get_args(current) if a is not type(None)][0]
    if typing.get_origin(current) in (dict, list):
        current = typing.get_args(current)[-1]
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


# A suggestion must be close: at difflib's 0.6 'generated' became "did you mean 'encrypted'?".
SUGGEST_CUTOFF = 0.75

# PostgreSQL features people write as keys; naming them beats a far-fetched suggestion.
WRITTEN_ELSEWHERE = {  # PostgreSQL feature keys met where they do not belong: where the spec takes them
    "generated": "a generated column is written on a column (`generated:`)",
    "identity": "an identity column is written on a column (`identity:`)",
    "serial": "a serial column is written as a column's type (`type: serial`)",
    "collation": "a collation is written on a column (`collation:`)",
    "collate": "a collation is written on a column (`collation:`)",
    "on_update": "ON UPDATE is written on a foreign key (`references:` or `foreign_keys:`)",
    "deferrable": "a deferrable foreign key is written on the foreign key (`references:` or `foreign_keys:`)",
    "initially_deferred": "a deferrable foreign key is written on the foreign key (`references:` or `foreign_keys:`)",
    "match": "MATCH is written on a foreign key (`references:` or `foreign_keys:`)",
    "include": "INCLUDE columns are written on an index (`include:` under `indexes:`)",
    "exclude": "an exclusion constraint is written on the table (`exclude:` beside `columns:`)",
    "schema": "a table's schema is written on the table (`schema:` beside `columns:`)",
}


def _message(model: type[BaseModel], loc: tuple, err: dict) -> str:
    kind = err["type"]
    field = str(loc[-1]) if loc else ""
    if len(loc) >= 2 and isinstance(loc[-1], int):
        field = f"{loc[-2]}' item '{loc[-1] + 1}"  # reads as: 'for' item '2'

    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        allowed = sorted({f.alias or n for n, f in owner.model_fields.items()}) if owner else []
        close = difflib.get_close_matches(field, allowed, n=1, cutoff=SUGGEST_CUTOFF)
        hint = f"did you mean '{close[0]}'? " if close else ""
        if not close and field in WRITTEN_ELSEWHERE:
            hint = f"{WRITTEN_ELSEWHERE[field]}, not here; "
        return f"unknown key '{field}'; {hint}allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key '{field}'; add it"
    got = err.get("input")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"'{field}' cannot be {got!r}; expected {expected}"
    if kind in ("bool_type", "bool_parsing"):
        return f"'{field}' must be true or false (got {_got(got)})"
    if kind in ("string_type",):
        return f"'{field}' must be a string (got {_got(got)}); quote it if YAML read it as another type"
    if kind in ("list_type",):
        return f"'{field}' must be a list, e.g. [a, b] (got {kind_of(got)})"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{field}' must be a mapping of keys (got {kind_of(got)})"
    if kind in ("too_short",):
        return f"'{field}' must not be empty; give at least one entry"
    return f"'{field}': {err['msg']}"
