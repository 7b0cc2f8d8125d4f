"""Every kind of bad input is reported at its key, as FILE:LINE:COL: message, all in one run."""

from __future__ import annotations

import textwrap

import pytest

from schemac.errors import SpecErrors
from schemac.spec.load import load_yaml
from schemac.resolve.schema import build_schema

HEADER = """\
version: 1
enums:
  status:
    values: [active, closed]
tables:
"""


def errors_of(body: str, header: str = HEADER) -> list[str]:
    text = header + body
    with pytest.raises(SpecErrors) as info:
        build_schema(load_yaml(text, "schema.yaml"), text.encode(), "schema.yaml")
    return [str(e) for e in info.value.errors]


def table(columns: str, extra: str = "") -> str:
    """A one-table spec body; the first column line is line 10 of the file."""
    return (
        "  patients:\n"
        "    classification: phi\n"
        "    columns:\n"
        "      id: {type: uuid, primary_key: true, default: gen_random_uuid()}\n"
        + textwrap.indent(textwrap.dedent(columns), "      ")
        + textwrap.indent(textwrap.dedent(extra), "    ")
    )


def test_yaml_syntax_error_points_at_the_problem():
    assert errors_of("  patients: [unclosed\n") == [
        "schema.yaml:6:13: the '[' opened here is not closed (the parser gave up at line 7); add the ']', "
        "separate items with ', ' and quote any item that contains ': '"
    ]


def test_duplicate_key_is_an_error_not_a_silent_overwrite():
    assert errors_of(table("name: {type: text}\nname: {type: integer}\n")) == [
        "schema.yaml:11:7: duplicate key 'name' (first defined at line 10); YAML keeps only the last one: remove or rename one of them"
    ]


def test_duplicate_table_is_reported():
    errs = errors_of(table("name: {type: text}\n") + table("other: {type: text}\n"))
    assert errs == ["schema.yaml:11:3: duplicate key 'patients' (first defined at line 6); YAML keeps only the last one: remove or rename one of them"]


def test_unknown_key_suggests_the_right_one():
    assert errors_of(table("name: {type: text, nulable: true}\n")) == [
        "schema.yaml:10:26: unknown key 'nulable'; did you mean 'nullable'? allowed keys here: backfill, classification, collation, default, "
        "default_expression, deferrable, description, encrypted, enum, generated, identity, initially_deferred, match, nullable, "
        "on_delete, on_update, primary_key, references, renamed_from, type, unique, using"
    ]


def test_missing_required_key():
    assert errors_of(table("", extra="indexes:\n  - unique: true\n")) == [
        "schema.yaml:11:9: missing required key 'columns'; add it"
    ]


def test_missing_tables_key():
    errs = errors_of("", header="version: 1\n")
    assert errs == ["schema.yaml:1:1: missing required key 'tables'; list the tables of the schema under it"]


def test_wrong_type_of_value():
    assert errors_of(table("name: {type: text, nullable: maybe}\n")) == [
        "schema.yaml:10:26: 'nullable' must be true or false (got a string 'maybe')"
    ]


def test_unknown_classification():
    assert errors_of(table("name: {type: text, classification: secret}\n")) == [
        "schema.yaml:10:26: unknown classification 'secret'; the phi profile's classes are: phi, administrative, "
        "public_social (set your own with top-level 'classifications:' under profile general or none)"
    ]
    assert errors_of(table("name: {type: text, classification: administratve}\n"))[0].startswith(
        "schema.yaml:10:26: unknown classification 'administratve'; did you mean 'administrative'?"
    )


def test_unknown_column_type():
    errs = errors_of(table("name: {type: txt}\n"))
    assert len(errs) == 1
    assert errs[0].startswith("schema.yaml:10:14: unknown column type 'txt'; use one of: text, integer")


def test_reference_to_unknown_table():
    assert errors_of(table("doctor_id: {type: uuid, references: doctors.id}\n")) == [
        "schema.yaml:10:31: references unknown table 'doctors'; tables: patients"
    ]


