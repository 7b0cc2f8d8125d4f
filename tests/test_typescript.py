"""compiled/types/database.ts: golden text, the emitter's rules, tsc with supabase-js, and the live catalog.

The tsc tests need node and npm. On a laptop without them they skip; with CI set
in the environment a missing node or npm fails the run instead.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from schemac.emit.typescript import TYPESCRIPT_PATH, by_name, render_typescript
from schemac.pipeline import load_schema
from schemac.errors import SpecErrors

ROOT = Path(__file__).resolve().parent.parent
TS_PROJECT = ROOT / "tests" / "typescript"
COMMITTED = ROOT / "compiled" / TYPESCRIPT_PATH
DIRECTIVE = re.compile(r"^(\s*)// @ts-expect-error \((TS\d+)\) (.+)$")
TSC_ERROR = re.compile(r"^(?P<file>[^(\s]+)\((?P<line>\d+),\d+\): error (?P<code>TS\d+):")


# ---------------------------------------------------------------- helpers


def spec_schema(tmp_path: Path, text: str):
    """Load a small spec written to tmp_path."""
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    return load_schema(str(path))


def table_block(text: str, table: str) -> str:
    """One table's whole entry under Tables, by the emitter's fixed layout."""
    start = text.index(f"\n      {table}: {{\n")
    return text[start : text.index("\n      }\n", start) + 9]


def section(text: str, table: str, name: str) -> str:
    """The lines of one table's Row/Insert/Update/Relationships block, by the emitter's fixed layout."""
    start = text.index(f"\n      {table}: {{\n")
    begin = text.index(f"\n        {name}: ", start)
    end = text.index("\n        }", begin) if name != "Relationships" else text.index("\n        ]", begin)
    return text[begin:end] + "\n"


# ---------------------------------------------------------------- golden and targeted text


def test_committed_database_ts_is_what_the_spec_renders(repo_schema):
    """The golden file: compiled/types/database.ts must be exactly the emitter's output for schema.yaml."""
    assert COMMITTED.read_text(encoding="utf-8") == render_typescript(repo_schema), (
        "compiled/types/database.ts is stale; run `schemac compile` and review the diff"
    )


def test_render_is_deterministic_and_free_of_machine_details(repo_schema):
    first = render_typescript(repo_schema)
    assert first == render_typescript(repo_schema)
    for leak in ("/work", "/tmp", "/home", "C:\\", "\t", "\r"):
        assert leak not in first, leak
    odd = [line for line in first.splitlines() if (len(line) - len(line.lstrip(" "))) % 2 and not line.lstrip().startswith("*")]
    assert odd == []


def test_database_ts_targeted_text(repo_schema):
    text = render_typescript(repo_schema)
    assert "export type Database = {\n" in text
    assert "type DatabaseWithoutInternals = Omit<Database, \"__InternalSupabase\">" in text
    assert 'type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]' in text
    for helper in ("Tables", "TablesInsert", "TablesUpdate", "Enums", "CompositeTypes"):
        assert f"export type {helper}<\n" in text
    assert "export const Constants = {" in text
    # enum columns are unions, listed under Enums and Constants
    assert '      sender_type: "patient" | "doctor" | "bot" | "system"\n' in text
    assert '      sender_type: ["patient", "doctor", "bot", "system"],\n' in text
    assert '          status: Database["public"]["Enums"]["appointment_status"]\n' in section(text, "appointments", "Row")
    # classification in JSDoc
    assert "          /** [PHI, encrypted] Full name as given by the patient. */\n          name: string\n" in text
    assert '    reason_for_visit: "phi",\n' in text
    # Insert: required unless nullable or defaulted; Update: all optional
    insert = section(text, "patients", "Insert")
    assert "\n          name: string\n" in insert and "\n          id?: string\n" in insert
    assert "\n          date_of_birth?: string | null\n" in insert
    assert "\n          name?: string\n" in section(text, "patients", "Update")
    # cross-schema foreign keys (auth.users) are not relationships; in-schema ones are
    assert 'referencedRelation: "users"' not in text
    assert "        Relationships: []\n" in table_block(text, "availability")
    rel = section(text, "appointments", "Relationships")
    assert rel.index('"appointments_conversation_id_fkey"') < rel.index('"appointments_patient_id_doctor_id_fkey"')
    assert "References auth.users.id." in section(text, "appointments", "Row")
    # tables sorted by name, as the generator does
    tables = re.findall(r"^      (\w+): \{$", text[: text.index("    Views: {")], re.M)
    assert tables == sorted(tables, key=by_name) and len(tables) == len(repo_schema.tables)


# ---------------------------------------------------------------- emitter rules on small specs


