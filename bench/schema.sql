-- Benchmark schema shaped like the annuity example: a fact table with 4 FKs, one of
-- them through a parent of a parent (portfolio → plan), and parents with columns the
-- rules file (bench/rules.yml) derives. bench_base keeps every key the facts use, each
-- with a churn rank `pct` (0–99, from a hash of its number): a run at churn C% starts
-- with the parents holding the keys whose rank is >= C, so 0 is every parent present
-- and 100 is empty parents, and the new keys of a lower churn are among those of a
-- higher one. A portfolio is new whenever its plan is (its rank is the smaller of the
-- two), so no parent row ever references a missing plan.
DROP SCHEMA IF EXISTS bench CASCADE;
DROP SCHEMA IF EXISTS bench_base CASCADE;
CREATE SCHEMA bench;
CREATE SCHEMA bench_base;

CREATE TABLE bench.plan (code varchar(20) PRIMARY KEY, name varchar(200), kind varchar(20), customer varchar(200),
                         main_org varchar(10), businesses varchar(100), portfolios_n integer, opening_total numeric(24,4));
CREATE TABLE bench.portfolio (code varchar(20) PRIMARY KEY, plan_code varchar(20) NOT NULL REFERENCES bench.plan,
                              name varchar(200), kind varchar(50), low_customer varchar(200), businesses varchar(100),
                              first_opening numeric(18,4), top_closing numeric(18,4));
CREATE TABLE bench.product_line (code varchar(20) PRIMARY KEY, name varchar(100));
CREATE TABLE bench.org (code varchar(10) PRIMARY KEY, name varchar(100), top_business varchar(50), last_customer varchar(200));
CREATE TABLE bench.fact (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month date NOT NULL,
    business varchar(50),
    kind varchar(20),
    plan_code varchar(20) NOT NULL REFERENCES bench.plan,
    portfolio_code varchar(20) REFERENCES bench.portfolio,
    customer varchar(200),
    opening numeric(18,4),
    closing numeric(18,4),
    income numeric(18,4),
    org_code varchar(10) REFERENCES bench.org,
    product_line_code varchar(20) REFERENCES bench.product_line
);

-- Every key the facts use: 2,000 plans, 5,000 portfolios, 200 organisations, 20 product lines.
CREATE FUNCTION bench_base.rank(n int, salt int) RETURNS int IMMUTABLE LANGUAGE sql
    RETURN (hashint4(n * 7 + salt) & 2147483647) % 100;
CREATE TABLE bench_base.plan AS
    SELECT bench_base.rank(i, 1) AS pct, 'P' || lpad(i::text, 6, '0') AS code, 'plan ' || i AS name, 'single' AS kind,
           'customer ' || i AS customer, 'G0001' AS main_org, 'trust' AS businesses, 1 AS portfolios_n, 0.0 AS opening_total
    FROM generate_series(1, 2000) i;
CREATE TABLE bench_base.portfolio AS
    SELECT least(bench_base.rank(i, 2), bench_base.rank(1 + (i - 1) % 2000, 1)) AS pct, 'F' || lpad(i::text, 6, '0') AS code,
           'P' || lpad((1 + (i - 1) % 2000)::text, 6, '0') AS plan_code, 'portfolio ' || i AS name, 'mixed' AS kind,
           'customer ' || i AS low_customer, 'trust' AS businesses, 0.0 AS first_opening, 0.0 AS top_closing
    FROM generate_series(1, 5000) i;
CREATE TABLE bench_base.product_line AS
    SELECT bench_base.rank(i, 3) AS pct, 'L' || lpad(i::text, 3, '0') AS code, 'line ' || i AS name FROM generate_series(1, 20) i;
CREATE TABLE bench_base.org AS
    SELECT bench_base.rank(i, 4) AS pct, 'G' || lpad(i::text, 4, '0') AS code, 'org ' || i AS name, 'trust' AS top_business,
           'customer ' || i AS last_customer
    FROM generate_series(1, 200) i;
