"""The peer in the benchmark: SQLAlchemy 2 reads the same spec and emits PostgreSQL DDL.

It loads the YAML with PyYAML's C loader (no positions, no checks), builds a MetaData with
every table, column, type, default, foreign key, check, index and comment, then compiles
CREATE TABLE, CREATE INDEX and COMMENT statements with the PostgreSQL dialect. That is far
less than schemac does (no validation, no positions, no rules, one output instead of seven),
which is why schemac aims to be faster anyway.

    python bench/peer_sqlalchemy.py spec.yaml > /dev/null
"""

from __future__ import annotations

import sys

import yaml
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable, SetColumnComment, SetTableComment

TYPES = {
    "text": Text,
    "integer": Integer,
    "bigint": BigInteger,
    "boolean": Boolean,
    "uuid": postgresql.UUID,
    "date": Date,
    "time": Time,
    "timestamptz": lambda: postgresql.TIMESTAMP(timezone=True),
    "jsonb": postgresql.JSONB,
}


def column_type(spec: dict):
    if "enum" in spec:
        return Text()
    name = spec["type"]
    if name.endswith("[]"):
        return postgresql.ARRAY(column_type({"type": name[:-2]}))
    if name.startswith("numeric("):
        precision, scale = name[len("numeric(") : -1].split(",")
        return Numeric(int(precision), int(scale))
    return TYPES[name]()


def server_default(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return text("true" if value else "false")
    if isinstance(value, (int, float)):
        return text(str(value))
    if isinstance(value, list):
        return text("'{" + ",".join(str(v) for v in value) + "}'")
    if isinstance(value, dict):
        return text("'" + yaml.safe_dump(value, default_flow_style=True).strip() + "'")
    if value.endswith("()") or value == "current_date":
        return text(value)
    return text("'" + value.replace("'", "''") + "'")


def build_metadata(spec: dict) -> MetaData:
    metadata = MetaData()
    Table("users", metadata, Column("id", postgresql.UUID, primary_key=True), schema="auth")
    enums = spec.get("enums", {})
    for name, table_spec in spec["tables"].items():
        columns = []
        for col_name, col in table_spec["columns"].items():
            args = [column_type(col)]
            if "references" in col:
                ref = col["references"] if col["references"].startswith("auth.") else "public." + col["references"]
                args.append(ForeignKey(ref, ondelete=col.get("on_delete", "no action").upper()))
            columns.append(
                Column(
                    col_name,
                    *args,
                    primary_key=bool(col.get("primary_key")),
                    nullable=bool(col.get("nullable")),
                    server_default=server_default(col.get("default")),
                    comment=f"[{col.get('classification', table_spec.get('classification'))}] {col.get('description', '')}",
                )
            )
            if "enum" in col:
                values = ", ".join(f"'{v}'" for v in enums[col["enum"]]["values"])
                columns.append(CheckConstraint(f"{col_name} IN ({values})", name=f"{name}_{col_name}_check"))
        if table_spec.get("timestamps"):
            for stamp in ("created_at", "updated_at"):
                columns.append(Column(stamp, postgresql.TIMESTAMP(timezone=True), nullable=False, server_default=text("now()")))
        for check in table_spec.get("checks", []):
            columns.append(CheckConstraint(check["expression"], name=check["name"]))
        table = Table(name, metadata, *columns, comment=table_spec.get("description"), schema="public")
        for i, index in enumerate(table_spec.get("indexes", [])):
            where = index.get("where")
            Index(
                f"{name}_{'_'.join(index['columns'])}_{'uidx' if index.get('unique') else 'idx'}",
                *(table.c[c] for c in index["columns"]),
                unique=bool(index.get("unique")),
                postgresql_where=text(where) if where else None,
            )
    return metadata


def emit_ddl(metadata: MetaData) -> str:
    dialect = postgresql.dialect()
    out = []
    for table in metadata.sorted_tables:
        if table.schema == "auth":
            continue
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";")
        for index in sorted(table.indexes, key=lambda i: i.name):
            out.append(str(CreateIndex(index).compile(dialect=dialect)) + ";")
        out.append(str(SetTableComment(table).compile(dialect=dialect)) + ";")
        for column in table.columns:
            if column.comment:
                out.append(str(SetColumnComment(column).compile(dialect=dialect)) + ";")
    return "\n".join(out) + "\n"


def main(path: str) -> None:
    with open(path, "rb") as fh:
        spec = yaml.load(fh.read(), Loader=yaml.CSafeLoader)
    sys.stdout.write(emit_ddl(build_metadata(spec)))


if __name__ == "__main__":
    main(sys.argv[1])
