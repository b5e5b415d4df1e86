-- Prints :rows rows of one month of month.fact (28 columns) as CSV with a header,
-- deterministic (fixed seed). Keys are month_base's; about 1 row in 50 has the blank
-- organisation marker '(空白)', which the rules turn into NULL.
SELECT setseed(0.2024) \g /dev/null
COPY (
    SELECT DATE '2024-11-01' AS month,
           CASE WHEN r1 < 0.5 THEN 'trust' WHEN r1 < 0.8 THEN 'investment' ELSE 'custody' END AS business,
           CASE WHEN f % 10 = 0 THEN 'collective' ELSE 'single' END AS plan_type,
           'P' || lpad((1 + (f - 1) % 3000)::text, 5, '0') AS plan_code,
           'plan name ' || (1 + (f - 1) % 3000) AS plan_name,
           CASE WHEN r2 < 0.3 THEN 'fixed' WHEN r2 < 0.7 THEN 'mixed' ELSE 'equity' END AS portfolio_kind,
           'F' || lpad(f::text, 5, '0') AS portfolio_code,
           'portfolio name ' || f AS portfolio_name,
           'customer ' || c AS customer_name,
           round((1e6 + r1 * 9e6)::numeric, 4) AS opening,
           round((1e6 + r2 * 9.5e6)::numeric, 4) AS closing,
           round((r1 * 5e5)::numeric, 4) AS income,
           round((r2 * 1e5)::numeric, 4) AS inflow,
           round((r1 * 8e4)::numeric, 4) AS outflow,
           round((r2 * 2e4)::numeric, 4) AS benefit,
           round((r1 * 3e3)::numeric, 4) AS fee,
           round((r2 * 0.1 - 0.02)::numeric, 6) AS return_rate,
           CASE WHEN n % 50 = 0 THEN '(空白)' ELSE 'G' || lpad(o::text, 3, '0') END AS org_code,
           'org name ' || o AS org_name,
           'L' || lpad((1 + n % 12)::text, 2, '0') AS product_line_code,
           'product line ' || (1 + n % 12) AS product_line_name,
           (ARRAY['east', 'south', 'north', 'west'])[1 + c % 4] AS region,
           (ARRAY['direct', 'bank', 'broker'])[1 + n % 3] AS channel,
           'manager ' || (1 + o * 3 + n % 3) AS manager,
           DATE '2015-01-01' + (f % 3000) AS contract_date,
           CASE WHEN r1 < 0.95 THEN 'active' ELSE 'closing' END AS status,
           CASE WHEN n % 10 = 0 THEN 'reviewed ' || n END AS remark,
           'C' || c AS company_id
    FROM (SELECT n, random() AS r1, random() AS r2, 1 + floor(random() * 8000)::int AS f,
                 1 + floor(random() * 11000)::int AS c, 1 + floor(random() * 40)::int AS o
          FROM generate_series(1, :rows) AS n) g
    ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER);
