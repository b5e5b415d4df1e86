-- raw
CREATE TEMP TABLE pg_temp.fkb_raw (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), "月度" text, "业务类型" text, "计划类型" text, "计划代码" text, "计划名称" text, "组合代码" text, "组合名称" text, "期末资产规模" text, "机构代码" text, "机构名称" text, "产品线代码" text) ON COMMIT DROP;

-- typed stage
CREATE TEMP TABLE pg_temp.fkb_stage (_fkb_row bigint PRIMARY KEY, _fkb_reject text, "月度" pg_catalog.date, "业务类型" character varying, "计划类型" character varying, "计划代码" character varying, "计划名称" character varying, "组合代码" character varying, "组合名称" character varying, "期末资产规模" numeric(18,4), "机构代码" character varying, "机构名称" character varying, "产品线代码" character varying) ON COMMIT DROP;

-- copy raw
COPY pg_temp.fkb_raw ("月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合代码", "组合名称", "期末资产规模", "机构代码", "机构名称", "产品线代码") FROM STDIN WITH (FORMAT csv, DELIMITER E',', QUOTE E'"', NULL E'', ENCODING 'UTF8');

-- cast all
INSERT INTO pg_temp.fkb_stage (_fkb_row, "月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合代码", "组合名称", "期末资产规模", "机构代码", "机构名称", "产品线代码") SELECT r._fkb_row, CAST(r."月度" AS pg_catalog.date), CAST(r."业务类型" AS character varying), CAST(r."计划类型" AS character varying), CAST(r."计划代码" AS character varying), CAST(r."计划名称" AS character varying), CAST(r."组合代码" AS character varying), CAST(r."组合名称" AS character varying), CAST(r."期末资产规模" AS numeric(18,4)), CAST(r."机构代码" AS character varying), CAST(r."机构名称" AS character varying), CAST(r."产品线代码" AS character varying) FROM pg_temp.fkb_raw r;

