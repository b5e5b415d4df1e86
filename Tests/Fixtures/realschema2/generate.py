#!/usr/bin/env python3
"""Writes the second sweep's CSV inputs and rules files next to app.sql (deterministic: seed 14).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
Each input mixes keys the seed rows have, new keys a backfill must add, blanks and a few
bad rows (CHECK, enum, domain, duplicate key, a partition that does not exist).
"""
import csv, os, random, uuid

random.seed(14)
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


def uid(n):
    return str(uuid.UUID(int=n))


USERS = """
  s14app.users:
    columns:
      username: { template: "imported{%s}" }"""
TOPICS = """
  s14app.topics:
    columns:
      title: { template: "Imported topic {%s}" }"""
ORDERS = """
  s14wh.sales_orders:
    columns:
      customer_id: { value: 10000000-0000-0000-0000-000000000001 }"""
GROUPS = """
  s14app.groups:
    columns:
      name: { template: "Imported Group {%s}" }"""

# 1. posts: the target in the topics/posts cycle; new topics and users; blank raw, duplicate post numbers.
rows = []
for i in range(240):
    rows.append([1001 + i, pick(1, 2, 3, 201, 202, 203, 204), pick(1, 2, 3, 4, "", 301, 302, 303), 10 + i, pick("", "", 1, 2),
                 "post %d" % i])
rows[30][5] = ""; rows[77][3] = rows[76][3]; rows[77][1] = rows[76][1]
write("posts", ["id", "topic_id", "user_id", "post_number", "reply_to_post_number", "raw"], rows,
      TOPICS % "topic_id" + USERS % "user_id")

# 2. topic_tags: new tags differing only in case from what the trigger stores (citext), duplicates.
rows = []
for i in range(200):
    rows.append([pick(1, 2, 3, 201, 202), pick("howto", "bug", "Feature", "Docker", "docker", "Linux", "postgres", "HowTo")])
write("topic_tags", ["topic_id", "tag_name"], rows, TOPICS % "topic_id")
# 2b. a new tag with blanks around it: the tags trigger trims it.
write("topic_tags_padded", ["topic_id", "tag_name"], [[1, "bug"], [2, " kubernetes "], [3, "howto"]])

# 3. post_actions: new posts (topic from a rule, post number from the trigger), new users, a type the rules skip.
rows = []
for i in range(250):
    rows.append([pick(1, 2, 3, 4, 150, 151, 152), pick(1, 2, 3, 301, 302, 303, 304), pick(1, 2, 2, 2, 3, 9)])
write("post_actions", ["post_id", "user_id", "post_action_type_id"], rows,
      """
  s14app.post_action_types:
    mode: skip
  s14app.posts:
    columns:
      topic_id: { value: 1 }
      post_number: { value: 0 }
      raw: { value: "(imported)" }""" + USERS % "user_id")

# 4. user_badges: new badges by name, new users; a partial unique index (badge, user) WHERE seq = 0.
rows = []
for i in range(220):
    rows.append([pick("Basic", "Editor", "Leader", "First Like", "Autobiographer"), pick(1, 2, 3, 310, 311, 312),
                 pick(-1, -1, 1), pick("", "", 1, 2), i + 1])
rows[5] = ["Basic", 1, -1, "", 0]; rows[6] = ["Basic", 1, -1, "", 0]
write("user_badges", ["badge_name", "user_id", "granted_by_id", "post_id", "seq"], rows, USERS % "user_id")

# 5. category_users: new categories (slug from the trigger), new users, an enum value that does not exist; reloaded by category.
rows = []
seen = set()
while len(rows) < 200:
    c, u = pick(1, 2, 3, 20, 21, 22), pick(1, 2, 3, 320 + random.randrange(50))
    if (c, u) in seen:
        continue
    seen.add((c, u))
    rows.append([c, u, pick("normal", "tracking", "watching", "muted")])
rows[12][2] = "loud"
write("category_users", ["category_id", "user_id", "notification_level"], rows, """
  s14app.categories:
    columns:
      name: { template: "Imported category {category_id}" }""" + USERS % "user_id")

# 6. user_profiles: new users and locales, a website CHECK.
rows = []
for i in range(200):
    rows.append([400 + i, pick("Berlin", "", "Lisbon"), pick("en", "de", "fr", "es", ""), "bio %d" % i,
                 pick("", "https://example.com/%d" % i), pick("", "Basic", "Editor")])
