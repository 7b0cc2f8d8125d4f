"""`schemac import` of databases shaped like pg_dump output, on plain PostgreSQL (no Supabase roles).

A dump empties the session's search_path, creates sequences apart from the columns whose defaults
call them, declares aggregates, and gives the same trigger name to a trigger on every table (pagila
does all of that). Import must read such a database as it reads any other, write a spec that compiles,
and the compiled migration must build the same objects on an empty database.
"""

from __future__ import annotations

import psycopg
import yaml
from helpers import run_cli

from schemac.db.apply import run_sql
from schemac.db.importing import import_database
from schemac.db.server import install_supabase_stand_in, scratch_database, throwaway_server
from schemac.pipeline import load_schema
from schemac.emit.sql import MIGRATION_PATH
from schemac.pipeline import render_outputs

DUMP = """
SELECT pg_catalog.set_config('search_path', '', false);
CREATE FUNCTION public._concat(acc text, item text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN acc IS NULL OR acc = '' THEN item ELSE acc || ', ' || item END $$;
CREATE AGGREGATE public.concat_all(text) (SFUNC = public._concat, STYPE = text);
CREATE FUNCTION public.last_updated() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.last_update = CURRENT_TIMESTAMP; RETURN NEW; END $$;
CREATE SEQUENCE public.actor_actor_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
CREATE TABLE public.actor (
    actor_id integer DEFAULT nextval('public.actor_actor_id_seq'::regclass) NOT NULL,
    name text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE SEQUENCE public.film_film_id_seq START WITH 100 INCREMENT BY 5 NO MINVALUE NO MAXVALUE CACHE 1;
CREATE TABLE public.film (
    film_id integer DEFAULT nextval('public.film_film_id_seq'::regclass) NOT NULL,
    title text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.film_actor (
    actor_id integer NOT NULL,
    film_id integer NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ONLY public.actor ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id);
ALTER TABLE ONLY public.film ADD CONSTRAINT film_pkey PRIMARY KEY (film_id);
ALTER TABLE ONLY public.film_actor ADD CONSTRAINT film_actor_pkey PRIMARY KEY (actor_id, film_id);
ALTER TABLE ONLY public.film_actor ADD CONSTRAINT film_actor_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.actor(actor_id);
ALTER TABLE ONLY public.film_actor ADD CONSTRAINT film_actor_film_id_fkey FOREIGN KEY (film_id) REFERENCES public.film(film_id);
CREATE VIEW public.film_cast AS
 SELECT f.title, public.concat_all(a.name) AS actors
   FROM ((public.film f JOIN public.film_actor fa ON ((fa.film_id = f.film_id))) JOIN public.actor a ON ((a.actor_id = fa.actor_id)))
  GROUP BY f.title;
CREATE VIEW public.film_titles AS SELECT film_cast.title FROM public.film_cast;
CREATE TABLE public.payment (
    payment_id integer NOT NULL,
    actor_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL
) PARTITION BY RANGE (paid_at);
CREATE TABLE public.payment_2025 (payment_id integer NOT NULL, actor_id integer NOT NULL, amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL);
CREATE TABLE public.payment_2026 (payment_id integer NOT NULL, actor_id integer NOT NULL, amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL);
ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_2025 FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_2026 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');
ALTER TABLE ONLY public.payment ADD CONSTRAINT payment_pkey PRIMARY KEY (paid_at, payment_id);
ALTER TABLE ONLY public.payment_2025 ADD CONSTRAINT payment_2025_pkey PRIMARY KEY (paid_at, payment_id);
ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_2025_pkey;
ALTER TABLE ONLY public.payment_2026 ADD CONSTRAINT payment_2026_pkey PRIMARY KEY (paid_at, payment_id);
ALTER INDEX public.payment_pkey ATTACH PARTITION public.payment_2026_pkey;
CREATE INDEX payment_2026_amount_idx ON public.payment_2026 USING btree (amount);
ALTER TABLE ONLY public.payment_2026 ADD CONSTRAINT payment_2026_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.actor(actor_id);
CREATE VIEW public.takings AS SELECT p.actor_id, sum(p.amount) AS total FROM public.payment p GROUP BY p.actor_id;
CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON public.film FOR EACH ROW EXECUTE FUNCTION public.last_updated();
CREATE TRIGGER last_updated BEFORE UPDATE ON public.film_actor FOR EACH ROW EXECUTE FUNCTION public.last_updated();
"""