SMALL_SPEC = """
version: 1
enums:
  kind:
    values: [a, "it's \\"quoted\\""]
tables:
  owners:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      amount: {type: "numeric(10,2)", nullable: true}
      tags: {type: "text[]", default: []}
      counts: {type: "integer[]", nullable: true}
      payload: {type: json}
      code: {type: "varchar(8)", description: "Ends a comment */ here"}
      flag: {type: boolean, default: false}
      at: {type: timestamp}
      kind: {enum: kind, default: a}
      user_id: {type: uuid, references: auth.users.id, unique: true}
  profiles:
    classification: phi
    columns:
      owner_id: {type: bigint, primary_key: true, references: owners.id, classification: administrative}
      note: {type: text, encrypted: true}
      other_id: {type: bigint, nullable: true, references: owners.id, classification: administrative}
  pairs:
    classification: administrative
    primary_key: [x, y]
    columns:
      x: {type: bigint}
      y: {type: bigint}
  pair_notes:
    classification: administrative
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: bigint}
      b: {type: bigint}
    unique:
      - columns: [b, a]
    foreign_keys:
      - {name: pair_notes_ab_fkey, columns: [a, b], references: {table: pairs, columns: [x, y]}}
      - {name: pair_notes_ba_fkey, columns: [b, a], references: {table: pairs, columns: [x, y]}}
"""


def test_type_mapping_follows_supabase(tmp_path):
    text = render_typescript(spec_schema(tmp_path, SMALL_SPEC))
    row = section(text, "owners", "Row")
    for line in (
        "id: number",  # bigint -> number, as Supabase maps int8
        "amount: number | null",  # numeric -> number
        "tags: string[]",
        "counts: number[] | null",
        "payload: NonNullable<Json>",  # NOT NULL json, as the generator narrows it
        "code: string",
        "flag: boolean",
        "at: string",
        'kind: Database["public"]["Enums"]["kind"]',
        "user_id: string",
    ):
        assert f"\n          {line}\n" in row, line
    insert = section(text, "owners", "Insert")
    assert "\n          tags?: string[]\n" in insert and "\n          payload: NonNullable<Json>\n" in insert
    assert '\n      kind: "a" | "it\'s \\"quoted\\""\n' in text
    assert "Ends a comment *\\/ here" in text and "Ends a comment */" not in text


def test_relationships_one_to_one_and_cross_schema(tmp_path):
    text = render_typescript(spec_schema(tmp_path, SMALL_SPEC))
    assert "        Relationships: []\n" in table_block(text, "owners")  # only auth.users: left out
    rel = section(text, "profiles", "Relationships")
    assert re.search(r'foreignKeyName: "profiles_owner_id_fkey"\n\s+columns: \["owner_id"\]\n\s+isOneToOne: true\n', rel)
    assert re.search(r'foreignKeyName: "profiles_other_id_fkey"\n\s+columns: \["other_id"\]\n\s+isOneToOne: false\n', rel)
    assert 'referencedRelation: "owners"' in rel
    pairs = section(text, "pair_notes", "Relationships")
    # the generator compares the key's columns in table order with the FK's in key order
    assert re.search(r'"pair_notes_ab_fkey"\n\s+columns: \["a", "b"\]\n\s+isOneToOne: true\n', pairs)
    assert re.search(r'"pair_notes_ba_fkey"\n\s+columns: \["b", "a"\]\n\s+isOneToOne: false\n', pairs)


def test_no_enums_renders_the_generators_empty_forms(tmp_path):
    text = render_typescript(spec_schema(tmp_path, "version: 1\ntables:\n  t:\n    classification: public_social\n    columns:\n      id: {type: uuid, primary_key: true}\n"))
    assert "    Enums: {\n      [_ in never]: never\n    }\n" in text
    assert "    Enums: {},\n" in text  # Constants
    assert "        Relationships: []\n" in text


# ---------------------------------------------------------------- tsc with supabase-js


