"""The JSON Schema of the spec language: generated from spec.py, and it accepts exactly good specs."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml
from conftest import REPO_SPEC, ROOT

from schemac.emit.spec_schema import SPEC_SCHEMA_PATH, spec_json_schema


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((ROOT / "compiled" / SPEC_SCHEMA_PATH).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def repo_data():
    return yaml.safe_load(REPO_SPEC.read_text(encoding="utf-8"))


def test_committed_json_schema_matches_the_models(repo_outputs):
    committed = (ROOT / "compiled" / SPEC_SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == repo_outputs[SPEC_SCHEMA_PATH], "compiled/schemac.schema.json is stale: run `schemac compile`"


def test_schema_yaml_points_editors_at_it():
    first = REPO_SPEC.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=compiled/{SPEC_SCHEMA_PATH}"


def test_repo_spec_is_valid(validator, repo_data):
    assert list(validator.iter_errors(repo_data)) == []


def _errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_unknown_key_fails(validator, repo_data):
    data = copy.deepcopy(repo_data)
    data["tables"]["patients"]["columns"]["phone"]["nulable"] = True
    errors = _errors(validator, data)
    assert errors and "nulable" in errors[0] and errors[0].startswith("tables/patients/columns/phone")


def test_wrong_type_fails(validator, repo_data):
    data = copy.deepcopy(repo_data)
    data["tables"]["patients"]["rls"] = "yes please"
    assert _errors(validator, data) == ["tables/patients/rls: 'yes please' is not of type 'boolean'"]


def test_wrong_classification_and_missing_tables_fail(validator, repo_data):
    data = copy.deepcopy(repo_data)
    data["tables"]["patients"]["classification"] = 5  # the vocabulary is the spec's own, so only its shape is checked here
    assert _errors(validator, data)
    data["profile"] = "hipaa"
    assert _errors(validator, data)
    assert _errors(validator, {"version": 1})


def test_policy_operations_use_the_yaml_key_for(validator, repo_data):
    policy = spec_json_schema()["$defs"]["PolicySpec"]
    assert "for" in policy["properties"] and "operations" not in policy["properties"]
    data = copy.deepcopy(repo_data)
    data["tables"]["patients"]["policies"] = [{"name": "own", "for": ["select"], "owner": "id"}]
    assert _errors(validator, data) == []
    data["tables"]["patients"]["policies"] = [{"name": "own", "operations": ["select"]}]
    assert _errors(validator, data)


def test_descriptions_come_from_docstrings():
    document = spec_json_schema()
    column = document["$defs"]["ColumnSpec"]
    assert column["description"] == "One column of a table."
    assert column["properties"]["encrypted"]["description"] == "Marks PHI that must be encrypted at rest (and in transit)."
    assert document["properties"]["docs"]["description"].startswith("Documentation outputs")
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_attribute_docstrings_are_read_as_pydantic_reads_them():
    """The models no longer have pydantic read the docstrings at import (start-up cost); what spec/docstrings.py
    reads when a JSON Schema is made must be what pydantic's own `use_attribute_docstrings` reads, class by class."""
    from pydantic import BaseModel
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    from schemac.spec import language
    from schemac.spec.docstrings import _module_docstrings

    models = [m for m in vars(language).values() if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == language.__name__]
    assert len(models) > 20
    ours = _module_docstrings(language.__name__)
    for model in models:
        assert ours.get(model.__qualname__, {}) == extract_docstrings_from_cls(model, use_inspect=True), model.__name__
    inherited = language.ExclusionElementSpec.model_json_schema(by_alias=True)["properties"]
    assert inherited["column"]["description"] == ours["IndexElementSpec"]["column"]  # an inherited field keeps its parent's
