"""Property: any expression text, drawn from PostgreSQL's grammar or mutated byte by byte, is refused at a position
or emitted as exactly one expression that the real server accepts and parses to the same tree."""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pglast import parser

from schemac.db.server import scratch_database
from schemac.resolve.expressions import CHECK, POLICY_USING, Expression, Scope, tree_shape, read_expression

COLUMNS = frozenset({"a", "b", "name"})
SCOPE = Scope("t", COLUMNS, {"t": COLUMNS})

literals = st.sampled_from(
    ["1", "0.5", "1e3", "'x'", "''''", "E'\\\\'", "E'\\x1b'", "U&'\\0041'", "$$x$$", "$q$a;b$q$", "NULL", "true",
     "'a$b$'", "1$a$", "'--'", "'/*'", "B'101'", "X'ff'", "interval '1 day'"]
)
columns = st.sampled_from(["a", "b", "name", "t.a", "nope", "\"a\"", "x.y"])
operators = st.sampled_from(["=", "<>", "<", ">", "+", "-", "||", "AND", "OR", "IS DISTINCT FROM", "LIKE", "~"])
noise = st.sampled_from([";", "；", "--", "/*", "*/", ")", "(", "$", "$a$", "'", "\"", "\\", ",", " FROM t", " UNION SELECT 1", "\n"])


@st.composite
def expressions(draw, depth=0):
    kind = draw(st.integers(0, 6 if depth < 3 else 1))
    if kind == 0:
        return draw(literals)
    if kind == 1:
        return draw(columns)
    if kind == 2:
        return f"{draw(expressions(depth + 1))} {draw(operators)} {draw(expressions(depth + 1))}"
    if kind == 3:
        fn = draw(st.sampled_from(["length", "lower", "coalesce", "now", "count", "generate_series", "abs"]))
        return f"{fn}({draw(expressions(depth + 1))})"
    if kind == 4:
        return f"({draw(expressions(depth + 1))})::{draw(st.sampled_from(['text', 'int', 'numeric(10,2)', 'boolean']))}"
    if kind == 5:
        return f"EXISTS (SELECT 1 FROM t WHERE {draw(expressions(depth + 1))})"
    return f"{draw(expressions(depth + 1))} /* {draw(noise)} */ {draw(noise)}"


@st.composite
def mutated(draw):
    text = draw(expressions())
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:i] + draw(noise) + text[i:]
        elif action == 1:
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + chr(draw(st.integers(1, 0x2FFF))) + text[i:]
    return text


@pytest.fixture(scope="module")
def server_conn(pg_server):
    with scratch_database(pg_server, "schemac_prop") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (a int, b int, name text)")
            yield conn


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.one_of(expressions(), mutated()), policy=st.booleans())
def test_an_expression_is_refused_at_a_position_or_emitted_as_one_expression_postgresql_accepts(server_conn, text, policy):
    place = POLICY_USING if policy else CHECK
    result = read_expression(text, place, SCOPE)
    if not isinstance(result, Expression):
        assert result and all(0 <= p.offset <= len(text) and p.message for p in result)
        return
    statements = parser.parse_sql(f"SELECT {result.sql}")
    assert len(statements) == 1 and len(statements[0].stmt.targetList) == 1
    assert tree_shape(statements[0].stmt.targetList[0].val) == tree_shape(parser.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val)
    with server_conn.transaction(force_rollback=True):  # PostgreSQL itself: the emitted text is one valid expression
        try:
            if policy:
                server_conn.execute(f"ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t USING ({result.sql})")
            else:
                server_conn.execute(f"ALTER TABLE t ADD CONSTRAINT c CHECK ({result.sql})")
        except psycopg.errors.SyntaxError as exc:
            pytest.fail(f"PostgreSQL could not parse {result.sql!r}: {exc}")
        except psycopg.Error:
            pass  # well-formed but ill-typed (e.g. text > int): PostgreSQL's type check, not a breakout
    assert server_conn.execute("SELECT count(*) FROM pg_class WHERE relname = 't'").fetchone()[0] == 1
