-- The real month's shape (issue #16, from the write-up in docs/rules.md): a fact table of
-- 28 input columns with 5 FKs — plans, portfolios (which reference plans), product
-- lines, organisations and customers — and parents with the write-up's derivations,
-- the customer table with 13 derived columns. month_base keeps every key with a churn
-- rank `pct` as in bench/schema.sql; runs start with the keys of rank >= 5 (5% new).
DROP SCHEMA IF EXISTS month CASCADE;
DROP SCHEMA IF EXISTS month_base CASCADE;
CREATE SCHEMA month;
CREATE SCHEMA month_base;

CREATE TABLE month.plan (
    code varchar(20) PRIMARY KEY, full_name varchar(200), plan_type varchar(20), main_org_code varchar(10),
    main_org varchar(100), qualifications varchar(100), company_id varchar(50),
    tags jsonb NOT NULL DEFAULT '[]', _source text, _needs_review boolean NOT NULL DEFAULT false, _derived_at timestamptz);
CREATE TABLE month.portfolio (
    code varchar(20) PRIMARY KEY, plan_code varchar(20) NOT NULL REFERENCES month.plan, name varchar(200),
    kind varchar(50), start_date date);
CREATE TABLE month.product_line (code varchar(20) PRIMARY KEY, name varchar(100), category varchar(50));
CREATE TABLE month.org (code varchar(10) PRIMARY KEY, name varchar(100), center varchar(100));
CREATE TABLE month.customer (
    name varchar(200) PRIMARY KEY,
    customer_type varchar(20) NOT NULL, plan_count integer, main_org varchar(100), main_org_code varchar(10),
    businesses varchar(100), tags jsonb, first_month date, last_month date, total_closing numeric(24,4),
    region varchar(50), channel varchar(50), manager varchar(100), company_id varchar(50), _source text);
CREATE TABLE month.fact (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month date NOT NULL,
    business varchar(50),
    plan_type varchar(20),
    plan_code varchar(20) NOT NULL REFERENCES month.plan,
    plan_name varchar(200),
    portfolio_kind varchar(50),
    portfolio_code varchar(20) REFERENCES month.portfolio,
    portfolio_name varchar(200),
    customer_name varchar(200) REFERENCES month.customer,
    opening numeric(18,4),
    closing numeric(18,4),
    income numeric(18,4),
    inflow numeric(18,4),
    outflow numeric(18,4),
    benefit numeric(18,4),
    fee numeric(18,4),
    return_rate numeric(10,6),
    org_code varchar(10) REFERENCES month.org,
    org_name varchar(100),
    product_line_code varchar(20) REFERENCES month.product_line,
    product_line_name varchar(100),
    region varchar(50),
    channel varchar(50),
    manager varchar(100),
    contract_date date,
    status varchar(20),
    remark text,
    company_id varchar(50)
);
CREATE INDEX ON month.fact (month);

-- 3,000 plans, 8,000 portfolios, 12 product lines, 40 organisations, 11,000 customers.
CREATE FUNCTION month_base.rank(n int, salt int) RETURNS int IMMUTABLE LANGUAGE sql
    RETURN (hashint4(n * 7 + salt) & 2147483647) % 100;
CREATE TABLE month_base.plan AS
    SELECT month_base.rank(i, 1) AS pct, 'P' || lpad(i::text, 5, '0') AS code, 'plan ' || i AS full_name,
           'single' AS plan_type, 'G001' AS main_org_code, 'org 1' AS main_org, 'trust' AS qualifications,
           'C' || i AS company_id, '[]'::jsonb AS tags, NULL::text AS _source, false AS _needs_review, NULL::timestamptz AS _derived_at
    FROM generate_series(1, 3000) i;
CREATE TABLE month_base.portfolio AS
    SELECT least(month_base.rank(i, 2), month_base.rank(1 + (i - 1) % 3000, 1)) AS pct, 'F' || lpad(i::text, 5, '0') AS code,
           'P' || lpad((1 + (i - 1) % 3000)::text, 5, '0') AS plan_code, 'portfolio ' || i AS name, 'mixed' AS kind,
           DATE '2020-01-01' AS start_date
    FROM generate_series(1, 8000) i;
CREATE TABLE month_base.product_line AS
    SELECT month_base.rank(i, 3) AS pct, 'L' || lpad(i::text, 2, '0') AS code, 'line ' || i AS name, 'annuity' AS category
    FROM generate_series(1, 12) i;
CREATE TABLE month_base.org AS
    SELECT month_base.rank(i, 4) AS pct, 'G' || lpad(i::text, 3, '0') AS code, 'org ' || i AS name, 'center' AS center
    FROM generate_series(1, 40) i;
CREATE TABLE month_base.customer AS
    SELECT month_base.rank(i, 5) AS pct, 'customer ' || i AS name, 'existing' AS customer_type, 1 AS plan_count,
           'org 1' AS main_org, 'G001' AS main_org_code, 'trust' AS businesses, '[]'::jsonb AS tags,
           DATE '2020-01-01' AS first_month, DATE '2024-10-01' AS last_month, 0.0 AS total_closing, 'east' AS region,
           'direct' AS channel, 'manager 1' AS manager, 'C' || i AS company_id, NULL::text AS _source
    FROM generate_series(1, 11000) i;
