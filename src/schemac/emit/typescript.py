"""The TypeScript emitter: model in, a drop-in Supabase `Database` type out.

The output has the shape `supabase gen types typescript` (postgres-meta's
typescript template) prints for the same database, in the layout of its
prettier pass (two-space indent, no semicolons, unions and arrays broken at 80
columns), so a diff against the official output shows mostly what schemac
knows better:

- enums stored as TEXT + CHECK are string-literal unions (Supabase sees `string`),
  listed under `Enums` and `Constants`;
- every field carries a JSDoc comment with its classification and description;
- `ColumnClassification` maps every column to its classification, and
  `PhiColumns<T>` / `Redacted<T>` let code prove at compile time that a value
  it logs has no PHI.

Rules copied from the generator's behaviour (not its code): tables, columns and
enums sorted by name; enum values in declared order; NOT NULL json is
`NonNullable<Json>`; foreign keys to other
schemas (auth.users) left out of `Relationships`, since the generator only
lists relations inside the schema it describes; `isOneToOne` by its rule (see
is_one_to_one); trigger functions left out of `Functions`, as the generator
does, and every other function typed as it types it (arguments and table columns
by name, `Record<PropertyKey, never>` for no arguments, a returned table's row
with `SetofOptions`). `__InternalSupabase.PostgrestVersion` is the spec's
`typescript.postgrest_version`, "12" by default: what supabase-js assumes when
the field is absent, so typing is the same as without it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from ..model import CLASSIFICATION_LABELS, Column, ColumnType, ForeignKey, Function, Schema, SqlType, Table, View, ViewColumn, classification_label

TYPESCRIPT_PATH = "types/database.ts"
SCHEMA = "public"
WIDTH = 80  # prettier's default print width, which the generator uses

TS_TYPES = {
    "text": "string",
    "varchar": "string",
    "char": "string",
    "uuid": "string",
    "date": "string",
    "time": "string",
    "timestamp": "string",
    "timestamptz": "string",
    "smallint": "number",
    "integer": "number",
    "bigint": "number",
    "numeric": "number",
    "boolean": "boolean",
    "json": "Json",
    "jsonb": "Json",
    "real": "number",
    "double precision": "number",
    "bytea": "string",
    "interval": "string",
    "timetz": "string",
    "citext": "string",
    "vector": "string",  # pgvector: PostgREST sends '[1,2,3]'
}  # anything else (inet, tsvector, ranges, ...) is `unknown` to the generator

EMPTY = ["{", "  [_ in never]: never", "}"]


def render_typescript(schema: Schema) -> str:
    """The whole database.ts: header, Json, Database, the generator's helpers, then schemac's."""
    parts = [
        _header(schema),
        JSON_TYPE,
        _database(schema),
        HELPERS,
        _constants(schema),
        _classification(schema),
        classification_helpers(schema),
    ]
    return "\n".join(parts)


# ---------------------------------------------------------------- ordering and types


def by_name(name: str) -> str:
    """Sort key matching the generator's localeCompare on [a-z0-9_] names: '_' before digits and letters."""
    return name.replace("_", " ")


def sorted_tables(schema: Schema) -> list[Table]:
    return sorted(schema.tables, key=lambda t: by_name(t.name))


def sorted_columns(table: Table) -> list[Column]:
    return sorted(table.columns, key=lambda c: by_name(c.name))


def ts_type(column: Column) -> str:
    """The TypeScript type of a column's value, without `| null`."""
    if column.enum:
        base = f'Database["{SCHEMA}"]["Enums"]["{column.enum}"]'
    elif column.type.of is not None:
        # the generator types a domain as its underlying type; an array of one it cannot resolve
        base = "unknown" if column.type.array else scalar_type(column.type.of)
    else:
        base = scalar_type(column.type)
    return base + "[]" if column.type.array else base


def scalar_type(ctype: ColumnType) -> str:
    """Supabase's mapping of a PostgreSQL base type (bigint and numeric become number, as it does)."""
    return TS_TYPES.get(ctype.base, "unknown")


def value_alternatives(column: Column) -> list[str]:
    """The union a field is typed as: `T | null` when nullable; NOT NULL json is `NonNullable<Json>`
    (the generator's rule, since Json itself includes null)."""
    value = ts_type(column)
    if value == "unknown":  # unknown already includes null
        return [value]
    if column.nullable:
        return [value, "null"]
    return ["NonNullable<Json>"] if value == "Json" else [value]


