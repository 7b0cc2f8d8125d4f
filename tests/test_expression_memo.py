"""An expression's text is parsed once (expressions._parsed), but what it means depends on where it is:
the same text must be checked against each place and each table's columns, never given an earlier answer."""

from __future__ import annotations

from helpers import build_errors

from schemac.resolve.expressions import CHECK, DEFAULT, INDEX_PREDICATE, Expression, Scope, read_expression


def test_same_text_checked_against_each_tables_columns():
    ok = read_expression("quantity >= 0", CHECK, Scope("a", frozenset({"quantity"})))
    assert ok == Expression("quantity >= 0", ("quantity",))
    wrong = read_expression("quantity >= 0", CHECK, Scope("b", frozenset({"qty"})))
    assert [p.message for p in wrong] == ["the check expression names unknown column 'quantity' of table 'b'; columns of b: qty"]
    again = read_expression("quantity >= 0", CHECK, Scope("c", frozenset({"quantity", "other"})))
    assert again == Expression("quantity >= 0", ("quantity",))


def test_same_text_checked_against_each_place():
    assert isinstance(read_expression("now() IS NOT NULL", CHECK, Scope("a")), Expression)
    refused = read_expression("now() IS NOT NULL", INDEX_PREDICATE, Scope("a"))
    assert [p.message for p in refused] == ["now() is not immutable; an index predicate may only use immutable functions"]
    assert [p.message for p in read_expression("quantity + 1", DEFAULT, Scope("a", frozenset({"quantity"})))] == [
        "a default expression cannot read columns ('quantity'); write a constant or a function call"
    ]
    assert read_expression("quantity + 1", CHECK, Scope("a", frozenset({"quantity"}))) == Expression("quantity + 1", ("quantity",))


def test_problems_of_a_text_are_each_callers_own():
    first = read_expression("1 +", CHECK, Scope("a"))
    first.clear()  # a caller changing its list must not change the next caller's answer
    second = read_expression("1 +", CHECK, Scope("a"))
    assert len(second) == 1 and second[0].message.startswith("SQL syntax error in the expression")


def test_a_repeated_check_is_reported_in_every_table_that_lacks_its_column(tmp_path):
    errors = build_errors(
        tmp_path,
        """
        profile: none
        tables:
          a:
            columns:
              id: {type: uuid, primary_key: true}
              quantity: {type: integer}
            checks:
              - expression: quantity >= 0
          b:
            columns:
              id: {type: uuid, primary_key: true}
              qty: {type: integer}
            checks:
              - expression: quantity >= 0
          c:
            columns:
              id: {type: uuid, primary_key: true}
              amount: {type: integer}
            checks:
              - expression: quantity >= 0
        """,
    )
    assert [e.split(": ", 1)[0] for e in errors] == ["schema.yaml:14:21", "schema.yaml:20:21"]
    assert "unknown column 'quantity' of table 'b'" in errors[0] and "unknown column 'quantity' of table 'c'" in errors[1]
