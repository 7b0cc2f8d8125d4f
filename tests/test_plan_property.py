"""Property: for a random spec and a random evolution of it, the plan takes a database holding rows to the new spec.

Hypothesis draws an old spec from the grammar (tables with typed, nullable, defaulted, unique
and enum columns, composite-free foreign keys, indexes, checks, policies, RLS and timestamps, and
the table grammar's constructs: identity keys, native enum types, foreign keys with ON UPDATE and
DEFERRABLE, expression defaults, generated columns, exclusion constraints on a range column) and a
new one by applying random changes (add, drop and rename tables and columns with `renamed_from`,
widen types, change nullability with a backfill, defaults, collations, enum values added, renamed
or removed, indexes, policies, RLS, timestamps, descriptions, identity options, FK options,
expression defaults, generation expressions, exclusion constraints). The old
spec's migration is applied to a real PostgreSQL, two rows per table are inserted, the plan is
applied, and the catalog must equal a fresh build of the new spec (plan_pairs.migrated), with
every row of a table that survives still there.

CI runs SCHEMAC_PLAN_EXAMPLES examples (default 25); set it higher to search longer.
"""

from __future__ import annotations

import copy
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan_pairs import migrated, spec

EXAMPLES = int(os.environ.get("SCHEMAC_PLAN_EXAMPLES", "25"))

# type -> (a default the spec may give, SQL for row i)
TYPES = {
    "text": ("hello", lambda i: f"'v{i}'"),
    "varchar(20)": ("short", lambda i: f"'v{i}'"),
    "integer": (7, lambda i: str(i)),
    "smallint": (3, lambda i: str(i)),
    "bigint": (9, lambda i: str(i)),
    "numeric(10,2)": (1.5, lambda i: f"{i}.25"),
    "boolean": (True, lambda i: "true" if i else "false"),
    "uuid": ("gen_random_uuid()", lambda i: "gen_random_uuid()"),
    "date": ("current_date", lambda i: f"date '2024-01-0{i + 1}'"),
    "timestamptz": ("now()", lambda i: f"now() + interval '{i} hour'"),
    "jsonb": (None, lambda i: f"'{{\"k\": {i}}}'"),
    "text[]": ([], lambda i: f"ARRAY['a{i}']"),
    "time": ("09:30", lambda i: f"time '0{i}:15'"),
}
WIDER = {"smallint": "integer", "integer": "bigint", "varchar(20)": "text", "numeric(10,2)": "numeric(12,2)"}
TABLE_NAMES = ["alpha", "beta", "gamma", "delta"]
COLUMN_NAMES = ["c1", "c2", "c3", "c4", "c5", "c6"]
ENUM_VALUES = ["red", "green", "blue", "amber"]


RANGE_ROW = lambda i: f"int4range({i * 10}, {i * 10 + 5})"  # noqa: E731 (rows' ranges never overlap)
EXPIRY = "now() + interval '7 days'"


@st.composite
def columns(draw, enum_names):
    if draw(st.integers(0, 2)) == 0:  # an identity key: inserts give no id
        out = {"id": {"type": "bigint", "primary_key": True, "identity": draw(st.sampled_from(["always", "by default"]))}}
    else:
        out = {"id": {"type": "uuid", "primary_key": True, "default": "gen_random_uuid()"}}
    for name in draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=1, max_size=4, unique=True)):
        col: dict = {}
        if enum_names and draw(st.integers(0, 5)) == 0:
            col["enum"] = draw(st.sampled_from(enum_names))
        else:
            col["type"] = draw(st.sampled_from(sorted(TYPES)))
        col["nullable"] = draw(st.booleans())
        default = TYPES[col.get("type", "text")][0] if "type" in col else None
        if draw(st.booleans()) and default is not None:
            col["default"] = default
        if col.get("type") in ("text", "integer") and draw(st.integers(0, 4)) == 0:
            col["unique"] = True
        out[name] = col
    if draw(st.integers(0, 3)) == 0:
        out["expires_at"] = {"type": "timestamptz", "default_expression": EXPIRY}
    if draw(st.integers(0, 3)) == 0:
        out["id_text_length"] = {"type": "integer", "generated": "length(id::text)"}
    if draw(st.integers(0, 3)) == 0:
        out["slot"] = {"type": "int4range", "nullable": True}
    return out


