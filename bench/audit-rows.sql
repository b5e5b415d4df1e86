-- 1M rows in six tables of the audit benchmark's catalog (bench/audit-catalog.sql):
-- the audit must take as long as on the empty catalog, since by default it reads no
-- table data. Every <parent>_item_id column gets 1 + n % 1000, which t0000–t0003 hold;
-- t0050_items' NOT VALID FK then has orphans for `--sample-rows` to count.
-- FK triggers are off for the fill (session_replication_role), so it takes seconds.
SET session_replication_role = replica;
SET client_min_messages = warning;
DO $$
DECLARE t text; cols text; vals text;
BEGIN
  FOREACH t IN ARRAY ARRAY['t0000_items', 't0001_items', 't0002_items', 't0003_items', 't0050_items'] LOOP
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum), string_agg('1 + g % 1000', ', ' ORDER BY attnum)
      INTO cols, vals
      FROM pg_attribute WHERE attrelid = format('bench_audit.%I', t)::regclass AND attname LIKE 't%\_item\_id' AND NOT attisdropped;
    EXECUTE format('INSERT INTO bench_audit.%I (id, name%s) SELECT g, %L || g%s FROM generate_series(1, 1000000) g',
                   t, coalesce(', ' || cols, ''), 'row ', coalesce(', ' || vals, ''));
  END LOOP;
  INSERT INTO bench_audit.ev00_events (id, created_at, payload)
    SELECT g, date '2021-01-01' + (g % 1460), 'event ' || g FROM generate_series(1, 1000000) g;
END $$;
RESET session_replication_role;
VACUUM ANALYZE bench_audit.t0000_items, bench_audit.t0001_items, bench_audit.t0002_items, bench_audit.t0003_items,
               bench_audit.t0050_items, bench_audit.ev00_events;
