"""The hostile corpus: specs that must each end in one positioned error (or compile safely).

Each refused case is a spec text with a '¶' marking exactly where the error must point
(the marker is removed before the spec is written); raw bytes are written as surrogate
escapes ('\\udcff' is the byte 0xFF). Cases are built from a small valid spec, BASE, by
putting one hostile piece at table, column, check, index, policy or YAML level.
"""

from __future__ import annotations

from schemac.spec.load import MAX_SPEC_BYTES

MARK = "¶"

BASE = """\
version: 1
enums:
  status:
    values: [active, closed]
tables:
  patients:
    description: People we treat.
    classification: administrative
    retention: Kept while the practice runs.
    user_operations: [select, insert, update, delete]
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid(), description: Key.}
      name: {type: text, description: Name.}
      state: {enum: status, default: active, description: State.}
      owner_id: {type: uuid, references: auth.users.id, description: Owner.}
    indexes:
      - {columns: [owner_id]}
    policies:
      - {name: own, for: [select, insert, update, delete], owner: owner_id}
"""
COLUMNS_END = BASE.index("    indexes:")
POLICIES_END = len(BASE)


def q(text: str) -> str:
    """A YAML double-quoted scalar holding text (the marker survives)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\u2028", "\\L") + '"'


def with_column(line: str) -> str:
    return BASE[:COLUMNS_END] + "      " + line + "\n" + BASE[COLUMNS_END:]


def with_table_keys(lines: str) -> str:
    return BASE + "".join("    " + line + "\n" for line in lines.splitlines())


def check(expr: str) -> str:
    return with_table_keys(f"checks:\n  - expression: {q(expr)}")


def index_where(expr: str) -> str:
    return BASE.replace("      - {columns: [owner_id]}\n", f"      - {{columns: [owner_id]}}\n      - {{columns: [name], where: {q(expr)}}}\n")


def policy(key: str, expr: str, ops: str = "select") -> str:
    return BASE + f"      - {{name: extra, for: [{ops}], {key}: {q(expr)}}}\n"


def at_start(text: str) -> str:
    return MARK + text


# ---------------------------------------------------------------- expressions: every field × every payload

EXPRESSION_PAYLOADS = {
    "dollar-after-digit": "1¶$a$ > 0 OR 'x$a$)); COMMIT; DROP TABLE sentinel; SELECT (($a$' = 'x'",
    "semicolon": "name <> ''¶; DROP TABLE sentinel",
    "close-paren": "true¶); DROP TABLE sentinel; --",
    "fullwidth-semicolon": "length(name) > ¶1；",
    "uescape": "name = U&'¶!0000' UESCAPE '!'",
    "unknown-column": "¶nmae <> ''",
    "unknown-qualifier": "¶other.name <> ''",
    "unterminated-string": "name = ¶'abc",
    "unterminated-dollar": "name = ¶$q$abc",
    "unterminated-comment": "name <> '' ¶/* x",
    "unterminated-identifier": "¶\"name <> ''",
    "two-values": "name <> '', ¶true",
    "from-clause": "name <> '' FROM ¶sentinel",
    "union": "¶name <> '' UNION SELECT true",
    "parameter": "name = ¶$1",
    "aggregate": "¶count(*) > 0",
    "window": "¶row_number() OVER () > 0",
    "set-returning": "¶generate_series(1, 2) > 0",
    "star": "* ¶IS NOT NULL",
    "empty-parens": "name = (¶)",
    "trailing-operator": "name =¶",
    "e-string-unterminated": "name = ¶E'abc\\'",
    "into": "name <> '' INTO ¶x",
    "nested-statement": "name = (DROP ¶TABLE sentinel)",
}

FIELDS = {
    "check": check,
    "index-where": index_where,
    "policy-using": lambda e: policy("using", e),
    "policy-with-check": lambda e: policy("with_check", e, "insert"),
}

# what each place refuses beyond the shared payloads
PLACE_SPECIFIC = [
    ("check-subquery", check("name ¶IN (SELECT 'x')")),
    ("check-exists", check("¶EXISTS (SELECT 1 FROM patients)")),
    ("index-now", index_where("owner_id IS NULL AND name > ¶now()::text")),
    ("index-random", index_where("¶random() > 0.5")),
    ("index-current-timestamp", index_where("name > ¶CURRENT_TIMESTAMP::text")),
    ("index-subquery", index_where("name ¶IN (SELECT 'x')")),
    ("policy-subquery-unknown-column", policy("using", "EXISTS (SELECT 1 FROM patients p WHERE ¶p.nope = owner_id)")),
    ("policy-aggregate", policy("using", "¶count(*) > 0")),
]

# ---------------------------------------------------------------- YAML level

DEEP_FLOW = "x: " + "[" * 64 + MARK + "[" * 6 + "]" * 70 + "\n"
YAML_CASES = [
    ("unclosed-double-quote-late", BASE + "# filler\n" * 280 + "    description_extra: ¶\"never closed\n    other: 1\n"),
    ("unclosed-single-quote-runs-on", BASE.replace("description: People we treat.", "description: ¶'People we treat.")),
    ("unclosed-flow-sequence", BASE + "    extra: ¶[a, b\n"),  # reported at the bracket that is not closed
    ("tab-indent", BASE + "¶\t  bad: 1\n"),
    ("duplicate-table-key", BASE.replace("    description: People we treat.\n", "    description: People we treat.\n    ¶description: Again.\n")),
    ("duplicate-column", with_column("¶name: {type: text, description: Again.}")),
    ("anchor", BASE.replace("description: People we treat.", "description: ¶&d People we treat.\n    retention_x: *d")),
    ("alias", "x: ¶&a 1\ny: *a\n" + BASE),
    ("merge-key", BASE + "    extra: {¶<<: {a: 1}}\n"),
    ("python-tag", BASE + "    extra: ¶!!python/object:os.system x\n"),
    ("bool-maybe", BASE.replace("user_operations: [", "user_operations: [¶!!bool maybe, ")),
    ("int-empty", with_column("age: {type: integer, default: ¶!!int '', description: Age.}")),
    ("float-empty", with_column("age: {type: numeric, default: ¶!!float '', description: Age.}")),
    ("null-text", with_column("age: {type: integer, default: ¶!!null x, description: Age.}")),
    ("str-on-list", with_column("age: {type: integer, default: ¶!!str [1], description: Age.}")),
    ("map-on-scalar", BASE + "    extra: ¶!!map x\n"),
    ("binary", with_column("age: {type: text, default: ¶!!binary eA==, description: Age.}")),
    ("custom-local-tag", BASE + "    extra: ¶!local x\n"),
    ("deep-flow-70", DEEP_FLOW),
    ("deep-flow-500", "x: " + "[" * 64 + MARK + "[" * 436 + "]" * 500 + "\n"),
    ("deep-flow-10000", "x: " + "[" * 64 + MARK + "[" * 9936 + "]" * 10000 + "\n"),
    ("deep-block", "x:\n" + "".join(" " * i + "- \n" for i in range(1, 65)) + " " * 65 + "¶- 1\n"),
    ("raw-control", BASE + "    extra: a¶\x01b\n"),
    ("raw-escape-char", BASE + "    extra: a¶\x1bb\n"),
    ("escaped-esc-description", with_column('age: {type: integer, description: ¶"\\e[31mred"}')),
    ("escaped-bel-table-description", BASE.replace("description: People we treat.", 'description: ¶"ring\\a"')),
    ("escaped-nul", with_column('age: {type: text, default: ¶"a\\0b", description: Age.}')),
    ("escaped-c1", with_column('age: {type: text, description: ¶"a\\x9bb"}')),
    ("escaped-del", with_column('age: {type: text, description: ¶"a\\x7fb"}')),
    ("escaped-nel", with_column('age: {type: text, description: ¶"a\\Nb"}')),
    ("escaped-esc-in-key", with_column('¶"a\\eb": {type: text, description: Age.}')),
    ("escaped-esc-enum-value", BASE.replace("values: [active, closed]", 'values: [active, closed, ¶"x\\e[0m"]')),
    ("u2028-before-error", BASE.replace("description: People we treat.", 'description: "People\u2028we treat."') + "    ¶bogus_key: 1\n"),
    ("u0085-before-error", BASE.replace("description: People we treat.", 'description: "People\u0085we treat."') + "    ¶bogus_key: 1\n"),
    ("u2029-before-error", BASE.replace("description: People we treat.", "description: \"People\u2029we treat.\"") + "    ¶bogus_key: 1\n"),
    ("lone-cr-lines", (BASE + "    ¶bogus_key: 1\n").replace("\n", "\r")),
    ("crlf-lines", (BASE + "    ¶bogus_key: 1\n").replace("\n", "\r\n")),
    ("invalid-utf8-late", BASE + "    description_extra: caf¶\udce9\n"),
    ("invalid-utf8-first-byte", "¶\udcff" + BASE),
    ("invalid-utf8-truncated", BASE + "    extra: x¶\udce2\udc82\n"),
    ("overlong-utf8", BASE + "    extra: ¶\udcc0\udcaf\n"),
    ("utf16-surrogate-bytes", BASE + "    extra: ¶\udced\udca0\udc80\n"),
    ("two-documents", BASE + "¶---\nother: 1\n"),
    ("top-level-list", "¶- a\n- b\n"),
    ("top-level-scalar", "¶just text\n"),
    ("key-is-list", BASE + "    ¶[a, b]: 1\n"),
    ("bom-then-error", "\ufeff" + BASE + "    ¶bogus_key: 1\n"),
    ("long-single-line-error", BASE + "    extra: {" + "a: 1, " * 200 + "}¶}\n"),
]

# ---------------------------------------------------------------- sizes


def _over_limit() -> str:
    """A spec one line past the size limit, marked where the limit is crossed."""
    limit = MAX_SPEC_BYTES
    text = BASE + ("#" + "x" * 98 + "\n") * (limit // 100 + 2)
    return text[:limit] + MARK + text[limit:]


SIZE_CASES = [
    ("value-over-limit", with_column("age: {type: text, description: ¶" + "x" * 70_000 + "}")),
    ("key-over-limit", with_column("¶" + "k" * 70_000 + ": {type: text, description: Age.}")),
    ("expression-over-limit", check("¶" + " AND ".join(["name <> 'x'"] * 6_000))),
    ("enum-value-over-limit", BASE.replace("values: [active, closed]", "values: [active, closed, ¶" + "v" * 66_000 + "]")),
    ("spec-over-limit", _over_limit()),
    ("long-bad-value-echo", with_column("age: {¶type: " + "t" * 60_000 + ", description: Age.}")),
    ("long-bad-key-echo", with_column("age: {type: text, ¶" + "k" * 60_000 + ": 1, description: Age.}")),
]

# ---------------------------------------------------------------- grammar

GRAMMAR_CASES = [
    ("unknown-top-key", BASE + "¶tabels: {}\n"),
    ("unknown-table-key", BASE + "    ¶colums: {}\n"),
    ("unknown-column-key", with_column("age: {type: integer, ¶nulable: true, description: Age.}")),
    ("bad-classification", with_column("age: {type: integer, ¶classification: secret, description: Age.}")),
    ("bad-type", with_column("age: {¶type: integr, description: Age.}")),
    ("type-injection", with_column("age: {¶type: \"integer); DROP TABLE sentinel; --\", description: Age.}")),
    ("numeric-precision", with_column("age: {¶type: 'numeric(1001,0)', description: Age.}")),
    ("varchar-zero", with_column("age: {¶type: 'varchar(0)', description: Age.}")),
    ("rls-string", BASE.replace("    columns:\n", "    ¶rls: maybe\n    columns:\n", 1)),
    ("timestamps-number", BASE.replace("    columns:\n", "    ¶timestamps: 3\n    columns:\n", 1)),
    ("columns-list", BASE.replace("    columns:\n", "    ¶columns: [a, b]\n    columns_x:\n", 1)),
    ("version-2", BASE.replace("version: 1", "¶version: 2")),
    ("default-wrong-type", with_column("age: {type: integer, ¶default: '12', description: Age.}")),
    ("default-overflow-int", with_column("age: {type: smallint, ¶default: 40000, description: Age.}")),
    ("default-1e999-numeric", with_column("age: {type: 'numeric(10,2)', ¶default: 1e999, description: Age.}")),
    ("default-rounds-over", with_column("age: {type: 'numeric(3,1)', ¶default: 99.96, description: Age.}")),
    ("default-nan", with_column("age: {type: numeric, ¶default: .nan, description: Age.}")),
    ("default-inf", with_column("age: {type: numeric, ¶default: .inf, description: Age.}")),
    ("default-function", with_column("age: {type: integer, ¶default: \"pg_sleep(10)\", description: Age.}")),
    ("default-bad-uuid", with_column("age: {type: uuid, ¶default: not-a-uuid, description: Age.}")),
    ("default-bad-date", with_column("age: {type: date, ¶default: 2026-02-30, description: Age.}")),
    ("default-enum-outside", BASE.replace("default: active", "¶default: paused")),
    ("enum-duplicate-value", BASE.replace("values: [active, closed]", "values: [active, ¶active]")),
    ("enum-empty-value", BASE.replace("values: [active, closed]", "values: [active, ¶'']")),
    ("on-delete-without-ref", with_column("age: {type: uuid, ¶on_delete: cascade, description: Age.}")),
    ("set-null-not-nullable", BASE.replace("references: auth.users.id,", "references: auth.users.id, ¶on_delete: set null,")),
    ("policy-bad-op", BASE.replace("for: [select, insert, update, delete]", "for: [select, ¶truncate]")),
    ("policy-all-plus", BASE.replace("for: [select, insert, update, delete]", "¶for: [all, select]")),
    ("policy-using-on-insert", policy("using", "true", "insert").replace("using:", "¶using:")),
    ("policy-owner-and-using", BASE.replace("owner: owner_id}", "¶owner: owner_id, using: 'true'}")),
    ("policy-empty", BASE + "      - ¶{name: empty, for: [select]}\n"),
]

# ---------------------------------------------------------------- names and relations

NAME_CASES = [
    ("table-name-quote", BASE + '  ¶"x\\"; DROP TABLE sentinel; --":\n    classification: public_social\n    columns: {id: {type: uuid, primary_key: true}}\n'),
    ("table-name-uppercase", BASE + "  ¶Patients2:\n    classification: public_social\n    columns: {id: {type: uuid, primary_key: true}}\n"),
    ("table-name-proto", BASE + "  ¶__proto__:\n    classification: public_social\n    columns: {id: {type: uuid, primary_key: true}}\n"),
    ("column-name-proto", with_column("¶__proto__: {type: text, description: Proto.}")),
    ("enum-name-proto", BASE.replace("enums:\n", "enums:\n  ¶__proto__: {values: [a]}\n")),
    ("column-name-space", with_column("¶bad name: {type: text, description: Bad.}")),
    ("column-name-unicode", with_column("¶naïve: {type: text, description: Bad.}")),
    ("column-name-64-bytes", with_column("¶" + "a" * 64 + ": {type: text, description: Long.}")),
    ("column-system-name", with_column("¶xmin: {type: text, description: System.}")),
    ("column-name-semicolon", with_column('¶"a;b": {type: text, description: Bad.}')),
    # policy names are free text (always quoted; tests/test_policies.py applies a hostile one): a line break is still refused
    ("policy-name-injection", BASE.replace("{name: own,", "{¶name: \"own\\\"\\n; DROP TABLE sentinel; --\",")),
    ("index-name-injection", BASE.replace("- {columns: [owner_id]}", "- {columns: [owner_id], ¶name: \"ix; DROP\"}")),
    ("check-name-injection", with_table_keys("checks:\n  - {expression: 'true', ¶name: \"c'); DROP\"}")),
    ("fk-unknown-table", with_column("doc_id: {type: uuid, ¶references: doctorz.id, description: Doc.}")),
    ("fk-unknown-column", with_column("doc_id: {type: uuid, ¶references: patients.nope, description: Doc.}")),
    ("fk-type-mismatch", with_column("doc_id: {type: text, ¶references: patients.id, description: Doc.}")),
    ("index-unknown-column", BASE.replace("- {columns: [owner_id]}", "- {columns: [¶ownr_id]}")),
    ("unique-unknown-column", with_table_keys("unique:\n  - {columns: [¶nmae]}")),
    ("pk-twice", with_table_keys("primary_key: [id]").replace("    primary_key: [id]", "    ¶primary_key: [id]")),
    ("owner-unknown-column", BASE.replace("owner: owner_id}", "¶owner: ownr_id}")),
    ("owner-not-uuid", BASE.replace("owner: owner_id}", "¶owner: name}")),
    ("duplicate-index-name", BASE.replace("- {columns: [owner_id]}", "- {columns: [owner_id], name: ix_a}\n      - ¶{columns: [name], name: ix_a}")),
    ("policy-name-twice", BASE + "      - {name: own_select, for: [select], owner: owner_id}\n".replace("{name", "¶{name")),
    ("unknown-enum", with_column("kind: {¶enum: statuz, description: Kind.}")),
]

# ---------------------------------------------------------------- other schemas and external tables


def in_schema(value: str) -> str:
    """BASE's table put in a schema (the error points at the schema key)."""
    return BASE + f"    ¶schema: {value}\n"


