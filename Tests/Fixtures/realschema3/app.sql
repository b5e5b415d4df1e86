-- A hand-written subset of two more application schemas, for the third real-schema sweep
-- (Tests/FKBackfillTests/RealSchemaSweep3Tests.swift): an Odoo-style ERP (s17erp) and a
-- Mastodon/Rails-style social network (s17soc). The test renames both schemas to its own,
-- puts citext in fkb_ext (as StoredTruthTests does) and runs this file with the session
-- search_path `s17erp, s17soc, fkb_ext, public`, what the applications get from their
-- database's or role's search_path: every trigger function below uses unqualified names.
--
-- Written the way those projects write their schemas, not the way our tests do:
-- Odoo (its ORM's DDL): `id SERIAL NOT NULL, PRIMARY KEY(id)`, every many2one added later
-- by ALTER TABLE … ADD CONSTRAINT …_fkey … ON DELETE set null/restrict/cascade, every
-- table's create_uid/write_uid → res_users ON DELETE set null (so res_users, res_partner,
-- res_company, res_currency and res_country are one big cycle), required fields NOT NULL
-- without a DEFAULT (the ORM fills them in Python), translated names as jsonb, selections
-- as varchar with the allowed values in a CHECK, many2many tables with a composite primary
-- key of two FKs, the `_sql_constraints` CHECKs and partial unique indexes.
-- Mastodon (Rails' structure.sql): bigint ids from sequences (and timestamp_id(), a
-- PL/pgSQL default calling nextval on a name it builds), created_at/updated_at timestamp
-- NOT NULL without a DEFAULT (Rails sets them), integer enums, partial unique indexes
-- WHERE deleted_at IS NULL, the lower(username) expression unique index, polymorphic
-- columns with no FK, ON DELETE CASCADE chains, counter triggers updating parents, and
-- the statuses self-references (in_reply_to_id deferrable).
CREATE SCHEMA IF NOT EXISTS s17erp;
CREATE SCHEMA IF NOT EXISTS s17soc;
SET search_path = s17erp, s17soc, fkb_ext, public;