rows[50][4] = "ftp://nope"
write("user_profiles", ["user_id", "location", "locale", "bio_raw", "website", "badge_name"], rows, USERS % "user_id")
# 6b. a new locale the locales trigger rewrites (pt-PT becomes pt_PT).
write("user_profiles_dash", ["user_id", "locale"], [[1, "en"], [2, "pt-PT"], [3, "de"]])

# 7. uploads: uuid keys given, new users, a bad sha1 (domain).
rows = []
for i in range(200):
    rows.append([uid(0x20000000 + i), pick(1, 2, 3, 330, 331), "file%d.png" % i, pick("", "%040x" % random.getrandbits(160)), i * 10])
rows[9][3] = "XYZ"
write("uploads", ["id", "user_id", "original_filename", "sha1", "filesize"], rows, USERS % "user_id")

# 8. upload_references: new uploads by uuid (their user from a rule), a polymorphic target_type CHECK.
rows = []
for i in range(200):
    rows.append([pick(uid(1), uid(2), uid(0x30000000 + random.randrange(5))), pick("Post", "User", "Category"), i + 1])
rows[100][1] = "Topic"
write("upload_references", ["upload_id", "target_type", "target_id"], rows, """
  s14app.uploads:
    columns:
      user_id: { value: -1 }
      original_filename: { template: "imported-{upload_id}" }""")

# 9. topic_views: partitioned by date; new topics; a date without a partition.
rows = []
seen = set()
while len(rows) < 250:
    r = (pick(1, 2, 3, 210, 211), "2024-%02d-%02d" % (random.randint(1, 12), random.randint(1, 28)) if random.random() < .5
         else "2025-%02d-%02d" % (random.randint(1, 12), random.randint(1, 28)), "10.0.%d.%d" % (random.randint(0, 3), random.randint(1, 250)))
    if r in seen:
        continue
    seen.add(r)
    rows.append([r[0], r[1], pick("", 1, 2, 3), r[2]])
write("topic_views", ["topic_id", "viewed_at", "user_id", "ip_address"], rows, TOPICS % "topic_id")
rows2 = rows[:20] + [[1, "2026-02-01", "", "10.9.9.9"]]
write("topic_views_2026", ["topic_id", "viewed_at", "user_id", "ip_address"], rows2, TOPICS % "topic_id")

# 10. group_users: new groups (a name CHECK the groups trigger makes true), new users; the users/groups cycle.
rows = []
seen = set()
while len(rows) < 200:
    g, u = pick(1, 2, 3, 30, 31, 32), pick(1, 2, 3, 340 + random.randrange(60))
    if (g, u) in seen:
        continue
    seen.add((g, u))
    rows.append([g, u, pick("false", "true"), pick("normal", "watching")])
write("group_users", ["group_id", "user_id", "owner", "notification_level"], rows, GROUPS % "group_id" + USERS % "user_id")

# 11. order_lines: new orders (customer from a rule), new products and units; a CHECK calling qty_fits(); reloaded by order.
rows = []
lines = {}
for i in range(260):
    o = pick("SO-1", "SO-2", "SO-100", "SO-101", "SO-102", "SO-103")
    lines[o] = lines.get(o, 0) + 1
    u = pick("EA", "EA", "BOX", "KG", "L")
    rows.append([o, lines[o], pick("HAM-100", "NAIL-5", "ROPE-10", "DRILL-9", "SAW-2"), pick(1, 2, 5) if u != "KG" else pick("1.5", "2"), u,
                 pick("9.99", "1.00", "0")])
rows[20][3] = "2.5"; rows[20][4] = "EA"
write("order_lines", ["order_no", "line_no", "sku", "qty", "unit", "unit_price"], rows, ORDERS)
# 11b. a new order in lower case: the sales_orders trigger upper-cases it.
write("order_lines_lower", ["order_no", "line_no", "sku", "qty", "unit"], [["SO-1", 50, "HAM-100", 1, "EA"], ["so-500", 1, "HAM-100", 1, "EA"]], ORDERS)

