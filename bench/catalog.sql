-- 5,000 tables with 20,000 foreign keys between them (4 per table, to earlier tables).
DROP SCHEMA IF EXISTS bench_catalog CASCADE;
CREATE SCHEMA bench_catalog;
SET search_path TO bench_catalog;
SET client_min_messages = warning;
DO $$
DECLARE i int; j int; cols text;
BEGIN
  FOR i IN 0..4999 LOOP
    cols := 'id int PRIMARY KEY';
    IF i > 0 THEN
      FOR j IN 1..4 LOOP
        cols := cols || format(', p%s int REFERENCES t%s', j, (hashint4(i * 7 + j) & 2147483647) % i);
      END LOOP;
    END IF;
    EXECUTE format('CREATE TABLE t%s (%s)', i, cols);
  END LOOP;
END $$;