def _node_tools() -> tuple[str, str]:
    """npm and npx, or skip (fail under CI: a missing toolchain must not pass silently)."""
    npm, npx, node = shutil.which("npm"), shutil.which("npx"), shutil.which("node")
    if npm and npx and node:
        return npm, npx
    message = "node, npm and npx are needed to type-check tests/typescript"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this is a failure)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def npx() -> str:
    """npx, after `npm ci` has installed tests/typescript's lockfile if a dev dependency is missing."""
    npm, npx_ = _node_tools()
    wanted = json.loads((TS_PROJECT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    if any(not (TS_PROJECT / "node_modules" / name / "package.json").exists() for name in wanted):
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TS_PROJECT, capture_output=True, text=True)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return npx_


def run_tsc(npx_: str, project_dir: Path) -> subprocess.CompletedProcess:
    """`npx --no-install tsc --noEmit --strict -p .` in project_dir (never downloads a package named tsc)."""
    return subprocess.run(
        [npx_, "--no-install", "tsc", "--noEmit", "--strict", "-p", "."], cwd=project_dir, capture_output=True, text=True
    )


def tsc_errors(result: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    return [(m["file"], int(m["line"]), m["code"]) for m in map(TSC_ERROR.match, result.stdout.splitlines()) if m]


def scratch_project(tmp_path: Path, database_ts: str, usage: str) -> Path:
    """A copy of the layout (compiled/types/database.ts, tests/typescript/...) sharing node_modules by symlink."""
    (tmp_path / "compiled" / "types").mkdir(parents=True)
    (tmp_path / "compiled" / "types" / "database.ts").write_text(database_ts, encoding="utf-8")
    project = tmp_path / "tests" / "typescript"
    project.mkdir(parents=True)
    shutil.copy(TS_PROJECT / "tsconfig.json", project / "tsconfig.json")
    (project / "usage.ts").write_text(usage, encoding="utf-8")
    (project / "node_modules").symlink_to(TS_PROJECT / "node_modules", target_is_directory=True)
    return project


def expected_errors(usage: str) -> set[tuple[int, str]]:
    """(line, code) that each `// @ts-expect-error (TSnnnn) ...` directive promises on the next line."""
    return {(i + 2, m[2]) for i, line in enumerate(usage.splitlines()) if (m := DIRECTIVE.match(line))}


def test_tsconfig_is_strict_and_checks_the_committed_file():
    config = (TS_PROJECT / "tsconfig.json").read_text(encoding="utf-8")
    assert '"strict": true' in config and '"noEmit": true' in config
    assert '"../../compiled/types/database.ts"' in config


def test_usage_typechecks_with_supabase_js(npx):
    """The real project: committed database.ts + usage.ts, strict; unused @ts-expect-error would fail it (TS2578)."""
    result = run_tsc(npx, TS_PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(expected_errors((TS_PROJECT / "usage.ts").read_text(encoding="utf-8"))) >= 4


def test_every_expect_error_marks_a_real_error(npx, tmp_path, repo_schema):
    """Without the directives, tsc reports exactly the promised (line, code) pairs and nothing else."""
    usage = (TS_PROJECT / "usage.ts").read_text(encoding="utf-8")
    promised = expected_errors(usage)
    reasons = " ".join(m[3] for line in usage.splitlines() if (m := DIRECTIVE.match(line)))
    for kind in (
        "out-of-enum",
        "missing required column on insert",
        "wrong type on update",
        "PHI where Redacted",
        "wrong rpc argument name",
        "wrong rpc argument type",
        "trigger function through rpc",
        "computed view column on update",
        "PHI column through the view",
    ):
        assert kind in reasons, kind
    stripped = "\n".join(DIRECTIVE.sub(r"\1// (directive removed)", line) for line in usage.splitlines()) + "\n"
    result = run_tsc(npx, scratch_project(tmp_path, render_typescript(repo_schema), stripped))
    assert result.returncode != 0
    found = tsc_errors(result)
    assert all(f == "usage.ts" for f, _, _ in found), result.stdout
    assert {(line, code) for _, line, code in found} == promised, result.stdout


def test_plain_string_enums_would_let_a_bad_status_through(npx, tmp_path, repo_schema):
    """What Supabase's own output gives for TEXT + CHECK (string) accepts "rescheduled": the directive goes unused."""
    usage = (TS_PROJECT / "usage.ts").read_text(encoding="utf-8")
    weakened = re.sub(
        r'(\n +status\??: )Database\["public"\]\["Enums"\]\["appointment_status"\]', r"\1string", render_typescript(repo_schema)
    )
    assert weakened.count("status?: string") == 4  # appointments' Insert and Update, and the appointment_schedule view's
    result = run_tsc(npx, scratch_project(tmp_path, weakened, usage))
    unused = {line for _, line, code in tsc_errors(result) if code == "TS2578"}
    directive_line = next(i + 1 for i, line in enumerate(usage.splitlines()) if '"rescheduled"' in line and "@ts-expect-error" in line)
    assert directive_line in unused, result.stdout


README_STUBS = """declare const process: { env: Record<string, string | undefined> }
declare const doctorId: string, patientId: string, appointmentId: string
declare const logger: { info(entry: unknown): void }
declare function loadPatient(id: string): Promise<Tables<"patients">>
"""


def test_readme_example_typechecks(npx, tmp_path, repo_schema):
    """The README's TypeScript example compiles, and each line it marks `// type error` really is one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section_text = readme[readme.index("## TypeScript types") :]
    code = re.search(r"```ts\n(.*?)```", section_text, re.S)[1].replace('from "./database"', 'from "../../compiled/types/database"')
    imports, body = code.split("// compiled/types/database.ts\n", 1)
    marked = "".join(("// @ts-expect-error\n" if "// type error" in line else "") + line + "\n" for line in body.splitlines())
    assert marked.count("@ts-expect-error") >= 2
    declared = re.findall(r"^(?:const|function)\s+(?:\{\s*\w+:\s*)?(\w+)", body, re.M)  # used, for noUnusedLocals
    usage = f"{imports}\n{README_STUBS}export async function example(): Promise<unknown[]> {{\n{marked}return [{', '.join(declared)}]\n}}\n"
    result = run_tsc(npx, scratch_project(tmp_path, render_typescript(repo_schema), usage))
    assert result.returncode == 0, result.stdout + usage


HOSTILE_SPEC = r"""
version: 1
enums:
  mood:
    values: ["it's", "a\\b", "say \"hi\"", "*/ x", "line\nbreak", "ünïcødé 🩺", "\u2028"]
tables:
  odd:
    classification: phi
    columns:
      _x1: {type: uuid, primary_key: true, classification: administrative, description: "ends */ early\nand /* opens"}
      mood: {enum: mood, default: "it's", description: "tab\there 🩺"}
"""


def test_hostile_strings_still_typecheck(npx, tmp_path):
    """Quotes, backslashes, newlines, comment markers and U+2028 in enum values and descriptions stay valid TypeScript."""
    text = render_typescript(spec_schema(tmp_path, HOSTILE_SPEC))
    usage = (
        'import { Constants, type Enums, type Tables } from "../../compiled/types/database"\n'
        'const mood: Enums<"mood"> = "a\\\\b"\n'
        'const row: Pick<Tables<"odd">, "mood"> = { mood: "line\\nbreak" }\n'
        "export const values: readonly string[] = Constants.public.Enums.mood\n"
        "console.log(mood, row)\n"
    )
    result = run_tsc(npx, scratch_project(tmp_path / "project", text, usage))
    assert result.returncode == 0, result.stdout + result.stderr + text
    assert len(re.findall(r"^ +/\*\*.*\*/$", text, re.M)) == 6  # every JSDoc stays on one line


def test_name_order_matches_the_generators_collation(npx):
    """by_name sorts identifiers as the generator's Intl.Collator("en") does, over many random names."""
    rng = random.Random(7)
    names = sorted({rng.choice("abz_") + "".join(rng.choice("ab_19z0") for _ in range(rng.randrange(7))) for _ in range(3000)})
    script = 'const n = JSON.parse(process.argv[1]); console.log(JSON.stringify(n.sort(new Intl.Collator("en").compare)))'
    done = subprocess.run([shutil.which("node"), "-e", script, json.dumps(names)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(names, key=by_name) == json.loads(done.stdout)


def supabase_view(ours: str, native: frozenset[str] = frozenset()) -> str:
    """Our file as Supabase's generator would print it for the same database, to compare byte for byte.

    It sees TEXT + CHECK enums as `string` and has no enums, no comments and none of schemac's
    classification exports; everything else must already be identical. Native enums (PostgreSQL
    enum types, named in `native`) it sees as we do; then only the CHECK enums are removed.
    """
    text = "\n".join(line for line in ours.splitlines() if not re.match(r"^\s*(//|/\*\*.*\*/$)", line)) + "\n"
    text = text[: text.index("export const ColumnClassification")]
    text = re.sub(r'Database\["public"\]\["Enums"\]\["(\w+)"\]', lambda m: m[0] if m[1] in native else "string", text)
    if native:
        return _drop_check_enums(text, native).strip() + "\n"
    text = re.sub(r"( +)(\w+\??):\n((?:\1  \| .+\n)+)", _join_union, text)
    text = re.sub(r"\n    Enums: \{\n(?: {6,}.*\n)*    \}\n", "\n    Enums: {\n      [_ in never]: never\n    }\n", text)
    text = re.sub(r"\n    Enums: \{\n(?: {6,}.*\n)*    \},\n", "\n    Enums: {},\n", text)
    return text.strip() + "\n"


def _drop_check_enums(text: str, native: frozenset[str]) -> str:
    """Remove the CHECK enums from the Enums and Constants blocks, keeping the native ones."""
    text = re.sub(r"( +)(\w+\??):\n((?:\1  \| .+\n)+)", _join_union, text)
    lines, out, skipping = text.splitlines(), [], None
    for line in lines:
        m = re.match(r"^( {6})(\w+): (.*)$", line)
        in_enums = out and any(h in "\n".join(out[-200:]) for h in ("    Enums: {",))
        if m and skipping is None and in_enums and m[2] not in native and not m[3].endswith("{") and ("|" in m[3] or m[3].startswith('"') or m[3].startswith("[")):
            if m[3].endswith("[") or (m[3].startswith("[") and not m[3].rstrip(",").endswith("]")):
                skipping = m[1] + "]"
            continue
        if skipping is not None:
            if line.startswith(skipping):
                skipping = None
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _join_union(m: re.Match) -> str:
    """Put a broken-up union back on one line when, with enums as `string`, it fits in 80 columns."""
    alternatives = [line.strip()[2:] for line in m[3].splitlines()]
    line = f"{m[1]}{m[2]}: {' | '.join(alternatives)}"
    return line + "\n" if len(line) <= 80 else m[0]


def official_types(database_url: str, schemas: tuple[str, ...] = ("public",)) -> str:
    """What Supabase's generator (tests/typescript/official.mjs) prints for the database's `schemas`, comments removed."""
    params = conninfo_to_dict(database_url)
    config = {"host": params.get("host"), "user": params.get("user"), "password": params.get("password"), "database": params.get("dbname")}
    config = {k: v for k, v in config.items() if v is not None} | ({"port": int(params["port"])} if "port" in params else {})
    node = shutil.which("node")  # present: the npx fixture checked
    done = subprocess.run([node, "official.mjs", json.dumps(config), json.dumps(list(schemas))], cwd=TS_PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return "\n".join(line for line in done.stdout.splitlines() if not line.lstrip().startswith("//")).strip() + "\n"


def test_same_types_as_supabases_generator(npx, migrated, db_url):
    """Drop-in: Supabase's generator, run on the migrated database, prints exactly our file minus schemac's extras."""
    ours = COMMITTED.read_text(encoding="utf-8")
    official = official_types(db_url)
    assert "status: string" in official and "Enums: {\n      [_ in never]: never" in official  # it cannot see the enums
    assert supabase_view(ours) == official


def test_same_types_as_supabases_generator_for_every_type(npx, conn, db_url, tmp_path):
    """The same comparison for SMALL_SPEC: arrays, numeric, varchar, json, timestamp, one-to-one and composite keys."""
    from schemac.db.apply import run_sql
    from schemac.emit.sql import render_migration

    schema = spec_schema(tmp_path, SMALL_SPEC)
    run_sql(conn, render_migration(schema))
    assert supabase_view(render_typescript(schema)) == official_types(db_url)


# Views: a simple (updatable) one with a computed column (`never` on write), one with a window function
# (read-only), a materialized one, and one over a table with a foreign key (relationships through views on
# both sides). Every shape of function the generator types differently: no arguments, defaults (optional args), arrays,
# numbers, json, void, record, a table row (one and SETOF, with SetofOptions), TABLE (...), SETOF scalar,
# lines past 80 columns, and a trigger function (left out).
FUNCTIONS_SPEC = """\
tables:
  items:
    description: x
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true, default: gen_random_uuid()}
      data: {type: jsonb}
      note: {type: jsonb, nullable: true}
      tags: {type: "text[]", nullable: true}
  child:
    description: x
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true}
      item_id: {type: uuid, nullable: true, references: items.id}
functions:
  one_item:
    arguments:
      - {name: item_id, type: uuid}
    returns: items
    language: sql
    volatility: stable
    body: select * from public.items where id = item_id
  a_function_with_a_rather_long_name_indeed:
    arguments:
      - {name: first_argument_name, type: "integer[]"}
      - {name: second_argument, type: jsonb, default: "'{}'"}
      - {name: third, type: boolean, default: "true"}
    returns: setof text
    language: sql
    body: select 'x'
  nothing:
    returns: void
    language: plpgsql
    body: |
      begin
        perform 1;
      end;
  numbers:
    arguments:
      - {name: n, type: numeric}
      - {name: d, type: date}
      - {name: t, type: timestamp}
    returns: "double precision[]"
    language: sql
    body: select array[1.0::float8]
  rec:
    returns: record
    language: sql
    body: select 1, 2
  short_but_long_returns:
    arguments:
      - {name: abcdefghijklmnopqrstu, type: text}
    returns: smallint
    language: sql
    body: select 1::smallint
  rows_of_items:
    description: Every item.
    returns: setof items
    language: sql
    volatility: stable
    body: select * from public.items
  counts:
    arguments:
      - {name: since, type: timestamp with time zone}
      - {name: ids, type: "uuid[]", default: "'{}'"}
    returns: table (item_id uuid, total bigint, label text)
    language: sql
    body: select id, 1::bigint, 'x' from public.items
  touch:
    returns: trigger
    language: plpgsql
    body: |
      begin
        return new;
      end;
triggers:
  items_touch:
    table: items
    timing: before
    events: [update]
    function: touch
views:
  item_simple:
    security_invoker: true
    query: SELECT i.id, i.note, i.tags, i.id::text AS label FROM public.items i
  item_view:
    security_invoker: true
    query: SELECT i.id, i.data, i.tags, count(*) OVER () AS n FROM public.items i
  item_mat:
    materialized: true
    query: SELECT i.id, i.tags FROM public.items i
    indexes:
      - {columns: [id], unique: true}
  child_view:
    query: SELECT c.id, c.item_id FROM public.child c
"""


def test_functions_and_views_typed_as_supabases_generator_types_them(npx, conn, db_url, tmp_path):
    from schemac.db.apply import run_sql
    from schemac.emit.sql import render_migration

    schema = spec_schema(tmp_path, FUNCTIONS_SPEC)
    run_sql(conn, render_migration(schema))
    ours = render_typescript(schema)
    assert "touch" not in ours[ours.index("Functions: {") : ours.index("Enums: {")]
    assert "SetofOptions" in ours and "Record<PropertyKey, never>" in ours
    assert "label?: never" in ours and 'referencedRelation: "item_mat"' in ours
    assert supabase_view(ours) == official_types(db_url)


CONSTRUCTS = ROOT / "tests" / "fixtures" / "constructs.yaml"


def test_same_types_as_supabases_generator_for_every_construct(npx, conn, db_url):
    """tests/fixtures/constructs.yaml: identity (always, by default), serial, native enums, generated
    columns, default expressions, collations, real/double/bytea/inet/interval/tsvector/ranges/citext,
    FK options: the generator, run on the migrated database, prints our file minus schemac's extras."""
    from schemac.db.apply import run_sql
    from schemac.emit.sql import render_migration

    schema = load_schema(str(CONSTRUCTS))
    run_sql(conn, render_migration(schema))
    official = official_types(db_url)
    assert "id?: never" in official and 'plan: Database["public"]["Enums"]["plan"]' in official  # it sees them too
    native = frozenset(e.name for e in schema.enums if e.native)
    assert native and len(native) < len(schema.enums)
    assert supabase_view(render_typescript(schema), native) == official


# ---------------------------------------------------------------- against the live catalog

# PostgreSQL's format_type() spelling -> Supabase's TypeScript type, written out independently of the emitter.
CATALOG_TS = {
    "text": "string",
    "uuid": "string",
    "date": "string",
    "time without time zone": "string",
    "timestamp without time zone": "string",
    "timestamp with time zone": "string",
    "character varying": "string",
    "character": "string",
    "smallint": "number",
    "integer": "number",
    "bigint": "number",
    "numeric": "number",
    "boolean": "boolean",
    "json": "Json",
    "jsonb": "Json",
}
CHECK_IN = re.compile(r"^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$")


def catalog_ts_type(format_type: str) -> str:
    """The TS type Supabase's generator would give a column of this catalog type."""
    array = format_type.endswith("[]")
    base = re.sub(r"\(.*\)", "", format_type.removesuffix("[]"))
    return CATALOG_TS[base] + ("[]" if array else "")


def catalog_enum_checks(conn) -> dict[tuple[str, str], list[str]]:
    """(table, column) -> the allowed values of an `IN (...)` CHECK, read back from pg_constraint."""
    found = {}
    for table, definition in conn.execute(
        """SELECT c.relname, pg_get_constraintdef(con.oid) FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND con.contype = 'c'"""
    ):
        m = CHECK_IN.match(definition)
        if m:
            found[(table, m[1])] = [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'::text", m[2])]
    return found


def catalog_columns(conn) -> dict[str, dict[str, tuple[str, bool, bool]]]:
    """table -> column -> (format_type, nullable, has default), for every ordinary table in public."""
    tables: dict[str, dict[str, tuple[str, bool, bool]]] = {}
    for table, column, ftype, notnull, hasdef in conn.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"""
    ):
        tables.setdefault(table, {})[column] = (ftype, not notnull, hasdef)
    return tables


def catalog_relationships(conn) -> dict[str, set[tuple[str, tuple[str, ...], bool, str, tuple[str, ...]]]]:
    """table -> {(constraint, columns, one-to-one, referenced table, referenced columns)} for FKs inside public.

    One-to-one as the generator decides it: the FK's column array equals the (attnum-ordered)
    column array of a primary key or unique constraint of the same table.
    """
    found: dict[str, set] = {}
    for table, name, cols, one_to_one, ref, ref_cols in conn.execute(
        """SELECT c.relname, con.conname,
                  ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[],
                  EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = con.conrelid AND k.contype IN ('p', 'u')
                          AND ARRAY(SELECT x FROM unnest(k.conkey) x ORDER BY x) = con.conkey),
                  r.relname,
                  ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[]
           FROM pg_constraint con
           JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
           WHERE con.contype = 'f' AND n.nspname = 'public' AND rn.nspname = 'public'"""
    ):
        found.setdefault(table, set()).add((name, tuple(cols), one_to_one, ref, tuple(ref_cols)))
    return found


def parse_database_ts(text: str) -> tuple[dict, dict[str, list[str]]]:
    """A small parser for the emitted layout: tables -> section -> field -> (optional, alternatives), and Enums.

    It relies on the fixed indentation (tables at 6, sections at 8, fields at 10) and
    joins prettier-style broken unions (`key:` then `| A` lines).
    """
    body = text[text.index("    Tables: {\n") : text.index("\n    Views: {")]
    enums_body = text[text.index("    Enums: {\n") : text.index("\n    CompositeTypes: {")]
    tables: dict[str, dict[str, dict]] = {}
    table = sect = key = None
    for line in body.splitlines()[1:]:
        if m := re.fullmatch(r" {6}(\w+): \{", line):
            table = m[1]
            tables[table] = {}
        elif m := re.fullmatch(r" {8}(Row|Insert|Update): \{", line):
            sect = m[1]
            tables[table][sect] = {}
        elif m := re.fullmatch(r" {8}Relationships: \[\]?", line):
            sect = "Relationships"
            tables[table][sect] = []
        elif sect == "Relationships" and (m := re.fullmatch(r" {12}(\w+): (.+)", line)):
            if m[1] == "foreignKeyName":
                tables[table][sect].append({})
            tables[table][sect][-1][m[1]] = m[2]
        elif sect != "Relationships" and (m := re.fullmatch(r" {10}(\w+)(\??): ?(.*)", line)):
            key = m[1]
            alternatives = [a.strip() for a in m[3].split(" | ")] if m[3] else []
            tables[table][sect][key] = (m[2] == "?", alternatives)
        elif m := re.fullmatch(r" {12}\| (.+)", line):
            tables[table][sect][key][1].append(m[1])
    enums: dict[str, list[str]] = {}
    for line in enums_body.splitlines()[1:]:
        if m := re.fullmatch(r" {6}(\w+):(.*)", line):
            key = m[1]
            enums[key] = [a.strip() for a in m[2].split("|") if a.strip()]
        elif m := re.fullmatch(r" {8}\| (.+)", line):
            enums[key].append(m[1])
    return tables, enums


def resolve(alternatives: list[str], enums: dict[str, list[str]]) -> tuple[str, bool]:
    """(value type, nullable) with enum references replaced by their sorted literal union."""
    nullable = "null" in alternatives
    (value,) = [a for a in alternatives if a != "null"]
    if m := re.fullmatch(r'Database\["public"\]\["Enums"\]\["(\w+)"\](\[\])?', value):
        value = " | ".join(sorted(enums[m[1]])) + (m[2] or "")
    return value, nullable


def catalog_differences(conn, database_ts: str) -> list[str]:
    """Every way the emitted tables disagree with the live catalog: names, nullability, types, optionality, FKs."""
    tables, enums = parse_database_ts(database_ts)
    live = catalog_columns(conn)
    checks = catalog_enum_checks(conn)
    relationships = catalog_relationships(conn)
    problems = [f"tables: emitted {sorted(tables)} but the catalog has {sorted(live)}"] if set(tables) != set(live) else []
    for table in sorted(set(tables) & set(live)):
        problems += _table_differences(table, tables[table], enums, live[table], checks)
        if _relationships_of(tables[table]) != relationships.get(table, set()):
            problems.append(f"{table}: Relationships {_relationships_of(tables[table])} != catalog {relationships.get(table)}")
    return problems


def _table_differences(table, ts, enums, columns, checks) -> list[str]:
    problems = [f"{table}.{s}: fields {sorted(ts[s])} != columns {sorted(columns)}" for s in ("Row", "Insert", "Update") if set(ts[s]) != set(columns)]
    for column in sorted(set(columns) & set(ts["Row"])):
        ftype, nullable, has_default = columns[column]
        expected = catalog_ts_type(ftype)
        if expected == "Json" and not nullable:
            expected = "NonNullable<Json>"  # the generator's rule: Json itself includes null
        if (table, column) in checks:
            expected = " | ".join(sorted(json.dumps(v, ensure_ascii=False) for v in checks[(table, column)]))
        where = f"{table}.{column} ({ftype}{' null' if nullable else ' not null'})"
        if ts["Row"][column] != (False, ts["Row"][column][1]) or resolve(ts["Row"][column][1], enums) != (expected, nullable):
            problems.append(f"{where}: Row has {ts['Row'][column]}, expected {expected}{' | null' if nullable else ''}")
        if ts["Insert"].get(column) != (nullable or has_default, ts["Row"][column][1]):
            problems.append(f"{where}: Insert has {ts['Insert'].get(column)}")
        if ts["Update"].get(column) != (True, ts["Row"][column][1]):
            problems.append(f"{where}: Update has {ts['Update'].get(column)}")
    return problems


def _relationships_of(ts_table) -> set[tuple[str, tuple[str, ...], bool, str, tuple[str, ...]]]:
    names = lambda text: tuple(re.findall(r'"(\w+)"', text))  # noqa: E731
    return {
        (
            r["foreignKeyName"].strip('"'),
            names(r["columns"]),
            {"true": True, "false": False}[r["isOneToOne"]],
            r["referencedRelation"].strip('"'),
            names(r["referencedColumns"]),
        )
        for r in ts_table["Relationships"]
    }


def test_types_agree_with_the_catalog(migrated):
    """Apply the migration, then check every table's Row/Insert/Update and Relationships against pg_catalog."""
    assert len(catalog_enum_checks(migrated)) >= 8  # the enum columns' CHECKs are visible in the catalog
    assert len(catalog_columns(migrated)) == 8
    assert catalog_differences(migrated, COMMITTED.read_text(encoding="utf-8")) == []


def test_small_spec_types_agree_with_the_catalog(conn, tmp_path):
    """Every type of SMALL_SPEC (arrays, numeric, varchar, json, timestamp, composite keys) against its catalog."""
    from schemac.db.apply import run_sql
    from schemac.emit.sql import render_migration

    schema = spec_schema(tmp_path, SMALL_SPEC)
    run_sql(conn, render_migration(schema))
    assert catalog_differences(conn, render_typescript(schema)) == []
    assert {r[2] for rels in catalog_relationships(conn).values() for r in rels} == {True, False}


def test_catalog_comparison_notices_drift(migrated):
    """The comparison can fail: change a type, a nullability, an enum CHECK and a foreign key in the database."""
    migrated.execute(
        """ALTER TABLE public.blocked_times ALTER COLUMN reason TYPE integer USING NULL;
           ALTER TABLE public.messages ALTER COLUMN intent SET NOT NULL;
           ALTER TABLE public.audit_logs DROP CONSTRAINT audit_logs_status_check;
           ALTER TABLE public.audit_logs ADD CONSTRAINT audit_logs_status_check CHECK (status IN ('success', 'failure', 'partial'));
           ALTER TABLE public.messages DROP CONSTRAINT messages_conversation_id_fkey"""
    )
    problems = "\n".join(catalog_differences(migrated, COMMITTED.read_text(encoding="utf-8")))
    for expected in ("blocked_times.reason (integer null)", "messages.intent (text not null)", "audit_logs.status", "messages: Relationships"):
        assert expected in problems, problems


PROTOTYPE_NAMES_SPEC = """\
version: 1
tables:
  constructor:
    classification: administrative
    columns:
      id: {type: uuid, primary_key: true}
      constructor: {type: text, classification: phi}
      tostring: {type: text}
      valueof: {type: text, classification: phi}
      hasownproperty: {type: text}
      __definegetter__: {type: text, classification: phi}
"""


def test_object_prototype_names_work_at_run_time(npx, tmp_path):
    """Names JavaScript objects inherit (constructor, toString's lowercase twin, ...) are own keys of the emitted
    ColumnClassification at run time, so a redaction helper built on it sees every PHI column; the file type-checks."""
    text = render_typescript(spec_schema(tmp_path, PROTOTYPE_NAMES_SPEC))
    usage = (
        'import { ColumnClassification, type PhiColumns } from "../../compiled/types/database"\n'
        'const phi: PhiColumns<"constructor">[] = ["constructor", "valueof", "__definegetter__"]\n'
        "console.log(phi, ColumnClassification)\n"
    )
    result = run_tsc(npx, scratch_project(tmp_path / "project", text, usage))
    assert result.returncode == 0, result.stdout + result.stderr
    literal = text[text.index("export const ColumnClassification = ") + len("export const ColumnClassification = ") : text.index("} as const satisfies")] + "}"
    script = (
        f"const C = {literal};\n"
        "const t = C['constructor'];\n"
        "console.log(JSON.stringify({own: Object.keys(t).sort(), proto: Object.getPrototypeOf(t) === Object.prototype,"
        " phi: Object.keys(t).filter(k => t[k] === 'phi').sort(), tables: Object.keys(C)}));\n"
    )
    run = subprocess.run([shutil.which("node"), "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found == {
        "own": ["__definegetter__", "constructor", "hasownproperty", "id", "tostring", "valueof"],
        "proto": True,
        "phi": ["__definegetter__", "constructor", "valueof"],
        "tables": ["constructor"],
    }


def test_proto_and_mixed_case_prototype_names_are_refused_at_their_position(tmp_path):
    spec = tmp_path / "schema.yaml"
    spec.write_text(PROTOTYPE_NAMES_SPEC.replace("      tostring:", "      __proto__: {type: text}\n      toString:"))
    with pytest.raises(SpecErrors) as info:
        load_schema(str(spec))
    messages = [f"{e.pos.line}:{e.pos.col}: {e.message}" for e in info.value.errors]
    assert messages[0].startswith("8:7: column name '__proto__' cannot be used: in the generated TypeScript")
    assert messages[1].startswith("9:7: column name 'toString' is not a valid name: use lowercase letters")


MAX_AFFECTED_USAGE = """import { createClient } from "@supabase/supabase-js"
import type { Database } from "../../compiled/types/database"
declare const url: string
const supabase = createClient<Database>(url, url)
export async function cancelOne(id: string): Promise<unknown> {
  const { error } = await supabase.from("appointments").update({ status: "cancelled" }).eq("id", id).maxAffected(1).select("id")
  return error
}
"""


def test_postgrest_version_is_configurable_and_unlocks_max_affected(npx, tmp_path):
    """typescript.postgrest_version "13" (a hosted project) lets supabase-js type maxAffected(); the default "12" does not."""
    spec = (ROOT / "schema.yaml").read_text(encoding="utf-8")
    hosted = spec_schema(tmp_path, spec + '\ntypescript:\n  postgrest_version: "13"\n')
    default = load_schema(str(ROOT / "schema.yaml"))
    assert default.postgrest_version == "12"
    assert 'PostgrestVersion: "13"' in render_typescript(hosted)
    ok = run_tsc(npx, scratch_project(tmp_path / "v13", render_typescript(hosted), MAX_AFFECTED_USAGE))
    assert ok.returncode == 0, ok.stdout
    refused = run_tsc(npx, scratch_project(tmp_path / "v12", render_typescript(default), MAX_AFFECTED_USAGE))
    assert refused.returncode != 0 and "usage.ts" in refused.stdout, refused.stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13", None), (13, None), ("12.2.3 (519615d)", None), ("13; drop", "is not a version"), ('13"', "is not a version"), ([13], "must be a string")],
)
def test_postgrest_version_is_validated(tmp_path, value, expected):
    import json

    from schemac.errors import SpecErrors

    spec = 'version: 1\ntables:\n  t:\n    classification: administrative\n    columns:\n      id: {type: uuid, primary_key: true}\n'
    spec += f"typescript:\n  postgrest_version: {json.dumps(value)}\n"
    if expected is None:
        assert spec_schema(tmp_path, spec).postgrest_version == str(value)
        return
    with pytest.raises(SpecErrors) as raised:
        spec_schema(tmp_path, spec)
    assert expected in str(raised.value.errors[0]) and "schema.yaml:8:3: " in str(raised.value.errors[0])
