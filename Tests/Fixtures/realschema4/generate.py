#!/usr/bin/env python3
"""Writes the fourth sweep's CSV inputs and rules files next to app.sql (deterministic: seed 18).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
The star's inputs are what a dbt/ELT job hands the loader: surrogate keys already looked
up (new ones included), business keys and attributes as extra columns for the new
dimension rows. The annuity inputs are what the monthly Excel export becomes: Chinese
headers, dates as '2024/11/01', codes with trailing spaces and full-width letters,
'(空白)' and quoted '' for blanks, amounts with thousand separators.
annuity_performance.rules.yaml is `fkbackfill import-rules annuity_legacy.yml --domain
annuity_performance --table s18dw.规模明细 --db …` against app.sql (the write-up's config,
in the legacy format of ../shared/examples/), committed as it came out.
"""
import csv, io, os, random

random.seed(18)
HERE = os.path.dirname(os.path.abspath(__file__))
BLANK = object()  # a quoted "" in the CSV: an empty string, not NULL


def write(name, header, rows, rules=None):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(["\x00" if v is BLANK else v for v in row])
        out.write(line.getvalue().replace("\x00", '""'))
    with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
        f.write(out.getvalue())
    if rules:
        with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
            f.write("tables:\n" + rules.strip("\n") + "\n")


def pick(*choices):
    return random.choice(choices)


MART = '"s18Star Mart"'
DATES = """
  '%s.dim_date':
    columns:
      full_date: { sql: "min(sale_date)" }
      calendar_year: { sql: "min(extract(year FROM sale_date))" }
      calendar_month: { sql: "min(extract(month FROM sale_date))" }
      month_name: { sql: "min(btrim(to_char(sale_date, 'Month')))" }
      day_of_week: { sql: "min(extract(isodow FROM sale_date))" }
      is_weekend: { sql: "bool_or(extract(isodow FROM sale_date) >= 6)" }""" % MART
PRODUCTS = """
  '%s.dim_product':
    columns:
      product_name: { template: "Inferred product {product_code}" }
    mark:
      list_price: 0
  '%s.dim_product_category':
    columns:
      category_name: { template: "Inferred category {category_id}" }
      department_id: { value: -1 }""" % (MART, MART)
STORES = """
  '%s.dim_store':
    columns:
      store_name: { template: "Inferred store {store_code}" }""" % MART
CUSTOMERS = """
  '%s.dim_customer':
    columns:
      customer_name: { template: "Inferred customer {customer_id}" }""" % MART

SALES = ["sale_date", "date_key", "customer_sk", "product_sk", "store_code", "payment_type", "sales_channel", "is_promotion",
         "order_number", "order_line", "quantity", "sales_amount", "discount_amount", "product_code", "category_id"]