CATALOG = {
    "triggers": "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE NOT t.tgisinternal ORDER BY 1, 2",
    "sequences": "SELECT c.relname, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle FROM pg_sequence s "
    "JOIN pg_class c ON c.oid = s.seqrelid ORDER BY 1",
    "defaults": "SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid "
    "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' ORDER BY 1, 2",
    "aggregates": "SELECT p.proname, a.aggtransfn::text, format_type(a.aggtranstype, NULL) FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
    "views": "SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind = 'v' ORDER BY 1",
    "tables": "SELECT c.relname, c.relkind, c.relispartition, pg_get_expr(c.relpartbound, c.oid), "
    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
    "indexes": "SELECT c.relname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1, 2",
    "constraints": "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), k.conparentid <> 0 FROM pg_constraint k "
    "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND k.contype <> 'n' ORDER BY 1, 2",  # NOT NULL: a column property
}


def _catalog(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path = public")
        return {name: conn.execute(query).fetchall() for name, query in CATALOG.items()}


def test_a_dump_shaped_plain_postgresql_database_imports_and_rebuilds_the_same_objects(tmp_path):
    # a server of its own: roles belong to the whole server, and the shared one has Supabase's from other tests
    with throwaway_server() as server, scratch_database(server, "schemac_dump") as original, scratch_database(server, "schemac_copy") as copy:
        with psycopg.connect(original, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'anon'").fetchone()[0] == 0  # plain PostgreSQL
            run_sql(conn, DUMP)
        result = run_cli("import", "--database-url", original, "--output", "schema.yaml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
        spec = yaml.safe_load(text)
        # three triggers of one name, one per table: none is lost to the section's keys
        triggers = {key: (t["table"], t.get("name", key)) for key, t in spec["triggers"].items()}
        assert sorted(triggers.values()) == [("actor", "last_updated"), ("film", "last_updated"), ("film_actor", "last_updated")]
        assert len(triggers) == 3
        # foreign keys read with the dump's empty search_path are read as foreign keys
        assert spec["tables"]["film_actor"]["columns"]["film_id"]["references"] == "film.film_id"
        blocks = spec["sql"]
        assert "CREATE OR REPLACE AGGREGATE public.concat_all(text) (SFUNC = public._concat, STYPE = text);" in {b["sql"] for b in blocks.values()}
        assert any("CREATE SEQUENCE IF NOT EXISTS \"public\".\"film_film_id_seq\"" in b["sql"] and "START WITH 100" in b["sql"] for b in blocks.values())
        # the views call the aggregate (or a view that does), so they are in the sql: section after it, in that order
        sqls = list(b["sql"] for b in blocks.values())
        cast = next(i for i, s in enumerate(sqls) if "VIEW \"public\".\"film_cast\"" in s)
        titles = next(i for i, s in enumerate(sqls) if "VIEW \"public\".\"film_titles\"" in s)
        aggregate = next(i for i, s in enumerate(sqls) if "AGGREGATE" in s)
        assert aggregate < cast < titles
        assert "views" not in spec
        # the partitioned table and its partitions are whole tables of the sql: section, the parent first; the view
        # reading the partitioned table follows it there
        assert not {"payment", "payment_2025", "payment_2026"} & set(spec["tables"])
        parent = next(i for i, s in enumerate(sqls) if 'CREATE TABLE "public"."payment" (' in s)
        partition = next(i for i, s in enumerate(sqls) if 'CREATE TABLE "public"."payment_2026" PARTITION OF "public"."payment"' in s)
        takings = next(i for i, s in enumerate(sqls) if 'VIEW "public"."takings"' in s)
        assert parent < partition < takings
        # the compiled migration builds the same objects on an empty database
        schema = load_schema(str(tmp_path / "schema.yaml"))
        with psycopg.connect(copy, autocommit=True) as conn:
            install_supabase_stand_in(conn)  # the migration grants to Supabase's API roles
            run_sql(conn, render_outputs(schema)[MIGRATION_PATH])
        got, want = _catalog(copy), _catalog(original)
        for kind in CATALOG:
            assert set(got[kind]) ^ set(want[kind]) == set(), kind
        assert got == want


def test_import_reads_the_same_whatever_search_path_the_connection_set_and_gives_it_back(pg_server):
    with scratch_database(pg_server, "schemac_dump") as url, psycopg.connect(url, autocommit=True) as conn:
        run_sql(conn, DUMP)
        conn.execute("SET search_path = public")
        plain = import_database(conn, ("public",)).text
        conn.execute("SELECT set_config('search_path', '', false)")
        assert import_database(conn, ("public",)).text == plain
        assert conn.execute("SELECT current_setting('search_path')").fetchone()[0] == ''  # as the connection left it
