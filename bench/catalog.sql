-- 5,000 tables with 20,000 foreign keys between them (4 per table, to earlier tables).
-- A catalog left by an earlier run is dropped 200 tables at a time, for the same reason
-- the tables are created that way (below).
SELECT format('DROP TABLE %s', string_agg('bench_catalog.' || quote_ident(relname), ', '))
FROM (SELECT c.relname, row_number() OVER (ORDER BY substr(c.relname, 2)::int DESC) / 200 AS b FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bench_catalog' AND c.relkind = 'r') t
GROUP BY b ORDER BY b \gexec
DROP SCHEMA IF EXISTS bench_catalog CASCADE;
CREATE SCHEMA bench_catalog;
SET search_path TO bench_catalog;
SET client_min_messages = warning;
-- 25 transactions of 200 tables: one transaction holding a lock on every table and
-- FK trigger ran out of the lock table (max_locks_per_transaction) on the bench cluster.
SELECT format($f$DO $$
DECLARE i int; j int; cols text;
BEGIN
  FOR i IN %s..%s LOOP
    cols := 'id int PRIMARY KEY';
    IF i > 0 THEN
      FOR j IN 1..4 LOOP
        cols := cols || format(', p%%s int REFERENCES t%%s', j, (hashint4(i * 7 + j) & 2147483647) %% i);
      END LOOP;
    END IF;
    EXECUTE format('CREATE TABLE t%%s (%%s)', i, cols);
  END LOOP;
END $$$f$, b * 200, b * 200 + 199) FROM generate_series(0, 24) b \gexec
