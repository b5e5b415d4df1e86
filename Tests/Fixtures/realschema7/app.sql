-- A hand-written subset of three application schemas, for the seventh real-schema sweep
-- (Tests/FKBackfillTests/RealSchemaSweep7Tests.swift). The test renames s22app (the
-- `musicbrainz` schema, which here also holds the Zabbix and Nextcloud tables) and s22osm
-- (the apidb's `public`) to schemas of its own and runs this file with the session
-- search_path `s22app, s22osm, fkb_ext, public`.
--
-- Written the way those projects write them, not the way our tests do:
-- MusicBrainz (admin/sql/CreateTables.sql, CreatePrimaryKeys.sql, CreateIndexes.sql,
-- CreateFKConstraints.sql, CreateFunctions.sql, CreateTriggers.sql): `id SERIAL` with the
-- primary keys added afterwards, `gid UUID NOT NULL` with no DEFAULT (the server makes
-- them) and a unique index, `edits_pending INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending
-- >= 0)`, `last_updated TIMESTAMP WITH TIME ZONE DEFAULT NOW()`, CHECKs calling SQL
-- functions (`controlled_for_whitespace(name)`), ref_count/track_count kept by AFTER
-- INSERT/DELETE triggers that UPDATE the parents (through `inc_ref_count`'s dynamic SQL
-- too), `b_upd_*` BEFORE UPDATE triggers, an AFTER INSERT trigger that writes artist_meta,
-- a DEFERRABLE INITIALLY DEFERRED constraint trigger, enums, FKs named `*_fk_*`, every
-- name unqualified in function bodies.
-- OpenStreetMap's apidb (openstreetmap-website db/structure.sql): bigint ids from
-- sequences, `character varying`, enums, `timestamp without time zone NOT NULL` with no
-- DEFAULT, composite keys of the way nodes and the history tables, a polymorphic
-- relation member (`nwr_enum` + member_id, no FK), FKs named `*_fkey`, some ON DELETE CASCADE,
-- `display_name DEFAULT ''` under a unique index.
-- Zabbix (database/postgresql/schema.sql): bigint ids the server allocates from `ids`,
-- `varchar(255) DEFAULT '' NOT NULL` and `integer DEFAULT '0' NOT NULL` everywhere, FKs
-- `c_<table>_<n>` ON DELETE CASCADE, the unique `hstgrp_1 (type,name)`, the AFTER INSERT
-- `*_name_upper` triggers that UPDATE the row just inserted. Nextcloud: `oc_` tables keyed
-- by `varchar(64) DEFAULT '' NOT NULL`, where the empty string is a stored key.
-- Ours, not theirs: the FK of oc_group_user (Nextcloud declares none) and
-- way_node_notes, an importer's table with a nullable composite MATCH SIMPLE FK.
CREATE SCHEMA IF NOT EXISTS s22app;
CREATE SCHEMA IF NOT EXISTS s22osm;
SET search_path = s22app, s22osm, fkb_ext, public;

-- ================================================================ MusicBrainz
-- CreateTypes.sql
CREATE TYPE s22app.cover_art_presence AS ENUM ('absent', 'present', 'darkened');

-- CreateFunctions.sql (the ones the CHECKs and triggers call)
CREATE OR REPLACE FUNCTION padded_by_whitespace(TEXT) RETURNS boolean AS $$
  SELECT btrim($1) <> $1;
$$ LANGUAGE SQL IMMUTABLE;

CREATE OR REPLACE FUNCTION controlled_for_whitespace(TEXT) RETURNS boolean AS $$
  SELECT NOT padded_by_whitespace($1) AND $1 = regexp_replace($1, E'\\s{2,}', ' ', 'g');
$$ LANGUAGE SQL IMMUTABLE;

CREATE OR REPLACE FUNCTION b_upd_last_updated_table() RETURNS trigger AS $$
BEGIN
    NEW.last_updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION inc_ref_count(tbl varchar, row_id integer, val integer) RETURNS void AS $$
BEGIN
    -- increment ref_count for the new name
    EXECUTE 'SELECT ref_count FROM ' || tbl || ' WHERE id = ' || row_id || ' FOR UPDATE';
    EXECUTE 'UPDATE ' || tbl || ' SET ref_count = ref_count + ' || val || ' WHERE id = ' || row_id;
    RETURN;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION dec_ref_count(tbl varchar, row_id integer, val integer) RETURNS void AS $$
DECLARE
    ref_count integer;
BEGIN
    -- decrement ref_count for the old name
    EXECUTE 'SELECT ref_count FROM ' || tbl || ' WHERE id = ' || row_id || ' FOR UPDATE' INTO ref_count;
    EXECUTE 'UPDATE ' || tbl || ' SET ref_count = ref_count - ' || val || ' WHERE id = ' || row_id;
    RETURN;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION materialise_recording_length(recording_id INT) RETURNS void as $$
BEGIN
  UPDATE recording SET length = median
   FROM (SELECT median_track_length(recording_id) median) track
  WHERE recording.id = recording_id
    AND recording.length IS DISTINCT FROM track.median;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION a_ins_artist() RETURNS trigger AS $$
BEGIN
    -- add a new entry to the artist_meta table
    INSERT INTO artist_meta (id) VALUES (NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION end_date_implies_ended() RETURNS trigger AS $$
BEGIN
    IF NEW.end_date_year IS NOT NULL
    THEN
        NEW.ended = TRUE;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION a_ins_track() RETURNS trigger AS $$
BEGIN
    PERFORM inc_ref_count('artist_credit', NEW.artist_credit, 1);
    -- increment track_count in the parent medium
    UPDATE medium SET track_count = track_count + 1 WHERE id = NEW.medium;
    PERFORM materialise_recording_length(NEW.recording);
    RETURN NULL;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION a_del_track() RETURNS trigger AS $$
BEGIN
    PERFORM dec_ref_count('artist_credit', OLD.artist_credit, 1);
    -- decrement track_count in the parent medium
    UPDATE medium SET track_count = track_count - 1 WHERE id = OLD.medium;
    PERFORM materialise_recording_length(OLD.recording);
    RETURN NULL;
END;
$$ LANGUAGE 'plpgsql';

CREATE OR REPLACE FUNCTION a_ins_release_group() RETURNS trigger AS $$
BEGIN
    PERFORM inc_ref_count('artist_credit', NEW.artist_credit, 1);
    RETURN NULL;
END;
$$ LANGUAGE 'plpgsql';

-- Every artist credit names at least one artist (deferred: the names come after it).
CREATE OR REPLACE FUNCTION check_artist_credit_has_names() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM artist_credit_name WHERE artist_credit = NEW.id) THEN
        RAISE EXCEPTION 'Artist credit % has no artist_credit_name', NEW.id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE 'plpgsql';

-- CreateTables.sql
CREATE TABLE area_type ( -- replicate
    id                  SERIAL, -- PK
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references area_type.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE artist_type ( -- replicate
    id                  SERIAL,
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references artist_type.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE gender ( -- replicate
    id                  SERIAL,
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references gender.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE area ( -- replicate (verbose)
    id                  SERIAL, -- PK
    gid                 uuid NOT NULL,
    name                VARCHAR NOT NULL,
    type                INTEGER, -- references area_type.id
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >=0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    begin_date_year     SMALLINT,
    end_date_year       SMALLINT,
    ended               BOOLEAN NOT NULL DEFAULT FALSE
      CHECK (
        (
          -- If any end date fields are not null, then ended must be true
          (end_date_year IS NOT NULL) AND
          ended = TRUE
        ) OR (
          -- Otherwise, all end date fields must be null
          (end_date_year IS NULL)
        )
      ),
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    CONSTRAINT control_for_whitespace CHECK (controlled_for_whitespace(name)),
    CONSTRAINT only_non_empty CHECK (name != '')
);

CREATE TABLE artist ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    sort_name           VARCHAR NOT NULL,
    begin_date_year     SMALLINT,
    end_date_year       SMALLINT,
    type                INTEGER, -- references artist_type.id
    area                INTEGER, -- references area.id
    gender              INTEGER, -- references gender.id
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    ended               BOOLEAN NOT NULL DEFAULT FALSE
      CONSTRAINT artist_ended_check CHECK (
        (
          (end_date_year IS NOT NULL) AND
          ended = TRUE
        ) OR (
          (end_date_year IS NULL)
        )
      ),
    CONSTRAINT control_for_whitespace CHECK (controlled_for_whitespace(name)),
    CONSTRAINT only_non_empty CHECK (name != '')
);

CREATE TABLE artist_meta ( -- replicate
    id                  INTEGER NOT NULL, -- PK, references artist.id CASCADE
    rating              SMALLINT CHECK (rating >= 0 AND rating <= 100),
    rating_count        INTEGER
);

CREATE TABLE artist_credit ( -- replicate
    id                  SERIAL,
    name                VARCHAR NOT NULL,
    artist_count        SMALLINT NOT NULL,
    ref_count           INTEGER DEFAULT 0,
    created             TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    gid                 UUID NOT NULL
);

CREATE TABLE artist_credit_name ( -- replicate (verbose)
    artist_credit       INTEGER NOT NULL, -- PK, references artist_credit.id CASCADE
    position            SMALLINT NOT NULL, -- PK
    artist              INTEGER NOT NULL, -- references artist.id CASCADE
    name                VARCHAR NOT NULL,
    join_phrase         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE release_group_primary_type ( -- replicate
    id                  SERIAL,
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references release_group_primary_type.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE release_group ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    artist_credit       INTEGER NOT NULL, -- references artist_credit.id
    type                INTEGER, -- references release_group_primary_type.id
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE release_status ( -- replicate
    id                  SERIAL,
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references release_status.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE release ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    artist_credit       INTEGER NOT NULL, -- references artist_credit.id
    release_group       INTEGER NOT NULL, -- references release_group.id
    status              INTEGER, -- references release_status.id
    barcode             VARCHAR(255),
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    quality             SMALLINT NOT NULL DEFAULT -1,
    cover_art_presence  cover_art_presence NOT NULL DEFAULT 'absent',
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE medium ( -- replicate (verbose)
    id                  SERIAL,
    release             INTEGER NOT NULL, -- references release.id
    position            INTEGER NOT NULL,
    format              INTEGER, -- references medium_format.id
    name                VARCHAR NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    track_count         INTEGER NOT NULL DEFAULT 0,
    gid                 uuid NOT NULL
);

CREATE TABLE recording ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    artist_credit       INTEGER NOT NULL, -- references artist_credit.id
    length              INTEGER CHECK (length IS NULL OR length > 0),
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    video               BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE track ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    recording           INTEGER NOT NULL, -- references recording.id
    medium              INTEGER NOT NULL, -- references medium.id
    position            INTEGER NOT NULL,
    number              TEXT NOT NULL,
    name                VARCHAR NOT NULL,
    artist_credit       INTEGER NOT NULL, -- references artist_credit.id
    length              INTEGER CHECK (length IS NULL OR length > 0),
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    is_data_track       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE label_type ( -- replicate
    id                  SERIAL,
    name                VARCHAR(255) NOT NULL,
    parent              INTEGER, -- references label_type.id
    child_order         INTEGER NOT NULL DEFAULT 0,
    description         TEXT,
    gid                 uuid NOT NULL
);

CREATE TABLE label ( -- replicate (verbose)
    id                  SERIAL,
    gid                 UUID NOT NULL,
    name                VARCHAR NOT NULL,
    begin_date_year     SMALLINT,
    end_date_year       SMALLINT,
    label_code          INTEGER CHECK (label_code > 0 AND label_code < 100000),
    type                INTEGER, -- references label_type.id
    area                INTEGER, -- references area.id
    comment             VARCHAR(255) NOT NULL DEFAULT '',
    edits_pending       INTEGER NOT NULL DEFAULT 0 CHECK (edits_pending >= 0),
    last_updated        TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    ended               BOOLEAN NOT NULL DEFAULT FALSE
      CONSTRAINT label_ended_check CHECK (
        (
          (end_date_year IS NOT NULL) AND
          ended = TRUE
        ) OR (
          (end_date_year IS NULL)
        )
      ),
    CONSTRAINT control_for_whitespace CHECK (controlled_for_whitespace(name)),
    CONSTRAINT only_non_empty CHECK (name != '')
);

-- (a SQL function is checked against the tables it reads: after them)
CREATE OR REPLACE FUNCTION median_track_length(recording_id integer) RETURNS integer AS $$
  SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY track.length))::integer FROM track WHERE recording = $1;
$$ LANGUAGE SQL;

-- CreatePrimaryKeys.sql
ALTER TABLE area ADD CONSTRAINT area_pkey PRIMARY KEY (id);
ALTER TABLE area_type ADD CONSTRAINT area_type_pkey PRIMARY KEY (id);
ALTER TABLE artist ADD CONSTRAINT artist_pkey PRIMARY KEY (id);
ALTER TABLE artist_credit ADD CONSTRAINT artist_credit_pkey PRIMARY KEY (id);
ALTER TABLE artist_credit_name ADD CONSTRAINT artist_credit_name_pkey PRIMARY KEY (artist_credit, position);
ALTER TABLE artist_meta ADD CONSTRAINT artist_meta_pkey PRIMARY KEY (id);
ALTER TABLE artist_type ADD CONSTRAINT artist_type_pkey PRIMARY KEY (id);
ALTER TABLE gender ADD CONSTRAINT gender_pkey PRIMARY KEY (id);
ALTER TABLE label ADD CONSTRAINT label_pkey PRIMARY KEY (id);
ALTER TABLE label_type ADD CONSTRAINT label_type_pkey PRIMARY KEY (id);
ALTER TABLE medium ADD CONSTRAINT medium_pkey PRIMARY KEY (id);
ALTER TABLE recording ADD CONSTRAINT recording_pkey PRIMARY KEY (id);
ALTER TABLE release ADD CONSTRAINT release_pkey PRIMARY KEY (id);
ALTER TABLE release_group ADD CONSTRAINT release_group_pkey PRIMARY KEY (id);
ALTER TABLE release_group_primary_type ADD CONSTRAINT release_group_primary_type_pkey PRIMARY KEY (id);
ALTER TABLE release_status ADD CONSTRAINT release_status_pkey PRIMARY KEY (id);
ALTER TABLE track ADD CONSTRAINT track_pkey PRIMARY KEY (id);

-- CreateIndexes.sql
CREATE UNIQUE INDEX area_idx_gid ON area (gid);
CREATE UNIQUE INDEX area_type_idx_gid ON area_type (gid);
CREATE UNIQUE INDEX artist_idx_gid ON artist (gid);
CREATE INDEX artist_idx_name ON artist (name);
CREATE UNIQUE INDEX artist_credit_idx_gid ON artist_credit (gid);
CREATE INDEX artist_credit_name_idx_artist ON artist_credit_name (artist);
CREATE UNIQUE INDEX artist_type_idx_gid ON artist_type (gid);
CREATE UNIQUE INDEX gender_idx_gid ON gender (gid);
CREATE UNIQUE INDEX label_idx_gid ON label (gid);
CREATE UNIQUE INDEX label_type_idx_gid ON label_type (gid);
CREATE UNIQUE INDEX medium_idx_gid ON medium (gid);
CREATE INDEX medium_idx_release_position ON medium (release, position);
CREATE UNIQUE INDEX recording_idx_gid ON recording (gid);
CREATE UNIQUE INDEX release_idx_gid ON release (gid);
CREATE UNIQUE INDEX release_group_idx_gid ON release_group (gid);
CREATE UNIQUE INDEX release_group_primary_type_idx_gid ON release_group_primary_type (gid);
CREATE UNIQUE INDEX release_status_idx_gid ON release_status (gid);
CREATE UNIQUE INDEX track_idx_gid ON track (gid);
CREATE INDEX track_idx_recording ON track (recording);
CREATE INDEX track_idx_medium_position ON track (medium, position);

-- CreateFKConstraints.sql
ALTER TABLE area
   ADD CONSTRAINT area_fk_type
   FOREIGN KEY (type)
   REFERENCES area_type(id);

ALTER TABLE area_type
   ADD CONSTRAINT area_type_fk_parent
   FOREIGN KEY (parent)
   REFERENCES area_type(id);

ALTER TABLE artist
   ADD CONSTRAINT artist_fk_type
   FOREIGN KEY (type)
   REFERENCES artist_type(id);

ALTER TABLE artist
   ADD CONSTRAINT artist_fk_area
   FOREIGN KEY (area)
   REFERENCES area(id);

ALTER TABLE artist
   ADD CONSTRAINT artist_fk_gender
   FOREIGN KEY (gender)
   REFERENCES gender(id);

ALTER TABLE artist_credit_name
   ADD CONSTRAINT artist_credit_name_fk_artist_credit
   FOREIGN KEY (artist_credit)
   REFERENCES artist_credit(id)
   ON DELETE CASCADE;

ALTER TABLE artist_credit_name
   ADD CONSTRAINT artist_credit_name_fk_artist
   FOREIGN KEY (artist)
   REFERENCES artist(id)
   ON DELETE CASCADE;

ALTER TABLE artist_meta
   ADD CONSTRAINT artist_meta_fk_id
   FOREIGN KEY (id)
   REFERENCES artist(id)
   ON DELETE CASCADE;

ALTER TABLE artist_type
   ADD CONSTRAINT artist_type_fk_parent
   FOREIGN KEY (parent)
   REFERENCES artist_type(id);

ALTER TABLE gender
   ADD CONSTRAINT gender_fk_parent
   FOREIGN KEY (parent)
   REFERENCES gender(id);

ALTER TABLE label
   ADD CONSTRAINT label_fk_type
   FOREIGN KEY (type)
   REFERENCES label_type(id);

ALTER TABLE label
   ADD CONSTRAINT label_fk_area
   FOREIGN KEY (area)
   REFERENCES area(id);

ALTER TABLE medium
   ADD CONSTRAINT medium_fk_release
   FOREIGN KEY (release)
   REFERENCES release(id);

ALTER TABLE recording
   ADD CONSTRAINT recording_fk_artist_credit
   FOREIGN KEY (artist_credit)
   REFERENCES artist_credit(id);

ALTER TABLE release
   ADD CONSTRAINT release_fk_artist_credit
   FOREIGN KEY (artist_credit)
   REFERENCES artist_credit(id);

ALTER TABLE release
   ADD CONSTRAINT release_fk_release_group
   FOREIGN KEY (release_group)
   REFERENCES release_group(id);

ALTER TABLE release
   ADD CONSTRAINT release_fk_status
   FOREIGN KEY (status)
   REFERENCES release_status(id);

ALTER TABLE release_group
   ADD CONSTRAINT release_group_fk_artist_credit
   FOREIGN KEY (artist_credit)
   REFERENCES artist_credit(id);

ALTER TABLE release_group
   ADD CONSTRAINT release_group_fk_type
   FOREIGN KEY (type)
   REFERENCES release_group_primary_type(id);

ALTER TABLE track
   ADD CONSTRAINT track_fk_recording
   FOREIGN KEY (recording)
   REFERENCES recording(id);

ALTER TABLE track
   ADD CONSTRAINT track_fk_medium
   FOREIGN KEY (medium)
   REFERENCES medium(id);

ALTER TABLE track
   ADD CONSTRAINT track_fk_artist_credit
   FOREIGN KEY (artist_credit)
   REFERENCES artist_credit(id);

-- CreateTriggers.sql
CREATE TRIGGER b_upd_area BEFORE UPDATE ON area
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER end_date_implies_ended BEFORE UPDATE OR INSERT ON area
    FOR EACH ROW EXECUTE PROCEDURE end_date_implies_ended();

CREATE TRIGGER a_ins_artist AFTER INSERT ON artist
    FOR EACH ROW EXECUTE PROCEDURE a_ins_artist();

CREATE TRIGGER b_upd_artist BEFORE UPDATE ON artist
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER end_date_implies_ended BEFORE UPDATE OR INSERT ON artist
    FOR EACH ROW EXECUTE PROCEDURE end_date_implies_ended();

CREATE TRIGGER b_upd_label BEFORE UPDATE ON label
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER end_date_implies_ended BEFORE UPDATE OR INSERT ON label
    FOR EACH ROW EXECUTE PROCEDURE end_date_implies_ended();

CREATE TRIGGER b_upd_medium BEFORE UPDATE ON medium
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER b_upd_recording BEFORE UPDATE ON recording
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER a_ins_release_group AFTER INSERT ON release_group
    FOR EACH ROW EXECUTE PROCEDURE a_ins_release_group();

CREATE TRIGGER b_upd_release_group BEFORE UPDATE ON release_group
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE TRIGGER a_ins_track AFTER INSERT ON track
    FOR EACH ROW EXECUTE PROCEDURE a_ins_track();

CREATE TRIGGER a_del_track AFTER DELETE ON track
    FOR EACH ROW EXECUTE PROCEDURE a_del_track();

CREATE TRIGGER b_upd_track BEFORE UPDATE ON track
    FOR EACH ROW EXECUTE PROCEDURE b_upd_last_updated_table();

CREATE CONSTRAINT TRIGGER a_ins_artist_credit_check_names AFTER INSERT ON artist_credit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE PROCEDURE check_artist_credit_has_names();

-- ================================================================ OpenStreetMap apidb
CREATE TYPE s22osm.user_status_enum AS ENUM ('pending', 'active', 'confirmed', 'suspended', 'deleted');
CREATE TYPE s22osm.nwr_enum AS ENUM ('Node', 'Way', 'Relation');
CREATE TYPE s22osm.gpx_visibility_enum AS ENUM ('private', 'public', 'trackable', 'identifiable');
CREATE TYPE s22osm.format_enum AS ENUM ('html', 'markdown', 'text');

CREATE TABLE s22osm.users (
    email character varying NOT NULL,
    id bigint NOT NULL,
    pass_crypt character varying NOT NULL,
    creation_time timestamp without time zone NOT NULL,
    display_name character varying DEFAULT ''::character varying NOT NULL,
    data_public boolean DEFAULT true NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    home_lat double precision,
    home_lon double precision,
    home_zoom smallint DEFAULT 3,
    pass_salt character varying,
    email_valid boolean DEFAULT false NOT NULL,
    status s22osm.user_status_enum DEFAULT 'pending'::s22osm.user_status_enum NOT NULL,
    terms_seen boolean DEFAULT false NOT NULL,
    description_format s22osm.format_enum DEFAULT 'markdown'::s22osm.format_enum NOT NULL,
    changesets_count integer DEFAULT 0 NOT NULL,
    traces_count integer DEFAULT 0 NOT NULL,
    tou_agreed timestamp without time zone
);
CREATE SEQUENCE s22osm.users_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.users_id_seq OWNED BY s22osm.users.id;

CREATE TABLE s22osm.changesets (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp without time zone NOT NULL,
    min_lat integer,
    max_lat integer,
    min_lon integer,
    max_lon integer,
    closed_at timestamp without time zone NOT NULL,
    num_changes integer DEFAULT 0 NOT NULL
);
CREATE SEQUENCE s22osm.changesets_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.changesets_id_seq OWNED BY s22osm.changesets.id;

CREATE TABLE s22osm.changeset_tags (
    changeset_id bigint NOT NULL,
    k character varying DEFAULT ''::character varying NOT NULL,
    v character varying DEFAULT ''::character varying NOT NULL
);

CREATE TABLE s22osm.current_nodes (
    id bigint NOT NULL,
    latitude integer NOT NULL,
    longitude integer NOT NULL,
    changeset_id bigint NOT NULL,
    visible boolean NOT NULL,
    "timestamp" timestamp without time zone NOT NULL,
    tile bigint NOT NULL,
    version bigint NOT NULL
);
CREATE SEQUENCE s22osm.current_nodes_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.current_nodes_id_seq OWNED BY s22osm.current_nodes.id;

CREATE TABLE s22osm.current_ways (
    id bigint NOT NULL,
    changeset_id bigint NOT NULL,
    "timestamp" timestamp without time zone NOT NULL,
    visible boolean NOT NULL,
    version bigint NOT NULL
);
CREATE SEQUENCE s22osm.current_ways_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.current_ways_id_seq OWNED BY s22osm.current_ways.id;

CREATE TABLE s22osm.current_way_nodes (
    way_id bigint NOT NULL,
    node_id bigint NOT NULL,
    sequence_id bigint NOT NULL
);

CREATE TABLE s22osm.current_relations (
    id bigint NOT NULL,
    changeset_id bigint NOT NULL,
    "timestamp" timestamp without time zone NOT NULL,
    visible boolean NOT NULL,
    version bigint NOT NULL
);
CREATE SEQUENCE s22osm.current_relations_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.current_relations_id_seq OWNED BY s22osm.current_relations.id;

CREATE TABLE s22osm.current_relation_members (
    relation_id bigint NOT NULL,
    member_type s22osm.nwr_enum NOT NULL,
    member_id bigint NOT NULL,
    member_role character varying NOT NULL,
    sequence_id integer DEFAULT 0 NOT NULL
);

CREATE TABLE s22osm.redactions (
    id integer NOT NULL,
    title character varying,
    description text,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    user_id bigint NOT NULL,
    description_format s22osm.format_enum DEFAULT 'markdown'::s22osm.format_enum NOT NULL
);
CREATE SEQUENCE s22osm.redactions_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.redactions_id_seq OWNED BY s22osm.redactions.id;

CREATE TABLE s22osm.nodes (
    node_id bigint NOT NULL,
    latitude integer NOT NULL,
    longitude integer NOT NULL,
    changeset_id bigint NOT NULL,
    visible boolean NOT NULL,
    "timestamp" timestamp without time zone NOT NULL,
    tile bigint NOT NULL,
    version bigint NOT NULL,
    redaction_id integer
);

CREATE TABLE s22osm.gpx_files (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    visible boolean DEFAULT true NOT NULL,
    name character varying DEFAULT ''::character varying NOT NULL,
    size bigint,
    latitude double precision,
    longitude double precision,
    "timestamp" timestamp without time zone NOT NULL,
    description character varying DEFAULT ''::character varying NOT NULL,
    inserted boolean NOT NULL,
    visibility s22osm.gpx_visibility_enum DEFAULT 'public'::s22osm.gpx_visibility_enum NOT NULL
);
CREATE SEQUENCE s22osm.gpx_files_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.gpx_files_id_seq OWNED BY s22osm.gpx_files.id;

CREATE TABLE s22osm.gpx_file_tags (
    gpx_id bigint DEFAULT 0 NOT NULL,
    tag character varying NOT NULL,
    id bigint NOT NULL
);
CREATE SEQUENCE s22osm.gpx_file_tags_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s22osm.gpx_file_tags_id_seq OWNED BY s22osm.gpx_file_tags.id;

-- An importer's own table (not the apidb's): notes on way nodes by their composite key,
-- MATCH SIMPLE, either column may be NULL.
CREATE TABLE s22osm.way_node_notes (
    way_id bigint,
    sequence_id bigint,
    note text NOT NULL
);

ALTER TABLE ONLY s22osm.changesets ALTER COLUMN id SET DEFAULT nextval('s22osm.changesets_id_seq'::regclass);
ALTER TABLE ONLY s22osm.current_nodes ALTER COLUMN id SET DEFAULT nextval('s22osm.current_nodes_id_seq'::regclass);
ALTER TABLE ONLY s22osm.current_relations ALTER COLUMN id SET DEFAULT nextval('s22osm.current_relations_id_seq'::regclass);
ALTER TABLE ONLY s22osm.current_ways ALTER COLUMN id SET DEFAULT nextval('s22osm.current_ways_id_seq'::regclass);
ALTER TABLE ONLY s22osm.gpx_file_tags ALTER COLUMN id SET DEFAULT nextval('s22osm.gpx_file_tags_id_seq'::regclass);
ALTER TABLE ONLY s22osm.gpx_files ALTER COLUMN id SET DEFAULT nextval('s22osm.gpx_files_id_seq'::regclass);
ALTER TABLE ONLY s22osm.redactions ALTER COLUMN id SET DEFAULT nextval('s22osm.redactions_id_seq'::regclass);
ALTER TABLE ONLY s22osm.users ALTER COLUMN id SET DEFAULT nextval('s22osm.users_id_seq'::regclass);

ALTER TABLE ONLY s22osm.changeset_tags ADD CONSTRAINT changeset_tags_pkey PRIMARY KEY (changeset_id, k);
ALTER TABLE ONLY s22osm.changesets ADD CONSTRAINT changesets_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.current_nodes ADD CONSTRAINT current_nodes_pkey1 PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.current_relation_members ADD CONSTRAINT current_relation_members_pkey PRIMARY KEY (relation_id, member_type, member_id, member_role, sequence_id);
ALTER TABLE ONLY s22osm.current_relations ADD CONSTRAINT current_relations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.current_way_nodes ADD CONSTRAINT current_way_nodes_pkey PRIMARY KEY (way_id, sequence_id);
ALTER TABLE ONLY s22osm.current_ways ADD CONSTRAINT current_ways_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.gpx_file_tags ADD CONSTRAINT gpx_file_tags_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.gpx_files ADD CONSTRAINT gpx_files_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.nodes ADD CONSTRAINT nodes_pkey PRIMARY KEY (node_id, version);
ALTER TABLE ONLY s22osm.redactions ADD CONSTRAINT redactions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s22osm.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX changesets_user_id_created_at_idx ON s22osm.changesets USING btree (user_id, created_at);
CREATE INDEX current_nodes_tile_idx ON s22osm.current_nodes USING btree (tile);
CREATE INDEX current_way_nodes_node_idx ON s22osm.current_way_nodes USING btree (node_id);
CREATE INDEX current_relation_members_member_idx ON s22osm.current_relation_members USING btree (member_type, member_id);
CREATE INDEX gpx_file_tags_gpxid_idx ON s22osm.gpx_file_tags USING btree (gpx_id);
CREATE INDEX gpx_files_user_id_idx ON s22osm.gpx_files USING btree (user_id);
CREATE UNIQUE INDEX users_display_name_idx ON s22osm.users USING btree (display_name);
CREATE INDEX users_display_name_lower_idx ON s22osm.users USING btree (lower((display_name)::text));
CREATE UNIQUE INDEX users_email_idx ON s22osm.users USING btree (email);
CREATE INDEX users_email_lower_idx ON s22osm.users USING btree (lower((email)::text));

ALTER TABLE ONLY s22osm.changeset_tags
    ADD CONSTRAINT changeset_tags_id_fkey FOREIGN KEY (changeset_id) REFERENCES s22osm.changesets(id);
ALTER TABLE ONLY s22osm.changesets
    ADD CONSTRAINT changesets_user_id_fkey FOREIGN KEY (user_id) REFERENCES s22osm.users(id);
ALTER TABLE ONLY s22osm.current_nodes
    ADD CONSTRAINT current_nodes_changeset_id_fkey FOREIGN KEY (changeset_id) REFERENCES s22osm.changesets(id);
ALTER TABLE ONLY s22osm.current_relation_members
    ADD CONSTRAINT current_relation_members_id_fkey FOREIGN KEY (relation_id) REFERENCES s22osm.current_relations(id);
ALTER TABLE ONLY s22osm.current_relations
    ADD CONSTRAINT current_relations_changeset_id_fkey FOREIGN KEY (changeset_id) REFERENCES s22osm.changesets(id);
ALTER TABLE ONLY s22osm.current_way_nodes
    ADD CONSTRAINT current_way_nodes_id_fkey FOREIGN KEY (way_id) REFERENCES s22osm.current_ways(id);
ALTER TABLE ONLY s22osm.current_way_nodes
    ADD CONSTRAINT current_way_nodes_node_id_fkey FOREIGN KEY (node_id) REFERENCES s22osm.current_nodes(id);
ALTER TABLE ONLY s22osm.current_ways
    ADD CONSTRAINT current_ways_changeset_id_fkey FOREIGN KEY (changeset_id) REFERENCES s22osm.changesets(id);
ALTER TABLE ONLY s22osm.gpx_file_tags
    ADD CONSTRAINT gpx_file_tags_gpx_id_fkey FOREIGN KEY (gpx_id) REFERENCES s22osm.gpx_files(id) ON DELETE CASCADE;
ALTER TABLE ONLY s22osm.gpx_files
    ADD CONSTRAINT gpx_files_user_id_fkey FOREIGN KEY (user_id) REFERENCES s22osm.users(id);
ALTER TABLE ONLY s22osm.nodes
    ADD CONSTRAINT nodes_changeset_id_fkey FOREIGN KEY (changeset_id) REFERENCES s22osm.changesets(id);
ALTER TABLE ONLY s22osm.nodes
    ADD CONSTRAINT nodes_redaction_id_fkey FOREIGN KEY (redaction_id) REFERENCES s22osm.redactions(id);
ALTER TABLE ONLY s22osm.redactions
    ADD CONSTRAINT redactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES s22osm.users(id);
ALTER TABLE ONLY s22osm.way_node_notes
    ADD CONSTRAINT way_node_notes_way_node_fkey FOREIGN KEY (way_id, sequence_id) REFERENCES s22osm.current_way_nodes(way_id, sequence_id) ON DELETE CASCADE;

-- ================================================================ Zabbix
CREATE TABLE ids (
	table_name               varchar(64)     DEFAULT ''                NOT NULL,
	field_name               varchar(64)     DEFAULT ''                NOT NULL,
	nextid                   bigint                                    NOT NULL,
	PRIMARY KEY (table_name,field_name)
);
CREATE TABLE hosts (
	hostid                   bigint                                    NOT NULL,
	proxy_hostid             bigint                                    NULL,
	host                     varchar(128)    DEFAULT ''                NOT NULL,
	status                   integer         DEFAULT '0'               NOT NULL,
	ipmi_authtype            integer         DEFAULT '-1'              NOT NULL,
	ipmi_privilege           integer         DEFAULT '2'               NOT NULL,
	ipmi_username            varchar(16)     DEFAULT ''                NOT NULL,
	ipmi_password            varchar(20)     DEFAULT ''                NOT NULL,
	name                     varchar(128)    DEFAULT ''                NOT NULL,
	flags                    integer         DEFAULT '0'               NOT NULL,
	templateid               bigint                                    NULL,
	description              text            DEFAULT ''                NOT NULL,
	tls_connect              integer         DEFAULT '1'               NOT NULL,
	tls_accept               integer         DEFAULT '1'               NOT NULL,
	discover                 integer         DEFAULT '0'               NOT NULL,
	custom_interfaces        integer         DEFAULT '0'               NOT NULL,
	uuid                     varchar(32)     DEFAULT ''                NOT NULL,
	name_upper               varchar(128)    DEFAULT ''                NOT NULL,
	vendor_name              varchar(64)     DEFAULT ''                NOT NULL,
	vendor_version           varchar(32)     DEFAULT ''                NOT NULL,
	PRIMARY KEY (hostid)
);
CREATE INDEX hosts_1 ON hosts (host);
CREATE INDEX hosts_2 ON hosts (status);
CREATE INDEX hosts_6 ON hosts (name_upper);
CREATE TABLE hstgrp (
	groupid                  bigint                                    NOT NULL,
	name                     varchar(255)    DEFAULT ''                NOT NULL,
	flags                    integer         DEFAULT '0'               NOT NULL,
	uuid                     varchar(32)     DEFAULT ''                NOT NULL,
	type                     integer         DEFAULT '0'               NOT NULL,
	PRIMARY KEY (groupid)
);
CREATE UNIQUE INDEX hstgrp_1 ON hstgrp (type,name);
CREATE TABLE hosts_groups (
	hostgroupid              bigint                                    NOT NULL,
	hostid                   bigint                                    NOT NULL,
	groupid                  bigint                                    NOT NULL,
	PRIMARY KEY (hostgroupid)
);
CREATE UNIQUE INDEX hosts_groups_1 ON hosts_groups (hostid,groupid);
CREATE INDEX hosts_groups_2 ON hosts_groups (groupid);
CREATE TABLE items (
	itemid                   bigint                                    NOT NULL,
	type                     integer         DEFAULT '0'               NOT NULL,
	snmp_oid                 varchar(512)    DEFAULT ''                NOT NULL,
	hostid                   bigint                                    NOT NULL,
	name                     varchar(255)    DEFAULT ''                NOT NULL,
	key_                     varchar(2048)   DEFAULT ''                NOT NULL,
	delay                    varchar(1024)   DEFAULT '0'               NOT NULL,
	history                  varchar(255)    DEFAULT '90d'             NOT NULL,
	trends                   varchar(255)    DEFAULT '365d'            NOT NULL,
	status                   integer         DEFAULT '0'               NOT NULL,
	value_type               integer         DEFAULT '0'               NOT NULL,
	units                    varchar(255)    DEFAULT ''                NOT NULL,
	templateid               bigint                                    NULL,
	params                   text            DEFAULT ''                NOT NULL,
	description              text            DEFAULT ''                NOT NULL,
	flags                    integer         DEFAULT '0'               NOT NULL,
	uuid                     varchar(32)     DEFAULT ''                NOT NULL,
	name_upper               varchar(255)    DEFAULT ''                NOT NULL,
	PRIMARY KEY (itemid)
);
CREATE UNIQUE INDEX items_1 ON items (hostid,key_);
CREATE INDEX items_3 ON items (status);
CREATE INDEX items_4 ON items (templateid);
CREATE INDEX items_9 ON items (hostid,name_upper);
CREATE TABLE triggers (
	triggerid                bigint                                    NOT NULL,
	expression               varchar(2048)   DEFAULT ''                NOT NULL,
	description              varchar(255)    DEFAULT ''                NOT NULL,
	url                      varchar(2048)   DEFAULT ''                NOT NULL,
	status                   integer         DEFAULT '0'               NOT NULL,
	value                    integer         DEFAULT '0'               NOT NULL,
	priority                 integer         DEFAULT '0'               NOT NULL,
	lastchange               integer         DEFAULT '0'               NOT NULL,
	comments                 text            DEFAULT ''                NOT NULL,
	error                    varchar(2048)   DEFAULT ''                NOT NULL,
	templateid               bigint                                    NULL,
	type                     integer         DEFAULT '0'               NOT NULL,
	state                    integer         DEFAULT '0'               NOT NULL,
	flags                    integer         DEFAULT '0'               NOT NULL,
	recovery_mode            integer         DEFAULT '0'               NOT NULL,
	recovery_expression      varchar(2048)   DEFAULT ''                NOT NULL,
	manual_close             integer         DEFAULT '0'               NOT NULL,
	opdata                   varchar(255)    DEFAULT ''                NOT NULL,
	event_name               varchar(2048)   DEFAULT ''                NOT NULL,
	uuid                     varchar(32)     DEFAULT ''                NOT NULL,
	PRIMARY KEY (triggerid)
);
CREATE INDEX triggers_1 ON triggers (status);
CREATE INDEX triggers_2 ON triggers (value,lastchange);
CREATE INDEX triggers_3 ON triggers (templateid);
CREATE TABLE functions (
	functionid               bigint                                    NOT NULL,
	itemid                   bigint                                    NOT NULL,
	triggerid                bigint                                    NOT NULL,
	name                     varchar(12)     DEFAULT ''                NOT NULL,
	parameter                varchar(255)    DEFAULT '0'               NOT NULL,
	PRIMARY KEY (functionid)
);
CREATE INDEX functions_1 ON functions (triggerid);
CREATE INDEX functions_2 ON functions (itemid,name,parameter);
ALTER TABLE ONLY hosts ADD CONSTRAINT c_hosts_1 FOREIGN KEY (proxy_hostid) REFERENCES hosts (hostid);
ALTER TABLE ONLY hosts ADD CONSTRAINT c_hosts_3 FOREIGN KEY (templateid) REFERENCES hosts (hostid) ON DELETE CASCADE;
ALTER TABLE ONLY hosts_groups ADD CONSTRAINT c_hosts_groups_1 FOREIGN KEY (hostid) REFERENCES hosts (hostid) ON DELETE CASCADE;
ALTER TABLE ONLY hosts_groups ADD CONSTRAINT c_hosts_groups_2 FOREIGN KEY (groupid) REFERENCES hstgrp (groupid) ON DELETE CASCADE;
ALTER TABLE ONLY items ADD CONSTRAINT c_items_1 FOREIGN KEY (hostid) REFERENCES hosts (hostid) ON DELETE CASCADE;
ALTER TABLE ONLY items ADD CONSTRAINT c_items_2 FOREIGN KEY (templateid) REFERENCES items (itemid) ON DELETE CASCADE;
ALTER TABLE ONLY triggers ADD CONSTRAINT c_triggers_1 FOREIGN KEY (templateid) REFERENCES triggers (triggerid) ON DELETE CASCADE;
ALTER TABLE ONLY functions ADD CONSTRAINT c_functions_1 FOREIGN KEY (itemid) REFERENCES items (itemid) ON DELETE CASCADE;
ALTER TABLE ONLY functions ADD CONSTRAINT c_functions_2 FOREIGN KEY (triggerid) REFERENCES triggers (triggerid) ON DELETE CASCADE;

create or replace function hosts_name_upper_upper()
returns trigger language plpgsql AS $func$
begin
	update hosts set name_upper=upper(name)
	where hostid=new.hostid;
	return null;
end $func$;
create trigger hosts_name_upper_insert after insert
on hosts
for each row
execute function hosts_name_upper_upper();
create or replace function items_name_upper_upper()
returns trigger language plpgsql AS $func$
begin
	update items set name_upper=upper(name)
	where itemid=new.itemid;
	return null;
end $func$;
create trigger items_name_upper_insert after insert
on items
for each row
execute function items_name_upper_upper();

-- The importer's staging table and the view its loads read (--source).
CREATE TABLE host_group_import (hostgroupid text, hostid text, groupid text, batch text);
CREATE VIEW pending_host_groups AS
    SELECT hostgroupid::bigint AS hostgroupid, hostid::bigint AS hostid, groupid::bigint AS groupid
    FROM host_group_import WHERE batch = 'pending';

-- ================================================================ Nextcloud
CREATE TABLE oc_users (
    uid VARCHAR(64) DEFAULT '' NOT NULL,
    displayname VARCHAR(64) DEFAULT NULL,
    password VARCHAR(255) DEFAULT '' NOT NULL,
    uid_lower VARCHAR(64) DEFAULT '',
    PRIMARY KEY(uid)
);
CREATE INDEX user_uid_lower ON oc_users (uid_lower);
CREATE TABLE oc_groups (
    gid VARCHAR(64) DEFAULT '' NOT NULL,
    displayname VARCHAR(255) DEFAULT 'name' NOT NULL,
    PRIMARY KEY(gid)
);
CREATE TABLE oc_group_user (
    gid VARCHAR(64) DEFAULT '' NOT NULL,
    uid VARCHAR(64) DEFAULT '' NOT NULL,
    PRIMARY KEY(gid, uid)
);
CREATE INDEX gu_uid_index ON oc_group_user (uid);
ALTER TABLE oc_group_user ADD CONSTRAINT oc_group_user_gid_fk FOREIGN KEY (gid) REFERENCES oc_groups (gid);
ALTER TABLE oc_group_user ADD CONSTRAINT oc_group_user_uid_fk FOREIGN KEY (uid) REFERENCES oc_users (uid);

-- ================================================================ stored rows
INSERT INTO area_type (id, name, gid) VALUES
    (1, 'Country', '06dd0ae4-8c74-30bb-b43d-95dcedf961de'), (2, 'Subdivision', 'fd3d44c5-80a1-3842-9745-2c4972d35afa'),
    (3, 'City', '6fd8f29a-3d0a-32fc-980d-ea697b69da78');
INSERT INTO artist_type (id, name, gid) VALUES
    (1, 'Person', 'b6e035f4-3ce9-331c-97df-83397230b0df'), (2, 'Group', 'e431f5f6-b5d2-343d-8b36-72607fffb74b');
INSERT INTO gender (id, name, gid) VALUES
    (1, 'Male', '36d3d30a-839d-3eda-8cb3-29be4384e4a9'), (2, 'Female', '93452b5a-a947-30c8-934f-6a4056b151c2'),
    (3, 'Other', '081c3ebf-d91f-3155-8ee3-8c9b3cf6e04c');
INSERT INTO release_status (id, name, gid) VALUES (1, 'Official', '4e304316-386d-3409-af2e-78857eec5cfe');
INSERT INTO release_group_primary_type (id, name, gid) VALUES (1, 'Album', 'f529b476-6e62-324f-b0aa-1f3e33d313fc');
INSERT INTO label_type (id, name, gid) VALUES (1, 'Original Production', '7aaa37fe-2def-3476-b359-80245850062d');
SELECT setval('area_type_id_seq', 3), setval('artist_type_id_seq', 2), setval('gender_id_seq', 3),
       setval('release_status_id_seq', 1), setval('release_group_primary_type_id_seq', 1), setval('label_type_id_seq', 1);
INSERT INTO area (id, gid, name, type) VALUES
    (1, '8a754a16-0027-3a29-b6d7-2b40ea0481ed', 'United Kingdom', 1), (2, '2db42837-c832-3c27-b4a3-08198f75693c', 'Japan', 1);
INSERT INTO artist (id, gid, name, sort_name, type, area, gender) VALUES
    (1, 'a74b1b7f-71a5-4011-9441-d0b5e4122711', 'Radiohead', 'Radiohead', 2, 1, NULL),
    (2, '8bfac288-ccc5-448d-9573-c33ea2aa5c30', 'Red Hot Chili Peppers', 'Red Hot Chili Peppers', 2, NULL, NULL),
    (3, '5441c29d-3602-4898-b1a1-b77fa23b8e50', 'David Bowie', 'Bowie, David', 1, 1, 1);
BEGIN;
INSERT INTO artist_credit (id, name, artist_count, gid) VALUES
    (1, 'Radiohead', 1, '7d6a5a3a-2b3d-3c1b-8c9f-0e1a2b3c4d01'), (2, 'Red Hot Chili Peppers', 1, '7d6a5a3a-2b3d-3c1b-8c9f-0e1a2b3c4d02'),
    (3, 'David Bowie', 1, '7d6a5a3a-2b3d-3c1b-8c9f-0e1a2b3c4d03');
INSERT INTO artist_credit_name (artist_credit, position, artist, name) VALUES (1, 0, 1, 'Radiohead'), (2, 0, 2, 'Red Hot Chili Peppers'),
    (3, 0, 3, 'David Bowie');
COMMIT;
INSERT INTO release_group (id, gid, name, artist_credit, type) VALUES (1, 'b1392450-e666-3926-a536-22c65f834433', 'OK Computer', 1, 1);
INSERT INTO release (id, gid, name, artist_credit, release_group, status) VALUES
    (1, '52709206-8816-3c12-9ff6-f957f2f1eecf', 'OK Computer', 1, 1, 1);
INSERT INTO medium (id, release, position, gid) VALUES (1, 1, 1, '3b1e3f0c-5b7e-4a0a-9e6c-000000000001');
INSERT INTO recording (id, gid, name, artist_credit) VALUES
    (1, '6b9a9e04-abd7-4666-86ba-bb220ef4c3b2', 'Airbag', 1), (2, 'e6a3c7f5-3e88-4a0e-9d2b-0f4a7b1c9d02', 'Paranoid Android', 1);
INSERT INTO track (id, gid, recording, medium, position, number, name, artist_credit, length) VALUES
    (1, 'f9b8a2a4-8a8e-3a0d-b51a-000000000001', 1, 1, 1, '1', 'Airbag', 1, 284000),
    (2, 'f9b8a2a4-8a8e-3a0d-b51a-000000000002', 2, 1, 2, '2', 'Paranoid Android', 1, 383000);
INSERT INTO label (id, gid, name, label_code, type, area) VALUES (1, '9e6b4d7f-e766-4b8b-b1d7-3d3f3a6f1e01', 'Parlophone', 299, 1, 1);
SELECT setval('area_id_seq', 2), setval('artist_id_seq', 3), setval('artist_credit_id_seq', 3), setval('release_group_id_seq', 1),
       setval('release_id_seq', 1), setval('medium_id_seq', 1), setval('recording_id_seq', 2), setval('track_id_seq', 2),
       setval('label_id_seq', 1);

INSERT INTO s22osm.users (email, id, pass_crypt, creation_time, display_name, status) VALUES
    ('steve@example.org', 1, '00000000000000000000000000000000', '2004-08-09 12:00:00', 'SteveC', 'confirmed'),
    ('woodpeck@example.org', 2, '00000000000000000000000000000000', '2005-03-01 09:30:00', 'woodpeck', 'active');
SELECT setval('s22osm.users_id_seq', 2);
INSERT INTO s22osm.changesets (id, user_id, created_at, closed_at, num_changes) VALUES
    (1, 1, '2024-07-01 10:00:00', '2024-07-01 11:00:00', 3), (2, 2, '2024-07-02 10:00:00', '2024-07-02 10:30:00', 1);
SELECT setval('s22osm.changesets_id_seq', 2);
INSERT INTO s22osm.current_nodes VALUES (1, 515000000, -1000000, 1, true, '2024-07-01 10:05:00', 3221225472, 1),
    (2, 515000100, -1000100, 1, true, '2024-07-01 10:05:00', 3221225472, 1);
INSERT INTO s22osm.current_ways VALUES (1, 1, '2024-07-01 10:06:00', true, 1);
INSERT INTO s22osm.current_way_nodes VALUES (1, 1, 1), (1, 2, 2);
INSERT INTO s22osm.current_relations VALUES (1, 2, '2024-07-02 10:10:00', true, 1);
SELECT setval('s22osm.current_nodes_id_seq', 2), setval('s22osm.current_ways_id_seq', 1), setval('s22osm.current_relations_id_seq', 1);

INSERT INTO ids VALUES ('hosts', 'hostid', 10100), ('hstgrp', 'groupid', 20), ('items', 'itemid', 30000), ('triggers', 'triggerid', 14000);
INSERT INTO hstgrp (groupid, name, uuid, type) VALUES (1, 'Templates', '7df96b18c230490a9a0a9e2307226338', 1),
    (2, 'Linux servers', 'dc579cd7a1a34222933f24f52a68bcd8', 0), (4, 'Zabbix servers', '6f6799aa69e844b4b3918f779f2abf08', 0);
INSERT INTO hosts (hostid, host, name, status) VALUES (10084, 'Zabbix server', 'Zabbix server', 0), (10001, 'Linux by Zabbix agent', 'Linux by Zabbix agent', 3);
INSERT INTO hosts_groups VALUES (90, 10084, 4), (91, 10001, 1);
INSERT INTO items (itemid, hostid, name, key_, delay, value_type) VALUES (23252, 10084, 'Zabbix server: Uptime', 'system.uptime', '1m', 3),
    (23253, 10084, 'Zabbix server: CPU load', 'system.cpu.load', '1m', 0);
INSERT INTO triggers (triggerid, expression, description, priority) VALUES (13000, '{13100}>5', 'Load average is too high', 2);
INSERT INTO functions VALUES (13100, 23253, 13000, 'avg', '$,5m');

INSERT INTO oc_users (uid, displayname, uid_lower) VALUES ('admin', 'admin', 'admin'), ('alice', 'Alice', 'alice');
INSERT INTO oc_groups (gid, displayname) VALUES ('admin', 'admin'), ('', 'name');
INSERT INTO oc_group_user VALUES ('admin', 'admin');
