-- Prints one month of 规模明细 fact rows as CSV (with a header) on stdout:
--   psql -v month=2024-11-01 -v rows=3000 -f monthly-facts.sql > 2024-11.csv
-- Deterministic (fixed seed). Most rows use known codes; some carry codes no parent
-- table has yet: plans P0101…, portfolios F0101… (each a portfolio of a new plan),
-- product line PL03 and organisation G04.
SELECT setseed(0.2024) \g /dev/null
COPY (
    WITH facts AS (
        SELECT n,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
        FROM generate_series(1, :rows) AS n
    ),
    coded AS (
        SELECT n, r5,
               CASE WHEN r1 < 0.97 THEN 'F000' || (1 + floor(r2 * 4))::int
                    ELSE 'F01' || lpad((floor(r2 * 5))::text, 2, '0') END AS portfolio,
               CASE WHEN r3 < 0.98 THEN 'PL0' || (1 + floor(r3 * 2))::int ELSE 'PL03' END AS product_line,
               CASE WHEN r4 < 0.98 THEN 'G0' || (1 + floor(r4 * 3))::int ELSE 'G04' END AS org
        FROM facts
    )
    SELECT :'month'::date AS "月度",
           CASE WHEN r5 < 0.5 THEN '受托' ELSE '投管' END AS "业务类型",
           CASE WHEN portfolio LIKE 'F01%' THEN '单一计划'
                WHEN portfolio = 'F0004' THEN '集合计划' ELSE '单一计划' END AS "计划类型",
           CASE portfolio WHEN 'F0001' THEN 'P0001' WHEN 'F0002' THEN 'P0001' WHEN 'F0003' THEN 'P0002'
                          WHEN 'F0004' THEN 'P0003' ELSE 'P01' || right(portfolio, 2) END AS "计划代码",
           CASE WHEN portfolio LIKE 'F01%' THEN '新客户' || right(portfolio, 2) || '企业年金计划' END AS "计划名称",
           CASE WHEN r5 < 0.3 THEN '固收' WHEN r5 < 0.7 THEN '混合' ELSE '权益' END AS "组合类型",
           portfolio AS "组合代码",
           CASE WHEN portfolio LIKE 'F01%' THEN '新客户' || right(portfolio, 2) || '组合' END AS "组合名称",
           CASE WHEN portfolio LIKE 'F01%' THEN '新客户' || right(portfolio, 2) ELSE '存量客户' END AS "客户名称",
           round((1e6 + r5 * 9e6)::numeric, 4) AS "期初资产规模",
           round((1e6 + r5 * 9.5e6)::numeric, 4) AS "期末资产规模",
           round((r5 * 5e5)::numeric, 4) AS "投资收益",
           org AS "机构代码",
           CASE org WHEN 'G01' THEN '上海分公司' WHEN 'G02' THEN '广州分公司' WHEN 'G03' THEN '北京分公司'
                    ELSE '深圳分公司' END AS "机构名称",
           product_line AS "产品线代码"
    FROM coded ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER);
