"""The inspector: a live database read into the same `Schema` model the spec builds (Atlas's Inspector).

Built on catalog.py's reading. Expressions (defaults, checks, index predicates, policies) are
the server's own spelling, so two inspected databases compare directly, and the differ
(schemac.plan) turns their differences into the changes that would remove them. The COMMENT
texts schemac writes are parsed back into description, classification, log and retention, so a
comment written by schemac round-trips exactly; any other comment reads as a description of an
unknown classification, which the differ then proposes to rewrite.
"""

from __future__ import annotations

import re

import psycopg

from ..errors import Pos
from ..model import (
    CATALOG_TYPE_NAMES,
    CLASSIFICATION_LABELS,
    UPDATED_AT_FUNCTION,
    CatalogComment,
    Check,
    Column,
    ColumnType,
    Default,
    Enum,
    Exclusion,
    ForeignKey,
    Identity,
    Index,
    Policy,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
)
from .catalog import LiveSchema, LiveTable, read_schema

TYPE_NAMES = {catalog: base for base, catalog in CATALOG_TYPE_NAMES.items()}
LABELS = {label: classification for classification, label in CLASSIFICATION_LABELS.items()}
ENCRYPTED_PHI = "ENCRYPTED PHI: encrypted at rest and in transit"
TABLE_COMMENT = re.compile(
    r"^(?P<description>.*?) Classification: (?P<mix>[^.]*)\.(?P<log> Log table: holds IDs, never PHI\.)?(?: Retention: (?P<retention>.*))?$",
    re.DOTALL,
)
UNKNOWN = "unclassified"


def inspect_database(conn: psycopg.Connection, schema: str = "public", source: str = "database") -> Schema:
    """Every table of `schema` as the model; `source` names the database in positions."""
    return schema_from_catalog(read_schema(conn, schema), source)


def schema_from_catalog(live: LiveSchema, source: str = "database") -> Schema:
    pos = Pos(source, 1, 1)
    enum_types = frozenset(live.enums)
    tables = tuple(_table(name, t, pos, enum_types) for name, t in live.tables.items())
    # native enums are the enum types of the schema; extensions are not read (the platform installs its own)
    enums = tuple(Enum(name, labels, None, pos, native=True) for name, labels in live.enums.items())
    return Schema(tables=tables, enums=enums, source=source, source_sha256="", pos=pos)


SERIALS = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}


def column_type(catalog: str) -> ColumnType:
    """format_type() text back to a ColumnType: 'character varying(20)[]' -> varchar(20)[]."""
    array = catalog.endswith("[]")
    text = catalog[:-2] if array else catalog
    match = re.fullmatch(r"(?P<base>[^(]+?)(?:\((?P<params>[\d,]+)\))?(?P<rest> with(?:out)? time zone)?", text)
    if match is None:
        return ColumnType(text, (), array)
    base = match["base"] + (match["rest"] or "")
    params = tuple(int(p) for p in match["params"].split(",")) if match["params"] else ()
    return ColumnType(TYPE_NAMES.get(base, base), params, array)


def _column_comment(comment: str | None) -> tuple[str, bool, str | None]:
    """(classification, encrypted, description) from a comment emit.sql.column_comment wrote."""
    match = re.fullmatch(r"\[(?P<tag>[^\]]*)\](?: (?P<description>.*))?", comment or "", re.DOTALL)
    if match is None:
        return UNKNOWN, False, comment
    tag, description = match["tag"], match["description"]
    if tag == ENCRYPTED_PHI:
        return "phi", True, description
    label, encrypted = (tag[: -len(", encrypted")], True) if tag.endswith(", encrypted") else (tag, False)
    return LABELS.get(label, label), encrypted, description


def _table(name: str, t: LiveTable, pos: Pos, enum_types: frozenset[str] = frozenset()) -> Table:
    columns = []
    for cname, c in t.columns.items():
        classification, encrypted, description = _column_comment(c.comment)
        ctype = column_type(c.type)
        if ctype.base in enum_types:  # format_type leaves public out; the model qualifies a user type
            ctype = ColumnType(ctype.base, ctype.params, ctype.array, schema="public")
        generated = c.default if c.generated else None  # the catalog's default is then the generation expression
        default = c.default if c.default is not None and generated is None else None
        serial = SERIALS.get(ctype.base) if c.sequence is not None and c.identity is None and not ctype.array else None
        columns.append(
            Column(
                name=cname,
                type=ctype,
                nullable=c.nullable,
                default=Default(default, expression=serial is not None) if default is not None else None,
                description=description,
                classification=classification,
                encrypted=encrypted,
                enum=None,
                pos=pos,
                collation=None if c.collation == "default" else c.collation.strip('"'),
                catalog_comment=CatalogComment(c.comment),
                identity=Identity(c.identity) if c.identity else None,  # its sequence options: verify compares them apart
                serial=serial,
                generated=generated,
            )
        )
    primary_key, uniques, checks, foreign_keys, exclusions = None, [], [], [], []
    for cname, con in t.constraints.items():
        if con.kind == "p":
            primary_key = PrimaryKey(cname, con.columns, pos)
        elif con.kind == "u":
            uniques.append(Unique(cname, con.columns, pos, nulls_not_distinct="NULLS NOT DISTINCT" in con.definition))
        elif con.kind == "c":
            checks.append(Check(cname, con.expression or con.definition, None, None, pos))
        elif con.kind == "f":
            ref_schema, _, ref_table = (con.ref_table or "").partition(".")
            foreign_keys.append(ForeignKey(
                cname, con.columns, ref_schema, ref_table, con.ref_columns, con.on_delete or "no action", pos,
                on_update=con.on_update or "no action",
                match=(con.match or "SIMPLE").lower(),
                deferrable=con.deferrable.startswith("DEFERRABLE"),
                initially_deferred=con.deferrable.endswith("DEFERRED"),
            ))
        elif con.kind == "x":  # elements and predicate: verify compares the whole definition apart
            method = re.match(r"EXCLUDE USING (\w+)", con.definition)
            exclusions.append(Exclusion(cname, method[1] if method else "gist", (), None, None, pos))
    indexes = tuple(Index(n, ix.columns, ix.unique, ix.predicate, ix.method, None, pos) for n, ix in t.indexes.items())
    triggers = tuple(Trigger(n, trg.timing, trg.events, trg.function) for n, trg in t.triggers.items())
    policies = tuple(
        Policy(n, (p.command.lower(),), p.roles, None, p.using, p.with_check, None, pos) for n, p in t.policies.items()
    )
    description, log, retention = _table_comment(name, t.comment)
    return Table(
        name=name,
        description=description,
        classification=None,
        retention=retention,
        log=log,
        rls=t.rls,
        timestamps=any(trg.function == UPDATED_AT_FUNCTION for trg in triggers),
        columns=tuple(columns),
        primary_key=primary_key,
        uniques=tuple(uniques),
        checks=tuple(checks),
        foreign_keys=tuple(foreign_keys),
        indexes=indexes,
        triggers=triggers,
        policies=policies,
        pos=pos,
        catalog_comment=CatalogComment(t.comment),
        exclusions=tuple(exclusions),
        realtime=t.realtime,
        replica_identity=t.replica_identity,
    )


def _table_comment(name: str, comment: str | None) -> tuple[str | None, bool, str | None]:
    """(description, log, retention) from a comment emit.sql.table_comment wrote."""
    match = TABLE_COMMENT.fullmatch(comment or "")
    if match is None:
        return comment, False, None
    description = match["description"]
    return (None if description == name else description), bool(match["log"]), match["retention"]
