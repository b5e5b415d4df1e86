-- The audit benchmark's catalog (issue 15): 1,500 tables and 2,500 foreign keys, the
-- same every time (hashint4, no random()). Run by bench/audit.sh; empty unless
-- bench/audit-rows.sql fills some of it.
--   schema bench_audit:       1,000 plain tables t0000_items … t0999_items (id PK, 1–3 FKs
--                             named <parent>_id to earlier tables, an index on the first
--                             one only, every 50th table's second FK NOT VALID, every third
--                             table one undeclared <parent>_id column) and 100 partitioned
--                             tables ev00_events … ev99_events (PRIMARY KEY (id, created_at),
--                             3 FKs each);
--   schema bench_audit_parts: their 400 partitions (4 each); the partitions of ev00–ev24
--                             each carry an FK src_fk of the same name to a different
--                             parent, those of ev25–ev49 the same FK, and those of every
--                             tenth partitioned table a trigger.
-- FKs: 1 + 998 × 2 + 3 plain, 100 × 3 partitioned, 50 × 4 on partitions = 2,500.
-- Dropping 1,500 tables at once takes more locks than max_locks_per_transaction allows.
DO $$
DECLARE t record; n int := 0;
BEGIN
  FOR t IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
           WHERE s.nspname = 'bench_audit' AND c.relkind IN ('r', 'p') AND NOT c.relispartition LOOP
    EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', t.name);
    n := n + 1;
    IF n % 50 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$;
DROP SCHEMA IF EXISTS bench_audit_parts CASCADE;
DROP SCHEMA IF EXISTS bench_audit CASCADE;
CREATE SCHEMA bench_audit;
CREATE SCHEMA bench_audit_parts;
SET search_path TO bench_audit;
SET client_min_messages = warning;
CREATE FUNCTION bench_audit.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
DO $$
DECLARE
  i int; k int; y int; p int; parents int[]; cols text; extra int;
  name text; part text;
BEGIN
  FOR i IN 0..999 LOOP
    name := format('t%s_items', lpad(i::text, 4, '0'));
    cols := 'id bigint PRIMARY KEY, name text, external_id text, created_at timestamptz';
    parents := '{}';
    IF i >= 1 THEN
      parents := ARRAY[(hashint4(i * 7 + 1) & 2147483647) % i];
    END IF;
    IF i >= 2 THEN
      parents := parents || ((parents[1] + 1 + (hashint4(i * 7 + 2) & 2147483647) % (i - 1)) % i);
    END IF;
    IF i >= 997 THEN
      parents := parents || ((parents[2] + 1 + (hashint4(i * 7 + 4) & 2147483647) % (i - 2)) % i);
      IF parents[3] = parents[1] THEN parents[3] := (parents[3] + 1) % i; END IF;
      IF parents[3] = parents[2] THEN parents[3] := (parents[3] + 1) % i; END IF;
    END IF;
    FOREACH p IN ARRAY parents LOOP
      cols := cols || format(', t%s_item_id bigint', lpad(p::text, 4, '0'));
    END LOOP;
    -- A relation nobody declared, for the implied-relation finding.
    extra := NULL;
    IF i >= 3 AND i % 3 = 0 THEN
      extra := (hashint4(i * 7 + 3) & 2147483647) % i;
      IF extra = ANY(parents) THEN extra := NULL; ELSE
        cols := cols || format(', t%s_item_id bigint', lpad(extra::text, 4, '0'));
      END IF;
    END IF;
    EXECUTE format('CREATE TABLE %I (%s)', name, cols);
    FOR y IN 1..coalesce(array_length(parents, 1), 0) LOOP
      EXECUTE format('ALTER TABLE %I ADD FOREIGN KEY (%I) REFERENCES %I %s', name,
                     format('t%s_item_id', lpad(parents[y]::text, 4, '0')), format('t%s_items', lpad(parents[y]::text, 4, '0')),
                     CASE WHEN y = 2 AND i % 50 = 0 THEN 'NOT VALID' ELSE '' END);
    END LOOP;
    IF i >= 1 THEN
      EXECUTE format('CREATE INDEX ON %I (%I)', name, format('t%s_item_id', lpad(parents[1]::text, 4, '0')));
    END IF;
    -- One transaction would need more locks than max_locks_per_transaction allows.
    IF i % 100 = 99 THEN COMMIT; END IF;
  END LOOP;

  FOR k IN 0..99 LOOP
    name := format('ev%s_events', lpad(k::text, 2, '0'));
    parents := ARRAY[(hashint4(k * 11 + 1) & 2147483647) % 1000];
    parents := parents || ((parents[1] + 1 + (hashint4(k * 11 + 2) & 2147483647) % 998) % 1000);
    parents := parents || ((parents[2] + 1 + (hashint4(k * 11 + 3) & 2147483647) % 997) % 1000);
    IF parents[3] = parents[1] THEN parents[3] := (parents[3] + 1) % 1000; END IF;
    cols := 'id bigint NOT NULL, created_at date NOT NULL, src_id bigint, payload text';
    FOREACH p IN ARRAY parents LOOP
      cols := cols || format(', t%1$s_item_id bigint REFERENCES t%1$s_items', lpad(p::text, 4, '0'));
    END LOOP;
    EXECUTE format('CREATE TABLE %I (%s, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)', name, cols);
    FOR y IN 2021..2024 LOOP
      part := format('%s_%s', name, y);
      EXECUTE format('CREATE TABLE bench_audit_parts.%I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     part, name, format('%s-01-01', y), format('%s-01-01', y + 1));
      IF k < 25 THEN
        -- Same constraint name on every partition, a different parent on each.
        EXECUTE format('ALTER TABLE bench_audit_parts.%I ADD CONSTRAINT src_fk FOREIGN KEY (src_id) REFERENCES t%s_items',
                       part, lpad(((k * 40 + y) % 1000)::text, 4, '0'));
      ELSIF k < 50 THEN
        EXECUTE format('ALTER TABLE bench_audit_parts.%I ADD CONSTRAINT %I FOREIGN KEY (src_id) REFERENCES t%s_items',
                       part, part || '_src_fk', lpad((k * 3)::text, 4, '0'));
      END IF;
      IF k % 10 = 0 THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON bench_audit_parts.%I FOR EACH ROW EXECUTE FUNCTION bench_audit.noop()',
                       part || '_trg', part);
      END IF;
    END LOOP;
    IF k % 10 = 9 THEN COMMIT; END IF;
  END LOOP;
END $$;
ANALYZE;