def test_reference_to_unknown_column():
    assert errors_of(table("parent_id: {type: uuid, nullable: true, references: patients.idd}\n")) == [
        "schema.yaml:10:47: references unknown column 'idd' of table 'patients'; did you mean 'id'?"
    ]


def test_reference_to_unknown_external_column():
    assert errors_of(table("doctor_id: {type: uuid, references: auth.users.uuid}\n")) == [
        "schema.yaml:10:31: auth.users has no column 'uuid' in the spec; schemac knows auth.users(id): "
        "declare the column under 'external: {auth.users: {columns: ...}}'"
    ]


def test_reference_type_mismatch():
    assert errors_of(table("doctor_id: {type: text, references: auth.users.id}\n")) == [
        "schema.yaml:10:31: 'patients.doctor_id' is text but the referenced column is uuid; make the types match"
    ]


def test_index_on_unknown_column():
    assert errors_of(table("name: {type: text}\n", extra="indexes:\n  - columns: [name, nmae]\n")) == [
        "schema.yaml:12:25: index names unknown column 'nmae' of table 'patients'; did you mean 'name'?"
    ]


def test_constraint_on_unknown_column():
    errs = errors_of(table("name: {type: text}\n", extra="unique:\n  - columns: [phone]\n"))
    assert errs == ["schema.yaml:12:19: unique constraint names unknown column 'phone' of table 'patients'; columns of patients: id, name"]


def test_composite_foreign_key_on_unknown_column():
    extra = "foreign_keys:\n  - columns: [ghost]\n    references: {table: patients, columns: [id]}\n"
    assert errors_of(table("name: {type: text}\n", extra=extra)) == [
        "schema.yaml:12:9: foreign key names unknown column 'ghost' of table 'patients'"
    ]


def test_duplicate_index_name():
    extra = "indexes:\n  - columns: [name]\n    name: patients_pkey\n"
    assert errors_of(table("name: {type: text}\n", extra=extra)) == [
        "schema.yaml:12:9: the name 'patients_pkey' (an index on patients) is already used by the primary key of patients; give one of them another name"
    ]


def test_duplicate_constraint_name():
    extra = "checks:\n  - {name: same_check, expression: length(name) > 0}\n  - {name: same_check, expression: length(name) < 99}\n"
    assert errors_of(table("name: {type: text}\n", extra=extra)) == [
        "schema.yaml:13:9: constraint name 'same_check' is used twice on table patients; give one of them another name"
    ]


def test_enum_default_outside_the_enum():
    assert errors_of(table("status: {enum: status, default: open}\n")) == [
        "schema.yaml:10:30: default 'open' is not a value of enum status; use one of: active, closed"
    ]


def test_unknown_enum():
    assert errors_of(table("status: {enum: statuss}\n")) == ["schema.yaml:10:16: unknown enum 'statuss'; did you mean 'status'?"]


def test_invalid_identifier():
    assert errors_of(table("Full-Name: {type: text}\n")) == [
        "schema.yaml:10:7: column name 'Full-Name' is not a valid name: use lowercase letters, digits and underscores, "
        "starting with a letter or underscore (snake_case)"
    ]


def test_identifier_longer_than_63_bytes():
    long = "a" * 64
    assert errors_of(table(f"{long}: {{type: text}}\n")) == [
        f"schema.yaml:10:7: column name '{'a' * 20}…' is 64 bytes; PostgreSQL truncates names longer than 63 bytes: shorten it"
    ]


def test_unicode_identifier_is_measured_in_bytes():
    name = "é" * 32  # 64 bytes, 32 characters
    errs = errors_of(table(f"{name}: {{type: text}}\n"))
    assert errs[0].startswith("schema.yaml:10:7: column name") and "64 bytes" in errs[0]


def test_default_of_wrong_type():
    assert errors_of(table("age: {type: integer, default: ten}\n")) == [
        "schema.yaml:10:28: the default of an integer column must be a whole number (got a string 'ten')"
    ]


def test_default_function_outside_the_closed_list():
    assert errors_of(table("at: {type: timestamptz, default: clock_timestamp()}\n")) == [
        "schema.yaml:10:31: 'clock_timestamp()' is not one of the default functions (now(), current_date, gen_random_uuid(), auth.uid()); "
        "for any other SQL write 'default_expression: \"clock_timestamp()\"' instead of 'default'"
    ]


