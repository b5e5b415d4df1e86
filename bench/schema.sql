-- Benchmark schema shaped like the annuity example: a fact table with 4 FKs, one of
-- them through a parent of a parent (portfolio → plan). bench_base keeps the parents
-- as they are before a load; bench_extra the ~1% of keys only the new data has.
DROP SCHEMA IF EXISTS bench CASCADE;
DROP SCHEMA IF EXISTS bench_base CASCADE;
CREATE SCHEMA bench;
CREATE SCHEMA bench_base;

CREATE TABLE bench.plan (code varchar(20) PRIMARY KEY, name varchar(200), kind varchar(20), customer varchar(200));
CREATE TABLE bench.portfolio (code varchar(20) PRIMARY KEY, plan_code varchar(20) NOT NULL REFERENCES bench.plan,
                              name varchar(200), kind varchar(50));
CREATE TABLE bench.product_line (code varchar(20) PRIMARY KEY, name varchar(100));
CREATE TABLE bench.org (code varchar(10) PRIMARY KEY, name varchar(100));
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

SELECT setseed(0.42);
-- Base parents: 2,000 plans, 5,000 portfolios, 20 product lines, 200 organisations.
INSERT INTO bench.plan SELECT 'P' || lpad(i::text, 6, '0'), 'plan ' || i, 'single', 'customer ' || i FROM generate_series(1, 2000) i;
INSERT INTO bench.portfolio SELECT 'F' || lpad(i::text, 6, '0'), 'P' || lpad((1 + (i - 1) % 2000)::text, 6, '0'), 'portfolio ' || i, 'mixed'
    FROM generate_series(1, 5000) i;
INSERT INTO bench.product_line SELECT 'L' || lpad(i::text, 3, '0'), 'line ' || i FROM generate_series(1, 20) i;
INSERT INTO bench.org SELECT 'G' || lpad(i::text, 4, '0'), 'org ' || i FROM generate_series(1, 200) i;
CREATE TABLE bench_base.plan AS SELECT * FROM bench.plan;
CREATE TABLE bench_base.portfolio AS SELECT * FROM bench.portfolio;
CREATE TABLE bench_base.product_line AS SELECT * FROM bench.product_line;
CREATE TABLE bench_base.org AS SELECT * FROM bench.org;