def insert_optional(column: Column) -> bool:
    """An Insert field may be left out when the database fills it: nullable, with a default, or identity."""
    return column.nullable or column.default is not None or column.identity is not None


def field_doc(column: Column, table: Table) -> str:
    """The JSDoc shown on hover: classification tag first, then the description."""
    if column.classification is None:
        tag = "[encrypted]" if column.encrypted else ""
    else:
        label = classification_label(column.classification)
        tag = f"[{label}, encrypted]" if column.encrypted else f"[{label}]"
    text = " ".join((column.description or "").split())
    for fk in table.foreign_keys:
        if fk.ref_schema != table.schema and column.name in fk.columns:
            text += f" References {fk.ref_qualified}.{fk.ref_columns[fk.columns.index(column.name)]}."
    text = f"{tag} {text.strip()}".strip()
    return "/** " + text.replace("*/", "*\\/") + " */"


def is_one_to_one(fk: ForeignKey, table: Table) -> bool:
    """The generator's rule: the foreign key's columns, in key order, equal the columns of the table's
    primary key or of a unique constraint, in table order (it compares the two arrays as they are)."""
    position = {c.name: i for i, c in enumerate(table.columns)}
    keys = [table.primary_key.columns] if table.primary_key else []
    keys += [u.columns for u in table.uniques]
    return any(tuple(sorted(k, key=position.__getitem__)) == tuple(fk.columns) for k in keys)


@dataclass(frozen=True)
class Relationship:
    """One entry of a relation's `Relationships`, as the generator derives it (PostgREST's rules)."""

    foreign_key: str
    schema: str
    relation: str
    columns: tuple[str, ...]
    one_to_one: bool
    referenced_relation: str
    referenced_columns: tuple[str, ...]


