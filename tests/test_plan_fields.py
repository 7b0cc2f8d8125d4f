"""Every field of the model is either compared by the differ or declared not to reach the database.

A construct added to the grammar lands in the model; until it is classified here the planner would
silently ignore it, so this fails, asking for a change kind (and its pair test) or a reason.
"""

from __future__ import annotations

import dataclasses

from schemac import model
from schemac.plan.diff import COMPARED, HINTS, IN_COMMENTS, NOT_IN_DATABASE

CLASSES = [
    "Table", "Column", "PrimaryKey", "Unique", "Check", "ForeignKey", "Index", "IndexElement", "Exclusion", "Trigger", "Policy", "Enum",
    "Domain", "Extension", "Schema", "Function", "Argument", "Returns", "SqlType", "View", "ViewColumn", "SqlBlock",
]


def test_every_model_field_is_classified():
    for name in CLASSES:
        fields = {f.name for f in dataclasses.fields(getattr(model, name))}
        classified = COMPARED.get(name, set()) | IN_COMMENTS.get(name, set()) | HINTS.get(name, set()) | NOT_IN_DATABASE.get(name, set())
        assert fields == classified, f"{name}: unclassified {fields - classified}, unknown {classified - fields}"


def test_hints_and_positions_never_make_two_models_differ():
    for name in CLASSES:
        for f in dataclasses.fields(getattr(model, name)):
            if f.name in HINTS.get(name, set()) | {"pos", "keys", "value_pos", "catalog_comment"}:
                assert f.compare is False, f"{name}.{f.name} takes part in comparisons"
