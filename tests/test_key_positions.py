"""Where each key a spec wrote on a node is: kept as indexes and made positions only when asked (model.KeyPositions).

The positions must be exactly those of the keys as written, in the grammar's field order, whatever
order the spec wrote them in; a key not written points at the node; and the model must not keep
the spec's text alive once it is built.
"""

from __future__ import annotations

import gc

from helpers import write_spec

from schemac.model import KeyPositions
from schemac.pipeline import load_schema
from schemac.resolve.problems import _yaml_keys
from schemac.spec.language import ColumnSpec, TableSpec

SPEC = """
tables:
  notes:
    retention: Deleted after one year.
    classification: administrative
    description: Notes about the clinic.
    columns:
      id:
        description: Note identifier.
        default: gen_random_uuid()
        primary_key: true
        type: uuid
      body:
          nullable: true
          type: text
          description: "The note, as written."
"""


def _notes(tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    (table,) = schema.tables
    return table


def test_keys_are_the_written_ones_in_field_order_at_their_own_positions(tmp_path):
    table = _notes(tmp_path)
    found = {c.name: [(key, pos.line, pos.col) for key, pos in c.keys] for c in table.columns if c.name in ("id", "body")}
    order = _yaml_keys(ColumnSpec)
    assert found["id"] == sorted([("description", 8, 9), ("default", 9, 9), ("primary_key", 10, 9), ("type", 11, 9)], key=lambda k: order.index(k[0]))
    assert found["body"] == sorted([("nullable", 13, 11), ("type", 14, 11), ("description", 15, 11)], key=lambda k: order.index(k[0]))
    table_keys = [(key, pos.line, pos.col) for key, pos in table.keys]
    assert table_keys == sorted(
        [("retention", 3, 5), ("classification", 4, 5), ("description", 5, 5), ("columns", 6, 5)], key=lambda k: _yaml_keys(TableSpec).index(k[0])
    )


def test_at_points_at_the_key_or_at_the_node_when_not_written(tmp_path):
    table = _notes(tmp_path)
    body = next(c for c in table.columns if c.name == "body")
    assert (body.at("type").line, body.at("type").col) == (14, 11)
    assert body.at("encrypted") == body.pos  # not written: the column itself
    assert (body.pos.line, body.pos.col) == (12, 7)
    assert body.at("type").file.endswith("schema.yaml")
    assert dict(body.keys)["nullable"].line == 13  # iterates as (key, Pos) pairs, as the plan's checks read it


def test_the_model_does_not_keep_the_spec_text(tmp_path):
    path = write_spec(tmp_path, SPEC)
    text = path.read_text(encoding="utf-8")
    table = load_schema(str(path)).tables[0]
    assert isinstance(table.keys, KeyPositions)
    seen, todo = set(), [table.keys.position]
    while todo:  # everything the positions object reaches
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        assert not (isinstance(obj, str) and obj == text), "the key positions keep the spec's text alive"
        assert not isinstance(obj, dict) or len(obj) < 10, "the key positions keep the loader's path tables alive"
        todo.extend(gc.get_referents(obj))