@st.composite
def old_specs(draw):
    enums = {}
    if draw(st.booleans()):
        enums["colour"] = {"values": draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=2, max_size=3, unique=True))}
        if draw(st.booleans()):
            enums["colour"]["native"] = True  # a PostgreSQL enum type instead of text + CHECK
    tables = {}
    for tname in draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=3, unique=True)):
        cols = draw(columns(sorted(enums)))
        table: dict = {"classification": "administrative", "columns": cols}
        if draw(st.booleans()):
            table["timestamps"] = True
        if draw(st.integers(0, 3)) == 0:
            table["rls"] = False
        plain = [c for c in cols if c != "id" and c not in DERIVED]
        if "slot" in cols and draw(st.booleans()):
            table["exclude"] = [{"elements": [{"column": "slot", "with": "&&"}]}]
        if draw(st.booleans()):
            c = draw(st.sampled_from(plain))
            index = {"columns": [c]}
            if draw(st.booleans()):
                index["where"] = f"{c} IS NOT NULL"
            if "type" in cols[c] and cols[c]["type"] not in ("text[]", "jsonb") and draw(st.booleans()):
                index["using"] = "hash"
            table["indexes"] = [index]
        if len(plain) >= 2 and draw(st.integers(0, 3)) == 0:
            table["unique"] = [{"columns": plain[:2]}]
        if draw(st.integers(0, 2)) == 0:
            c = draw(st.sampled_from(plain))
            table["checks"] = [{"name": f"{tname}_{c}_known", "expression": f"{c} IS NOT NULL OR {c} IS NULL"}]
        if draw(st.booleans()):
            table["policies"] = [{"name": "readers", "for": ["select"], "using": "true"}]
        if tables and draw(st.booleans()):
            target = draw(st.sampled_from(sorted(tables)))
            fk = {"type": tables[target]["columns"]["id"]["type"], "nullable": True, "references": f"{target}.id", "on_delete": "set null"}
            if draw(st.booleans()):
                fk["on_update"] = "cascade"
            if draw(st.booleans()):
                fk["deferrable"] = True
            cols[f"{target}_id"] = fk
        tables[tname] = table
    return {"enums": enums, "tables": tables} if enums else {"tables": tables}


DERIVED = ("expires_at", "id_text_length", "slot")  # the grammar constructs' columns: not in the classic changes


def _referenced(spec: dict, table: str) -> bool:
    return any(c.get("references", "").startswith(table + ".") for t in spec["tables"].values() for c in t["columns"].values())


def _uses(table: dict, column: str) -> bool:
    used = [ix["columns"] for ix in table.get("indexes", [])] + [u["columns"] for u in table.get("unique", [])]
    return any(column in cols for cols in used) or any(column in ch["expression"] for ch in table.get("checks", []))