-- cast check
CREATE OR REPLACE FUNCTION pg_temp.fkb_casts_0(value pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path FROM CURRENT AS E'BEGIN PERFORM CAST(value AS character varying); RETURN true; EXCEPTION WHEN others THEN RETURN false; END';

-- cast check
CREATE OR REPLACE FUNCTION pg_temp.fkb_casts_1(value pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path FROM CURRENT AS E'BEGIN PERFORM CAST(value AS numeric(18,4)); RETURN true; EXCEPTION WHEN others THEN RETURN false; END';

-- cast check
CREATE OR REPLACE FUNCTION pg_temp.fkb_casts_2(value pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path FROM CURRENT AS E'BEGIN PERFORM CAST(value AS pg_catalog.date); RETURN true; EXCEPTION WHEN others THEN RETURN false; END';

-- cast checked
INSERT INTO pg_temp.fkb_stage (_fkb_row, "月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合代码", "组合名称", "期末资产规模", "机构代码", "机构名称", "产品线代码") SELECT r._fkb_row, CASE WHEN pg_temp.fkb_casts_2(r."月度") THEN CAST(r."月度" AS pg_catalog.date) END, CASE WHEN pg_temp.fkb_casts_0(r."业务类型") THEN CAST(r."业务类型" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."计划类型") THEN CAST(r."计划类型" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."计划代码") THEN CAST(r."计划代码" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."计划名称") THEN CAST(r."计划名称" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."组合代码") THEN CAST(r."组合代码" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."组合名称") THEN CAST(r."组合名称" AS character varying) END, CASE WHEN pg_temp.fkb_casts_1(r."期末资产规模") THEN CAST(r."期末资产规模" AS numeric(18,4)) END, CASE WHEN pg_temp.fkb_casts_0(r."机构代码") THEN CAST(r."机构代码" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."机构名称") THEN CAST(r."机构名称" AS character varying) END, CASE WHEN pg_temp.fkb_casts_0(r."产品线代码") THEN CAST(r."产品线代码" AS character varying) END FROM pg_temp.fkb_raw r;

-- fk_规模明细_产品线: counts
SELECT count(*) AS violating, count(DISTINCT (s."产品线代码")) AS missing,
       count(DISTINCT (s."产品线代码")) FILTER (WHERE (((CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."产品线代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."产品线代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."产品线代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) AS blank
FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."产品线代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."产品线" p WHERE p."产品线代码" OPERATOR("pg_catalog".=) s."产品线代码");

-- fk_规模明细_产品线: samples
SELECT CAST(s."产品线代码" AS text) AS k1, CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:$1] AS text) AS sample FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."产品线代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."产品线" p WHERE p."产品线代码" OPERATOR("pg_catalog".=) s."产品线代码") GROUP BY s."产品线代码" ORDER BY min(s._fkb_row) LIMIT $2;
--   $1 = '5'
--   $2 = '5'

-- fk_规模明细_年金计划: counts
SELECT count(*) AS violating, count(DISTINCT (s."计划代码")) AS missing,
       count(DISTINCT (s."计划代码")) FILTER (WHERE (((CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."计划代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."计划代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."计划代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) AS blank
FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."计划代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."年金计划" p WHERE p."年金计划号" OPERATOR("pg_catalog".=) s."计划代码");

-- fk_规模明细_年金计划: samples
SELECT CAST(s."计划代码" AS text) AS k1, CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:$1] AS text) AS sample FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."计划代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."年金计划" p WHERE p."年金计划号" OPERATOR("pg_catalog".=) s."计划代码") GROUP BY s."计划代码" ORDER BY min(s._fkb_row) LIMIT $2;
--   $1 = '5'
--   $2 = '5'

-- fk_规模明细_组合计划: counts
SELECT count(*) AS violating, count(DISTINCT (s."组合代码")) AS missing,
       count(DISTINCT (s."组合代码")) FILTER (WHERE (((CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."组合代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."组合代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."组合代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) AS blank
FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."组合代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组合计划" p WHERE p."组合代码" OPERATOR("pg_catalog".=) s."组合代码");

-- fk_规模明细_组合计划: samples
SELECT CAST(s."组合代码" AS text) AS k1, CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:$1] AS text) AS sample FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."组合代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组合计划" p WHERE p."组合代码" OPERATOR("pg_catalog".=) s."组合代码") GROUP BY s."组合代码" ORDER BY min(s._fkb_row) LIMIT $2;
--   $1 = '5'
--   $2 = '5'

-- fk_规模明细_组织架构: counts
SELECT count(*) AS violating, count(DISTINCT (s."机构代码")) AS missing,
       count(DISTINCT (s."机构代码")) FILTER (WHERE (((CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(s."机构代码" AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(s."机构代码" AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(s."机构代码" AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (SELECT c.value FROM pg_temp.fkb_const c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[1])))) AS blank
FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."机构代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组织架构" p WHERE p."机构代码" OPERATOR("pg_catalog".=) s."机构代码");

-- fk_规模明细_组织架构: samples
SELECT CAST(s."机构代码" AS text) AS k1, CAST((array_agg(s._fkb_row ORDER BY s._fkb_row))[1:$1] AS text) AS sample FROM pg_temp.fkb_stage s WHERE s._fkb_reject IS NULL AND s."机构代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组织架构" p WHERE p."机构代码" OPERATOR("pg_catalog".=) s."机构代码") GROUP BY s."机构代码" ORDER BY min(s._fkb_row) LIMIT $2;
--   $1 = '5'
--   $2 = '5'

-- in place: counts
SELECT count(*) AS rows, count(*) FILTER (WHERE s."月度" IS NULL) AS z0, count(*) FILTER (WHERE s."计划代码" IS NULL) AS z1 FROM pg_temp.fkb_query s;

-- in place: fk_规模明细_产品线
SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE (((CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g.k1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g.k1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (VALUES (CAST($1 AS pg_catalog.text))))) AS blank, coalesce(array_to_json((array_agg(jsonb_build_array(CAST(g.k1 AS text)) ORDER BY g.k1))[1:$2]), '[]') AS samples FROM (SELECT s."产品线代码" AS k1, count(*) AS n FROM pg_temp.fkb_query s WHERE s."产品线代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."产品线" p WHERE p."产品线代码" OPERATOR("pg_catalog".=) s."产品线代码") GROUP BY s."产品线代码") g;
--   $1 = '(空白)'
--   $2 = '5'

-- in place: fk_规模明细_年金计划
SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE (((CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g.k1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g.k1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (VALUES (CAST($1 AS pg_catalog.text))))) AS blank, coalesce(array_to_json((array_agg(jsonb_build_array(CAST(g.k1 AS text)) ORDER BY g.k1))[1:$2]), '[]') AS samples FROM (SELECT s."计划代码" AS k1, count(*) AS n FROM pg_temp.fkb_query s WHERE s."计划代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."年金计划" p WHERE p."年金计划号" OPERATOR("pg_catalog".=) s."计划代码") GROUP BY s."计划代码") g;
--   $1 = '(空白)'
--   $2 = '5'

-- in place: fk_规模明细_组合计划
SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE (((CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g.k1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g.k1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (VALUES (CAST($1 AS pg_catalog.text))))) AS blank, coalesce(array_to_json((array_agg(jsonb_build_array(CAST(g.k1 AS text)) ORDER BY g.k1))[1:$2]), '[]') AS samples FROM (SELECT s."组合代码" AS k1, count(*) AS n FROM pg_temp.fkb_query s WHERE s."组合代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组合计划" p WHERE p."组合代码" OPERATOR("pg_catalog".=) s."组合代码") GROUP BY s."组合代码") g;
--   $1 = '(空白)'
--   $2 = '5'

-- in place: fk_规模明细_组织架构
SELECT count(*) AS missing, coalesce(sum(g.n), 0) AS violating, count(*) FILTER (WHERE (((CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.<) CAST('!' AS pg_catalog.text) OR CAST(g.k1 AS pg_catalog.text) COLLATE pg_catalog."C" OPERATOR(pg_catalog.>=) CAST(E'\u0085' AS pg_catalog.text)) AND pg_catalog.btrim(CAST(g.k1 AS pg_catalog.text), E'\u0009\u000A\u000B\u000C\u000D\u0020\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000') OPERATOR(pg_catalog.=) CAST('' AS pg_catalog.text)) OR CAST(g.k1 AS pg_catalog.text) OPERATOR(pg_catalog.=) ANY (VALUES (CAST($1 AS pg_catalog.text))))) AS blank, coalesce(array_to_json((array_agg(jsonb_build_array(CAST(g.k1 AS text)) ORDER BY g.k1))[1:$2]), '[]') AS samples FROM (SELECT s."机构代码" AS k1, count(*) AS n FROM pg_temp.fkb_query s WHERE s."机构代码" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ONLY "s"."组织架构" p WHERE p."机构代码" OPERATOR("pg_catalog".=) s."机构代码") GROUP BY s."机构代码") g;
--   $1 = '(空白)'
--   $2 = '5'