def test_a_default_expression_is_called_one_not_a_bad_timestamp():
    """The issue's report: `now() + interval '7 days'` was 'not a timestamp'."""
    assert errors_of(table("at: {type: timestamptz, default: \"now() + interval '7 days'\"}\n")) == [
        "schema.yaml:10:31: 'now() + interval '7 days'' is not one of the default functions (now(), current_date, gen_random_uuid(), "
        "auth.uid()); for any other SQL write 'default_expression: \"now() + interval '7 days'\"' instead of 'default'"
    ]
    assert errors_of(table("at: {type: timestamptz, default: CURRENT_TIMESTAMP}\n"))[0].startswith(
        "schema.yaml:10:31: 'CURRENT_TIMESTAMP' is not one of the default functions"
    )


def test_a_postgresql_feature_key_is_not_matched_to_a_far_away_key():
    """`generated` used to get "did you mean 'encrypted'?"; now it is a key, and far-off keys get no suggestion."""
    [error] = errors_of(table("total: {type: integer, exclude: a}\n"))
    assert error.startswith("schema.yaml:10:30: unknown key 'exclude'; an exclusion constraint is written on the table (`exclude:` beside `columns:`), not here; allowed keys here:")
    assert "did you mean" not in error
    [error] = errors_of(table("nme: {type: text, descripton: x}\n"))
    assert "did you mean 'description'?" in error


@pytest.mark.parametrize("target", ["auth.users", "patients"])
def test_references_to_a_table_without_its_column(target):
    """`references: auth.users` used to be "unknown table 'auth'"."""
    assert errors_of(table(f"user_id: {{type: uuid, references: {target}}}\n")) == [
        f"schema.yaml:10:29: 'references: {target}' names a table but not its column; write 'references: {target}.id'"
    ]


def test_set_null_needs_a_nullable_column():
    assert errors_of(table("doctor_id: {type: uuid, references: auth.users.id, on_delete: set null}\n")) == [
        "schema.yaml:10:58: 'on_delete: set null' needs a nullable column; add 'nullable: true' to 'doctor_id'"
    ]


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("true); DROP TABLE patients; --", '12:26: SQL syntax error in the expression: syntax error at or near ")"; fix it at this point'),
        ("true; DROP TABLE patients", "12:26: a ';' would end the statement; an expression must be a single SQL expression"),
        ("name = 'unterminated", """12:29: SQL syntax error in the expression: unterminated quoted string at or near "'unterminated"; fix it at this point"""),
        ("1$a$ > 0 OR 'x$a$)); COMMIT; DROP TABLE sentinel; SELECT (($a$' = 'x'", """12:23: SQL syntax error in the expression: syntax error at or near "$a$ > 0 OR 'x$a$"; fix it at this point"""),
        ("nmae <> ''", "12:22: the check expression names unknown column 'nmae' of table 'patients'; did you mean 'name'?"),
        ("name IN (SELECT 'x')", "12:27: PostgreSQL does not allow a subquery in a check expression; use only this row's columns"),
    ],
)
def test_hostile_check_expression_is_refused_at_the_offending_character(expression, expected):
    errs = errors_of(table("name: {type: text}\n", extra="checks:\n  - expression: " + _yaml_str(expression) + "\n"))
    assert errs == [f"schema.yaml:{expected}"]


