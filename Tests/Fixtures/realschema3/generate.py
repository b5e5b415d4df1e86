#!/usr/bin/env python3
"""Writes the third sweep's CSV inputs and rules files next to app.sql (deterministic: seed 17).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
Each input mixes keys the seed rows have, new keys a backfill must add, blanks and a few
bad rows (a CHECK, a selection value, a duplicate key, a NULL in a NOT NULL column).
"""
import csv, os, random

random.seed(17)
HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, header, rows, rules=None):
    with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    if rules:
        with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
            f.write("tables:\n" + rules.strip("\n") + "\n")


def pick(*choices):
    return random.choice(choices)


def ts(i):
    return "2026-11-%02d %02d:%02d:00" % (1 + i % 28, i % 24, i % 60)


COMPANY = """
  s17erp.res_company:
    columns:
      name: { template: "Imported company {company_id}" }
      currency_id: { value: 1 }"""
USERS = """
  s17erp.res_users:
    columns:
      login: { template: "imported{%s}" }
      notification_type: { value: email }
      company_id: { value: 1 }"""
ORDERS = """
  s17erp.sale_order:
    columns:
      name: { template: "IMP/{order_id}" }
      partner_id: { value: 4 }
      company_id: { value: 1 }
      date_order: { value: now }
      state: { value: draft }"""
PRODUCTS = """
  s17erp.product_product:
    columns:
      product_tmpl_id: { value: 3 }"""
TEMPLATES = """
  s17erp.product_template:
    columns:
      name: { value: '{"en_US": "Imported product"}' }
      type: { value: consu }
      categ_id: { value: 1 }
      uom_id: { value: 1 }"""
ACCOUNTS = """
  s17soc.accounts:
    columns:
      username: { template: "%s{%s}" }"""
STATUSES = """
  s17soc.statuses:
    columns:
      account_id: { value: 1 }"""

# ---------------------------------------------------------------- Odoo-style ERP
# 1. sale_order_line: new orders (name, partner, company, date from rules), new products,
#    section lines without a product, three lines the accountable_required_fields CHECK refuses.
rows = []
for i in range(200):
    product = pick(1, 2, 3, 11, 12, 13)
    rows.append([pick(1, 2, 11, 12, 13, 14, 15, 16), "line %d" % i, product, pick(1, 1, 2), pick(1, 2, 5, 10), pick(70, 300, 90, 12.5), "", pick(1, 2, "")])
for i in (20, 60, 140):
    rows[i][2] = ""; rows[i][3] = ""; rows[i][4] = 0; rows[i][5] = 0; rows[i][6] = "line_section"
for i in (33, 99, 177):
    rows[i][2] = ""
write("sale_order_line", ["order_id", "name", "product_id", "product_uom", "product_uom_qty", "price_unit", "display_type", "create_uid"], rows,
      ORDERS + PRODUCTS)
# 2. sale_order_line reloaded by order: the two seed orders, existing products only.
rows = [[pick(1, 2), "reloaded %d" % i, pick(1, 2, 3), 1, pick(1, 2), pick(70, 300), ""] for i in range(40)]
write("sale_order_line_reload", ["order_id", "name", "product_id", "product_uom", "product_uom_qty", "price_unit", "display_type"], rows)

# 3. sale_order: new partners, new companies (in the users/partner/company cycle), new salesmen;
#    two states the selection CHECK refuses, one order without a date.
rows = []
for i in range(120):
    rows.append([101 + i, "S%05d" % (101 + i), pick(4, 5, 11, 12, 13, 14), pick(1, 1, 21, 22), pick("draft", "sent", "sale"), ts(i), pick(2, 2, "", 31)])
rows[17][4] = "done"; rows[85][4] = "done"; rows[50][5] = ""
write("sale_order", ["id", "name", "partner_id", "company_id", "state", "date_order", "user_id"], rows,
      COMPANY + USERS % "user_id")
# 3a. the same, the new partners without a company: a new company's name template then reads the
#     company_id of its own rows only (not of the rows of a new partner that names another company).
with open(os.path.join(HERE, "sale_order_partners.rules.yaml"), "w") as f:
    f.write("tables:" + COMPANY + USERS % "user_id" + """
  s17erp.res_partner:
    columns:
      company_id: { null: true }
""")
# 3b. sale_order with a new company only, no rules: res_company.currency_id is NOT NULL without a default.
write("sale_order_newcompany", ["id", "name", "partner_id", "company_id", "state", "date_order"],
      [[301, "S00301", 4, 1, "draft", ts(1)], [302, "S00302", 5, 23, "sale", ts(2)]])