def external(lines: str) -> str:
    return BASE + "external:\n" + lines


SCHEMA_CASES = [
    ("schema-quote", in_schema(q('bil"ling'))),
    ("schema-dollar-quote", in_schema(q("$$x$$"))),
    ("schema-semicolon", in_schema(q("a; DROP TABLE sentinel; --"))),
    ("schema-unicode", in_schema(q("bïlling"))),
    ("schema-64-bytes", in_schema("b" * 64)),
    ("schema-empty", in_schema('""')),
    ("schema-number", in_schema("12")),
    ("schema-proto", in_schema("__proto__")),
    ("schema-auth-other-case", in_schema("Auth")),
    ("schema-auth", in_schema("auth")),
    ("schema-storage", in_schema("storage")),
    ("schema-extensions", in_schema("extensions")),
    ("schema-pg-temp", in_schema("pg_temp")),
    ("schema-pg-catalog", in_schema("pg_catalog")),
    ("schema-pg-temp-other-case", in_schema("Pg_Temp")),
    ("schema-information-schema", in_schema("information_schema")),
    ("external-table-quote", external('  ¶"storage.ob\\"jects":\n    columns: {id: uuid}\n')),
    ("external-schema-semicolon", external('  ¶"st;orage.objects":\n    columns: {id: uuid}\n')),
    ("external-not-qualified", external("  ¶objects:\n    columns: {id: uuid}\n")),
    ("external-three-parts", external("  ¶a.b.c:\n    columns: {id: uuid}\n")),
    ("external-unicode", external("  ¶storage.objéts:\n    columns: {id: uuid}\n")),
    ("external-64-bytes", external(f"  ¶storage.{'o' * 64}:\n    columns: {{id: uuid}}\n")),
    ("external-schema-other-case", external("  ¶Storage.objects:\n    columns: {id: uuid}\n")),
    ("external-in-public", external("  ¶public.objects:\n    columns: {id: uuid}\n")),
    ("external-column-quote", external('  storage.objects:\n    columns: {¶"na\\"me": text}\n')),
    ("external-column-dollar", external('  storage.objects:\n    columns: {¶"$$x": text}\n')),
    ("external-column-type-injection", external('  storage.objects:\n    columns: {¶name: "text); DROP TABLE sentinel; --"}\n')),
    ("external-column-type-dollar", external('  storage.objects:\n    columns: {¶name: "$$text$$"}\n')),
    ("external-column-type-semicolon", external('  storage.objects:\n    columns: {¶name: "text; DROP TABLE sentinel"}\n')),
    ("external-policy-newline", external('  storage.objects:\n    columns: {name: text}\n    policies:\n      - {¶name: "a\\nb", for: [select], using: "true"}\n')),
    ("external-policy-64-bytes", external(f'  storage.objects:\n    columns: {{name: text}}\n    policies:\n      - {{¶name: "{"p" * 64}", for: [select], using: "true"}}\n')),
    ("external-policy-injection", external('  storage.objects:\n    columns: {name: text}\n    policies:\n      - {name: x, for: [select], using: "name <> \'\'¶; DROP TABLE sentinel"}\n')),
]


