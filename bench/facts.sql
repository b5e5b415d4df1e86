-- Prints :rows fact rows as CSV (header included). About 1% of rows carry a key no
-- parent has yet: a new portfolio of a new plan, a new organisation or product line.
SELECT setseed(0.42) \g /dev/null
COPY (
    SELECT DATE '2024-11-01' AS month,
           CASE WHEN r1 < 0.5 THEN 'trust' ELSE 'investment' END AS business,
           'single' AS kind,
           CASE WHEN new_row THEN 'P9' || lpad((n % 50)::text, 5, '0') ELSE 'P' || lpad((1 + (f - 1) % 2000)::text, 6, '0') END AS plan_code,
           CASE WHEN new_row THEN 'F9' || lpad((n % 50)::text, 5, '0') ELSE 'F' || lpad(f::text, 6, '0') END AS portfolio_code,
           'customer ' || f AS customer,
           round((1e6 * r1)::numeric, 4) AS opening,
           round((1.1e6 * r1)::numeric, 4) AS closing,
           round((1e5 * r1)::numeric, 4) AS income,
           CASE WHEN new_row AND n % 3 = 0 THEN 'G9' || lpad((n % 7)::text, 3, '0') ELSE 'G' || lpad((1 + n % 200)::text, 4, '0') END AS org_code,
           CASE WHEN new_row AND n % 5 = 0 THEN 'L9' || (n % 3) ELSE 'L' || lpad((1 + n % 20)::text, 3, '0') END AS product_line_code
    FROM (SELECT n, random() AS r1, random() < 0.01 AS new_row, 1 + floor(random() * 5000)::int AS f
          FROM generate_series(1, :rows) AS n) g
    ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER);