@pytest.mark.parametrize(
    "expression, emitted",
    [
        ("name = $$x$$", "name = 'x'"),
        ("name <> '' -- trailing", "name <> ''"),
        ("name <> 'a\\' AND name <> ';DROP TABLE x;--'", "name <> E'a\\\\' AND name <> ';DROP TABLE x;--'"),
        ("name <> E'\\x1b[31m'", "name <> E'\\u001B[31m'"),
    ],
)
def test_a_check_expression_is_emitted_as_the_parsers_own_form(expression, emitted):
    text = HEADER + table("name: {type: text}\n", extra="checks:\n  - expression: " + _yaml_str(expression) + "\n")
    schema = build_schema(load_yaml(text, "schema.yaml"), text.encode(), "schema.yaml")
    assert [c.expression for c in schema.table("patients").checks] == [emitted]


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_every_problem_is_reported_in_one_run():
    body = table(
        """\
        name: {type: txt}
        age: {type: integer, nullable: maybe}
        status: {enum: status, default: open}
        doctor_id: {type: uuid, references: doctors.id}
        """,
        extra="indexes:\n  - columns: [ghost]\ndescripton: typo\n",
    )
    errs = errors_of(body)
    assert [e.split(": ", 1)[0] for e in errs] == [
        "schema.yaml:10:14",
        "schema.yaml:11:28",
        "schema.yaml:12:30",
        "schema.yaml:13:31",
        "schema.yaml:15:19",
        "schema.yaml:16:5",
    ]


# ---------------------------------------------------------------- hostile YAML and values PostgreSQL would refuse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tables:\n  t: \x01\n", "schema.yaml:2:6: YAML cannot contain the control character U+0001; remove it"),
        ("tables: !!python/object:os.system x\n", "schema.yaml:1:9: the YAML tag 'tag:yaml.org,2002:python/object:os.system' is not supported; write a plain value"),
        ("x: &a [1]\ny: *a\ntables: {}\n", "schema.yaml:1:4: YAML anchors and aliases (&name / *name) are not supported; write the value out"),
        ("a: &a [*a]\n", "schema.yaml:1:4: YAML anchors and aliases (&name / *name) are not supported; write the value out"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "schema.yaml:1:68: the YAML is nested more than 64 levels deep here; flatten it"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "schema.yaml:1:68: the YAML is nested more than 64 levels deep here; flatten it"),
        ("tables: {}\n", "schema.yaml:1:1: 'tables' is empty; declare at least one table under it"),
    ],
    ids=["control-char", "python-tag", "alias", "recursive-alias", "deep", "very-deep", "no-tables"],
)
def test_hostile_yaml_is_a_positioned_error(text, expected):
    with pytest.raises(SpecErrors) as info:
        build_schema(load_yaml(text, "schema.yaml"), text.encode(), "schema.yaml")
    assert expected in [str(e) for e in info.value.errors]


def test_an_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    with pytest.raises(SpecErrors) as info:
        build_schema(load_yaml(text, "schema.yaml"), text.encode(), "schema.yaml")
    assert any("anchors and aliases" in str(e) for e in info.value.errors)


@pytest.mark.parametrize(
    "column, expected",
    [
        ("d: {type: date, default: 2026-13-45}", "schema.yaml:10:23: '2026-13-45' is not a date; write it as 'YYYY-MM-DD'"),
        ("j: {type: jsonb, default: {a: .inf}}", "schema.yaml:10:24: the default of a jsonb column must be plain JSON data (no NaN or infinity)"),
        ("n: {type: 'numeric(1001,2)'}", "schema.yaml:10:11: numeric precision must be between 1 and 1000 (got 1001); PostgreSQL would refuse 'type: numeric(1001,2)'"),
        ("n: {type: 'numeric(5,6)'}", "schema.yaml:10:11: numeric scale must be between 0 and the precision 5 (got 6); PostgreSQL would refuse 'type: numeric(5,6)'"),
        ("v: {type: 'varchar(0)'}", "schema.yaml:10:11: varchar length must be between 1 and 10485760 (got 0); PostgreSQL would refuse 'type: varchar(0)'"),
        ("xmin: {type: text}", "schema.yaml:10:7: 'xmin' is a PostgreSQL system column name; every table already has one: rename the column"),
        ("b: {type: text, nullable: 'yes'}", "schema.yaml:10:23: 'nullable' must be true or false (got a string 'yes')"),
        ("b: {type: text, unique: 0}", "schema.yaml:10:23: 'unique' must be true or false (got a number 0)"),
        ("b: {type: text, description: 12}", "schema.yaml:10:23: 'description' must be a string (got a number 12); quote it if YAML read it as another type"),
        ("b: {type: text, nullable: null}", "schema.yaml:10:23: 'nullable' must be true or false (got null)"),
    ],
)
def test_values_postgresql_would_refuse_are_caught_early(column, expected):
    assert expected in errors_of(table(column + "\n"))