-- ---------------------------------------------------------------- Odoo-style ERP (s17erp)
CREATE TABLE res_users (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_users ADD COLUMN login varchar NOT NULL, ADD COLUMN partner_id int4 NOT NULL, ADD COLUMN company_id int4 NOT NULL,
    ADD COLUMN active boolean DEFAULT true, ADD COLUMN share boolean, ADD COLUMN notification_type varchar NOT NULL,
    ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_users ADD CONSTRAINT res_users_login_key UNIQUE (login);
ALTER TABLE res_users ADD CONSTRAINT res_users_notification_type_check CHECK (notification_type IN ('email', 'inbox'));

CREATE TABLE res_currency (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_currency ADD COLUMN name varchar NOT NULL, ADD COLUMN symbol varchar NOT NULL, ADD COLUMN rounding numeric,
    ADD COLUMN decimal_places int4, ADD COLUMN active boolean, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4,
    ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_currency ADD CONSTRAINT res_currency_unique_name UNIQUE (name);
ALTER TABLE res_currency ADD CONSTRAINT res_currency_rounding_gt_zero CHECK (rounding > 0);

CREATE TABLE res_country (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_country ADD COLUMN name jsonb NOT NULL, ADD COLUMN code varchar(2), ADD COLUMN currency_id int4, ADD COLUMN phone_code int4,
    ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_country ADD CONSTRAINT res_country_code_uniq UNIQUE (code);

CREATE TABLE res_company (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_company ADD COLUMN name varchar NOT NULL, ADD COLUMN partner_id int4 NOT NULL, ADD COLUMN currency_id int4 NOT NULL,
    ADD COLUMN parent_id int4, ADD COLUMN sequence int4, ADD COLUMN active boolean, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4,
    ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_company ADD CONSTRAINT res_company_name_uniq UNIQUE (name);

CREATE TABLE res_partner (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_partner ADD COLUMN name varchar, ADD COLUMN complete_name varchar, ADD COLUMN company_id int4, ADD COLUMN parent_id int4,
    ADD COLUMN commercial_partner_id int4, ADD COLUMN type varchar, ADD COLUMN email varchar, ADD COLUMN lang varchar,
    ADD COLUMN country_id int4, ADD COLUMN user_id int4, ADD COLUMN is_company boolean, ADD COLUMN active boolean,
    ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_check_name CHECK ( (type='contact' AND name IS NOT NULL) or (type!='contact') );
ALTER TABLE res_partner ADD CONSTRAINT res_partner_type_check CHECK (type IN ('contact', 'invoice', 'delivery', 'other'));

ALTER TABLE res_users ADD CONSTRAINT res_users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE restrict;
ALTER TABLE res_users ADD CONSTRAINT res_users_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE restrict;
ALTER TABLE res_company ADD CONSTRAINT res_company_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE restrict;
ALTER TABLE res_company ADD CONSTRAINT res_company_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE restrict;
ALTER TABLE res_company ADD CONSTRAINT res_company_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_company(id) ON DELETE set null;
ALTER TABLE res_country ADD CONSTRAINT res_country_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE set null;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE set null;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_partner(id) ON DELETE set null;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_commercial_partner_id_fkey FOREIGN KEY (commercial_partner_id) REFERENCES res_partner(id) ON DELETE set null;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_country_id_fkey FOREIGN KEY (country_id) REFERENCES res_country(id) ON DELETE restrict;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE set null;

CREATE TABLE res_partner_category (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE res_partner_category ADD COLUMN name jsonb NOT NULL, ADD COLUMN color int4, ADD COLUMN parent_id int4, ADD COLUMN parent_path varchar,
    ADD COLUMN active boolean, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE res_partner_category ADD CONSTRAINT res_partner_category_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_partner_category(id) ON DELETE cascade;
CREATE TABLE res_partner_res_partner_category_rel (category_id INTEGER NOT NULL REFERENCES res_partner_category(id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE, PRIMARY KEY(category_id, partner_id));
CREATE INDEX ON res_partner_res_partner_category_rel (partner_id, category_id);

CREATE TABLE uom_category (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE uom_category ADD COLUMN name jsonb NOT NULL, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp,
    ADD COLUMN write_date timestamp;
CREATE TABLE uom_uom (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE uom_uom ADD COLUMN name jsonb NOT NULL, ADD COLUMN category_id int4 NOT NULL, ADD COLUMN factor numeric NOT NULL,
    ADD COLUMN rounding numeric NOT NULL, ADD COLUMN uom_type varchar NOT NULL, ADD COLUMN active boolean, ADD COLUMN create_uid int4,
    ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE uom_uom ADD CONSTRAINT uom_uom_factor_gt_zero CHECK (factor!=0);
ALTER TABLE uom_uom ADD CONSTRAINT uom_uom_rounding_gt_zero CHECK (rounding>0);
ALTER TABLE uom_uom ADD CONSTRAINT uom_uom_uom_type_check CHECK (uom_type IN ('bigger', 'reference', 'smaller'));
ALTER TABLE uom_uom ADD CONSTRAINT uom_uom_category_id_fkey FOREIGN KEY (category_id) REFERENCES uom_category(id) ON DELETE cascade;

CREATE TABLE product_category (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE product_category ADD COLUMN name varchar NOT NULL, ADD COLUMN complete_name varchar, ADD COLUMN parent_id int4, ADD COLUMN parent_path varchar,
    ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE product_category ADD CONSTRAINT product_category_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES product_category(id) ON DELETE cascade;

CREATE TABLE product_template (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE product_template ADD COLUMN name jsonb NOT NULL, ADD COLUMN type varchar NOT NULL, ADD COLUMN categ_id int4 NOT NULL,
    ADD COLUMN uom_id int4 NOT NULL, ADD COLUMN list_price numeric, ADD COLUMN sale_ok boolean, ADD COLUMN active boolean,
    ADD COLUMN company_id int4, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE product_template ADD CONSTRAINT product_template_type_check CHECK (type IN ('consu', 'service', 'combo'));
ALTER TABLE product_template ADD CONSTRAINT product_template_categ_id_fkey FOREIGN KEY (categ_id) REFERENCES product_category(id) ON DELETE restrict;
ALTER TABLE product_template ADD CONSTRAINT product_template_uom_id_fkey FOREIGN KEY (uom_id) REFERENCES uom_uom(id) ON DELETE restrict;
ALTER TABLE product_template ADD CONSTRAINT product_template_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE set null;

CREATE TABLE product_product (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE product_product ADD COLUMN product_tmpl_id int4 NOT NULL, ADD COLUMN default_code varchar, ADD COLUMN barcode varchar,
    ADD COLUMN combination_indices varchar, ADD COLUMN active boolean, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4,
    ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE product_product ADD CONSTRAINT product_product_product_tmpl_id_fkey FOREIGN KEY (product_tmpl_id) REFERENCES product_template(id) ON DELETE cascade;
CREATE UNIQUE INDEX product_product_combination_unique ON product_product USING btree (product_tmpl_id, combination_indices) WHERE active is true;
CREATE UNIQUE INDEX product_product_barcode_uniq ON product_product (barcode) WHERE barcode IS NOT NULL;

CREATE SEQUENCE sale_order_name_seq;
CREATE TABLE sale_order (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE sale_order ADD COLUMN name varchar NOT NULL, ADD COLUMN partner_id int4 NOT NULL, ADD COLUMN company_id int4 NOT NULL,
    ADD COLUMN user_id int4, ADD COLUMN currency_id int4, ADD COLUMN state varchar, ADD COLUMN date_order timestamp NOT NULL,
    ADD COLUMN amount_total numeric, ADD COLUMN origin varchar, ADD COLUMN create_uid int4, ADD COLUMN write_uid int4,
    ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE sale_order ADD CONSTRAINT sale_order_state_check CHECK (state IN ('draft', 'sent', 'sale', 'cancel'));
ALTER TABLE sale_order ADD CONSTRAINT sale_order_date_order_conditional_required CHECK ((state = 'sale' AND date_order IS NOT NULL) OR state != 'sale');
ALTER TABLE sale_order ADD CONSTRAINT sale_order_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE restrict;
ALTER TABLE sale_order ADD CONSTRAINT sale_order_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE restrict;
ALTER TABLE sale_order ADD CONSTRAINT sale_order_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE set null;
ALTER TABLE sale_order ADD CONSTRAINT sale_order_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE set null;

CREATE TABLE sale_order_line (id SERIAL NOT NULL, PRIMARY KEY(id));
ALTER TABLE sale_order_line ADD COLUMN order_id int4 NOT NULL, ADD COLUMN sequence int4 DEFAULT nextval('sale_order_name_seq'),
    ADD COLUMN name text NOT NULL, ADD COLUMN product_id int4, ADD COLUMN product_uom int4, ADD COLUMN product_uom_qty numeric NOT NULL,
    ADD COLUMN price_unit numeric NOT NULL, ADD COLUMN display_type varchar, ADD COLUMN state varchar, ADD COLUMN company_id int4,
    ADD COLUMN create_uid int4, ADD COLUMN write_uid int4, ADD COLUMN create_date timestamp, ADD COLUMN write_date timestamp;
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_accountable_required_fields
    CHECK(display_type IS NOT NULL OR (product_id IS NOT NULL AND product_uom IS NOT NULL));
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_non_accountable_null_fields
    CHECK(display_type IS NULL OR (product_id IS NULL AND price_unit = 0 AND product_uom_qty = 0));
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_display_type_check CHECK (display_type IN ('line_section', 'line_note'));
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_order_id_fkey FOREIGN KEY (order_id) REFERENCES sale_order(id) ON DELETE cascade;
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_product_id_fkey FOREIGN KEY (product_id) REFERENCES product_product(id) ON DELETE restrict;
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_product_uom_fkey FOREIGN KEY (product_uom) REFERENCES uom_uom(id) ON DELETE restrict;
ALTER TABLE sale_order_line ADD CONSTRAINT sale_order_line_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE set null;

-- Every table's create_uid/write_uid, as the ORM adds them.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['res_users', 'res_currency', 'res_country', 'res_company', 'res_partner', 'res_partner_category', 'uom_category',
                             'uom_uom', 'product_category', 'product_template', 'product_product', 'sale_order', 'sale_order_line'] LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE set null', t, t || '_create_uid_fkey');
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE set null', t, t || '_write_uid_fkey');
    END LOOP;
END $$;

-- The seed: base.main_company, its partner, the admin and OdooBot, as the base module loads them.
INSERT INTO res_currency (id, name, symbol, rounding, decimal_places, active) VALUES (1, 'EUR', '€', 0.01, 2, true), (2, 'USD', '$', 0.01, 2, true);
INSERT INTO res_country (id, name, code, currency_id) VALUES (1, '{"en_US": "Belgium", "fr_FR": "Belgique"}', 'BE', 1), (2, '{"en_US": "United States"}', 'US', 2);
INSERT INTO res_partner (id, name, type, is_company, active, country_id) VALUES (1, 'My Company', 'contact', true, true, 1), (2, 'OdooBot', 'contact', false, true, NULL),
    (3, 'Mitchell Admin', 'contact', false, true, 1), (4, 'Azure Interior', 'contact', true, true, 2), (5, 'Deco Addict', 'contact', true, true, 1);
INSERT INTO res_company (id, name, partner_id, currency_id, sequence, active) VALUES (1, 'My Company', 1, 1, 10, true);
INSERT INTO res_users (id, login, partner_id, company_id, active, share, notification_type) VALUES (1, '__system__', 2, 1, false, false, 'email'),
    (2, 'admin', 3, 1, true, false, 'inbox');
UPDATE res_partner SET company_id = 1, create_uid = 1, write_uid = 1;
UPDATE res_partner SET user_id = 2 WHERE id = 4;
INSERT INTO res_partner_category (id, name, color, active, create_uid) VALUES (1, '{"en_US": "Vendor"}', 1, true, 1), (2, '{"en_US": "Prospects"}', 2, true, 1),
    (3, '{"en_US": "Services"}', 3, true, 2);
INSERT INTO res_partner_res_partner_category_rel VALUES (1, 4), (2, 5);
INSERT INTO uom_category (id, name) VALUES (1, '{"en_US": "Unit"}'), (2, '{"en_US": "Weight"}');
INSERT INTO uom_uom (id, name, category_id, factor, rounding, uom_type, active) VALUES (1, '{"en_US": "Units"}', 1, 1, 0.01, 'reference', true),
    (2, '{"en_US": "Dozens"}', 1, 0.0833, 0.01, 'bigger', true), (3, '{"en_US": "kg"}', 2, 1, 0.001, 'reference', true);
INSERT INTO product_category (id, name, complete_name, parent_path) VALUES (1, 'All', 'All', '1/'), (2, 'Saleable', 'All / Saleable', '1/2/');
UPDATE product_category SET parent_id = 1 WHERE id = 2;
INSERT INTO product_template (id, name, type, categ_id, uom_id, list_price, sale_ok, active, create_uid) VALUES
    (1, '{"en_US": "Office Chair"}', 'consu', 2, 1, 70, true, true, 2), (2, '{"en_US": "Desk"}', 'consu', 2, 1, 300, true, true, 2),
    (3, '{"en_US": "Consulting"}', 'service', 1, 1, 90, true, true, 2);
INSERT INTO product_product (id, product_tmpl_id, default_code, barcode, combination_indices, active) VALUES
    (1, 1, 'FURN_0001', '1000000000001', '', true), (2, 2, 'FURN_0002', '1000000000002', '', true), (3, 3, 'SERV_0001', NULL, '', true);
INSERT INTO sale_order (id, name, partner_id, company_id, user_id, currency_id, state, date_order) VALUES
    (1, 'S00001', 4, 1, 2, 1, 'sale', '2026-11-02 10:00'), (2, 'S00002', 5, 1, 2, 1, 'draft', '2026-11-03 11:00');
INSERT INTO sale_order_line (order_id, name, product_id, product_uom, product_uom_qty, price_unit, state) VALUES
    (1, 'Office Chair', 1, 1, 4, 70, 'sale'), (2, 'Desk', 2, 1, 1, 300, 'draft');
SELECT setval('res_users_id_seq', 10), setval('res_partner_id_seq', 10), setval('res_company_id_seq', 10), setval('sale_order_id_seq', 10),
    setval('product_product_id_seq', 10), setval('product_template_id_seq', 10), setval('res_partner_category_id_seq', 10);

-- ------------------------------------------------- Mastodon/Rails-style social (s17soc)
-- As structure.sql writes it: schema-qualified DDL, unqualified names inside functions.
CREATE FUNCTION s17soc.timestamp_id(table_name text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    time_part bigint;
    sequence_base bigint;
    tail bigint;
BEGIN
    time_part := (date_part('epoch', now()) * 1000)::bigint << 16;
    sequence_base := ('x' || substr(md5(table_name || 'fkbsecret' || time_part::text), 1, 4))::bit(16)::bigint;
    tail := (sequence_base + nextval(table_name || '_id_seq')) & 65535;
    RETURN time_part | tail;
END $$;

CREATE SEQUENCE s17soc.accounts_id_seq;
CREATE TABLE s17soc.accounts (
    id bigint DEFAULT nextval('s17soc.accounts_id_seq'::regclass) NOT NULL,
    username character varying DEFAULT ''::character varying NOT NULL,
    domain character varying,
    display_name character varying DEFAULT ''::character varying NOT NULL,
    note text DEFAULT ''::text NOT NULL,
    uri character varying DEFAULT ''::character varying NOT NULL,
    locked boolean DEFAULT false NOT NULL,
    actor_type character varying,
    discoverable boolean,
    moved_to_account_id bigint,
    suspended_at timestamp without time zone,
    statuses_count integer DEFAULT 0 NOT NULL,
    last_status_at timestamp without time zone,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL
);
ALTER SEQUENCE s17soc.accounts_id_seq OWNED BY s17soc.accounts.id;
ALTER TABLE ONLY s17soc.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX index_accounts_on_username_and_domain_lower ON s17soc.accounts USING btree (lower((username)::text), COALESCE(lower((domain)::text), ''::text));
CREATE INDEX index_accounts_on_moved_to_account_id ON s17soc.accounts USING btree (moved_to_account_id) WHERE (moved_to_account_id IS NOT NULL);
ALTER TABLE ONLY s17soc.accounts ADD CONSTRAINT fk_rails_2320833084 FOREIGN KEY (moved_to_account_id) REFERENCES s17soc.accounts(id) ON DELETE SET NULL;

CREATE TABLE s17soc.users (
    id bigint NOT NULL,
    email character varying DEFAULT ''::character varying NOT NULL,
    account_id bigint NOT NULL,
    locale character varying,
    role_id bigint,
    approved boolean DEFAULT true NOT NULL,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL
);
CREATE SEQUENCE s17soc.users_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE s17soc.users_id_seq OWNED BY s17soc.users.id;
ALTER TABLE ONLY s17soc.users ALTER COLUMN id SET DEFAULT nextval('s17soc.users_id_seq'::regclass);
ALTER TABLE ONLY s17soc.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX index_users_on_email ON s17soc.users USING btree (email);
CREATE UNIQUE INDEX index_users_on_account_id ON s17soc.users USING btree (account_id);
ALTER TABLE ONLY s17soc.users ADD CONSTRAINT fk_50500f500d FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;

CREATE SEQUENCE s17soc.statuses_id_seq;
CREATE TABLE s17soc.statuses (
    id bigint DEFAULT s17soc.timestamp_id('statuses'::text) NOT NULL,
    uri character varying,
    text text DEFAULT ''::text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    in_reply_to_id bigint,
    reblog_of_id bigint,
    url character varying,
    sensitive boolean DEFAULT false NOT NULL,
    visibility integer DEFAULT 0 NOT NULL,
    spoiler_text text DEFAULT ''::text NOT NULL,
    reply boolean DEFAULT false NOT NULL,
    language character varying,
    conversation_id bigint,
    local boolean,
    account_id bigint NOT NULL,
    application_id bigint,
    in_reply_to_account_id bigint,
    deleted_at timestamp without time zone,
    edited_at timestamp without time zone,
    ordered_media_attachment_ids bigint[]
);
ALTER TABLE ONLY s17soc.statuses ADD CONSTRAINT statuses_pkey PRIMARY KEY (id);
ALTER TABLE s17soc.statuses ADD CONSTRAINT statuses_visibility_check CHECK (visibility BETWEEN 0 AND 4);
CREATE UNIQUE INDEX index_statuses_on_uri ON s17soc.statuses USING btree (uri text_pattern_ops) WHERE (uri IS NOT NULL);
CREATE UNIQUE INDEX index_statuses_on_reblog_of_id_and_account_id ON s17soc.statuses USING btree (reblog_of_id, account_id) WHERE (deleted_at IS NULL);
CREATE INDEX index_statuses_20190820 ON s17soc.statuses USING btree (account_id, id DESC, visibility, updated_at) WHERE (deleted_at IS NULL);
ALTER TABLE ONLY s17soc.statuses ADD CONSTRAINT fk_9bda1543f7 FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.statuses ADD CONSTRAINT fk_c7fa917661 FOREIGN KEY (in_reply_to_account_id) REFERENCES s17soc.accounts(id) ON DELETE SET NULL;
ALTER TABLE ONLY s17soc.statuses ADD CONSTRAINT fk_rails_94a6f70399 FOREIGN KEY (in_reply_to_id) REFERENCES s17soc.statuses(id) ON DELETE SET NULL
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ONLY s17soc.statuses ADD CONSTRAINT fk_rails_256483a9ab FOREIGN KEY (reblog_of_id) REFERENCES s17soc.statuses(id) ON DELETE CASCADE;

CREATE TABLE s17soc.status_stats (
    id bigserial PRIMARY KEY,
    status_id bigint NOT NULL,
    replies_count bigint DEFAULT 0 NOT NULL,
    reblogs_count bigint DEFAULT 0 NOT NULL,
    favourites_count bigint DEFAULT 0 NOT NULL,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL
);
CREATE UNIQUE INDEX index_status_stats_on_status_id ON s17soc.status_stats USING btree (status_id);
ALTER TABLE ONLY s17soc.status_stats ADD CONSTRAINT fk_rails_4a247aac42 FOREIGN KEY (status_id) REFERENCES s17soc.statuses(id) ON DELETE CASCADE;

-- Counter caches kept by triggers (Mastodon keeps them in Ruby; many Rails apps in SQL).
CREATE FUNCTION s17soc.statuses_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET statuses_count = statuses_count + 1, last_status_at = NEW.created_at WHERE id = NEW.account_id;
    IF NEW.reblog_of_id IS NOT NULL THEN
        INSERT INTO status_stats (status_id, reblogs_count, created_at, updated_at) VALUES (NEW.reblog_of_id, 1, now(), now())
            ON CONFLICT (status_id) DO UPDATE SET reblogs_count = status_stats.reblogs_count + 1, updated_at = now();
    END IF;
    IF NEW.in_reply_to_id IS NOT NULL THEN
        INSERT INTO status_stats (status_id, replies_count, created_at, updated_at) VALUES (NEW.in_reply_to_id, 1, now(), now())
            ON CONFLICT (status_id) DO UPDATE SET replies_count = status_stats.replies_count + 1, updated_at = now();
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER statuses_counters AFTER INSERT ON s17soc.statuses FOR EACH ROW EXECUTE FUNCTION s17soc.statuses_after_insert();

CREATE TABLE s17soc.tags (
    id bigserial NOT NULL PRIMARY KEY,
    name character varying DEFAULT ''::character varying NOT NULL,
    usable boolean,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL
);
CREATE UNIQUE INDEX index_tags_on_name_lower_btree ON s17soc.tags USING btree (lower((name)::text) text_pattern_ops);
CREATE TABLE s17soc.statuses_tags (status_id bigint NOT NULL, tag_id bigint NOT NULL);
CREATE UNIQUE INDEX index_statuses_tags_on_tag_id_and_status_id ON s17soc.statuses_tags USING btree (tag_id, status_id);
ALTER TABLE ONLY s17soc.statuses_tags ADD CONSTRAINT fk_3081861e21 FOREIGN KEY (tag_id) REFERENCES s17soc.tags(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.statuses_tags ADD CONSTRAINT fk_rails_df0fe11427 FOREIGN KEY (status_id) REFERENCES s17soc.statuses(id) ON DELETE CASCADE;

CREATE TABLE s17soc.favourites (
    id bigserial NOT NULL PRIMARY KEY,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    account_id bigint NOT NULL,
    status_id bigint NOT NULL
);
CREATE UNIQUE INDEX index_favourites_on_account_id_and_status_id ON s17soc.favourites USING btree (account_id, status_id);
ALTER TABLE ONLY s17soc.favourites ADD CONSTRAINT fk_5eb6c2b873 FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.favourites ADD CONSTRAINT fk_b0e856845e FOREIGN KEY (status_id) REFERENCES s17soc.statuses(id) ON DELETE CASCADE;
CREATE FUNCTION s17soc.favourites_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_stats (status_id, favourites_count, created_at, updated_at) VALUES (NEW.status_id, 1, now(), now())
        ON CONFLICT (status_id) DO UPDATE SET favourites_count = status_stats.favourites_count + 1, updated_at = now();
    RETURN NULL;
END $$;
CREATE TRIGGER favourites_counters AFTER INSERT ON s17soc.favourites FOR EACH ROW EXECUTE FUNCTION s17soc.favourites_after_insert();

CREATE TABLE s17soc.follows (
    id bigserial NOT NULL PRIMARY KEY,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    account_id bigint NOT NULL,
    target_account_id bigint NOT NULL,
    show_reblogs boolean DEFAULT true NOT NULL,
    uri character varying,
    notify boolean DEFAULT false NOT NULL,
    CONSTRAINT follows_not_self CHECK (account_id <> target_account_id)
);
CREATE UNIQUE INDEX index_follows_on_account_id_and_target_account_id ON s17soc.follows USING btree (account_id, target_account_id);
ALTER TABLE ONLY s17soc.follows ADD CONSTRAINT fk_32ed1b5560 FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.follows ADD CONSTRAINT fk_745ca29eac FOREIGN KEY (target_account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE
    DEFERRABLE INITIALLY IMMEDIATE;

CREATE TABLE s17soc.notifications (
    id bigserial NOT NULL PRIMARY KEY,
    activity_id bigint NOT NULL,
    activity_type character varying NOT NULL,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    account_id bigint NOT NULL,
    from_account_id bigint NOT NULL,
    type character varying
);
CREATE UNIQUE INDEX index_notifications_on_account_id_and_activity ON s17soc.notifications USING btree (account_id, activity_id, activity_type);
ALTER TABLE ONLY s17soc.notifications ADD CONSTRAINT fk_c141c8ee55 FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.notifications ADD CONSTRAINT fk_fbd6b0bf9e FOREIGN KEY (from_account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;

CREATE TABLE s17soc.mentions (
    id bigserial NOT NULL PRIMARY KEY,
    status_id bigint,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    account_id bigint,
    silent boolean DEFAULT false NOT NULL
);
CREATE UNIQUE INDEX index_mentions_on_account_id_and_status_id ON s17soc.mentions USING btree (account_id, status_id);
ALTER TABLE ONLY s17soc.mentions ADD CONSTRAINT fk_rails_59edbe2887 FOREIGN KEY (status_id) REFERENCES s17soc.statuses(id) ON DELETE CASCADE;
ALTER TABLE ONLY s17soc.mentions ADD CONSTRAINT fk_970d43f9d1 FOREIGN KEY (account_id) REFERENCES s17soc.accounts(id) ON DELETE CASCADE;

-- The seed: a few local accounts, their statuses, a reblog and a reply.
INSERT INTO s17soc.accounts (id, username, domain, display_name, created_at, updated_at) VALUES
    (-99, 'mastodon.internal', NULL, '', '2016-03-16 14:34:26', '2016-03-16 14:34:26'),
    (1, 'Gargron', NULL, 'Eugen', '2016-03-16 14:34:26', '2016-03-16 14:34:26'),
    (2, 'alice', NULL, 'Alice', '2020-01-01 00:00', '2020-01-01 00:00'),
    (3, 'bob', 'example.social', 'Bob', '2021-05-05 10:00', '2021-05-05 10:00');
SELECT setval('s17soc.accounts_id_seq', 100);
INSERT INTO s17soc.users (email, account_id, locale, created_at, updated_at) VALUES ('admin@localhost', 1, 'en', now(), now()),
    ('alice@example.com', 2, 'de', now(), now());
INSERT INTO s17soc.statuses (id, uri, text, created_at, updated_at, account_id, visibility) VALUES
    (1, 'https://mastodon.local/users/Gargron/statuses/1', 'Hello world', '2016-03-16 14:40', '2016-03-16 14:40', 1, 0),
    (2, 'https://mastodon.local/users/alice/statuses/2', 'hi', '2020-01-02 00:00', '2020-01-02 00:00', 2, 0);
INSERT INTO s17soc.statuses (id, created_at, updated_at, account_id, reblog_of_id, in_reply_to_id, reply) VALUES
    (3, '2020-01-03', '2020-01-03', 2, 1, NULL, false), (4, '2020-01-04', '2020-01-04', 3, NULL, 1, true);
INSERT INTO s17soc.tags (name, created_at, updated_at) VALUES ('Mastodon', now(), now()), ('fediverse', now(), now());
INSERT INTO s17soc.statuses_tags VALUES (1, 1), (2, 2);
INSERT INTO s17soc.follows (account_id, target_account_id, created_at, updated_at) VALUES (2, 1, now(), now()), (3, 1, now(), now());