# 4. res_partner: the target inside the cycle: new companies, new users, new countries, a parent_id
#    self-reference (earlier rows, later rows, seed partners, partners nobody gives), two types the
#    selection CHECK refuses.
rows = []
for i in range(200):
    pid = 101 + i
    parent = pick("", "", "", 4, 5, 101 + random.randrange(200), 901, 902)
    rows.append([pid, "Contact %d" % i, pick("contact", "contact", "invoice", "delivery"), pick(1, 1, 21, 22), parent, pick(1, 2, 3),
                 pick("", "", 2, 31), "c%d@example.com" % i, "true", pick(1, 2)])
rows[44][2] = "person"; rows[150][2] = "person"
write("res_partner", ["id", "name", "type", "company_id", "parent_id", "country_id", "user_id", "email", "active", "create_uid"], rows,
      COMPANY + """
      partner_id: { value: 1 }
  s17erp.res_country:
    columns:
      name: { value: '{"en_US": "Imported country"}' }""" + USERS % "user_id" + """
      partner_id: { value: 3 }""")
# 4b. the same with every parent_id one the input or the seed has: no placeholder partner.
for r in rows:
    if r[4] in (901, 902):
        r[4] = 4
write("res_partner_known_parents", ["id", "name", "type", "company_id", "parent_id", "country_id", "user_id", "email", "active", "create_uid"], rows)
# 5. res_partner: a contact without a name (res_partner_check_name).
write("res_partner_noname", ["id", "name", "type", "email"], [[401, "Named", "contact", "a@x"], [402, "", "contact", "b@x"], [403, "", "invoice", "c@x"]])

# 6. res_users: the target inside the cycle: new partners, new companies whose partner is the
#    user's; two logins repeated, two notification types the CHECK refuses.
rows = []
for i in range(150):
    rows.append([101 + i, "user%d@example.com" % i, pick(3, 4, 5, 41, 42, 43, 44, 45), pick(1, 1, 51, 52), pick("email", "inbox"), pick("true", "false")])
rows[70][1] = rows[69][1]; rows[120][1] = rows[3][1]; rows[9][4] = "sms"; rows[90][4] = "sms"
write("res_users", ["id", "login", "partner_id", "company_id", "notification_type", "share"], rows, COMPANY)
# 6b. res_users with a new company, no rules: res_company.currency_id uncovered.
write("res_users_newcompany", ["id", "login", "partner_id", "company_id", "notification_type"],
      [[201, "new1@example.com", 4, 1, "email"], [202, "new2@example.com", 5, 53, "inbox"]])

# 7. res_partner_res_partner_category_rel: the many2many table; new categories (jsonb name), new
#    partners, repeated pairs and a pair the seed has.
rows = [[pick(1, 2, 3, 11, 12), pick(4, 5, 61, 62, 63, 64, 65, 66)] for _ in range(150)]
rows[5] = [1, 4]
write("res_partner_res_partner_category_rel", ["category_id", "partner_id"], rows, """
  s17erp.res_partner_category:
    columns:
      name: { value: '{"en_US": "Imported tag"}' }""")

# 8. product_product: new templates (name, type, category, unit from rules); two active variants of
#    one template with one combination: the partial unique index product_product_combination_unique.
rows = []
for i in range(100):
    rows.append([101 + i, pick(1, 2, 3, 21, 22), "IMP_%04d" % i, "" if i % 3 else "2%012d" % i, "v%d" % i, "true"])
write("product_product_clean", ["id", "product_tmpl_id", "default_code", "barcode", "combination_indices", "active"], rows, TEMPLATES)
rows[61][1] = 21; rows[62][1] = 21; rows[62][4] = rows[61][4]
write("product_product", ["id", "product_tmpl_id", "default_code", "barcode", "combination_indices", "active"], rows, TEMPLATES)

# ---------------------------------------------------------------- Mastodon/Rails-style
# 9. statuses: replies and reblogs of statuses in the input, in the seed and missing (5001, 5002),
#    new accounts, timestamps Rails would set; one visibility the CHECK refuses.
rows = []
for i in range(240):
    sid = 1001 + i
    reply = pick("", "", "", 1, 5001, 1001 + random.randrange(240))
    reblog = pick("", "", "", "", "", 2, 5002) if reply == "" else ""
    rows.append([sid, pick(1, 2, 3, 201, 202, 203, 204), "toot %d" % i, ts(i), ts(i), reply, reblog, pick(0, 0, 1, 2, 3), "en"])