def test_a_bad_list_item_names_the_list_and_hides_nothing_else():
    extra = (
        "indexes:\n  - columns: [name]\n    using: hashh\n  - columns: [ghost]\n"
        "policies:\n  - name: p\n    for: [select, selec]\n"
    )
    errs = errors_of(table("name: {type: text}\n", extra=extra))
    assert errs == [
        "schema.yaml:13:9: 'using' cannot be 'hashh'; expected 'btree', 'gin', 'gist', 'hash', 'brin', 'spgist', 'hnsw' or 'ivfflat'",
        "schema.yaml:14:19: index names unknown column 'ghost' of table 'patients'; columns of patients: id, name",
        "schema.yaml:17:23: 'for' item '2' cannot be 'selec'; expected 'select', 'insert', 'update', 'delete' or 'all'",
    ]


def test_a_spec_file_name_with_a_line_break_never_reaches_the_outputs(tmp_path):
    from schemac.pipeline import load_schema

    spec = tmp_path / "a\nDROP TABLE auth.users;\n--.yaml"
    spec.write_text("tables:\n  t:\n    classification: phi\n    columns: {id: {type: uuid}}\n")
    with pytest.raises(SpecErrors) as info:
        load_schema(str(spec))
    assert [e.message for e in info.value.errors] == [
        "the spec's file name may hold only letters, digits, '.', '_', '-' and spaces; rename the file"
    ]


@pytest.mark.parametrize("name", ["a\u2028b.yaml", "a--><img src=x>.yaml", "x\x1b[2J.yaml"])
def test_spec_file_names_that_could_break_a_comment_are_refused(tmp_path, name):
    from schemac.pipeline import load_schema

    spec = tmp_path / name
    spec.write_text("tables:\n  t:\n    classification: phi\n    columns: {id: {type: uuid}}\n")
    with pytest.raises(SpecErrors):
        load_schema(str(spec))


def test_messages_escape_line_separators_from_the_spec():
    errs = errors_of(table('b: {type: "text\\u2028schema.yaml:1:1: all good\\u202e"}\n'))
    assert len(errs) == 1
    assert "\u2028" not in errs[0] and "\u202e" not in errs[0]
    assert "\\u2028schema.yaml:1:1: all good\\u202e" in errs[0]


def test_escaped_control_characters_are_refused_at_the_value():
    errs = errors_of(table('b: {type: text, description: "\\e]0;pwned\\a text"}\n'))
    assert errs == ["schema.yaml:10:36: text cannot contain the control character U+001B (here written as an escape); remove it"]


def test_a_numeric_default_that_overflows_the_column_is_refused():
    assert errors_of(table("n: {type: 'numeric(3,1)', default: 12345.6}\n")) == [
        "schema.yaml:10:33: 12345.6 does not fit numeric(3,1): at most 2 digits before the decimal point"
    ]
    assert errors_of(table("n: {type: 'numeric(3,1)', default: 99.94}\nbad: {type: nope}\n"))[0].startswith("schema.yaml:11")


def test_escaped_lone_surrogates_are_refused_at_their_place_and_nothing_is_written(tmp_path):
    """"\\ud800" in a double-quoted string is no character: UTF-8 cannot store it, so it crashed the hashing of the
    outputs (a traceback) before it was refused here."""
    errs = errors_of(table('b: {type: text, description: "half \\ud800 a pair"}\n"k\\udfffey": {type: text}\n'))
    assert errs == [
        "schema.yaml:10:36: text cannot contain the lone surrogate U+D800 (not a character: UTF-8 cannot store it) "
        "(here written as an escape); remove it",
        "schema.yaml:11:7: a key cannot contain the lone surrogate U+DFFF (not a character: UTF-8 cannot store it); remove it",
    ], errs
    from helpers import run_cli

    (tmp_path / "schema.yaml").write_text(HEADER + table('b: {type: text, description: "half \\ud800 a pair"}\n'), encoding="utf-8")
    result = run_cli("compile", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "lone surrogate U+D800" in result.stderr
    assert not (tmp_path / "compiled").exists()