# ---------------------------------------------------------------- compliance (lint errors stop compile)

COMPLIANCE_CASES = [
    ("rls-off-phi", BASE.replace("classification: administrative", "classification: phi\n    ¶rls: false")),
    ("phi-without-retention", BASE.replace("classification: administrative", "classification: phi").replace("    retention: Kept while the practice runs.\n", "").replace("  patients:\n", "  ¶patients:\n", 1)),
    ("rls-off-phi-beside-a-build-error", BASE.replace("classification: administrative", "classification: phi\n    ¶rls: false")
     + "  other:\n    classification: administrative\n    columns:\n      id: {type: uuidd}\n"),
    ("phi-not-encrypted", with_column("¶diagnosis: {type: text, classification: phi, description: Diagnosis.}")),
]


def refused_cases() -> list[tuple[str, str]]:
    cases = [(f"{field}-{name}", build(expr)) for field, build in FIELDS.items() for name, expr in EXPRESSION_PAYLOADS.items()]
    cases += PLACE_SPECIFIC + YAML_CASES + SIZE_CASES + GRAMMAR_CASES + NAME_CASES + SCHEMA_CASES + COMPLIANCE_CASES
    return cases


# ---------------------------------------------------------------- specs that compile: hostile text must stay literal

HOSTILE_TEXTS = [
    "'); DROP TABLE sentinel; --",
    "$$; DROP TABLE sentinel; $$",
    "$a$ ; DROP TABLE sentinel; $a$",
    "*/ DROP TABLE sentinel; /*",
    "back\\slash\\'; DROP TABLE sentinel; --",
    "\\\\'; DROP TABLE sentinel; --",
    "E'\\''; DROP TABLE sentinel; --",
    "\\gexec \\! rm -rf / \\q",
    "line one\nline two; DROP TABLE sentinel;",
    "<script>alert(1)</script> | pipe | `code`",
    "ünïcødé — \u2028 separator \u00a0 nbsp",
]