rows[130][7] = 7
seen = set()
for r in rows:  # one reblog of a status per account (index_statuses_on_reblog_of_id_and_account_id)
    if r[6] != "":
        if (r[6], r[1]) in seen:
            r[6] = ""
        seen.add((r[6], r[1]))
write("statuses", ["id", "account_id", "text", "created_at", "updated_at", "in_reply_to_id", "reblog_of_id", "visibility", "language"], rows,
      ACCOUNTS % ("user", "account_id") + STATUSES + """
      created_at: { value: now }
      updated_at: { value: now }""")
# 9b. statuses of two new accounts, no rules: both take username's DEFAULT '' (the lower(username) unique index).
write("statuses_newaccounts", ["id", "account_id", "text", "created_at", "updated_at"],
      [[2001, 1, "a", ts(1), ts(1)], [2002, 211, "b", ts(2), ts(2)], [2003, 212, "c", ts(3), ts(3)]])
# 9c. two reblogs of one status by one account.
write("statuses_reblogs", ["id", "account_id", "text", "created_at", "updated_at", "reblog_of_id"],
      [[2101, 2, "", ts(1), ts(1), 4], [2102, 2, "", ts(2), ts(2), 4], [2103, 1, "", ts(3), ts(3), 4]])

# 10. favourites: new statuses (account from a rule, timestamps by name), new accounts, repeats.
rows = [[pick(1, 2, 3, 301, 302, 303), pick(1, 2, 3, 4, 7001, 7002, 7003, 7004, 7005), ts(i), ts(i)] for i in range(200)]
write("favourites", ["account_id", "status_id", "created_at", "updated_at"], rows, ACCOUNTS % ("fav", "account_id") + STATUSES)

# 11. follows: new target accounts, three self-follows (follows_not_self).
rows = [[pick(1, 2, 3), pick(1, 2, 3, 411, 412, 413, 414, 415), ts(i), ts(i)] for i in range(120)]
write("follows", ["account_id", "target_account_id", "created_at", "updated_at"], rows, ACCOUNTS % ("acct", "target_account_id"))
# 11b. every new account would be "ghost" (the lower(username) unique index).
write("follows_ghosts", ["account_id", "target_account_id", "created_at", "updated_at"],
      [[1, 421, ts(1), ts(1)], [2, 422, ts(2), ts(2)]], """
  s17soc.accounts:
    columns:
      username: { value: ghost }""")

# 12. statuses_tags: new tags (name, timestamps from rules), new statuses, repeated pairs.
rows = [[pick(1, 2, 3, 4, 8001, 8002, 8003), pick(1, 2, 21, 22, 23, 24)] for _ in range(150)]
write("statuses_tags", ["status_id", "tag_id"], rows, """
  s17soc.tags:
    columns:
      name: { template: "tag{tag_id}" }
      created_at: { value: now }
      updated_at: { value: now }""" + STATUSES + """
      created_at: { value: now }
      updated_at: { value: now }""")

# 13. notifications (polymorphic activity, no FK): new senders; read by a --query that drops polls.
rows = [[1000 + i, pick("Status", "Favourite", "Follow"), ts(i), ts(i), pick(1, 2), pick(1, 2, 3, 501, 502, 503), pick("mention", "favourite", "follow", "poll")]
        for i in range(150)]
write("notifications", ["activity_id", "activity_type", "created_at", "updated_at", "account_id", "from_account_id", "type"], rows,
      ACCOUNTS % ("n", "from_account_id"))

# 14. mentions reloaded by status: the seed statuses, a new mentioned account.
rows = [[pick(1, 2, 3, 4), pick(1, 2, 3, 601), ts(i), ts(i), pick("true", "false")] for i in range(30)]
seen = set()
rows = [r for r in rows if (r[0], r[1]) not in seen and not seen.add((r[0], r[1]))]
write("mentions", ["status_id", "account_id", "created_at", "updated_at", "silent"], rows, ACCOUNTS % ("m", "account_id"))

# 15. users: new accounts (one user each: index_users_on_account_id), two repeated emails, a repeated account.
rows = [[ "u%d@example.com" % i, 701 + i, pick("en", "de", "fr", ""), ts(i), ts(i)] for i in range(80)]
rows[30][0] = rows[29][0]; rows[60][0] = rows[10][0]; rows[40][1] = rows[39][1]
write("users", ["email", "account_id", "locale", "created_at", "updated_at"], rows, ACCOUNTS % ("u", "account_id"))