def all_relationships(schema: Schema) -> list[Relationship]:
    """Foreign keys inside the schema, plus the ones views inherit: a view that shows every column of a foreign key
    (or every referenced column) unchanged stands in for its table on that side, as PostgREST's schema cache does."""
    base = [
        Relationship(fk.name, t.schema, t.name, fk.columns, is_one_to_one(fk, t), fk.ref_table, fk.ref_columns)
        for t in schema.tables
        for fk in t.foreign_keys
        if fk.ref_schema == t.schema
    ]
    shown: dict[str, dict[tuple[str, str], list[str]]] = {}  # view -> (table, column) -> view columns showing it
    for v in schema.views:
        for c in v.columns:
            if c.source is not None:
                shown.setdefault(v.name, {}).setdefault(c.source, []).append(c.name)

    def covering(table: str, columns: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for view, deps in shown.items():
            if all((table, c) in deps for c in columns):
                out += [(view, combo) for combo in itertools.product(*(deps[(table, c)] for c in columns))]
        return out

    expanded = []
    for r in base:
        from_views = covering(r.relation, r.columns)
        to_views = covering(r.referenced_relation, r.referenced_columns)
        expanded += [
            Relationship(r.foreign_key, SCHEMA, v, cols, r.one_to_one, r.referenced_relation, r.referenced_columns) for v, cols in from_views
        ]
        expanded += [Relationship(r.foreign_key, r.schema, r.relation, r.columns, r.one_to_one, v, cols) for v, cols in to_views]
        expanded += [
            Relationship(r.foreign_key, SCHEMA, v, cols, r.one_to_one, w, ref_cols) for v, cols in from_views for w, ref_cols in to_views
        ]
    return base + expanded


def relationships_by_relation(schema: Schema) -> dict[tuple[str, str], list[Relationship]]:
    """Each table's or view's Relationships by (schema, name), in the generator's order (foreign key, referenced
    relation, referenced columns); derived once for the whole file, since every relation's list comes from one pass."""
    found: dict[tuple[str, str], list[Relationship]] = {}
    for r in all_relationships(schema):
        found.setdefault((r.schema, r.relation), []).append(r)
    for rels in found.values():
        rels.sort(key=lambda r: (by_name(r.foreign_key), by_name(r.referenced_relation), quote_list(r.referenced_columns)))
    return found


def quote_list(values: tuple[str, ...]) -> str:
    return "[" + ",".join(quote(v) for v in values) + "]"


def relationships(table: Table) -> list[ForeignKey]:
    """Foreign keys the generator lists: those inside the table's own schema, by constraint name."""
    fks = [fk for fk in table.foreign_keys if fk.ref_schema == table.schema]
    return sorted(fks, key=lambda fk: (by_name(fk.name), by_name(fk.ref_table), list(fk.ref_columns)))


# ---------------------------------------------------------------- layout


def member(indent: str, key: str, alternatives: list[str], optional: bool = False) -> list[str]:
    """`key: A | B`, or prettier's broken-up union when the line would pass 80 columns."""
    head = f"{indent}{key}{'?' if optional else ''}:"
    line = f"{head} {' | '.join(alternatives)}"
    if len(line) <= WIDTH or len(alternatives) < 2:
        return [line]
    return [head] + [f"{indent}  | {a}" for a in alternatives]


def block(indent: str, key: str, body: list[str]) -> list[str]:
    """`key: {` body `}`, or the generator's `[_ in never]: never` when body is empty."""
    if not body:
        return [f"{indent}{key}: {EMPTY[0]}", f"{indent}{EMPTY[1]}", f"{indent}{EMPTY[2]}"]
    return [f"{indent}{key}: {{", *body, f"{indent}}}"]


def string_list(indent: str, key: str, values: list[str], trailing: str = ",") -> list[str]:
    """`key: ["a", "b"],`, one item a line when it would pass 80 columns."""
    quoted = [quote(v) for v in values]
    line = f"{indent}{key}: [{', '.join(quoted)}]{trailing}"
    if len(line) <= WIDTH:
        return [line]
    return [f"{indent}{key}: ["] + [f"{indent}  {q}," for q in quoted] + [f"{indent}]{trailing}"]


def quote(value: str) -> str:
    """A TypeScript double-quoted string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'"{escaped}"'


# ---------------------------------------------------------------- the Database type


def _header(schema: Schema) -> str:
    return (
        f"// Generated by schemac from {schema.source}. Do not edit by hand:\n"
        "// change the spec and run `schemac compile`.\n"
        f"// source sha256: {schema.source_sha256}\n"
        "// Drop-in replacement for `supabase gen types typescript`; see the README, \"TypeScript types\".\n"
    )


JSON_TYPE = """export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]
"""


def type_schemas(schema: Schema) -> list[str]:
    """The schemas database.ts types, sorted by name as the generator sorts them: public and those of the app's tables."""
    return sorted(schema.schemas, key=by_name)