# 12. stock_movements: partitioned by month; new locations of a new warehouse (composite FK, a chain); new orders.
rows = []
for i in range(240):
    wh, b = pick(("BER1", "A-01"), ("BER1", "A-02"), ("HAM1", "R-10"), ("FRA1", "F-01"), ("FRA1", "F-02"), ("BER1", "B-07"))
    rows.append(["2025-%02d-%02d" % (random.randint(1, 3), random.randint(1, 28)), pick("receipt", "issue", "transfer"),
                 pick("HAM-100", "NAIL-5", "ROPE-10", "SAND-1"), wh, b, pick(1, 5, "2.5"), pick("", "", "SO-1", "SO-300")])
rows[15][6] = "0"; rows[16][1] = "theft"
write("stock_movements", ["moved_on", "kind", "sku_key", "warehouse_code", "bin_code", "qty", "order_no"], rows, ORDERS)
# 12b. a new product by its generated key (sku_key = upper(btrim(sku))): no insert can give it.
write("stock_movements_newsku", ["moved_on", "kind", "sku_key", "warehouse_code", "bin_code", "qty"],
      [["2025-01-05", "receipt", "HAM-100", "BER1", "A-01", 1], ["2025-01-06", "receipt", "WIDGET-1", "BER1", "A-01", 2]], """
  s14wh.products:
    columns:
      sku: { from: sku_key, pick: first }""")

# 13. price_list_items: new price lists (composite natural key) with a new currency, new products; a negative price.
rows = []
seen = set()
while len(rows) < 200:
    pl, cur = pick(("RETAIL", "EUR"), ("RETAIL", "USD"), ("WHOLESALE", "EUR"), ("WHOLESALE", "GBP"), ("RETAIL", "GBP"))
    r = (pl, cur, pick("HAM-100", "NAIL-5", "DRILL-9", "SAW-2"), "2025-%02d-01" % random.randint(1, 12))
    if r in seen:
        continue
    seen.add(r)
    rows.append(list(r[:3]) + [pick("1.00", "9.50", "120")] + [r[3]])
rows[3][3] = "-1"
write("price_list_items", ["price_list_code", "currency", "sku", "price", "valid_from"], rows, """
  s14wh.price_lists:
    columns:
      name: { template: "imported {price_list_code}" }""")

# 14. document_links: document 500 is a delivery note (only the inheritance child has it); new documents.
rows = []
for i in range(200):
    rows.append([pick(1, 2, 500, 600, 601), pick("Order", "Customer"), "K%d" % i, pick("", "note")])
write("document_links", ["document_id", "linked_type", "linked_key", "note"], rows)

# 15. sales_orders: new customers by uuid (customer_no from the trigger), new currencies and warehouses; a status CHECK.
rows = []
for i in range(200):
    rows.append(["SO-%d" % (1000 + i), pick(uid(0x10000000000000000000000000000001), uid(0x10000000000000000000000000000002), uid(0x40000000 + random.randrange(8))),
                 pick("EUR", "USD", "CHF"), "2025-03-%02d" % random.randint(1, 28), pick("open", "shipped"), pick("", "BER1", "FRA1")])
rows[44][4] = "lost"
write("sales_orders", ["order_no", "customer_id", "currency", "ordered_on", "status", "ship_from"], rows)
# 15b. a new currency in lower case: the currencies trigger upper-cases it.
write("sales_orders_lower", ["order_no", "customer_id", "currency"], [["SO-900", uid(0x10000000000000000000000000000001), "EUR"],
                                                                       ["SO-901", uid(0x10000000000000000000000000000001), "gbp"]])

# 16. users: the target in the users/groups cycle; new primary groups, new locales.
rows = []
for i in range(200):
    rows.append([500 + i, "member%d" % i, pick("", "m%d@example.org" % i), pick("new", "basic", "member"), pick("", "en", "de", "it"),
                 pick("", "", 1, 2, 40, 41)])
rows[60][1] = "alice"; rows[61][3] = "god"
write("users", ["id", "username", "email", "trust_level", "locale", "primary_group_id"], rows, GROUPS % "primary_group_id")

# 17. topics: the target in the topics/posts cycle (last_post_id), new categories and users.
rows = []
for i in range(200):
    rows.append([300 + i, "Topic %d" % i, pick("", 1, 2, 3, 50), pick(1, 2, 3, 360, 361), pick("", "", 1, 2, 3), pick("regular", "banner")])
rows[7][5] = "poll"
write("topics", ["id", "title", "category_id", "user_id", "last_post_id", "archetype"], rows, """
  s14app.categories:
    columns:
      name: { template: "Imported category {category_id}" }""" + USERS % "user_id")