@st.composite
def evolve(draw, old: dict) -> dict:
    """A new spec: one to three random changes of `old`, each one the grammar can express."""
    new = copy.deepcopy(old)
    tables = new["tables"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from([
            "add_table", "drop_table", "rename_table", "add_column", "drop_column", "rename_column", "widen", "nullability",
            "default", "collation", "enum", "index", "policy", "rls", "timestamps", "describe", "classify", "composite_unique",
            "identity", "fk_options", "expression_default", "generated", "exclusion",
        ]))
        tname = draw(st.sampled_from(sorted(tables)))
        table = tables[tname]
        cols = table["columns"]
        plain = [c for c in cols if c != "id" and "references" not in cols[c] and c not in DERIVED]
        if kind == "add_table":
            free = [n for n in TABLE_NAMES + ["epsilon", "zeta", "eta"] if n not in tables and n not in old["tables"]]  # not a dropped one again
            tables[free[0]] = {"classification": "administrative", "columns": draw(columns(sorted(new.get("enums", {}))))}
        elif kind == "drop_table" and len(tables) > 1 and not _referenced(new, tname):
            del tables[tname]
        elif kind == "rename_table" and tname in old["tables"] and not any("renamed_from" in t for t in tables.values()):
            fresh = tname + "_v2"
            tables[fresh] = {"renamed_from": tname, **tables.pop(tname)}
            for t in tables.values():
                for c in t["columns"].values():
                    if c.get("references") == f"{tname}.id":
                        c["references"] = f"{fresh}.id"
            for ch in tables[fresh].get("checks", []):
                ch["name"] = ch["name"].replace(tname, fresh, 1)
        elif kind == "add_column":
            was = old["tables"].get(tname, {}).get("columns", {})  # a dropped name added again would be a type change
            free = [n for n in COLUMN_NAMES + ["c7", "c8"] if n not in cols and n not in was]
            ctype = draw(st.sampled_from(sorted(TYPES)))
            shape = draw(st.sampled_from(["nullable", "default", "backfill"]))
            col: dict = {"type": ctype}
            if shape == "nullable" or (shape == "default" and TYPES[ctype][0] is None):
                col["nullable"] = True
            elif shape == "default":
                col["default"] = TYPES[ctype][0]
            else:
                col["backfill"] = TYPES[ctype][1](0)
            cols[free[0]] = col
        elif kind == "drop_column" and len(plain) > 1:
            c = draw(st.sampled_from(plain))
            if not _uses(table, c):
                del cols[c]
        elif kind == "rename_column" and plain and "renamed_from" not in table and tname in old["tables"]:
            c = draw(st.sampled_from(plain))
            if c in old["tables"][tname]["columns"] and not _uses(table, c) and not any("renamed_from" in x for x in cols.values()):
                cols[c + "_new"] = {**cols.pop(c), "renamed_from": c}
        elif kind == "widen":
            wide = [c for c in plain if cols[c].get("type") in WIDER]
            if wide:
                c = draw(st.sampled_from(wide))
                cols[c]["type"] = WIDER[cols[c]["type"]]
        elif kind == "nullability" and plain:
            c = draw(st.sampled_from(plain))
            if cols[c].get("nullable") and not cols[c].get("unique"):
                cols[c]["nullable"] = False
                cols[c]["backfill"] = TYPES[cols[c].get("type", "text")][1](0) if "type" in cols[c] else f"'{new['enums'][cols[c]['enum']]['values'][0]}'"
            else:
                cols[c]["nullable"] = True
        elif kind == "default" and plain:
            c = draw(st.sampled_from(plain))
            if "default" in cols[c]:
                del cols[c]["default"]
            elif "type" in cols[c] and TYPES[cols[c]["type"]][0] is not None:
                cols[c]["default"] = TYPES[cols[c]["type"]][0]
        elif kind == "collation":
            texts = [c for c in plain if cols[c].get("type") in ("text", "varchar(20)")]
            if texts:
                c = draw(st.sampled_from(texts))
                if cols[c].pop("collation", None) is None:
                    cols[c]["collation"] = "C"
        elif kind == "enum" and "enums" in new:
            values = new["enums"]["colour"]["values"]
            op = draw(st.sampled_from(["add", "rename", "remove"]))
            taken = {v for x in values for v in ([x] if isinstance(x, str) else [x["value"], x["renamed_from"]])}
            spare = [v for v in ENUM_VALUES if v not in taken]
            plain_values = [v for v in values if isinstance(v, str)]
            if op == "add" and spare:
                values.append(spare[0])
            elif op == "rename" and spare and plain_values and len(plain_values) == len(values):
                i = values.index(draw(st.sampled_from(plain_values)))
                values[i] = {"value": spare[0], "renamed_from": values[i]}
            elif op == "remove" and len(values) > 2 and isinstance(values[-1], str) and not new["enums"]["colour"].get("native"):  # PostgreSQL cannot drop a value
                values.pop()  # rows hold the first two values only
        elif kind == "index" and plain:
            if table.get("indexes"):
                table.pop("indexes")
            else:
                table["indexes"] = [{"columns": [draw(st.sampled_from(plain))], "unique": False}]
        elif kind == "policy":
            if table.get("policies"):
                table["policies"][0]["using"] = "false" if table["policies"][0]["using"] == "true" else "true"
            else:
                table["policies"] = [{"name": "writers", "for": ["insert"], "with_check": "true"}]
        elif kind == "rls":
            table["rls"] = not table.get("rls", True)
        elif kind == "timestamps":
            table["timestamps"] = not table.get("timestamps", False)
        elif kind == "classify" and plain:
            cols[plain[-1]]["classification"] = "phi"
            table["retention"] = "Kept one year, then deleted."
            table["log"] = not table.get("log", False)
        elif kind == "composite_unique" and len(plain) >= 2:
            if table.pop("unique", None) is None:
                table["unique"] = [{"columns": plain[-2:]}]
        elif kind == "identity" and "identity" in cols["id"]:
            if isinstance(cols["id"]["identity"], str):
                cols["id"]["identity"] = {"generated": cols["id"]["identity"], "start": 100, "increment": 5}
            else:
                cols["id"]["identity"] = "by default"
        elif kind == "fk_options":
            fks = [c for c in cols if "references" in cols[c]]
            if fks:
                fk = cols[draw(st.sampled_from(fks))]
                if fk.pop("on_update", None) is None:
                    fk["on_update"] = "cascade"
                fk["deferrable"] = not fk.get("deferrable", False)
        elif kind == "expression_default":
            if "expires_at" in cols:
                cols["expires_at"]["default_expression"] = "now() + interval '30 days'" if cols["expires_at"]["default_expression"] == EXPIRY else EXPIRY
            else:
                cols["expires_at"] = {"type": "timestamptz", "default_expression": EXPIRY}
        elif kind == "generated" and "id_text_length" in cols:
            expression = cols["id_text_length"]["generated"]
            cols["id_text_length"]["generated"] = "length(id::text) + 1" if expression == "length(id::text)" else "length(id::text)"
        elif kind == "exclusion" and "slot" in cols:
            if table.pop("exclude", None) is None:
                table["exclude"] = [{"elements": [{"column": "slot", "with": "&&"}]}]
        elif kind == "describe":
            table["description"] = "Described " + tname
            if plain:
                cols[plain[0]]["description"] = "What it holds."
    return new


