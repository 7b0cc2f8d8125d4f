-- A booking schema written for these tests (not from a public source): one of each table construct the
-- spec language holds, so import is proven on all of them: identity with sequence options, smallserial,
-- an extension type and its extension, a collation, a generated column, a default expression, a native
-- enum, a domain, FK options (ON UPDATE, MATCH FULL, DEFERRABLE), a unique NULLS NOT DISTINCT, an INCLUDE index,
-- an expression index with an operator class and sort order, a partial index, and the exclusion
-- constraint that makes double booking impossible.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TYPE public.booking_state AS ENUM ('held', 'confirmed', 'cancelled');
CREATE DOMAIN public.wing_code AS text CHECK (VALUE ~ '^[A-Z][0-9]*$');

CREATE TABLE public.rooms (
    id smallserial PRIMARY KEY,
    code text COLLATE "C" NOT NULL UNIQUE,
    contact citext,
    floor integer NOT NULL DEFAULT 0,
    wing wing_code,
    label text GENERATED ALWAYS AS (code || '-' || floor::text) STORED
);

CREATE TABLE public.bookings (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000 INCREMENT BY 10) PRIMARY KEY,
    room_id smallint NOT NULL REFERENCES public.rooms (id) ON UPDATE CASCADE ON DELETE RESTRICT,
    booked_by uuid REFERENCES auth.users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL DEFAULT (now() + interval '1 hour'),
    state booking_state NOT NULL DEFAULT 'held',
    reference text,
    CONSTRAINT bookings_time_check CHECK (ends_at > starts_at),
    CONSTRAINT bookings_reference_key UNIQUE NULLS NOT DISTINCT (reference),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (state <> 'cancelled')
);
CREATE INDEX bookings_room_starts_idx ON public.bookings (room_id, starts_at DESC NULLS LAST) INCLUDE (ends_at);
CREATE INDEX bookings_reference_lower_idx ON public.bookings (lower(reference) text_pattern_ops);
CREATE INDEX bookings_held_idx ON public.bookings (starts_at) WHERE state = 'held';

CREATE TABLE public.booking_notes (
    booking_id bigint NOT NULL,
    room_id smallint NOT NULL,
    note text NOT NULL,
    CONSTRAINT booking_notes_booking_fkey FOREIGN KEY (booking_id) REFERENCES public.bookings (id) MATCH FULL ON DELETE CASCADE
);
ALTER TABLE public.booking_notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY booking_notes_read ON public.booking_notes FOR SELECT TO authenticated USING (EXISTS (SELECT 1 FROM public.bookings b WHERE b.id = booking_id AND b.booked_by = (SELECT auth.uid())));
