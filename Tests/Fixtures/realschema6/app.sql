-- A hand-written subset of three application schemas, for the sixth real-schema sweep
-- (Tests/FKBackfillTests/RealSchemaSweep6Tests.swift). The test renames s21app (the
-- application's `public`) and s21af (the schema Airflow's `sql_alchemy_schema` names) to
-- schemas of its own and runs this file with the session search_path
-- `s21app, s21af, fkb_ext, public`.
--
-- Written the way those projects write them (what their dumps show), not the way our tests do:
-- Rails (Spree/Solidus and Redmine, `db/structure.sql`): bigint ids from sequences OWNED BY
-- the column with `nextval('…'::regclass)` defaults set by ALTER TABLE ONLY, FKs named
-- fk_rails_<10 hex> added at the end (some ON DELETE CASCADE), polymorphic `*_type`/`*_id`
-- pairs with no FK, timestamp(6) created_at/updated_at NOT NULL with no DEFAULT (Rails
-- fills them), counter caches `DEFAULT 0 NOT NULL`, partial unique indexes `WHERE
-- deleted_at IS NULL`, ar_internal_metadata/schema_migrations, a FK to a string natural
-- key (spree_countries.iso), Redmine's custom_values by (customized_type, customized_id).
-- Airflow (what Alembic's migrations create): varchar(250) dag ids, a serial dag_run id
-- beside UNIQUE (dag_id, run_id), task_instance keyed by (dag_id, task_id, run_id,
-- map_index DEFAULT -1) with a composite FK to dag_run ON DELETE CASCADE, xcom by a
-- composite FK to task_instance, log without FKs, Flask-AppBuilder's ab_* tables,
-- timestamptz, bytea pickles, state CHECKs named ck_…, index names idx_….
-- Hasura/PostgREST (a `hasura migrate` dump): enum tables (value text PRIMARY KEY,
-- comment text), set_current_timestamp_updated_at() BEFORE UPDATE triggers, uuid
-- gen_random_uuid() ids, lowercase `on update restrict on delete restrict`, unique
-- lower(email), a view over an import table, a computed-field function, and a table
-- partitioned by range on created_at whose partitions are attached afterwards.
CREATE SCHEMA IF NOT EXISTS s21app;
CREATE SCHEMA IF NOT EXISTS s21af;
SET search_path = s21app, s21af, fkb_ext, public;

-- ---------------------------------------------------------------- Rails: Spree/Solidus
CREATE TABLE s21app.ar_internal_metadata (
    key character varying NOT NULL,
    value character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE s21app.schema_migrations (
    version character varying NOT NULL
);

CREATE TABLE s21app.spree_countries (
    id bigint NOT NULL,
    iso_name character varying,
    iso character varying NOT NULL,
    iso3 character varying,
    name character varying,
    numcode integer,
    states_required boolean DEFAULT false,
    updated_at timestamp(6) without time zone,
    zipcode_required boolean DEFAULT true,
    created_at timestamp(6) without time zone
);
CREATE SEQUENCE s21app.spree_countries_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_countries_id_seq OWNED BY s21app.spree_countries.id;

CREATE TABLE s21app.spree_states (
    id bigint NOT NULL,
    name character varying,
    abbr character varying,
    country_id bigint,
    updated_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone
);
CREATE SEQUENCE s21app.spree_states_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_states_id_seq OWNED BY s21app.spree_states.id;

CREATE TABLE s21app.spree_addresses (
    id bigint NOT NULL,
    name character varying,
    address1 character varying,
    address2 character varying,
    city character varying,
    zipcode character varying,
    phone character varying,
    state_name character varying,
    state_id bigint,
    country_iso character varying NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    company character varying,
    user_id bigint
);
CREATE SEQUENCE s21app.spree_addresses_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_addresses_id_seq OWNED BY s21app.spree_addresses.id;

CREATE TABLE s21app.spree_taxonomies (
    id bigint NOT NULL,
    name character varying NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    "position" integer DEFAULT 0
);
CREATE SEQUENCE s21app.spree_taxonomies_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_taxonomies_id_seq OWNED BY s21app.spree_taxonomies.id;

CREATE TABLE s21app.spree_taxons (
    id bigint NOT NULL,
    parent_id bigint,
    "position" integer DEFAULT 0,
    name character varying NOT NULL,
    permalink character varying,
    taxonomy_id bigint,
    lft integer,
    rgt integer,
    description text,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    depth integer,
    products_count integer DEFAULT 0 NOT NULL
);
CREATE SEQUENCE s21app.spree_taxons_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_taxons_id_seq OWNED BY s21app.spree_taxons.id;

CREATE TABLE s21app.spree_products (
    id bigint NOT NULL,
    name character varying DEFAULT ''::character varying NOT NULL,
    description text,
    available_on timestamp without time zone,
    deleted_at timestamp without time zone,
    slug character varying,
    meta_description text,
    tax_category_id bigint,
    shipping_category_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    promotionable boolean DEFAULT true,
    variants_count integer DEFAULT 0 NOT NULL
);
CREATE SEQUENCE s21app.spree_products_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_products_id_seq OWNED BY s21app.spree_products.id;

CREATE TABLE s21app.spree_variants (
    id bigint NOT NULL,
    sku character varying DEFAULT ''::character varying NOT NULL,
    weight numeric(8,2) DEFAULT 0.0,
    deleted_at timestamp without time zone,
    is_master boolean DEFAULT false,
    product_id bigint,
    cost_price numeric(10,2),
    "position" integer,
    cost_currency character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE SEQUENCE s21app.spree_variants_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_variants_id_seq OWNED BY s21app.spree_variants.id;

CREATE TABLE s21app.spree_products_taxons (
    id bigint NOT NULL,
    product_id bigint,
    taxon_id bigint,
    "position" integer,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
CREATE SEQUENCE s21app.spree_products_taxons_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_products_taxons_id_seq OWNED BY s21app.spree_products_taxons.id;

CREATE TABLE s21app.spree_orders (
    id bigint NOT NULL,
    number character varying(32),
    item_total numeric(10,2) DEFAULT 0.0 NOT NULL,
    total numeric(10,2) DEFAULT 0.0 NOT NULL,
    state character varying,
    adjustment_total numeric(10,2) DEFAULT 0.0 NOT NULL,
    user_id bigint,
    completed_at timestamp without time zone,
    bill_address_id bigint,
    ship_address_id bigint,
    currency character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    item_count integer DEFAULT 0
);
CREATE SEQUENCE s21app.spree_orders_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_orders_id_seq OWNED BY s21app.spree_orders.id;

CREATE TABLE s21app.spree_line_items (
    id bigint NOT NULL,
    variant_id bigint,
    order_id bigint,
    quantity integer NOT NULL,
    price numeric(10,2) NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    cost_price numeric(10,2),
    adjustment_total numeric(10,2) DEFAULT 0.0,
    CONSTRAINT check_price_positive CHECK (price >= 0::numeric)
);
CREATE SEQUENCE s21app.spree_line_items_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_line_items_id_seq OWNED BY s21app.spree_line_items.id;

CREATE TABLE s21app.spree_adjustments (
    id bigint NOT NULL,
    source_type character varying,
    source_id bigint,
    adjustable_type character varying,
    adjustable_id bigint NOT NULL,
    amount numeric(10,2),
    label character varying,
    finalized boolean DEFAULT false NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL,
    order_id bigint NOT NULL,
    included boolean DEFAULT false
);
CREATE SEQUENCE s21app.spree_adjustments_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.spree_adjustments_id_seq OWNED BY s21app.spree_adjustments.id;

ALTER TABLE ONLY s21app.spree_countries ALTER COLUMN id SET DEFAULT nextval('s21app.spree_countries_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_states ALTER COLUMN id SET DEFAULT nextval('s21app.spree_states_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_addresses ALTER COLUMN id SET DEFAULT nextval('s21app.spree_addresses_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_taxonomies ALTER COLUMN id SET DEFAULT nextval('s21app.spree_taxonomies_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_taxons ALTER COLUMN id SET DEFAULT nextval('s21app.spree_taxons_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_products ALTER COLUMN id SET DEFAULT nextval('s21app.spree_products_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_variants ALTER COLUMN id SET DEFAULT nextval('s21app.spree_variants_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_products_taxons ALTER COLUMN id SET DEFAULT nextval('s21app.spree_products_taxons_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_orders ALTER COLUMN id SET DEFAULT nextval('s21app.spree_orders_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_line_items ALTER COLUMN id SET DEFAULT nextval('s21app.spree_line_items_id_seq'::regclass);
ALTER TABLE ONLY s21app.spree_adjustments ALTER COLUMN id SET DEFAULT nextval('s21app.spree_adjustments_id_seq'::regclass);

ALTER TABLE ONLY s21app.ar_internal_metadata ADD CONSTRAINT ar_internal_metadata_pkey PRIMARY KEY (key);
ALTER TABLE ONLY s21app.schema_migrations ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);
ALTER TABLE ONLY s21app.spree_countries ADD CONSTRAINT spree_countries_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_states ADD CONSTRAINT spree_states_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_addresses ADD CONSTRAINT spree_addresses_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_taxonomies ADD CONSTRAINT spree_taxonomies_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_taxons ADD CONSTRAINT spree_taxons_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_products ADD CONSTRAINT spree_products_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_variants ADD CONSTRAINT spree_variants_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_products_taxons ADD CONSTRAINT spree_products_taxons_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_orders ADD CONSTRAINT spree_orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_line_items ADD CONSTRAINT spree_line_items_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.spree_adjustments ADD CONSTRAINT spree_adjustments_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX index_spree_countries_on_iso ON s21app.spree_countries USING btree (iso);
CREATE INDEX index_spree_states_on_country_id ON s21app.spree_states USING btree (country_id);
CREATE INDEX index_spree_addresses_on_country_iso ON s21app.spree_addresses USING btree (country_iso);
CREATE INDEX index_taxons_on_parent_id ON s21app.spree_taxons USING btree (parent_id);
CREATE INDEX index_taxons_on_taxonomy_id ON s21app.spree_taxons USING btree (taxonomy_id);
CREATE UNIQUE INDEX index_spree_taxons_on_permalink ON s21app.spree_taxons USING btree (permalink);
CREATE UNIQUE INDEX index_spree_products_on_slug ON s21app.spree_products USING btree (slug);
CREATE INDEX index_spree_products_on_deleted_at ON s21app.spree_products USING btree (deleted_at);
CREATE UNIQUE INDEX index_spree_variants_on_sku ON s21app.spree_variants USING btree (sku) WHERE (deleted_at IS NULL);
CREATE INDEX index_spree_variants_on_product_id ON s21app.spree_variants USING btree (product_id);
CREATE UNIQUE INDEX index_spree_products_taxons_on_product_id_and_taxon_id ON s21app.spree_products_taxons USING btree (product_id, taxon_id);
CREATE UNIQUE INDEX index_spree_orders_on_number ON s21app.spree_orders USING btree (number);
CREATE INDEX index_spree_line_items_on_order_id ON s21app.spree_line_items USING btree (order_id);
CREATE INDEX index_spree_line_items_on_variant_id ON s21app.spree_line_items USING btree (variant_id);
CREATE INDEX index_spree_adjustments_on_adjustable_id_and_adjustable_type ON s21app.spree_adjustments USING btree (adjustable_id, adjustable_type);
CREATE INDEX index_spree_adjustments_on_source_id_and_source_type ON s21app.spree_adjustments USING btree (source_id, source_type);

ALTER TABLE ONLY s21app.spree_states ADD CONSTRAINT fk_rails_7ad7e1ba5b FOREIGN KEY (country_id) REFERENCES s21app.spree_countries(id);
ALTER TABLE ONLY s21app.spree_addresses ADD CONSTRAINT fk_rails_3c0b4b0e8c FOREIGN KEY (country_iso) REFERENCES s21app.spree_countries(iso);
ALTER TABLE ONLY s21app.spree_addresses ADD CONSTRAINT fk_rails_9d2c0ef1f5 FOREIGN KEY (state_id) REFERENCES s21app.spree_states(id);
ALTER TABLE ONLY s21app.spree_taxons ADD CONSTRAINT fk_rails_3f1b2a7c41 FOREIGN KEY (parent_id) REFERENCES s21app.spree_taxons(id);
ALTER TABLE ONLY s21app.spree_taxons ADD CONSTRAINT fk_rails_a8f1e5f0d2 FOREIGN KEY (taxonomy_id) REFERENCES s21app.spree_taxonomies(id) ON DELETE CASCADE;
ALTER TABLE ONLY s21app.spree_variants ADD CONSTRAINT fk_rails_0e8c2a55bd FOREIGN KEY (product_id) REFERENCES s21app.spree_products(id) ON DELETE CASCADE;
ALTER TABLE ONLY s21app.spree_products_taxons ADD CONSTRAINT fk_rails_c0b2a0f64e FOREIGN KEY (product_id) REFERENCES s21app.spree_products(id) ON DELETE CASCADE;
ALTER TABLE ONLY s21app.spree_products_taxons ADD CONSTRAINT fk_rails_4b2f6a7d19 FOREIGN KEY (taxon_id) REFERENCES s21app.spree_taxons(id) ON DELETE CASCADE;
ALTER TABLE ONLY s21app.spree_orders ADD CONSTRAINT fk_rails_58e6ac9ab1 FOREIGN KEY (bill_address_id) REFERENCES s21app.spree_addresses(id);
ALTER TABLE ONLY s21app.spree_orders ADD CONSTRAINT fk_rails_e2b8a7c7f0 FOREIGN KEY (ship_address_id) REFERENCES s21app.spree_addresses(id);
ALTER TABLE ONLY s21app.spree_line_items ADD CONSTRAINT fk_rails_b1a3e9d0c8 FOREIGN KEY (order_id) REFERENCES s21app.spree_orders(id) ON DELETE CASCADE;
ALTER TABLE ONLY s21app.spree_line_items ADD CONSTRAINT fk_rails_7d4e2c1a95 FOREIGN KEY (variant_id) REFERENCES s21app.spree_variants(id);
ALTER TABLE ONLY s21app.spree_adjustments ADD CONSTRAINT fk_rails_2f5d9e8b3a FOREIGN KEY (order_id) REFERENCES s21app.spree_orders(id);

INSERT INTO s21app.ar_internal_metadata VALUES ('environment', 'production', '2024-01-05 09:00:00', '2024-01-05 09:00:00'),
    ('schema_sha1', 'f4c1a7b2e9', '2024-01-05 09:00:00', '2024-06-30 09:00:00');
INSERT INTO s21app.schema_migrations VALUES ('20230412091512'), ('20231118140233'), ('20240105090000');
INSERT INTO s21app.spree_countries (iso_name, iso, iso3, name, numcode, states_required, created_at, updated_at) VALUES
    ('UNITED STATES', 'US', 'USA', 'United States', 840, true, '2024-01-05 09:00', '2024-01-05 09:00'),
    ('GERMANY', 'DE', 'DEU', 'Germany', 276, false, '2024-01-05 09:00', '2024-01-05 09:00'),
    ('FRANCE', 'FR', 'FRA', 'France', 250, false, '2024-01-05 09:00', '2024-01-05 09:00'),
    ('JAPAN', 'JP', 'JPN', 'Japan', 392, true, '2024-01-05 09:00', '2024-01-05 09:00');
INSERT INTO s21app.spree_states (name, abbr, country_id, created_at, updated_at) VALUES
    ('New York', 'NY', 1, '2024-01-05 09:00', '2024-01-05 09:00'), ('California', 'CA', 1, '2024-01-05 09:00', '2024-01-05 09:00'),
    ('Tokyo', '13', 4, '2024-01-05 09:00', '2024-01-05 09:00');
INSERT INTO s21app.spree_addresses (name, address1, city, zipcode, state_id, country_iso, created_at, updated_at) VALUES
    ('Ada Lovelace', '1 Main St', 'New York', '10001', 1, 'US', '2024-02-01 10:00', '2024-02-01 10:00'),
    ('Grace Hopper', '2 Hauptstr.', 'Berlin', '10115', NULL, 'DE', '2024-02-02 10:00', '2024-02-02 10:00');
INSERT INTO s21app.spree_taxonomies (name, created_at, updated_at, "position") VALUES
    ('Categories', '2024-01-05 09:00', '2024-01-05 09:00', 1), ('Brand', '2024-01-05 09:00', '2024-01-05 09:00', 2);
INSERT INTO s21app.spree_taxons (parent_id, name, permalink, taxonomy_id, created_at, updated_at, depth) VALUES
    (NULL, 'Categories', 'categories', 1, '2024-01-05 09:00', '2024-01-05 09:00', 0),
    (1, 'Clothing', 'categories/clothing', 1, '2024-01-05 09:00', '2024-01-05 09:00', 1),
    (2, 'Shirts', 'categories/clothing/shirts', 1, '2024-01-05 09:00', '2024-01-05 09:00', 2),
    (NULL, 'Brand', 'brand', 2, '2024-01-05 09:00', '2024-01-05 09:00', 0);
INSERT INTO s21app.spree_products (name, slug, created_at, updated_at, variants_count) VALUES
    ('Ruby Tote', 'ruby-tote', '2024-01-06 09:00', '2024-01-06 09:00', 2),
    ('Rails Mug', 'rails-mug', '2024-01-06 09:00', '2024-01-06 09:00', 1),
    ('Old Cap', 'old-cap', '2024-01-06 09:00', '2024-01-06 09:00', 1);
UPDATE s21app.spree_products SET deleted_at = '2024-03-01 09:00' WHERE slug = 'old-cap';
INSERT INTO s21app.spree_variants (sku, product_id, is_master, cost_price, created_at, updated_at, deleted_at) VALUES
    ('TOTE-RED', 1, true, 9.50, '2024-01-06 09:00', '2024-01-06 09:00', NULL),
    ('TOTE-BLUE', 1, false, 9.50, '2024-01-06 09:00', '2024-01-06 09:00', NULL),
    ('MUG-001', 2, true, 3.10, '2024-01-06 09:00', '2024-01-06 09:00', NULL),
    ('CAP-001', 3, true, 2.00, '2024-01-06 09:00', '2024-03-01 09:00', '2024-03-01 09:00');
INSERT INTO s21app.spree_orders (number, item_total, total, state, currency, created_at, updated_at, completed_at, bill_address_id, item_count) VALUES
    ('R100000001', 19.00, 19.00, 'complete', 'USD', '2024-02-01 10:00', '2024-02-01 10:00', '2024-02-01 10:05', 1, 2),
    ('R100000002', 6.20, 6.20, 'complete', 'EUR', '2024-02-02 10:00', '2024-02-02 10:00', '2024-02-02 10:05', 2, 2);
INSERT INTO s21app.spree_line_items (variant_id, order_id, quantity, price, created_at, updated_at) VALUES
    (1, 1, 1, 19.00, '2024-02-01 10:00', '2024-02-01 10:00'), (3, 2, 2, 3.10, '2024-02-02 10:00', '2024-02-02 10:00');
SELECT setval('s21app.spree_orders_id_seq', 2), setval('s21app.spree_line_items_id_seq', 2);

-- ---------------------------------------------------------------- Rails: Redmine
CREATE TABLE s21app.projects (
    id integer NOT NULL,
    name character varying DEFAULT ''::character varying NOT NULL,
    description text,
    homepage character varying DEFAULT ''::character varying,
    is_public boolean DEFAULT true NOT NULL,
    parent_id integer,
    created_on timestamp without time zone,
    updated_on timestamp without time zone,
    identifier character varying,
    status integer DEFAULT 1 NOT NULL,
    lft integer,
    rgt integer
);
CREATE SEQUENCE s21app.projects_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.projects_id_seq OWNED BY s21app.projects.id;
CREATE TABLE s21app.issues (
    id integer NOT NULL,
    tracker_id integer NOT NULL,
    project_id integer NOT NULL,
    subject character varying DEFAULT ''::character varying NOT NULL,
    description text,
    status_id integer NOT NULL,
    created_on timestamp without time zone,
    updated_on timestamp without time zone
);
CREATE SEQUENCE s21app.issues_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.issues_id_seq OWNED BY s21app.issues.id;
CREATE TABLE s21app.custom_fields (
    id integer NOT NULL,
    type character varying(30) DEFAULT ''::character varying NOT NULL,
    name character varying(30) DEFAULT ''::character varying NOT NULL,
    field_format character varying(30) DEFAULT ''::character varying NOT NULL,
    possible_values text,
    is_required boolean DEFAULT false NOT NULL,
    is_for_all boolean DEFAULT false NOT NULL,
    is_filter boolean DEFAULT false NOT NULL,
    "position" integer,
    searchable boolean DEFAULT false,
    default_value text,
    editable boolean DEFAULT true,
    visible boolean DEFAULT true NOT NULL,
    multiple boolean DEFAULT false,
    format_store text,
    description text
);
CREATE SEQUENCE s21app.custom_fields_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.custom_fields_id_seq OWNED BY s21app.custom_fields.id;
CREATE TABLE s21app.custom_values (
    id integer NOT NULL,
    customized_type character varying(30) DEFAULT ''::character varying NOT NULL,
    customized_id integer DEFAULT 0 NOT NULL,
    custom_field_id integer DEFAULT 0 NOT NULL,
    value text
);
CREATE SEQUENCE s21app.custom_values_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s21app.custom_values_id_seq OWNED BY s21app.custom_values.id;
ALTER TABLE ONLY s21app.projects ALTER COLUMN id SET DEFAULT nextval('s21app.projects_id_seq'::regclass);
ALTER TABLE ONLY s21app.issues ALTER COLUMN id SET DEFAULT nextval('s21app.issues_id_seq'::regclass);
ALTER TABLE ONLY s21app.custom_fields ALTER COLUMN id SET DEFAULT nextval('s21app.custom_fields_id_seq'::regclass);
ALTER TABLE ONLY s21app.custom_values ALTER COLUMN id SET DEFAULT nextval('s21app.custom_values_id_seq'::regclass);
ALTER TABLE ONLY s21app.projects ADD CONSTRAINT projects_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.issues ADD CONSTRAINT issues_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.custom_fields ADD CONSTRAINT custom_fields_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.custom_values ADD CONSTRAINT custom_values_pkey PRIMARY KEY (id);
CREATE INDEX custom_values_customized ON s21app.custom_values USING btree (customized_type, customized_id);
CREATE INDEX index_custom_values_on_custom_field_id ON s21app.custom_values USING btree (custom_field_id);
CREATE INDEX issues_project_id ON s21app.issues USING btree (project_id);
ALTER TABLE ONLY s21app.issues ADD CONSTRAINT fk_rails_8b2e1d7f3c FOREIGN KEY (project_id) REFERENCES s21app.projects(id);
ALTER TABLE ONLY s21app.custom_values ADD CONSTRAINT fk_rails_1c7a9e0b62 FOREIGN KEY (custom_field_id) REFERENCES s21app.custom_fields(id) ON DELETE CASCADE;
INSERT INTO s21app.projects (name, identifier, created_on, updated_on, lft, rgt) VALUES ('Redmine', 'redmine', '2024-01-05 09:00', '2024-01-05 09:00', 1, 2);
INSERT INTO s21app.issues (tracker_id, project_id, subject, status_id, created_on, updated_on) VALUES
    (1, 1, 'Crash on login', 1, '2024-01-06 09:00', '2024-01-06 09:00'), (2, 1, 'Add Atom feed', 1, '2024-01-06 09:00', '2024-01-06 09:00');
INSERT INTO s21app.custom_fields (type, name, field_format, "position") VALUES ('IssueCustomField', 'Severity', 'list', 1), ('ProjectCustomField', 'Budget', 'float', 2);
INSERT INTO s21app.custom_values (customized_type, customized_id, custom_field_id, value) VALUES ('Issue', 1, 1, 'high'), ('Project', 1, 2, '1000');

-- ---------------------------------------------------------------- Airflow (Alembic), its own schema
CREATE TABLE s21af.log_template (
	id SERIAL NOT NULL,
	filename TEXT NOT NULL,
	elasticsearch_id TEXT NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	CONSTRAINT log_template_pkey PRIMARY KEY (id)
);
CREATE TABLE s21af.dag (
	dag_id VARCHAR(250) NOT NULL,
	root_dag_id VARCHAR(250),
	is_paused BOOLEAN,
	is_subdag BOOLEAN,
	is_active BOOLEAN,
	last_parsed_time TIMESTAMP WITH TIME ZONE,
	last_pickled TIMESTAMP WITH TIME ZONE,
	last_expired TIMESTAMP WITH TIME ZONE,
	scheduler_lock BOOLEAN,
	pickle_id INTEGER,
	fileloc VARCHAR(2000),
	processor_subdir VARCHAR(2000),
	owners VARCHAR(2000),
	description TEXT,
	default_view VARCHAR(25),
	schedule_interval TEXT,
	timetable_description VARCHAR(1000),
	max_active_tasks INTEGER NOT NULL,
	max_active_runs INTEGER,
	has_task_concurrency_limits BOOLEAN NOT NULL,
	has_import_errors BOOLEAN DEFAULT false,
	next_dagrun TIMESTAMP WITH TIME ZONE,
	CONSTRAINT dag_pkey PRIMARY KEY (dag_id)
);
CREATE INDEX idx_root_dag_id ON s21af.dag (root_dag_id);
CREATE INDEX idx_next_dagrun_create_after ON s21af.dag (next_dagrun);
CREATE TABLE s21af.dag_run (
	id SERIAL NOT NULL,
	dag_id VARCHAR(250) NOT NULL,
	queued_at TIMESTAMP WITH TIME ZONE,
	execution_date TIMESTAMP WITH TIME ZONE NOT NULL,
	start_date TIMESTAMP WITH TIME ZONE,
	end_date TIMESTAMP WITH TIME ZONE,
	state VARCHAR(50),
	run_id VARCHAR(250) NOT NULL,
	creating_job_id INTEGER,
	external_trigger BOOLEAN,
	run_type VARCHAR(50) NOT NULL,
	conf BYTEA,
	data_interval_start TIMESTAMP WITH TIME ZONE,
	data_interval_end TIMESTAMP WITH TIME ZONE,
	last_scheduling_decision TIMESTAMP WITH TIME ZONE,
	dag_hash VARCHAR(32),
	log_template_id INTEGER,
	updated_at TIMESTAMP WITH TIME ZONE,
	clear_number INTEGER DEFAULT '0' NOT NULL,
	CONSTRAINT dag_run_pkey PRIMARY KEY (id),
	CONSTRAINT dag_run_dag_id_execution_date_key UNIQUE (dag_id, execution_date),
	CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id),
	CONSTRAINT task_instance_log_template_id_fkey FOREIGN KEY(log_template_id) REFERENCES s21af.log_template (id),
	CONSTRAINT dag_run_dag_id_fkey FOREIGN KEY(dag_id) REFERENCES s21af.dag (dag_id) ON DELETE CASCADE,
	CONSTRAINT ck_dag_run_state CHECK (state IN ('queued', 'running', 'success', 'failed'))
);
CREATE INDEX dag_id_state ON s21af.dag_run (dag_id, state);
CREATE INDEX idx_dag_run_dag_id ON s21af.dag_run (dag_id);
CREATE INDEX idx_last_scheduling_decision ON s21af.dag_run (last_scheduling_decision);
CREATE TABLE s21af.trigger (
	id SERIAL NOT NULL,
	classpath VARCHAR(1000) NOT NULL,
	kwargs TEXT NOT NULL,
	created_date TIMESTAMP WITH TIME ZONE NOT NULL,
	triggerer_id INTEGER,
	CONSTRAINT trigger_pkey PRIMARY KEY (id)
);
CREATE TABLE s21af.task_instance (
	task_id VARCHAR(250) NOT NULL,
	dag_id VARCHAR(250) NOT NULL,
	run_id VARCHAR(250) NOT NULL,
	map_index INTEGER DEFAULT '-1' NOT NULL,
	start_date TIMESTAMP WITH TIME ZONE,
	end_date TIMESTAMP WITH TIME ZONE,
	duration FLOAT,
	state VARCHAR(20),
	try_number INTEGER,
	max_tries INTEGER DEFAULT '-1',
	hostname VARCHAR(1000),
	unixname VARCHAR(1000),
	job_id INTEGER,
	pool VARCHAR(256) NOT NULL,
	pool_slots INTEGER NOT NULL,
	queue VARCHAR(256),
	priority_weight INTEGER,
	operator VARCHAR(1000),
	custom_operator_name VARCHAR(1000),
	queued_dttm TIMESTAMP WITH TIME ZONE,
	queued_by_job_id INTEGER,
	pid INTEGER,
	executor_config BYTEA,
	updated_at TIMESTAMP WITH TIME ZONE,
	rendered_map_index VARCHAR(250),
	external_executor_id VARCHAR(250),
	trigger_id INTEGER,
	trigger_timeout TIMESTAMP WITHOUT TIME ZONE,
	next_method VARCHAR(1000),
	next_kwargs JSON,
	CONSTRAINT task_instance_pkey PRIMARY KEY (dag_id, task_id, run_id, map_index),
	CONSTRAINT task_instance_dag_run_fkey FOREIGN KEY(dag_id, run_id) REFERENCES s21af.dag_run (dag_id, run_id) ON DELETE CASCADE,
	CONSTRAINT task_instance_trigger_id_fkey FOREIGN KEY(trigger_id) REFERENCES s21af.trigger (id) ON DELETE CASCADE,
	CONSTRAINT ck_task_instance_state CHECK (state IN ('removed', 'scheduled', 'queued', 'running', 'success', 'restarting', 'failed',
	    'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped', 'deferred'))
);
CREATE INDEX ti_dag_run ON s21af.task_instance (dag_id, run_id);
CREATE INDEX ti_state ON s21af.task_instance (state);
CREATE INDEX ti_pool ON s21af.task_instance (pool, state, priority_weight);
CREATE TABLE s21af.xcom (
	dag_run_id INTEGER NOT NULL,
	task_id VARCHAR(250) NOT NULL,
	map_index INTEGER DEFAULT '-1' NOT NULL,
	key VARCHAR(512) NOT NULL,
	dag_id VARCHAR(250) NOT NULL,
	run_id VARCHAR(250) NOT NULL,
	value BYTEA,
	timestamp TIMESTAMP WITH TIME ZONE NOT NULL,
	CONSTRAINT xcom_pkey PRIMARY KEY (dag_run_id, task_id, map_index, key),
	CONSTRAINT xcom_task_instance_fkey FOREIGN KEY(dag_id, task_id, run_id, map_index) REFERENCES s21af.task_instance (dag_id, task_id, run_id, map_index) ON DELETE CASCADE
);
CREATE INDEX idx_xcom_key ON s21af.xcom (key);
CREATE INDEX idx_xcom_task_instance ON s21af.xcom (dag_id, task_id, run_id, map_index);
CREATE TABLE s21af.log (
	id SERIAL NOT NULL,
	dttm TIMESTAMP WITH TIME ZONE,
	dag_id VARCHAR(250),
	task_id VARCHAR(250),
	map_index INTEGER,
	event VARCHAR(30),
	execution_date TIMESTAMP WITH TIME ZONE,
	run_id VARCHAR(250),
	owner VARCHAR(500),
	owner_display_name VARCHAR(500),
	extra TEXT,
	try_number INTEGER,
	CONSTRAINT log_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_log_dag ON s21af.log (dag_id);
CREATE INDEX idx_log_dttm ON s21af.log (dttm);
CREATE TABLE s21af.slot_pool (
	id SERIAL NOT NULL,
	pool VARCHAR(256),
	slots INTEGER,
	description TEXT,
	include_deferred BOOLEAN NOT NULL,
	CONSTRAINT slot_pool_pkey PRIMARY KEY (id),
	CONSTRAINT slot_pool_pool_uq UNIQUE (pool)
);
CREATE TABLE s21af.ab_role (
	id SERIAL NOT NULL,
	name VARCHAR(64) NOT NULL,
	CONSTRAINT ab_role_pkey PRIMARY KEY (id),
	CONSTRAINT ab_role_name_uq UNIQUE (name)
);
CREATE TABLE s21af.ab_user (
	id SERIAL NOT NULL,
	first_name VARCHAR(256) NOT NULL,
	last_name VARCHAR(256) NOT NULL,
	username VARCHAR(512) NOT NULL,
	password VARCHAR(256),
	active BOOLEAN,
	email VARCHAR(512) NOT NULL,
	last_login TIMESTAMP WITHOUT TIME ZONE,
	login_count INTEGER,
	fail_login_count INTEGER,
	created_on TIMESTAMP WITHOUT TIME ZONE,
	changed_on TIMESTAMP WITHOUT TIME ZONE,
	created_by_fk INTEGER,
	changed_by_fk INTEGER,
	CONSTRAINT ab_user_pkey PRIMARY KEY (id),
	CONSTRAINT ab_user_username_uq UNIQUE (username),
	CONSTRAINT ab_user_email_uq UNIQUE (email),
	CONSTRAINT ab_user_created_by_fk_fkey FOREIGN KEY(created_by_fk) REFERENCES s21af.ab_user (id),
	CONSTRAINT ab_user_changed_by_fk_fkey FOREIGN KEY(changed_by_fk) REFERENCES s21af.ab_user (id)
);
CREATE TABLE s21af.ab_user_role (
	id SERIAL NOT NULL,
	user_id INTEGER,
	role_id INTEGER,
	CONSTRAINT ab_user_role_pkey PRIMARY KEY (id),
	CONSTRAINT ab_user_role_user_id_role_id_uq UNIQUE (user_id, role_id),
	CONSTRAINT ab_user_role_user_id_fkey FOREIGN KEY(user_id) REFERENCES s21af.ab_user (id),
	CONSTRAINT ab_user_role_role_id_fkey FOREIGN KEY(role_id) REFERENCES s21af.ab_role (id)
);
INSERT INTO s21af.log_template (filename, elasticsearch_id, created_at) VALUES
    ('{{ ti.dag_id }}/{{ ti.task_id }}/{{ ts }}/{{ try_number }}.log', '{dag_id}-{task_id}-{execution_date}-{try_number}', '2024-01-05 09:00+00');
INSERT INTO s21af.dag (dag_id, is_paused, is_active, fileloc, owners, schedule_interval, max_active_tasks, max_active_runs, has_task_concurrency_limits) VALUES
    ('example_etl', false, true, '/opt/airflow/dags/example_etl.py', 'airflow', '"@daily"', 16, 16, false),
    ('reporting', false, true, '/opt/airflow/dags/reporting.py', 'data', '"0 6 * * *"', 16, 1, false);
INSERT INTO s21af.dag_run (dag_id, execution_date, state, run_id, run_type, external_trigger, log_template_id, data_interval_start, data_interval_end) VALUES
    ('example_etl', '2024-07-01 00:00+00', 'success', 'scheduled__2024-07-01T00:00:00+00:00', 'scheduled', false, 1, '2024-06-30 00:00+00', '2024-07-01 00:00+00'),
    ('example_etl', '2024-07-02 00:00+00', 'success', 'scheduled__2024-07-02T00:00:00+00:00', 'scheduled', false, 1, '2024-07-01 00:00+00', '2024-07-02 00:00+00'),
    ('reporting', '2024-07-01 06:00+00', 'failed', 'scheduled__2024-07-01T06:00:00+00:00', 'scheduled', false, 1, '2024-06-30 06:00+00', '2024-07-01 06:00+00');
INSERT INTO s21af.task_instance (task_id, dag_id, run_id, state, try_number, pool, pool_slots, queue, priority_weight, operator) VALUES
    ('extract', 'example_etl', 'scheduled__2024-07-01T00:00:00+00:00', 'success', 1, 'default_pool', 1, 'default', 3, 'PythonOperator'),
    ('load', 'example_etl', 'scheduled__2024-07-01T00:00:00+00:00', 'success', 1, 'default_pool', 1, 'default', 1, 'PythonOperator');
INSERT INTO s21af.slot_pool (pool, slots, description, include_deferred) VALUES ('default_pool', 128, 'Default pool', false);
INSERT INTO s21af.ab_role (name) VALUES ('Admin'), ('Viewer'), ('User'), ('Op'), ('Public');
INSERT INTO s21af.ab_user (first_name, last_name, username, active, email, created_on) VALUES
    ('Airflow', 'Admin', 'admin', true, 'admin@example.com', '2024-01-05 09:00'), ('Dana', 'Scully', 'dscully', true, 'dana@example.com', '2024-01-06 09:00');
INSERT INTO s21af.ab_user_role (user_id, role_id) VALUES (1, 1), (2, 2);

-- ---------------------------------------------------------------- Hasura / PostgREST
CREATE FUNCTION s21app.set_current_timestamp_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  _new record;
BEGIN
  _new := NEW;
  _new."updated_at" = NOW();
  RETURN _new;
END;
$$;
CREATE TABLE s21app.order_status (
    value text NOT NULL,
    comment text
);
COMMENT ON TABLE s21app.order_status IS 'enum table: the states of an order';
CREATE TABLE s21app.event_kind (
    value text NOT NULL,
    comment text
);
CREATE TABLE s21app.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    display_name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE s21app.orders (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    total numeric(12,2) DEFAULT 0 NOT NULL,
    note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT orders_total_check CHECK (total >= (0)::numeric)
);
CREATE TABLE s21app.carrier_services (
    carrier text NOT NULL,
    service text NOT NULL,
    label text
);
CREATE TABLE s21app.shipments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    order_id uuid NOT NULL,
    carrier text,
    service text,
    tracking_number text,
    shipped_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);
-- Orders exported by the storefront, read through a view (Hasura tracks it).
CREATE TABLE s21app.order_import (
    batch text,
    order_ref text,
    user_id text,
    status text,
    total text,
    note text
);
CREATE VIEW s21app.pending_order_import AS
 SELECT (order_import.order_ref)::uuid AS id,
    (order_import.user_id)::uuid AS user_id,
    order_import.status,
    (order_import.total)::numeric(12,2) AS total,
    order_import.note
   FROM s21app.order_import
  WHERE (order_import.batch = 'pending'::text);
-- A computed field: the Hasura console's "user_display" on users.
CREATE FUNCTION s21app.user_display(user_row s21app.users) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT coalesce(user_row.display_name, split_part(user_row.email, '@', 1))
$$;
CREATE TABLE s21app.events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    order_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
)
PARTITION BY RANGE (created_at);
CREATE TABLE s21app.events_2024_07 (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    order_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE s21app.events_2024_08 (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    order_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE s21app.events_default (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    order_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE ONLY s21app.events ATTACH PARTITION s21app.events_2024_07 FOR VALUES FROM ('2024-07-01 00:00:00+00') TO ('2024-08-01 00:00:00+00');
ALTER TABLE ONLY s21app.events ATTACH PARTITION s21app.events_2024_08 FOR VALUES FROM ('2024-08-01 00:00:00+00') TO ('2024-09-01 00:00:00+00');
ALTER TABLE ONLY s21app.events ATTACH PARTITION s21app.events_default DEFAULT;
ALTER TABLE ONLY s21app.order_status ADD CONSTRAINT order_status_pkey PRIMARY KEY (value);
ALTER TABLE ONLY s21app.event_kind ADD CONSTRAINT event_kind_pkey PRIMARY KEY (value);
ALTER TABLE ONLY s21app.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.carrier_services ADD CONSTRAINT carrier_services_pkey PRIMARY KEY (carrier, service);
ALTER TABLE ONLY s21app.shipments ADD CONSTRAINT shipments_pkey PRIMARY KEY (id);
ALTER TABLE ONLY s21app.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY s21app.events_2024_07 ADD CONSTRAINT events_2024_07_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY s21app.events_2024_08 ADD CONSTRAINT events_2024_08_pkey PRIMARY KEY (id, created_at);
ALTER TABLE ONLY s21app.events_default ADD CONSTRAINT events_default_pkey PRIMARY KEY (id, created_at);
ALTER INDEX s21app.events_pkey ATTACH PARTITION s21app.events_2024_07_pkey;
ALTER INDEX s21app.events_pkey ATTACH PARTITION s21app.events_2024_08_pkey;
ALTER INDEX s21app.events_pkey ATTACH PARTITION s21app.events_default_pkey;
CREATE UNIQUE INDEX users_email_lower_key ON s21app.users USING btree (lower(email));
CREATE INDEX orders_user_id_idx ON s21app.orders USING btree (user_id);
-- The archive job's index, on July's partition only: one event of a kind per order.
CREATE UNIQUE INDEX events_2024_07_order_kind_key ON s21app.events_2024_07 USING btree (order_id, kind);
CREATE TRIGGER set_public_users_updated_at BEFORE UPDATE ON s21app.users FOR EACH ROW EXECUTE FUNCTION s21app.set_current_timestamp_updated_at();
COMMENT ON TRIGGER set_public_users_updated_at ON s21app.users IS 'trigger to set value of column "updated_at" to current timestamp on row update';
CREATE TRIGGER set_public_orders_updated_at BEFORE UPDATE ON s21app.orders FOR EACH ROW EXECUTE FUNCTION s21app.set_current_timestamp_updated_at();
COMMENT ON TRIGGER set_public_orders_updated_at ON s21app.orders IS 'trigger to set value of column "updated_at" to current timestamp on row update';
CREATE TRIGGER set_public_shipments_updated_at BEFORE UPDATE ON s21app.shipments FOR EACH ROW EXECUTE FUNCTION s21app.set_current_timestamp_updated_at();
ALTER TABLE ONLY s21app.orders
    ADD CONSTRAINT orders_status_fkey FOREIGN KEY (status) REFERENCES s21app.order_status(value) on update restrict on delete restrict;
ALTER TABLE ONLY s21app.orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES s21app.users(id) on update restrict on delete restrict;
ALTER TABLE ONLY s21app.shipments
    ADD CONSTRAINT shipments_order_id_fkey FOREIGN KEY (order_id) REFERENCES s21app.orders(id) on update restrict on delete cascade;
ALTER TABLE ONLY s21app.shipments
    ADD CONSTRAINT shipments_carrier_service_fkey FOREIGN KEY (carrier, service) REFERENCES s21app.carrier_services(carrier, service) on update restrict on delete restrict;
ALTER TABLE s21app.events
    ADD CONSTRAINT events_kind_fkey FOREIGN KEY (kind) REFERENCES s21app.event_kind(value) on update restrict on delete restrict;
ALTER TABLE s21app.events
    ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES s21app.users(id) on update restrict on delete set null;

INSERT INTO s21app.order_status (value, comment) VALUES ('pending', 'placed, not paid'), ('paid', 'paid'), ('shipped', 'handed to the carrier'), ('cancelled', 'cancelled');
INSERT INTO s21app.event_kind (value, comment) VALUES ('order_placed', NULL), ('order_paid', NULL), ('login', NULL);
INSERT INTO s21app.users (id, email, display_name) VALUES
    ('6f1a2b3c-0000-4000-8000-000000000001', 'Ada@Example.com', 'Ada'),
    ('6f1a2b3c-0000-4000-8000-000000000002', 'grace@example.com', NULL);
INSERT INTO s21app.orders (id, user_id, status, total) VALUES
    ('0a0a0a0a-0000-4000-8000-000000000001', '6f1a2b3c-0000-4000-8000-000000000001', 'paid', 42.00),
    ('0a0a0a0a-0000-4000-8000-000000000002', '6f1a2b3c-0000-4000-8000-000000000002', 'pending', 9.99);
INSERT INTO s21app.carrier_services (carrier, service, label) VALUES ('ups', 'ground', 'UPS Ground'), ('dhl', 'express', 'DHL Express');
INSERT INTO s21app.events (kind, user_id, order_id, created_at) VALUES
    ('order_placed', '6f1a2b3c-0000-4000-8000-000000000001', '0a0a0a0a-0000-4000-8000-000000000001', '2024-07-03 10:00+00'),
    ('order_paid', '6f1a2b3c-0000-4000-8000-000000000001', '0a0a0a0a-0000-4000-8000-000000000001', '2024-07-03 10:05+00');
