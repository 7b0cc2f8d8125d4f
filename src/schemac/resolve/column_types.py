"""Column types and defaults: parsing a spec's type string, checking a default against it, rendering it as SQL."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from typing import Any

from ..spec.grammar import kind_of
from ..spec.load import Path
from ..model import ColumnType, Default, Enum
from .expressions import calls_a_function
from .problems import Problems
from ..sqltext import quote_literal

# The closed list of default functions, and the column types each may fill.
DEFAULT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "now()": ("timestamptz", "timestamp", "date", "time"),
    "current_date": ("date",),
    "gen_random_uuid()": ("uuid",),
    "auth.uid()": ("uuid",),
}

# Built-in types without parameters beyond the classic ones; ranges, network and text-search types included.
PLAIN_TYPES = (
    "real|double precision|bytea|inet|cidr|macaddr|interval|tsvector|tsquery|timetz|"
    "int4range|int8range|numrange|tsrange|tstzrange|daterange|bpchar"
)
TYPE_RE = re.compile(
    r"^(?P<base>text|varchar|char|smallint|integer|bigint|boolean|uuid|date|time|timestamptz|timestamp|jsonb|json|numeric|"
    + PLAIN_TYPES
    + r")(?:\((?P<params>\s*\d+\s*(?:,\s*\d+\s*)?)\))?(?P<array>\[\])?$"
)
TYPE_ALIASES = {
    "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint", "bool": "boolean",
    "float4": "real", "float8": "double precision", "double": "double precision",
    "time with time zone": "timetz", "time without time zone": "time",
}
# serial types: the integer type they stand for (the sequence and its nextval default come with them)
SERIAL_TYPES = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint", "serial2": "smallint", "serial4": "integer", "serial8": "bigint"}
# types an extension brings -> the extension (declared under `extensions:`, which says its schema)
EXTENSION_TYPES = {"citext": "citext", "hstore": "hstore", "ltree": "ltree", "vector": "vector"}
VECTOR_TYPE = re.compile(r"^vector\((?P<dimensions>\d+)\)$")  # pgvector's vector(n), embeddings; bare `vector` has any size
MAX_VECTOR_DIMENSIONS = 16000  # pgvector's limit
TYPE_LIST = (
    "text, integer, bigint, smallint, boolean, uuid, date, time, timestamptz, jsonb, numeric(p,s), varchar(n), char(n), "
    "timestamp, json, real, double precision, bytea, inet, cidr, macaddr, interval, tsvector, tsquery, timetz, "
    "int4range, int8range, numrange, tsrange, tstzrange, daterange, bpchar, serial, bigserial, smallserial, "
    "an extension's citext, hstore, ltree or vector(n) (pgvector), or any of them with []"
)


# PostgreSQL's limits: numeric precision 1..1000 with 0 <= scale <= precision; varchar/char length 1..10485760.
MAX_NUMERIC_PRECISION = 1000
MAX_CHAR_LENGTH = 10485760


def parse_type(text: str) -> ColumnType | None:
    """Parse a spec type string ('numeric(10,2)', 'text[]') into a ColumnType, or None when it is not one."""
    t = " ".join(text.strip().lower().split())
    array = t.endswith("[]")
    core = t[:-2] if array else t
    core = TYPE_ALIASES.get(core, core)
    if core in ("timestamp with time zone",):
        core = "timestamptz"
    if core in ("timestamp without time zone",):
        core = "timestamp"
    if core in EXTENSION_TYPES:
        return ColumnType(core, (), array, schema="?")  # the extension's schema is filled in by the caller
    if m := VECTOR_TYPE.match(core.replace(" ", "")):
        return ColumnType("vector", (int(m["dimensions"]),), array, schema="?")
    m = TYPE_RE.match(core + ("[]" if array else ""))
    if not m:
        return None
    base = m["base"]
    params = tuple(int(p) for p in m["params"].split(",")) if m["params"] else ()
    if params and base not in ("varchar", "char", "numeric"):
        return None
    if base == "numeric" and len(params) == 1:
        params = (params[0], 0)
    if base in ("varchar", "char") and len(params) > 1:
        return None
    if base == "char" and not params:
        params = (1,)
    return ColumnType(base, params, bool(m["array"]))


def type_range_problem(ctype: ColumnType) -> str | None:
    """Why PostgreSQL would refuse these type parameters, or None."""
    if ctype.base == "numeric" and ctype.params:
        precision, scale = ctype.params
        if not 1 <= precision <= MAX_NUMERIC_PRECISION:
            return f"numeric precision must be between 1 and {MAX_NUMERIC_PRECISION} (got {precision})"
        if not 0 <= scale <= precision:
            return f"numeric scale must be between 0 and the precision {precision} (got {scale})"
    if ctype.base == "vector" and ctype.params and not 1 <= ctype.params[0] <= MAX_VECTOR_DIMENSIONS:
        return f"vector dimensions must be between 1 and {MAX_VECTOR_DIMENSIONS} (got {ctype.params[0]})"
    if ctype.base in ("varchar", "char") and ctype.params and not 1 <= ctype.params[0] <= MAX_CHAR_LENGTH:
        return f"{ctype.base} length must be between 1 and {MAX_CHAR_LENGTH} (got {ctype.params[0]})"
    return None


def build_default(value: Any, ctype: ColumnType, enum: Enum | None, path: Path, problems: Problems) -> Default | None:
    """Check a default against the column type and render it as SQL."""
    if isinstance(value, str) and value.strip() in DEFAULT_FUNCTIONS:
        fn = value.strip()
        if ctype.array or ctype.base not in DEFAULT_FUNCTIONS[fn]:
            problems.add(path, f"{fn} cannot be the default of a {ctype.sql} column; it fills {', '.join(DEFAULT_FUNCTIONS[fn])} columns")
            return None
        return Default(fn, function=fn)
    if isinstance(value, str) and (re.fullmatch(r"[A-Za-z_][\w.]*\(.*\)", value.strip()) or calls_a_function(value)):
        problems.add(path, f"'{value}' is not one of the default functions ({', '.join(DEFAULT_FUNCTIONS)}); for any other SQL write 'default_expression: \"{value}\"' instead of 'default'")
        return None
    sql = _literal_sql(value, ctype, enum)
    if isinstance(sql, str) and not sql.startswith("!"):
        return Default(sql, value=_plain(value))
    message = sql[1:] if isinstance(sql, str) else f"invalid default for a {ctype.sql} column"
    if isinstance(value, str) and "default_expression" not in message and LOOKS_LIKE_SQL.search(value):
        message += f"; if '{value}' is SQL to evaluate, write 'default_expression: \"{value}\"' instead of 'default'"
    problems.add(path, message)
    return None


# a string default that fails as a literal but reads as SQL (a call, a cast, arithmetic) gets the default_expression hint
LOOKS_LIKE_SQL = re.compile(r"[()]|::|\s[-+*/|]+\s|\binterval\b", re.IGNORECASE)


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def _literal_sql(value: Any, ctype: ColumnType, enum: Enum | None) -> str:
    """SQL for a literal default, or '!reason' when it does not fit the type."""
    base = ctype.base
    if enum is not None and enum.native:
        if not isinstance(value, str) or value not in enum.values:
            return f"!default {value!r} is not a value of enum {enum.name}; use one of: {', '.join(enum.values)}"
        return f"{quote_literal(value)}::{ctype.sql}"
    if ctype.array:
        if not isinstance(value, list):
            return f"!the default of a {ctype.sql} column must be a list, e.g. []"
        items = []
        for v in value:
            item = _literal_sql(v, ColumnType(base, ctype.params), enum)
            if item.startswith("!"):
                return item
            items.append(item)
        return f"ARRAY[{', '.join(items)}]::{ctype.sql}" if items else f"'{{}}'::{ctype.sql}"
    if base in ("json", "jsonb"):
        try:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return f"!the default of a {base} column must be plain JSON data (no NaN or infinity)"
        return f"{quote_literal(text)}::{base}"
    if base in ("text", "varchar", "char"):
        if not isinstance(value, str):
            return f"!the default of a text column must be a string; quote it (got {kind_of(value)} {value!r})"
        if enum is not None and value not in enum.values:
            return f"!default '{value}' is not a value of enum {enum.name}; use one of: {', '.join(enum.values)}"
        if "\x00" in value:
            return "!text defaults cannot contain NUL characters"
        if base != "text" and len(value) > ctype.params[0]:
            return f"!default is longer than {ctype.sql} allows"
        return quote_literal(value)
    if base in ("smallint", "integer", "bigint"):
        limits = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}[base]
        if isinstance(value, bool) or not isinstance(value, int):
            return f"!the default of {article(base)} {base} column must be a whole number (got {kind_of(value)} {value!r})"
        if not -limits <= value < limits:
            return f"!{value} does not fit in {base}"
        return str(value)
    if base == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return f"!the default of a numeric column must be a number (got {kind_of(value)})"
        return _numeric_sql(value, ctype)
    if base in ("real", "double precision"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
            return f"!the default of a {base} column must be a finite number (got {kind_of(value)} {value!r})"
        return repr(float(value))
    if base == "boolean":
        if not isinstance(value, bool):
            return f"!the default of a boolean column must be true or false (got {kind_of(value)} {value!r})"
        return "true" if value else "false"
    if base == "uuid":
        try:
            return quote_literal(str(uuid.UUID(str(value)))) + "::uuid"
        except ValueError:
            return f"!'{value}' is not a UUID"
    if base == "date":
        try:
            d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return f"!'{value}' is not a date; write it as 'YYYY-MM-DD'"
        return quote_literal(d.isoformat()) + "::date"
    if base == "time":
        if not isinstance(value, str):
            return "!write time defaults in quotes, e.g. '09:00' (unquoted, YAML reads 09:00 as a number)"
        try:
            t = dt.time.fromisoformat(value)
        except ValueError:
            return f"!'{value}' is not a time; write it as 'HH:MM' or 'HH:MM:SS'"
        return quote_literal(t.isoformat()) + "::time"
    if base in ("timestamptz", "timestamp"):
        try:
            ts = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        except ValueError:
            return f"!'{value}' is not a timestamp; write it as ISO 8601, e.g. '2026-01-20T09:00:00Z'"
        return quote_literal(ts.isoformat()) + f"::{base}"
    return f"!literal defaults are not supported for {ctype.sql} columns; write the SQL under 'default_expression' instead"


# PostgreSQL's numeric holds up to 131072 digits before the decimal point and 16383 after it.
NUMERIC_WHOLE_DIGITS, NUMERIC_FRACTION_DIGITS = 131072, 16383


def _numeric_sql(value: Any, ctype: ColumnType) -> str:
    """A numeric default as exact SQL, or '!reason' when it does not fit (any precision PostgreSQL allows)."""
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = NUMERIC_WHOLE_DIGITS + NUMERIC_FRACTION_DIGITS + 2, 10**9, -(10**9)
        ctx.traps[decimal.Inexact] = False
        try:
            try:
                d = decimal.Decimal(getattr(value, "text", None) or str(value))  # a YAML float's own digits, not its binary value
            except decimal.InvalidOperation:
                d = decimal.Decimal(str(value))  # YAML spellings Decimal does not know (.inf, .nan)
        except decimal.InvalidOperation:
            return f"!'{str(value)[:40]}' is not a number"
        if not d.is_finite():
            return "!numeric defaults must be finite numbers"
        whole = d.adjusted() + 1 if d else 0  # digits before the decimal point
        if ctype.params:
            precision, scale = ctype.params
            if whole > precision - scale + 1:
                return f"!{str(value)[:40]} does not fit {ctype.sql}: at most {precision - scale} digits before the decimal point"
            rounded = d.quantize(decimal.Decimal(1).scaleb(-scale), decimal.ROUND_HALF_UP)
            if (rounded.adjusted() + 1 if rounded else 0) > precision - scale:
                return f"!{str(value)[:40]} does not fit {ctype.sql}: at most {precision - scale} digits before the decimal point"
        elif whole > NUMERIC_WHOLE_DIGITS or -d.as_tuple().exponent > NUMERIC_FRACTION_DIGITS:
            return f"!{str(value)[:40]} is beyond what PostgreSQL's numeric holds ({NUMERIC_WHOLE_DIGITS} digits before the point, {NUMERIC_FRACTION_DIGITS} after)"
        text = format(d, "f")
    return text
