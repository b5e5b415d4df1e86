-- stage
CREATE TEMP TABLE pg_temp.fkb_stage (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), _fkb_reject text, "月度" date, "业务类型" character varying(50), "计划类型" character varying(20), "计划代码" character varying(20), "计划名称" character varying(200), "_fkb_in_6" character varying(20), "组合代码" character varying(20) GENERATED ALWAYS AS (CASE WHEN (((CAST("_fkb_in_6" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST("_fkb_in_6" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST("_fkb_in_6" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST("_fkb_in_6" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (ARRAY[CAST(E'(空白)' AS pg_catalog.text)])) THEN NULL ELSE "_fkb_in_6" END) STORED, "组合名称" character varying(200), "期末资产规模" numeric(18,4), "_fkb_in_9" character varying(10), "机构代码" character varying(10) GENERATED ALWAYS AS (CASE WHEN (((CAST("_fkb_in_9" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST("_fkb_in_9" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST("_fkb_in_9" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST("_fkb_in_9" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (ARRAY[CAST(E'(空白)' AS pg_catalog.text)])) THEN NULL ELSE "_fkb_in_9" END) STORED, "机构名称" character varying(100), "_fkb_in_11" character varying(20), "产品线代码" character varying(20) GENERATED ALWAYS AS (CASE WHEN (((CAST("_fkb_in_11" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST("_fkb_in_11" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST("_fkb_in_11" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST("_fkb_in_11" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (ARRAY[CAST(E'(空白)' AS pg_catalog.text)])) THEN NULL ELSE "_fkb_in_11" END) STORED) ON COMMIT DROP;

-- copy
COPY pg_temp.fkb_stage ("月度", "业务类型", "计划类型", "计划代码", "计划名称", "_fkb_in_6", "组合名称", "期末资产规模", "_fkb_in_9", "机构名称", "_fkb_in_11") FROM STDIN WITH (FORMAT csv, DELIMITER E',', QUOTE E'"', NULL E'', ENCODING 'UTF8');

-- constants
CREATE TEMP TABLE pg_temp.fkb_const (id int PRIMARY KEY, value text NOT NULL) ON COMMIT DROP;

-- bind constants
INSERT INTO pg_temp.fkb_const (id, value) VALUES (1, $1), (2, $2), (3, $3), (4, $4), (5, $5);
--   $1 = '(空白)'
--   $2 = '（待补充）'
--   $3 = '年金'
--   $4 = '待补充'
--   $5 = '+'

-- blank 产品线代码 to NULL
UPDATE pg_temp.fkb_stage s SET "产品线代码" = NULL WHERE (((CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."产品线代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."产品线代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])));

-- blank 计划代码 to NULL
UPDATE pg_temp.fkb_stage s SET "计划代码" = NULL WHERE (((CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."计划代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."计划代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])));

-- blank 组合代码 to NULL
UPDATE pg_temp.fkb_stage s SET "组合代码" = NULL WHERE (((CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."组合代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."组合代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])));

-- blank 机构代码 to NULL
UPDATE pg_temp.fkb_stage s SET "机构代码" = NULL WHERE (((CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])));

-- blank keys, one pass
UPDATE pg_temp.fkb_stage s SET "产品线代码" = CASE WHEN (((CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."产品线代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."产品线代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) THEN NULL ELSE s."产品线代码" END, "组合代码" = CASE WHEN (((CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."组合代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."组合代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) THEN NULL ELSE s."组合代码" END, "机构代码" = CASE WHEN (((CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) THEN NULL ELSE s."机构代码" END, _fkb_reject = CASE WHEN s._fkb_reject IS NOT NULL THEN s._fkb_reject WHEN (((CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."计划代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."计划代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) THEN $1 END WHERE (((CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."产品线代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."产品线代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) OR (((CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."组合代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."组合代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) OR (((CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) OR (s._fkb_reject IS NULL AND ((((CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."计划代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."计划代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))));
--   $1 = 'blank key in 计划代码 (NOT NULL)'

-- stage statistics for --replace-by
ANALYZE pg_temp.fkb_stage (_fkb_reject, "月度", "业务类型");

-- stage size, otherwise
ALTER TABLE pg_temp.fkb_stage ALTER COLUMN _fkb_reject SET STATISTICS 1;

-- stage size, otherwise
ANALYZE pg_temp.fkb_stage (_fkb_reject);

-- staged keys, one pass
CREATE TEMP TABLE pg_temp.fkb_seen ON COMMIT DROP AS SELECT CASE WHEN GROUPING(s."产品线代码", s."计划代码", s."组合代码", s."机构代码") OPERATOR(pg_catalog.=) 7 THEN 1 WHEN GROUPING(s."产品线代码", s."计划代码", s."组合代码", s."机构代码") OPERATOR(pg_catalog.=) 11 THEN 2 WHEN GROUPING(s."产品线代码", s."计划代码", s."组合代码", s."机构代码") OPERATOR(pg_catalog.=) 13 THEN 3 WHEN GROUPING(s."产品线代码", s."计划代码", s."组合代码", s."机构代码") OPERATOR(pg_catalog.=) 14 THEN 4 END AS _fkb_set, s."产品线代码", s."计划代码", s."组合代码", s."机构代码", count(*) AS _fkb_n FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL GROUP BY GROUPING SETS ((s."产品线代码"), (s."计划代码"), (s."组合代码"), (s."机构代码"));

-- 产品线: keys
CREATE TEMP TABLE pg_temp.fkb_keys_0 ON COMMIT DROP AS SELECT u.k1, (EXISTS (SELECT 1 FROM ONLY "s"."产品线" p WHERE p."产品线代码" OPERATOR("pg_catalog".=) u.k1)) AS present, CAST(pg_catalog.row_number() OVER () AS pg_catalog.int4) AS _fkb_id FROM (SELECT DISTINCT src.k1 FROM (SELECT g."产品线代码" AS k1 FROM pg_temp.fkb_seen g WHERE g._fkb_set = 1 AND g."产品线代码" IS NOT NULL AND NOT (((CAST(g."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g."产品线代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g."产品线代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src) u;

-- 产品线: counts
SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM pg_temp.fkb_keys_0;

-- 产品线: the second session's keys are these
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_0) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_theirs) AND (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_0) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_0 a JOIN pg_temp.fkb_keys_theirs b ON a.k1 OPERATOR("pg_catalog".=) b.k1 WHERE pg_catalog.record_image_eq(ROW(a.k1, a.present), ROW(b.k1, b.present))) AS same;

-- 产品线: rows behind new keys
CREATE TEMP TABLE pg_temp.fkb_ref_0 ON COMMIT DROP AS SELECT src._fkb_row, src._fkb_tid, src.k1 FROM (SELECT s._fkb_row, s.ctid AS _fkb_tid, s."产品线代码" AS k1 FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL) src JOIN pg_temp.fkb_keys_0 k ON k.k1 OPERATOR("pg_catalog".=) src.k1 WHERE NOT k.present;

-- 产品线: values
CREATE TEMP TABLE pg_temp.fkb_val_0 ON COMMIT DROP AS SELECT k.k1, NOT k.present AS _fkb_missing, a.d1, a.d2 FROM (SELECT s._fkb_kt, CAST(concat(CAST((array_agg(s."产品线代码" ORDER BY s._fkb_row) FILTER (WHERE s."产品线代码" IS NOT NULL))[1] AS text), (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) 2)) AS pg_catalog.varchar) AS d1, CAST((SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) 3) AS pg_catalog.varchar) AS d2 FROM (SELECT s._fkb_row, s."产品线代码", s.ctid AS _fkb_tid, s."产品线代码" AS _fkb_k1, k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM pg_temp.fkb_stage s JOIN pg_temp.fkb_keys_0 k ON k.k1 OPERATOR("pg_catalog".=) s."产品线代码" WHERE s._fkb_reject IS NULL AND NOT k.present) s GROUP BY s._fkb_kt) a JOIN pg_temp.fkb_keys_0 k ON k._fkb_id OPERATOR("pg_catalog".=) a._fkb_kt;

-- 产品线: new rows
CREATE TEMP TABLE pg_temp.fkb_new_0 ON COMMIT DROP AS SELECT v.k1 AS "产品线代码", v.d1 AS "产品线", v.d2 AS "产品类别" FROM pg_temp.fkb_val_0 v WHERE v._fkb_missing;

-- 产品线: insert, under the user's path
WITH i AS (INSERT INTO "s"."产品线" ("产品线代码", "产品线", "产品类别") SELECT n."产品线代码", n."产品线", n."产品类别" FROM pg_temp.fkb_new_0 n ORDER BY n."产品线代码" ON CONFLICT ("产品线代码") DO NOTHING RETURNING "产品线代码") INSERT INTO pg_temp.fkb_ins_0 SELECT i."产品线代码" FROM i;

-- 产品线: inserted
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_ins_0) AS n, CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM (SELECT pg_catalog.jsonb_build_array(CAST(i."产品线代码" AS pg_catalog.text)) AS k, pg_catalog.row_number() OVER (ORDER BY i."产品线代码") AS o FROM pg_temp.fkb_ins_0 i ORDER BY o LIMIT $1) s) AS pg_catalog.text) AS sample;
--   $1 = '5'

-- 产品线: keys not stored as asked
SELECT pg_catalog.count(*) AS n, CAST((pg_catalog.array_agg(CAST(n."产品线代码" AS pg_catalog.text) ORDER BY n."产品线代码"))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_new_0 n WHERE NOT EXISTS (SELECT 1 FROM ONLY "s"."产品线" p WHERE p."产品线代码" OPERATOR("pg_catalog".=) n."产品线代码");
--   $1 = '5'

-- 年金计划: keys
CREATE TEMP TABLE pg_temp.fkb_keys_1 ON COMMIT DROP AS SELECT u.k1, (EXISTS (SELECT 1 FROM ONLY "s"."年金计划" p WHERE p."年金计划号" OPERATOR("pg_catalog".=) u.k1)) AS present, CAST(pg_catalog.row_number() OVER () AS pg_catalog.int4) AS _fkb_id FROM (SELECT DISTINCT src.k1 FROM (SELECT v.d1 AS k1 FROM pg_temp.fkb_val_2 v WHERE v.d1 IS NOT NULL AND NOT (((CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(v.d1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(v.d1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src UNION SELECT DISTINCT src.k1 FROM (SELECT g."计划代码" AS k1 FROM pg_temp.fkb_seen g WHERE g._fkb_set = 2 AND g."计划代码" IS NOT NULL AND NOT (((CAST(g."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g."计划代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g."计划代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src) u;

-- 年金计划: counts
SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM pg_temp.fkb_keys_1;

-- 年金计划: the second session's keys are these
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_1) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_theirs) AND (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_1) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_1 a JOIN pg_temp.fkb_keys_theirs b ON a.k1 OPERATOR("pg_catalog".=) b.k1 WHERE pg_catalog.record_image_eq(ROW(a.k1, a.present), ROW(b.k1, b.present))) AS same;

-- 年金计划: rows behind new keys
CREATE TEMP TABLE pg_temp.fkb_ref_1 ON COMMIT DROP AS SELECT src._fkb_row, src._fkb_tid, src.k1 FROM (SELECT r._fkb_row, r._fkb_tid, v.d1 AS k1 FROM (SELECT s._fkb_row, s._fkb_tid, s._fkb_k1 AS k1 FROM (SELECT s._fkb_row, s."计划代码", s."组合名称", s."月度", s.ctid AS _fkb_tid, s."组合代码" AS _fkb_k1, k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM pg_temp.fkb_stage s JOIN pg_temp.fkb_keys_2 k ON k.k1 OPERATOR("pg_catalog".=) s."组合代码" WHERE s._fkb_reject IS NULL AND NOT k.present) s) r JOIN pg_temp.fkb_val_2 v ON v.k1 OPERATOR("pg_catalog".=) r.k1 WHERE v.d1 IS NOT NULL AND NOT (((CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(v.d1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(v.d1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src JOIN pg_temp.fkb_keys_1 k ON k.k1 OPERATOR("pg_catalog".=) src.k1 WHERE NOT k.present UNION SELECT src._fkb_row, src._fkb_tid, src.k1 FROM (SELECT s._fkb_row, s.ctid AS _fkb_tid, s."计划代码" AS k1 FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL) src JOIN pg_temp.fkb_keys_1 k ON k.k1 OPERATOR("pg_catalog".=) src.k1 WHERE NOT k.present;

-- 年金计划: values
CREATE TEMP TABLE pg_temp.fkb_val_1 ON COMMIT DROP AS SELECT k.k1, NOT k.present AS _fkb_missing, a.d1, a.d2, a.d3, a.d4, a.d5 FROM (SELECT s._fkb_kt, CAST((array_agg(s."计划名称" ORDER BY s._fkb_row) FILTER (WHERE s."计划名称" IS NOT NULL))[1] AS pg_catalog.varchar) AS d1, CAST(mode() WITHIN GROUP (ORDER BY s."计划类型") AS pg_catalog.varchar) AS d2, CAST((array_agg(s."机构代码" ORDER BY s."期末资产规模" DESC NULLS LAST, s._fkb_row) FILTER (WHERE s."机构代码" IS NOT NULL AND NOT (((CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))))[1] AS pg_catalog.varchar) AS d3, CAST(string_agg(DISTINCT CAST(s."业务类型" AS text), (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) 5) ORDER BY CAST(s."业务类型" AS text)) AS pg_catalog.varchar) AS d4, (jsonb_build_array(to_char(min("月度"), 'YYMM') || '新建')) AS d5 FROM (SELECT s.*, s.ctid AS _fkb_tid, s."计划代码" AS _fkb_k1, k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM pg_temp.fkb_stage s JOIN pg_temp.fkb_keys_1 k ON k.k1 OPERATOR("pg_catalog".=) s."计划代码" WHERE s._fkb_reject IS NULL AND NOT k.present UNION ALL SELECT s.*, s.ctid AS _fkb_tid, v.d1 AS _fkb_k1, k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM pg_temp.fkb_stage s JOIN pg_temp.fkb_val_2 v ON v.k1 OPERATOR("pg_catalog".=) s."组合代码" JOIN pg_temp.fkb_keys_1 k ON k.k1 OPERATOR("pg_catalog".=) v.d1 WHERE s._fkb_reject IS NULL AND NOT v._fkb_same AND v.d1 IS NOT NULL AND NOT (((CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(v.d1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(v.d1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(v.d1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1]))) AND NOT k.present AND NOT coalesce((k.k1 OPERATOR("pg_catalog".=) s."计划代码"), false)) s GROUP BY s._fkb_kt) a JOIN pg_temp.fkb_keys_1 k ON k._fkb_id OPERATOR("pg_catalog".=) a._fkb_kt;

-- 年金计划: new rows
CREATE TEMP TABLE pg_temp.fkb_new_1 ON COMMIT DROP AS SELECT v.k1 AS "年金计划号", v.d1 AS "计划全称", CAST((SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) 4) AS pg_catalog.varchar) AS "计划类型", v.d3 AS "主拓代码", v.d4 AS "管理资格", CAST((SELECT coalesce(pg_catalog.jsonb_agg(u.e ORDER BY u.o), CAST('[]' AS pg_catalog.jsonb)) FROM (SELECT DISTINCT ON (x.e) x.e, x.o FROM pg_catalog.jsonb_array_elements((CASE WHEN ('[]'::jsonb) IS NULL THEN CAST('[]' AS pg_catalog.jsonb) WHEN pg_catalog.jsonb_typeof(CAST(('[]'::jsonb) AS pg_catalog.jsonb)) OPERATOR(pg_catalog.=) CAST('array' AS pg_catalog.text) THEN CAST(('[]'::jsonb) AS pg_catalog.jsonb) ELSE pg_catalog.jsonb_build_array(CAST(('[]'::jsonb) AS pg_catalog.jsonb)) END) OPERATOR(pg_catalog.||) (CASE WHEN v.d5 IS NULL THEN CAST('[]' AS pg_catalog.jsonb) WHEN pg_catalog.jsonb_typeof(CAST(v.d5 AS pg_catalog.jsonb)) OPERATOR(pg_catalog.=) CAST('array' AS pg_catalog.text) THEN CAST(v.d5 AS pg_catalog.jsonb) ELSE pg_catalog.jsonb_build_array(CAST(v.d5 AS pg_catalog.jsonb)) END)) WITH ORDINALITY AS x(e, o) ORDER BY x.e, x.o) u) AS jsonb) AS "tags" FROM pg_temp.fkb_val_1 v WHERE v._fkb_missing;

-- 年金计划: insert, under the user's path
WITH i AS (INSERT INTO "s"."年金计划" ("年金计划号", "计划全称", "计划类型", "主拓代码", "管理资格", "tags") SELECT n."年金计划号", n."计划全称", n."计划类型", n."主拓代码", n."管理资格", n."tags" FROM pg_temp.fkb_new_1 n ORDER BY n."年金计划号" ON CONFLICT ("年金计划号") DO NOTHING RETURNING "年金计划号") INSERT INTO pg_temp.fkb_ins_1 SELECT i."年金计划号" FROM i;

-- 年金计划: inserted
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_ins_1) AS n, CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM (SELECT pg_catalog.jsonb_build_array(CAST(i."年金计划号" AS pg_catalog.text)) AS k, pg_catalog.row_number() OVER (ORDER BY i."年金计划号") AS o FROM pg_temp.fkb_ins_1 i ORDER BY o LIMIT $1) s) AS pg_catalog.text) AS sample;
--   $1 = '5'

-- 年金计划: keys not stored as asked
SELECT pg_catalog.count(*) AS n, CAST((pg_catalog.array_agg(CAST(n."年金计划号" AS pg_catalog.text) ORDER BY n."年金计划号"))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_new_1 n WHERE NOT EXISTS (SELECT 1 FROM ONLY "s"."年金计划" p WHERE p."年金计划号" OPERATOR("pg_catalog".=) n."年金计划号");
--   $1 = '5'

-- 组合计划: keys
CREATE TEMP TABLE pg_temp.fkb_keys_2 ON COMMIT DROP AS SELECT u.k1, (EXISTS (SELECT 1 FROM ONLY "s"."组合计划" p WHERE p."组合代码" OPERATOR("pg_catalog".=) u.k1)) AS present, CAST(pg_catalog.row_number() OVER () AS pg_catalog.int4) AS _fkb_id FROM (SELECT DISTINCT src.k1 FROM (SELECT g."组合代码" AS k1 FROM pg_temp.fkb_seen g WHERE g._fkb_set = 3 AND g."组合代码" IS NOT NULL AND NOT (((CAST(g."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g."组合代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g."组合代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src) u;

-- 组合计划: counts
SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM pg_temp.fkb_keys_2;

-- 组合计划: the second session's keys are these
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_2) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_theirs) AND (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_2) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_2 a JOIN pg_temp.fkb_keys_theirs b ON a.k1 OPERATOR("pg_catalog".=) b.k1 WHERE pg_catalog.record_image_eq(ROW(a.k1, a.present), ROW(b.k1, b.present))) AS same;

-- 组合计划: rows behind new keys
CREATE TEMP TABLE pg_temp.fkb_ref_2 ON COMMIT DROP AS SELECT src._fkb_row, src._fkb_tid, src.k1 FROM (SELECT s._fkb_row, s.ctid AS _fkb_tid, s."组合代码" AS k1 FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL) src JOIN pg_temp.fkb_keys_2 k ON k.k1 OPERATOR("pg_catalog".=) src.k1 WHERE NOT k.present;

-- 组合计划: values
CREATE TEMP TABLE pg_temp.fkb_val_2 ON COMMIT DROP AS SELECT k.k1, NOT k.present AS _fkb_missing, a.d1, a.d2, a.d3, a._fkb_same FROM (SELECT s._fkb_kt, CAST(mode() WITHIN GROUP (ORDER BY s."计划代码") AS pg_catalog.varchar) AS d1, CAST((array_agg(s."组合名称" ORDER BY s._fkb_row) FILTER (WHERE s."组合名称" IS NOT NULL))[1] AS pg_catalog.varchar) AS d2, CAST(min(s."月度") AS date) AS d3, (count(s."计划代码") OPERATOR("pg_catalog".=) count(*) AND min(s."计划代码") OPERATOR("pg_catalog".=) max(s."计划代码")) AS _fkb_same FROM (SELECT s._fkb_row, s."计划代码", s."组合名称", s."月度", s.ctid AS _fkb_tid, s."组合代码" AS _fkb_k1, k.present AS _fkb_present, k._fkb_id AS _fkb_kt FROM pg_temp.fkb_stage s JOIN pg_temp.fkb_keys_2 k ON k.k1 OPERATOR("pg_catalog".=) s."组合代码" WHERE s._fkb_reject IS NULL AND NOT k.present) s GROUP BY s._fkb_kt) a JOIN pg_temp.fkb_keys_2 k ON k._fkb_id OPERATOR("pg_catalog".=) a._fkb_kt;

-- 组合计划: NOT NULL derivations
SELECT count(*) FILTER (WHERE d1 IS NULL) AS d1 FROM pg_temp.fkb_val_2 WHERE _fkb_missing;

-- 组合计划: new rows
CREATE TEMP TABLE pg_temp.fkb_new_2 ON COMMIT DROP AS SELECT v.k1 AS "组合代码", v.d1 AS "年金计划号", v.d2 AS "组合名称", v.d3 AS "运作开始日" FROM pg_temp.fkb_val_2 v WHERE v._fkb_missing;

-- 组合计划: insert, under the user's path
WITH i AS (INSERT INTO "s"."组合计划" ("组合代码", "年金计划号", "组合名称", "运作开始日") SELECT n."组合代码", n."年金计划号", n."组合名称", n."运作开始日" FROM pg_temp.fkb_new_2 n ORDER BY n."组合代码" ON CONFLICT ("组合代码") DO NOTHING RETURNING "组合代码") INSERT INTO pg_temp.fkb_ins_2 SELECT i."组合代码" FROM i;

-- 组合计划: inserted
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_ins_2) AS n, CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM (SELECT pg_catalog.jsonb_build_array(CAST(i."组合代码" AS pg_catalog.text)) AS k, pg_catalog.row_number() OVER (ORDER BY i."组合代码") AS o FROM pg_temp.fkb_ins_2 i ORDER BY o LIMIT $1) s) AS pg_catalog.text) AS sample;
--   $1 = '5'

-- 组合计划: keys not stored as asked
SELECT pg_catalog.count(*) AS n, CAST((pg_catalog.array_agg(CAST(n."组合代码" AS pg_catalog.text) ORDER BY n."组合代码"))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_new_2 n WHERE NOT EXISTS (SELECT 1 FROM ONLY "s"."组合计划" p WHERE p."组合代码" OPERATOR("pg_catalog".=) n."组合代码");
--   $1 = '5'

-- 组织架构: keys
CREATE TEMP TABLE pg_temp.fkb_keys_3 ON COMMIT DROP AS SELECT u.k1, (EXISTS (SELECT 1 FROM ONLY "s"."组织架构" p WHERE p."机构代码" OPERATOR("pg_catalog".=) u.k1)) AS present, CAST(pg_catalog.row_number() OVER () AS pg_catalog.int4) AS _fkb_id FROM (SELECT DISTINCT src.k1 FROM (SELECT g."机构代码" AS k1 FROM pg_temp.fkb_seen g WHERE g._fkb_set = 4 AND g."机构代码" IS NOT NULL AND NOT (((CAST(g."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) src) u;

-- 组织架构: counts
SELECT count(*) AS candidates, count(*) FILTER (WHERE present) AS present FROM pg_temp.fkb_keys_3;

-- 组织架构: the second session's keys are these
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_3) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_theirs) AND (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_3) OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM pg_temp.fkb_keys_3 a JOIN pg_temp.fkb_keys_theirs b ON a.k1 OPERATOR("pg_catalog".=) b.k1 WHERE pg_catalog.record_image_eq(ROW(a.k1, a.present), ROW(b.k1, b.present))) AS same;

-- 组织架构: values
CREATE TEMP TABLE pg_temp.fkb_val_3 ON COMMIT DROP AS SELECT k.k1, NOT k.present AS _fkb_missing FROM pg_temp.fkb_keys_3 k WHERE NOT k.present;

-- 组织架构: new rows
CREATE TEMP TABLE pg_temp.fkb_new_3 ON COMMIT DROP AS SELECT v.k1 AS "机构代码" FROM pg_temp.fkb_val_3 v WHERE v._fkb_missing;

-- 组织架构: insert, under the user's path
WITH i AS (INSERT INTO "s"."组织架构" ("机构代码") SELECT n."机构代码" FROM pg_temp.fkb_new_3 n ORDER BY n."机构代码" ON CONFLICT ("机构代码") DO NOTHING RETURNING "机构代码") INSERT INTO pg_temp.fkb_ins_3 SELECT i."机构代码" FROM i;

-- 组织架构: inserted
SELECT (SELECT pg_catalog.count(*) FROM pg_temp.fkb_ins_3) AS n, CAST((SELECT pg_catalog.jsonb_agg(s.k ORDER BY s.o) FROM (SELECT pg_catalog.jsonb_build_array(CAST(i."机构代码" AS pg_catalog.text)) AS k, pg_catalog.row_number() OVER (ORDER BY i."机构代码") AS o FROM pg_temp.fkb_ins_3 i ORDER BY o LIMIT $1) s) AS pg_catalog.text) AS sample;
--   $1 = '5'

-- 组织架构: keys not stored as asked
SELECT pg_catalog.count(*) AS n, CAST((pg_catalog.array_agg(CAST(n."机构代码" AS pg_catalog.text) ORDER BY n."机构代码"))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_new_3 n WHERE NOT EXISTS (SELECT 1 FROM ONLY "s"."组织架构" p WHERE p."机构代码" OPERATOR("pg_catalog".=) n."机构代码");
--   $1 = '5'

-- replace
DELETE FROM "s"."规模明细" AS t USING (SELECT DISTINCT s."月度", s."业务类型" FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL) AS s WHERE (t."月度" OPERATOR("pg_catalog".=) s."月度") AND ((t."业务类型" IS NULL AND s."业务类型" IS NULL) OR (t."业务类型" OPERATOR("pg_catalog".=) s."业务类型") IS TRUE);

-- stored keys
CREATE TEMP TABLE pg_temp.fkb_stored ON COMMIT DROP AS SELECT CAST(0 AS pg_catalog.int4) AS _fkb_set, CAST(0 AS pg_catalog.oid) AS _fkb_rel, t."计划代码", t."组合代码", t."机构代码", t."产品线代码", CAST(0 AS pg_catalog.int8) AS _fkb_n FROM ONLY "s"."规模明细" t WITH NO DATA;

-- insert facts, stored keys read back
WITH i AS (INSERT INTO "s"."规模明细" ("月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合代码", "组合名称", "期末资产规模", "机构代码", "机构名称", "产品线代码") SELECT s."月度", s."业务类型", s."计划类型", s."计划代码", s."计划名称", s."组合代码", s."组合名称", s."期末资产规模", s."机构代码", s."机构名称", s."产品线代码" FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL RETURNING "计划代码", "组合代码", "机构代码", "产品线代码") INSERT INTO pg_temp.fkb_stored (_fkb_set, _fkb_rel, "计划代码", "组合代码", "机构代码", "产品线代码", _fkb_n) SELECT CASE WHEN GROUPING(i."计划代码", i."组合代码", i."机构代码", i."产品线代码") OPERATOR(pg_catalog.=) 14 THEN 1 WHEN GROUPING(i."计划代码", i."组合代码", i."机构代码", i."产品线代码") OPERATOR(pg_catalog.=) 7 THEN 2 WHEN GROUPING(i."计划代码", i."组合代码", i."机构代码", i."产品线代码") OPERATOR(pg_catalog.=) 11 THEN 3 WHEN GROUPING(i."计划代码", i."组合代码", i."机构代码", i."产品线代码") OPERATOR(pg_catalog.=) 13 THEN 4 END, CAST(0 AS pg_catalog.oid), i."计划代码", i."组合代码", i."机构代码", i."产品线代码", pg_catalog.count(*) FROM i GROUP BY GROUPING SETS ((i."产品线代码"), (i."计划代码"), (i."组合代码"), (i."机构代码"));

-- lock and verify fk_规模明细_产品线
WITH l AS MATERIALIZED (SELECT p."产品线代码" AS "产品线代码" FROM ONLY "s"."产品线" p WHERE EXISTS (SELECT 1 FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 1]) AND g."产品线代码" IS NOT NULL AND p."产品线代码" OPERATOR("pg_catalog".=) g."产品线代码") ORDER BY p."产品线代码" FOR KEY SHARE OF p) SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n, CAST((pg_catalog.array_agg(CAST((g."产品线代码") AS pg_catalog.text) ORDER BY CAST((g."产品线代码") AS pg_catalog.text)))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 1]) AND ((g."产品线代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM l WHERE l."产品线代码" OPERATOR("pg_catalog".=) g."产品线代码")));
--   $1 = '5'

-- lock and verify fk_规模明细_年金计划
WITH l AS MATERIALIZED (SELECT p."年金计划号" AS "年金计划号" FROM ONLY "s"."年金计划" p WHERE EXISTS (SELECT 1 FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 2]) AND g."计划代码" IS NOT NULL AND p."年金计划号" OPERATOR("pg_catalog".=) g."计划代码") ORDER BY p."年金计划号" FOR KEY SHARE OF p) SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n, CAST((pg_catalog.array_agg(CAST((g."计划代码") AS pg_catalog.text) ORDER BY CAST((g."计划代码") AS pg_catalog.text)))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 2]) AND ((g."计划代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM l WHERE l."年金计划号" OPERATOR("pg_catalog".=) g."计划代码")));
--   $1 = '5'

-- lock and verify fk_规模明细_组合计划
WITH l AS MATERIALIZED (SELECT p."组合代码" AS "组合代码" FROM ONLY "s"."组合计划" p WHERE EXISTS (SELECT 1 FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 3]) AND g."组合代码" IS NOT NULL AND p."组合代码" OPERATOR("pg_catalog".=) g."组合代码") ORDER BY p."组合代码" FOR KEY SHARE OF p) SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n, CAST((pg_catalog.array_agg(CAST((g."组合代码") AS pg_catalog.text) ORDER BY CAST((g."组合代码") AS pg_catalog.text)))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 3]) AND ((g."组合代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM l WHERE l."组合代码" OPERATOR("pg_catalog".=) g."组合代码")));
--   $1 = '5'

-- lock and verify fk_规模明细_组织架构
WITH l AS MATERIALIZED (SELECT p."机构代码" AS "机构代码" FROM ONLY "s"."组织架构" p WHERE EXISTS (SELECT 1 FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 4]) AND g."机构代码" IS NOT NULL AND p."机构代码" OPERATOR("pg_catalog".=) g."机构代码") ORDER BY p."机构代码" FOR KEY SHARE OF p) SELECT CAST(coalesce(pg_catalog.sum(g._fkb_n), 0) AS pg_catalog.int8) AS n, CAST((pg_catalog.array_agg(CAST((g."机构代码") AS pg_catalog.text) ORDER BY CAST((g."机构代码") AS pg_catalog.text)))[1:$1] AS pg_catalog.text) AS sample FROM pg_temp.fkb_stored g WHERE g._fkb_set OPERATOR(pg_catalog.=) ANY (ARRAY[0, 4]) AND ((g."机构代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM l WHERE l."机构代码" OPERATOR("pg_catalog".=) g."机构代码")));
--   $1 = '5'