def rows(old: dict) -> str:
    """Two rows for every table, parents first (foreign key columns stay NULL)."""
    statements = []
    for tname, table in old["tables"].items():
        names, values = [], [[], []]
        for cname, col in table["columns"].items():
            if cname == "id" or "references" in col or "generated" in col or "default_expression" in col:
                continue
            names.append(cname)
            for i in (0, 1):
                if cname == "slot":
                    values[i].append(RANGE_ROW(i))
                elif "enum" in col:
                    values[i].append(f"'{old['enums'][col['enum']]['values'][i]}'")
                else:
                    values[i].append(TYPES[col["type"]][1](i))
        statements.append(f"INSERT INTO {tname} ({', '.join(names)}) VALUES ({'), ('.join(', '.join(v) for v in values)});")
    return "\n".join(statements)


def counts(conn, names) -> dict:
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


class WrittenOut(yaml.SafeDumper):
    """Every value written out: a value drawn twice (two columns' `default: []`) would otherwise become an anchor and
    alias, which the spec refuses."""

    def ignore_aliases(self, data) -> bool:
        return True


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_evolutions_migrate_a_database_with_rows(pg_server, tmp_path_factory, data):
    old = data.draw(old_specs(), label="old spec")
    new = data.draw(evolve(old), label="new spec")
    folder = tmp_path_factory.mktemp("pair")
    old_schema = spec(folder, "old", yaml.dump(old, Dumper=WrittenOut, sort_keys=False))
    new_schema = spec(folder, "new", yaml.dump(new, Dumper=WrittenOut, sort_keys=False))
    with migrated(pg_server, old_schema, new_schema, rows(old), allow_destructive=True, expect_change=False) as (conn, _plan):
        survivors = {name: table.get("renamed_from", name) for name, table in new["tables"].items() if table.get("renamed_from", name) in old["tables"]}
        assert counts(conn, survivors) == {name: 2 for name in survivors}