def sale(i, day, product=None, customer=None, store=None, profile=None):
    product = product or pick(1, 2, 3, 5, 7, 31, 40, 41, 42)
    code = "P%04d" % product if product <= 30 else ("P0007" if product == 31 else "N%04d" % product)
    category = {40: 10, 41: 30, 42: 30}.get(product, (10, 11, 20)[product % 3])
    payment, channel, promo = profile or pick(("card", "web", "false"), ("cash", "store", "true"), ("card", "store", "false"),
                                              ("voucher", "web", "true"), ("card", "phone", "false"))
    amount = "%.2f" % (5 + (i * 37) % 400 + 0.25 * (i % 4))
    return [day, day.replace("-", ""), customer or pick(-1, 1, 2, 3, 17, 40), product, store or pick("S00001", "S00002", "S00012", "S00013", "S00014"),
            payment, channel, promo, "SO-2024-%06d" % (1000 + i // 3), 1 + i % 3, 1 + i % 5, amount, pick("0", "0", "1.50"), code, category]


# ---------------------------------------------------------------- the star
# 1. November's sales: every day new in dim_date (its NOT NULL columns from sql: rules),
#    new products of a new category (snowflake), new stores, new order profiles (junk
#    dimension's composite natural key), three rows the CHECKs refuse.
rows = [sale(i, "2024-11-%02d" % (1 + i % 30)) for i in range(240)]
rows[30][11] = "-12.00"; rows[90][10] = "0"; rows[150][12] = "-1.00"
write("sales_nov", SALES, rows, DATES + PRODUCTS + STORES)

# 2. New customers by surrogate key: dim_customer's sk is GENERATED ALWAYS AS IDENTITY.
rows = [sale(i, "2024-10-%02d" % (1 + i % 31), product=pick(1, 2, 3), store="S00001", profile=("card", "web", "false"),
             customer=pick(1, 2, 9001, 9002)) for i in range(40)]
header = SALES + ["customer_id"]
rows = [r + ["" if r[2] in (1, 2) else "CRM-%d" % r[2]] for r in rows]
write("sales_newcustomers", header, rows, CUSTOMERS)

# 3. Late and early rows: December 2024 and December 2023 go to the DEFAULT partition.
rows = [sale(i, pick("2024-12-%02d" % (1 + i % 31), "2023-12-%02d" % (1 + i % 31), "2024-10-15"), product=pick(1, 2, 3), store="S00002",
             profile=("cash", "store", "true")) for i in range(60)]
write("sales_default_partition", SALES, rows, DATES)

# 4. SCD2: new surrogate keys whose business key has no current row (P0008 and P0009 were
#    closed), and one whose business key is current (P0007 → sk 31): the partial unique
#    index dim_product_current_uk refuses the second.
def scd(code_for_60):
    out = []
    for i in range(30):
        r = sale(i, "2024-10-%02d" % (1 + i % 31), product=pick(1, 2, 60, 61), store="S00003", profile=("card", "web", "false"))
        r[13] = {60: code_for_60, 61: "P0009"}.get(r[3], r[13])
        r[14] = 10 if r[3] in (60, 61) else r[14]
        out.append(r)
    return out
write("sales_scd2_closed", SALES, scd("P0008"), PRODUCTS)
write("sales_scd2_current", SALES, scd("P0007"), PRODUCTS)

# 5. New stores with no rule for store_name (NOT NULL, no DEFAULT).
rows = [sale(i, "2024-10-%02d" % (1 + i % 31), product=1, store=pick("S00001", "S00020", "S00021"), profile=("card", "web", "false")) for i in range(25)]
write("sales_newstores", SALES, rows)

# 5b. Customers not yet in the CRM extract: an empty customer_sk, which the fact's BEFORE
#     INSERT trigger maps to the unknown member -1 before the NOT NULL check.
rows = [sale(i, "2024-10-%02d" % (1 + i % 31), product=1, store="S00004", profile=("card", "web", "false"), customer=pick(1, 2, 3)) for i in range(20)]
for i in (3, 11, 17):
    rows[i][2] = ""
write("sales_late_customers", SALES, rows)

# 6. The monthly inventory snapshot: October reloaded (replace-by the month), and
#    December, which has no partition yet.
INV = ["snapshot_month", "product_sk", "store_code", "on_hand_qty", "on_hand_value", "product_code", "category_id"]
rows = [["2024-10-01", p, "S%05d" % s, p * s + 1, "%.2f" % (p * s * 2.75), "P%04d" % p, (10, 11, 20)[p % 3]] for p in range(1, 9) for s in range(1, 5)]
rows += [["2024-10-01", 43, "S00015", 4, "10.00", "N0043", 20]]
write("inventory_oct", INV, rows, PRODUCTS + STORES)
rows = [["2024-12-01" if p % 3 == 0 else "2024-11-01", p, "S%05d" % s, p + s, "%.2f" % (p * 1.25), "P%04d" % p, 10] for p in range(1, 10) for s in range(1, 4)]
write("inventory_dec", INV, rows)

# 7. A --query source: sales staged as text by an EL tool, phone orders filtered out.
rows = [sale(i, "2024-11-%02d" % (1 + i % 30), product=pick(1, 2, 40), store=pick("S00001", "S00013")) for i in range(80)]
write("sales_raw", SALES, rows, DATES + PRODUCTS + STORES)

# ---------------------------------------------------------------- the annuity warehouse
GM = ["月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合类型", "组合代码", "组合名称", "客户名称", "期初资产规模", "期末资产规模",
      "投资收益", "机构代码", "机构名称", "产品线代码"]
PLANS = {"P0001": ("甲公司企业年金计划", "甲公司"), "P0002": ("乙集团企业年金计划", "乙集团"), "P0005": ("丁公司企业年金计划", "丁公司"),
         "P0006": ("戊集团企业年金计划", "戊集团"), "P0001 ": ("甲公司企业年金计划", "甲公司"), "Ｐ0002": ("乙集团企业年金计划", "乙集团")}
PORTFOLIOS = {"P0001": ["F0001", "F0002"], "P0002": ["F0003"], "P0005": ["F0501", "F0502"], "P0006": ["F0601"], "P0001 ": ["F0001"], "Ｐ0002": ["F0003"]}


def money(x, sep):
    return "{:,.2f}".format(x) if sep else "%.2f" % x


def gm(i, month, sep=False, plans=("P0001", "P0002", "P0005", "P0006", "P0001 ", "Ｐ0002")):
    plan = random.choice(plans)
    name, customer = PLANS[plan]
    portfolio = random.choice(PORTFOLIOS[plan] + ["(空白)", BLANK])
    org = pick("G01", "G02", "G04", "(空白)", BLANK, "")
    line = pick("PL01", "PL02", "PL04", "(空白)")
    start = 1000 + (i * 7919) % 900000
    return [month, pick("企年受托", "企年投资"), "单一计划", plan, name, pick("固收", "权益"), portfolio, "组合" + portfolio[-2:] if isinstance(portfolio, str) and portfolio.startswith("F") else "",
            customer, money(start, sep), money(start * 1.01, sep), money(start * 0.01, sep), org, {"G04": "广州分公司"}.get(org, ""), line]


# 8. November: new plans, their new portfolios (组合计划 → 年金计划), a new product line and
#    organisation, new customers by name, blanks, dates as text, 'P0001 ' and 'Ｐ0002'.
rows = [gm(i, "2024/11/01") for i in range(300)]
write("guimo_202411", GM, rows)

# 9. The same month with amounts as the Excel export prints them: '1,234.56'.
rows = [gm(i, "2024/11/01", sep=(i % 50 == 7)) for i in range(120)]
write("guimo_thousands", GM, rows)

# 10. October reloaded (replace-by 月度): the seed's plans and one new plan.
rows = [gm(i, "2024/10/01", plans=("P0001", "P0002", "P0005")) for i in range(80)]
write("guimo_202410", GM, rows)

# 11. A customer name with the spaces the Excel cell had: the 年金客户 trigger trims it.
rows = [gm(i, "2024/11/01", plans=("P0001",)) for i in range(10)]
rows[4][8] = " 己公司 "
write("guimo_padded_customer", GM, rows)
