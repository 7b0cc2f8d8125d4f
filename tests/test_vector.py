"""pgvector: `type: vector(n)` columns and hnsw / ivfflat indexes, on a real PostgreSQL with the extension.

Embeddings are what Supabase projects add most often to a schema; the migration must create the
column and the index as pgvector defines them, verify must see a changed dimension, database.ts must
type the column as Supabase's generator does (a string: PostgREST sends '[1,2,3]'), and import must
read both back.
"""

from __future__ import annotations

import psycopg
import pytest
import yaml
from test_typescript import npx, official_types, supabase_view  # noqa: F401  (npx: a fixture)

from helpers import build_errors, run_cli, write_spec
from schemac.db.apply import run_sql
from schemac.emit.sql import render_migration
from schemac.emit.typescript import render_typescript
from schemac.pipeline import load_schema
from schemac.verify.run import catalog_differences

SPEC = """\
profile: general
extensions:
  vector: {schema: extensions}
tables:
  documents:
    description: Documents and their embeddings, for semantic search.
    classification: internal
    columns:
      id: {type: bigint, primary_key: true, identity: always, description: Id.}
      body: {type: text, description: The text.}
      embedding: {type: vector(3), nullable: true, description: Its embedding.}
      sketches: {type: "vector(2)[]", nullable: true, description: Several smaller embeddings.}
      any_size: {type: vector, nullable: true, description: An embedding of any size.}
    indexes:
      - {columns: [{column: embedding, opclass: extensions.vector_cosine_ops}], using: hnsw, name: documents_embedding_hnsw}
      - {columns: [{column: embedding, opclass: extensions.vector_l2_ops}], using: ivfflat, name: documents_embedding_ivfflat}
"""



@pytest.fixture
def applied(conn, tmp_path):
    schema = load_schema(str(write_spec(tmp_path, SPEC)))
    run_sql(conn, render_migration(schema))
    return conn, schema


def test_vector_columns_and_indexes_apply_twice_verify_and_search(applied):
    conn, schema = applied
    run_sql(conn, render_migration(schema))  # idempotent
    assert catalog_differences(conn, schema) == []
    types = dict(conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.documents'::regclass AND attnum > 0"
    ).fetchall())
    assert types["embedding"] == "extensions.vector(3)" and types["sketches"] == "extensions.vector(2)[]" and types["any_size"] == "extensions.vector"
    methods = dict(conn.execute(
        "SELECT i.relname, a.amname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
        "WHERE x.indrelid = 'public.documents'::regclass"
    ).fetchall())
    assert methods["documents_embedding_hnsw"] == "hnsw" and methods["documents_embedding_ivfflat"] == "ivfflat"
    with pytest.raises(psycopg.errors.DataException):  # the dimension is the column's
        conn.execute("INSERT INTO public.documents (body, embedding) VALUES ('x', '[1,2]')")
    conn.execute("INSERT INTO public.documents (body, embedding) VALUES ('a', '[1,0,0]'), ('b', '[0,1,0]'), ('c', '[0.9,0.1,0]')")
    conn.execute("SET enable_seqscan = off")
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN SELECT body FROM public.documents ORDER BY embedding OPERATOR(extensions.<=>) '[1,0,0]' LIMIT 2"))
    assert "documents_embedding_hnsw" in plan
    nearest = conn.execute("SELECT body FROM public.documents ORDER BY embedding OPERATOR(extensions.<=>) '[1,0,0]' LIMIT 2").fetchall()
    assert nearest == [("a",), ("c",)]


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("ALTER TABLE public.documents ALTER COLUMN embedding TYPE extensions.vector(4)", "documents.embedding"),
        ("DROP INDEX public.documents_embedding_hnsw", "documents_embedding_hnsw"),
    ],
)
def test_verify_sees_a_hand_made_change(applied, statement, expected):
    conn, schema = applied
    conn.execute(statement)
    found = catalog_differences(conn, schema)
    assert any(expected in d for d in found), found


def test_database_ts_types_vectors_as_supabases_generator_does(npx, applied, db_url):  # noqa: F811
    conn, schema = applied
    ours = render_typescript(schema)
    assert "embedding: string | null" in ours and "sketches: string[] | null" in ours
    assert supabase_view(ours) == official_types(db_url)


@pytest.mark.parametrize(
    "line, error",
    [
        ("vector(0)", "vector dimensions must be between 1 and 16000 (got 0)"),
        ("vector(16001)", "vector dimensions must be between 1 and 16000 (got 16001)"),
    ],
)
def test_out_of_range_dimensions_are_refused(tmp_path, line, error):
    errors = build_errors(tmp_path, SPEC.replace("type: vector(3)", f"type: {line}"))
    assert len(errors) == 1 and error in errors[0] and errors[0].startswith("schema.yaml:11:19: "), errors


def test_the_extension_must_be_declared_for_the_type_and_the_index_methods(tmp_path):
    errors = build_errors(tmp_path, SPEC.replace("extensions:\n  vector: {schema: extensions}\n", ""))
    assert any("vector comes from the vector extension; declare it" in e for e in errors), errors
    assert any("hnsw is an index method of the vector extension (pgvector); declare it" in e for e in errors), errors
    unique = SPEC.replace("using: hnsw, name", "using: hnsw, unique: true, name")
    assert any("an hnsw index cannot be unique" in e for e in build_errors(tmp_path, unique))


def test_import_reads_vectors_and_their_indexes_back(applied, db_url, tmp_path):
    result = run_cli("import", "--database-url", db_url, "--output", "imported.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "imported.yaml").read_text(encoding="utf-8"))
    columns = spec["tables"]["documents"]["columns"]
    assert columns["embedding"]["type"] == "vector(3)" and columns["sketches"]["type"] == "vector(2)[]" and columns["any_size"]["type"] == "vector"
    assert {ix["using"] for ix in spec["tables"]["documents"]["indexes"]} == {"hnsw", "ivfflat"}
    assert "vector" in spec["extensions"]