SAFE_EXPRESSIONS = [
    ("check", "name <> ')); COMMIT; DROP TABLE sentinel; SELECT ((' -- ; DROP TABLE sentinel"),
    ("check", "name <> $q$'; DROP TABLE sentinel; --$q$"),
    ("check", "name <> E'\\\\'' ; DROP TABLE sentinel; --' /* */"),
    ("check", "name <> 'x\\' OR name = ';DROP TABLE sentinel;--'"),
    ("check", "name <> U&'\\0041\\0042'"),
    ("check", "name <> 'a$b$' AND 1 = 1"),
    ("index", "name <> '$x$; DROP TABLE sentinel; $x$'"),
    ("using", "owner_id = (SELECT auth.uid()) AND name <> '); DROP TABLE sentinel; --'"),
    ("with_check", "owner_id = (SELECT auth.uid()) OR name = $$x$$"),
]


def compiling_spec() -> tuple[str, list[str]]:
    """One spec holding every hostile text in every free-text field and every safe expression; the texts to find stored."""
    texts = []
    lines = [
        "version: 1",
        "enums:",
        "  status:",
        f"    description: {q(HOSTILE_TEXTS[0])}",
        "    values: [" + ", ".join(q(t.replace("\n", " ")) for t in HOSTILE_TEXTS[:6]) + "]",
        "tables:",
        "  patients:",
        f"    description: {q(HOSTILE_TEXTS[1])}",
        "    classification: administrative",
        f"    retention: {q(HOSTILE_TEXTS[2])}",
        "    columns:",
        f"      id: {{type: uuid, primary_key: true, default: gen_random_uuid(), description: {q(HOSTILE_TEXTS[3])}}}",
        f"      name: {{type: text, default: {q(HOSTILE_TEXTS[4])}, description: {q(HOSTILE_TEXTS[5])}}}",
        "      state: {enum: status, description: State.}",
        "      owner_id: {type: uuid, references: auth.users.id, description: Owner.}",
    ]
    texts += [HOSTILE_TEXTS[1], HOSTILE_TEXTS[3], HOSTILE_TEXTS[5]]
    for i, t in enumerate(HOSTILE_TEXTS[6:]):
        lines.append(f"      note{i}: {{type: text, default: {q(t)}, description: {q(t)}}}")
        texts.append(t)
    lines += ["    checks:"] + [f"      - {{expression: {q(e)}}}" for k, e in SAFE_EXPRESSIONS if k == "check"]
    lines += ["    indexes:", "      - {columns: [owner_id]}"] + [f"      - {{columns: [name], where: {q(e)}}}" for k, e in SAFE_EXPRESSIONS if k == "index"]
    lines += ["    policies:", "      - {name: own, for: [select, insert, update, delete], owner: owner_id}"]
    lines += [f"      - {{name: hostile_using, for: [select], using: {q(e)}}}" for k, e in SAFE_EXPRESSIONS if k == "using"]
    lines += [f"      - {{name: hostile_check, for: [insert], with_check: {q(e)}}}" for k, e in SAFE_EXPRESSIONS if k == "with_check"]
    return "\n".join(lines) + "\n", texts
