-- Prints :rows fact rows as CSV (header included), deterministic (fixed seed). Every
-- key is one of bench_base's; how many of them are new to the parents is the churn
-- level a run resets the parents to (bench/schema.sql), so one file serves every level.
SELECT setseed(0.42) \g /dev/null
COPY (
    SELECT DATE '2024-11-01' AS month,
           CASE WHEN r1 < 0.5 THEN 'trust' WHEN r1 < 0.8 THEN 'investment' ELSE 'custody' END AS business,
           CASE WHEN r1 < 0.9 THEN 'single' ELSE 'collective' END AS kind,
           'P' || lpad((1 + (f - 1) % 2000)::text, 6, '0') AS plan_code,
           'F' || lpad(f::text, 6, '0') AS portfolio_code,
           'customer ' || (1 + n % 7000) AS customer,
           round((1e6 * r1)::numeric, 4) AS opening,
           round((1.1e6 * r2)::numeric, 4) AS closing,
           round((1e5 * r1)::numeric, 4) AS income,
           'G' || lpad((1 + n % 200)::text, 4, '0') AS org_code,
           'L' || lpad((1 + n % 20)::text, 3, '0') AS product_line_code
    FROM (SELECT n, random() AS r1, random() AS r2, 1 + floor(random() * 5000)::int AS f
          FROM generate_series(1, :rows) AS n) g
    ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER);