def _database(schema: Schema) -> str:
    lines = [
        "export type Database = {",
        "  // Lets createClient<Database>() pick its PostgREST options; \"12\" is supabase-js's own default.",
        "  __InternalSupabase: {",
        f'    PostgrestVersion: "{schema.postgrest_version}"',
        "  }",
    ]
    relationships_of = relationships_by_relation(schema)
    for name in type_schemas(schema):
        tables: list[str] = []
        for table in sorted_tables(schema):
            if table.schema == name:
                tables += _table(table, "      ", relationships_of.get((table.schema, table.name), []))
        enums: list[str] = []
        views: list[str] = []
        if name == SCHEMA:  # enum types, views and functions live in public
            for enum in sorted(schema.enums, key=lambda e: by_name(e.name)):
                enums += member("      ", enum.name, [quote(v) for v in enum.values])
            for view in sorted(schema.views, key=lambda v: by_name(v.name)):
                views += _view(view, "      ", relationships_of.get((SCHEMA, view.name), []))
        lines += [
            f"  {name}: {{",
            *block("    ", "Tables", tables),
            *block("    ", "Views", views),
            *block("    ", "Functions", _functions(schema) if name == SCHEMA else []),
            *block("    ", "Enums", enums),
            *block("    ", "CompositeTypes", []),
            "  }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _table(table: Table, indent: str, rels: list[Relationship]) -> list[str]:
    inner = indent + "  "
    fields = indent + "    "
    columns = sorted_columns(table)
    row, insert, update = [], [], []
    for c in columns:
        doc = fields + field_doc(c, table)
        alternatives = value_alternatives(c)
        row += [doc, *member(fields, c.name, alternatives)]
        if not c.writable:  # GENERATED ALWAYS (identity or expression): the generator types it `?: never`
            insert += [doc, *member(fields, c.name, ["never"], optional=True)]
            update += [doc, *member(fields, c.name, ["never"], optional=True)]
            continue
        insert += [doc, *member(fields, c.name, alternatives, optional=insert_optional(c))]
        update += [doc, *member(fields, c.name, alternatives, optional=True)]
    return [
        f"{indent}{table.name}: {{",
        *block(inner, "Row", row),
        *block(inner, "Insert", insert),
        *block(inner, "Update", update),
        *_relationships(rels, inner),
        f"{indent}}}",
    ]


def view_field_doc(column: ViewColumn) -> str:
    label = CLASSIFICATION_LABELS.get(column.classification, column.classification)
    text = f"[{label}] {' '.join((column.description or '').split())}".strip()
    return "/** " + text.replace("*/", "*\\/") + " */"


def view_ts_type(column: ViewColumn) -> str:
    """A view column's type: its table column's when it passes one through, else the declared or inferred type."""
    if column.column is not None:
        return ts_type(column.column)
    return sql_type_ts(column.type)  # type: ignore[arg-type]


def _view(view: View, indent: str, rels: list[Relationship]) -> list[str]:
    """Row (every column nullable: a view's columns carry no NOT NULL), and Insert/Update when PostgreSQL can write through it."""
    inner = indent + "  "
    fields = indent + "    "
    columns = sorted(view.columns, key=lambda c: by_name(c.name))
    row, write = [], []
    for c in columns:
        doc = fields + view_field_doc(c)
        row += [doc, *member(fields, c.name, [view_ts_type(c), "null"])]
        if c.column is not None and c.source is not None:
            write += [doc, *member(fields, c.name, [view_ts_type(c), "null"], optional=True)]
        else:
            write += [doc, f"{fields}{c.name}?: never"]
    sections = block(inner, "Row", row)
    if view.updatable:
        sections += block(inner, "Insert", write) + block(inner, "Update", write)
    return [f"{indent}{view.name}: {{", *sections, *_relationships(rels, inner), f"{indent}}}"]


def _relationships(rels: list[Relationship], indent: str) -> list[str]:
    if not rels:
        return [f"{indent}Relationships: []"]
    lines = [f"{indent}Relationships: ["]
    item = indent + "    "
    for r in rels:
        lines += [
            f"{indent}  {{",
            f"{item}foreignKeyName: {quote(r.foreign_key)}",
            *string_list(item, "columns", list(r.columns), trailing=""),
            f"{item}isOneToOne: {'true' if r.one_to_one else 'false'}",
            f"{item}referencedRelation: {quote(r.referenced_relation)}",
            *string_list(item, "referencedColumns", list(r.referenced_columns), trailing=""),
            f"{indent}  }},",
        ]
    return lines + [f"{indent}]"]


# ---------------------------------------------------------------- functions

# pg_type.typname -> the generator's TypeScript type (its pgTypeToTsType)
PG_TS_TYPES = {
    "bool": "boolean",
    **{n: "number" for n in ("int2", "int4", "int8", "float4", "float8", "numeric")},
    **{n: "string" for n in ("bytea", "bpchar", "varchar", "date", "text", "citext", "time", "timetz", "timestamp", "timestamptz", "uuid", "vector", "interval")},
    "json": "Json",
    "jsonb": "Json",
    "void": "undefined",
    "record": "Record<string, unknown>",
}
# names the parser leaves as written (`timestamptz`, `bool`) besides pg_catalog's own
PG_ALIASES = {"int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "real": "float4", "float": "float8", "boolean": "bool", "decimal": "numeric"}


def sql_type_ts(t: SqlType) -> str:
    """The generator's TypeScript for a function argument or result type (arrays as T[])."""
    name = PG_ALIASES.get(t.name, t.name)
    base = PG_TS_TYPES.get(name, "unknown")
    return base + "[]" if t.array else base


def rpc_functions(schema: Schema) -> list[Function]:
    """Functions supabase.rpc() can call, as the generator lists them: trigger functions are left out."""
    return sorted((f for f in schema.functions if not f.returns.trigger), key=lambda f: by_name(f.name))


def returned_table(schema: Schema, f: Function) -> Table | None:
    """The spec table whose row type the function returns (RETURNS t or SETOF t), if any."""
    t = f.returns.type
    if t is None or t.array or t.schema not in (None, SCHEMA):
        return None
    return next((table for table in schema.tables if table.name == t.name), None)


def _functions(schema: Schema) -> list[str]:
    lines: list[str] = []
    for f in rpc_functions(schema):
        lines += _function(schema, f, "      ")
    return lines


def _function_doc(f: Function) -> str | None:
    label = CLASSIFICATION_LABELS.get(f.classification, f.classification) if f.classification else None
    text = " ".join(p for p in ((f"[returns {label}]" if label else ""), " ".join((f.description or "").split())) if p)
    return "/** " + text.replace("*/", "*\\/") + " */" if text else None


def _function(schema: Schema, f: Function, indent: str) -> list[str]:
    inner = indent + "  "
    args = sorted(f.arguments, key=lambda a: by_name(a.name))
    arg_members = [f"{a.name}{'?' if a.default is not None else ''}: {sql_type_ts(a.type)}" for a in args]
    args_one_line = "{ " + "; ".join(arg_members) + " }" if args else "Record<PropertyKey, never>"
    returns_lines: list[str] = []  # a multi-line Returns (an object type), else empty and returns_text is used
    setof_options: list[str] = []
    table = returned_table(schema, f)
    if f.returns.columns:
        fields = [f"{inner}  {name}: {sql_type_ts(t)}" for name, t in sorted(f.returns.columns, key=lambda c: by_name(c[0]))]
        returns_lines = [f"{inner}Returns: {{", *fields, f"{inner}}}[]"]
    elif table is not None:
        fields = []
        for c in sorted_columns(table):
            fields += member(inner + "  ", c.name, value_alternatives(c))
        returns_lines = [f"{inner}Returns: {{", *fields, f"{inner}}}" + ("[]" if f.returns.setof else "")]
        setof_options = [
            f"{inner}SetofOptions: {{",
            f'{inner}  from: "*"',
            f"{inner}  to: {quote(table.name)}",
            f"{inner}  isOneToOne: {'false' if f.returns.setof else 'true'}",
            f"{inner}  isSetofReturn: {'true' if f.returns.setof else 'false'}",
            f"{inner}}}",
        ]
    returns_text = sql_type_ts(f.returns.type) + ("[]" if f.returns.setof else "") if f.returns.type is not None else "unknown"
    doc = _function_doc(f)
    out = [indent + doc] if doc else []
    one_line = f"{indent}{f.name}: {{ Args: {args_one_line}; Returns: {returns_text} }}"
    if not returns_lines and len(one_line) <= WIDTH:
        return out + [one_line]
    args_line = f"{inner}Args: {args_one_line}"
    if len(args_line) > WIDTH and args:
        args_block = [f"{inner}Args: {{", *[f"{inner}  {m}" for m in arg_members], f"{inner}}}"]
    else:
        args_block = [args_line]
    body = args_block + (returns_lines or [f"{inner}Returns: {returns_text}"]) + setof_options
    return out + [f"{indent}{f.name}: {{", *body, f"{indent}}}"]


# ---------------------------------------------------------------- the generator's helpers


HELPERS = """type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never
"""


def _constants(schema: Schema) -> str:
    lines = ["export const Constants = {"]
    for name in type_schemas(schema):
        enums: list[str] = []
        if name == SCHEMA:
            for enum in sorted(schema.enums, key=lambda e: by_name(e.name)):
                enums += string_list("      ", enum.name, list(enum.values))
        body = ["    Enums: {", *enums, "    },"] if enums else ["    Enums: {},"]
        lines += [f"  {name}: {{", *body, "  },"]
    lines.append("} as const")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- classification


def _classification(schema: Schema) -> str:
    """The `as const` map, checked with `satisfies` to name exactly the columns of every Row."""
    lines = [
        "/** Every column's classification, by table: what PhiColumns and Redacted are computed from. */"
        if schema.profile == "phi"
        else "/** Every column's classification, by table (null: none stated): what SensitiveColumns and Redacted are computed from. */",
        "export const ColumnClassification = {",
    ]
    # every schema's tables (their names are unique across schemas), as the helpers below take them
    tables = " & ".join(f'Database["{name}"]["Tables"]' for name in type_schemas(schema))
    tables = f"({tables})" if len(type_schemas(schema)) > 1 else tables
    for table in sorted_tables(schema):
        lines.append(f"  {table.name}: {{")
        lines += [f"    {c.name}: {_class_literal(c.classification)}," for c in sorted_columns(table)]
        lines.append("  },")
    lines += [
        "} as const satisfies {",
        f"  [T in keyof {tables}]: {{",
        f'    [C in keyof {tables}[T]["Row"]]: Classification' + ("" if schema.classification_required else " | null"),
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _class_literal(classification: str | None) -> str:
    return "null" if classification is None else json.dumps(classification)


def classification_helpers(schema: Schema) -> str:
    """The Classification union and the helpers computed from ColumnClassification.

    Under the PHI profile exactly PHI_HELPERS; otherwise the spec's vocabulary, with
    `SensitiveColumns` (the most sensitive class) in place of `PhiColumns`.
    """
    return _every_schema(schema, _helpers(schema))


def _every_schema(schema: Schema, helpers: str) -> str:
    """With tables in several schemas the helpers take any of their names (names are unique across schemas),
    each table's row from its own Database[schema]; with public alone the text is what it always was."""
    schemas = type_schemas(schema)
    if len(schemas) == 1:
        return helpers
    union = " & ".join(f'Database["{name}"]["Tables"]' for name in schemas)
    return (
        helpers.replace(
            'type PublicTableName = keyof Database["public"]["Tables"]',
            f"/** The tables of every schema, by name: {', '.join(schemas)}. */\ntype AppTables = {union}\n\ntype AppTableName = keyof AppTables",
        )
        .replace("PublicTableName", "AppTableName")
        .replace("keyof Tables<T>", 'keyof AppTables[T]["Row"]')
        .replace("Omit<Tables<T>,", 'Omit<AppTables[T]["Row"],')
    )


def _helpers(schema: Schema) -> str:
    if schema.profile == "phi":
        return PHI_HELPERS
    union = " | ".join(json.dumps(c) for c in schema.classifications)
    sensitive = json.dumps(schema.most_sensitive)
    return (
        f"/** The spec's classification vocabulary, most sensitive first; null where a column has none. */\n"
        f"export type Classification = {union}\n"
        + PHI_HELPERS.split("\n", 2)[2]
        .replace('/** The PHI columns of table T, e.g. PhiColumns<"patients">. */\nexport type PhiColumns<T extends PublicTableName> = ColumnsClassifiedAs<T, "phi">',
                 f"/** The columns of table T of the most sensitive class ({schema.most_sensitive}). */\nexport type SensitiveColumns<T extends PublicTableName> = ColumnsClassifiedAs<T, {sensitive}>")
        .replace(" * A row of T with no PHI: the PHI columns are absent", f" * A row of T with no {schema.most_sensitive} data: those columns are absent")
        .replace(", or an object with any PHI field,", f", or an object with any such field,")
        .replace("PhiColumns<T>", "SensitiveColumns<T>")
    )


PHI_HELPERS = """/** phi: protected health information; administrative: operational data; public_social: platform identifiers. */
export type Classification = "phi" | "administrative" | "public_social"

type PublicTableName = keyof Database["public"]["Tables"]

/** The columns of table T that carry classification C. */
export type ColumnsClassifiedAs<
  T extends PublicTableName,
  C extends Classification,
> = {
  [K in keyof (typeof ColumnClassification)[T]]: (typeof ColumnClassification)[T][K] extends C
    ? K
    : never
}[keyof (typeof ColumnClassification)[T]] &
  keyof Tables<T>

/** The PHI columns of table T, e.g. PhiColumns<"patients">. */
export type PhiColumns<T extends PublicTableName> = ColumnsClassifiedAs<T, "phi">

/**
 * A row of T with no PHI: the PHI columns are absent and may not be present,
 * so a full row, or an object with any PHI field, is a compile error where a
 * Redacted<T> is expected (e.g. a logger's parameter).
 */
export type Redacted<T extends PublicTableName> = Omit<Tables<T>, PhiColumns<T>> & {
  [K in PhiColumns<T>]?: never
}
"""
