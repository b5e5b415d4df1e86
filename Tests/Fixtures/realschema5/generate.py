#!/usr/bin/env python3
"""Writes the fifth sweep's CSV inputs and rules files next to app.sql (deterministic: seed 20).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
The inputs are what these applications' users feed a loader: Django fixtures flattened
to CSV (ids given, natural keys beside them), Supabase exports keyed by uuid and enum
labels, a Keycloak directory sync keyed by (realm, username) and varchar(36) ids.
"""
import csv, io, os, random, uuid

random.seed(20)
HERE = os.path.dirname(os.path.abspath(__file__))
ACME = "4a3c9f2e-0000-4000-8000-000000000002"
ADA, GRACE, LINUS = ("00000000-0000-4000-8000-00000000000%d" % i for i in (1, 2, 3))


def write(name, header, rows, rules=None):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
        f.write(out.getvalue())
    if rules:
        with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
            f.write(rules.strip("\n") + "\n")


def new_uuid():
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


# ---------------------------------------------------------------- Django
# auth_permission: the permissions of two new models, their content types new by id, with
# (app_label, model) beside them for the new django_content_type rows.
perms = []
for ct, (app, model) in ((10, ("blog", "post")), (11, ("blog", "comment")), (8, ("shop", "product"))):
    for action in ("export", "import", "archive"):
        perms.append([ct, "%s_%s" % (action, model), "Can %s %s" % (action, model), app, model])
write("auth_permission", ["content_type_id", "codename", "name", "app_label", "model"], perms)
# A new content type id whose (app_label, model) is taken: the unique key refuses it.
write("auth_permission_taken", ["content_type_id", "codename", "name", "app_label", "model"],
      perms + [[12, "export_category", "Can export category", "shop", "category"]])

# auth_user_groups: memberships of new users and new groups.
USERS = """
tables:
  's20app.auth_user':
    columns:
      password: { value: "!" }
      is_superuser: { value: false }
      username: { template: "imported-{user_id}" }
      first_name: { value: "" }
      last_name: { value: "" }
      email: { template: "{user_id}@import.invalid" }
      is_staff: { value: false }
      is_active: { value: true }
      date_joined: { value: now }
  's20app.auth_group':
    columns:
      name: { template: "imported-group-{group_id}" }
"""
members = sorted({(random.choice([1, 2, 3, 40, 41, 42, 43]), random.choice([1, 2, 7, 8])) for _ in range(60)})
write("auth_user_groups", ["user_id", "group_id"], [[u, g] for u, g in members], rules=USERS)
# The FK to auth_user skipped: PostgreSQL checks the deferred FK at commit and refuses users 40-43.
write("auth_user_groups_skip", ["user_id", "group_id"], [[u, g] for u, g in members], rules="""
tables:
  's20app.auth_group':
    columns:
      name: { template: "imported-group-{group_id}" }
foreign_keys:
  auth_user_groups_user_id_6a12ed8b_fk_auth_user_id: { skip: true }
""")

# shop_product: new categories by slug; jsonb NOT NULL with no default; three negative qty.
CATEGORIES = """
tables:
  's20app.shop_category':
    columns:
      name: { template: "Imported {category_slug}" }
      attributes: { value: "{}" }
"""
products = []
for i in range(1, 121):
    slug = random.choice(["books", "fiction", "garden", "toys", "kitchen", "outdoor-living"])
    qty = -1 if i in (17, 58, 99) else random.randint(0, 40)
    products.append(["IM-%04d" % i, "Imported item %d" % i, '{"source": "import", "n": %d}' % i, qty, slug, random.choice([1, 2, 3, ""])])
write("shop_product", ["sku", "name", "metadata", "qty", "category_slug", "created_by_id"], products, rules=CATEGORIES)

# shop_category: a deferred self-reference, parents given later in the file and one (id 90) nowhere.
cats = [[10, "kids", "Kids", "{}", 11], [11, "family", "Family", "{}", ""], [12, "crime", "Crime", '{"age": 16}', 2],
        [13, "poetry", "Poetry", "{}", 90], [14, "ponds", "Ponds", "{}", 3], [15, "picture-books", "Picture books", "{}", 10]]
write("shop_category", ["id", "slug", "name", "attributes", "parent_id"], cats, rules="""
tables:
  's20app.shop_category':
    columns:
      slug: { template: "imported-{parent_id}" }
      name: { template: "Imported {parent_id}" }
      attributes: { value: "{}" }
""")

# shop_orderline: new products by sku (their category a new slug too), CHECK ("quantity" >= 0) on 3 rows.
LINES = """
tables:
  's20app.shop_product':
    columns:
      name: { template: "Imported {product_sku}" }
      metadata: { value: "{}" }
      qty: { value: 0 }
      category_slug: { value: "uncategorised" }
  's20app.shop_category':
    columns:
      name: { value: "Uncategorised" }
      attributes: { value: "{}" }
"""
lines = []
for order in range(2001, 2081):
    for sku in sorted(random.sample(["BK-0001", "BK-0002", "GD-0001", "NW-0001", "NW-0002", "NW-0003"], random.randint(1, 3))):
        lines.append(["SO-%d" % order, sku, random.randint(1, 5), "%.2f" % (random.randint(100, 9000) / 100), '{"channel": "web"}',
                      "2024-07-%02d 10:00:00+00" % (order % 28 + 1)])
for n in (5, 40, 77):
    lines[n][2] = -2
write("shop_orderline", ["order_ref", "product_sku", "quantity", "price", "extra", "created_at"], lines, rules=LINES)
# An order reloaded: SO-1001 and SO-1003 again, with a new product.
write("shop_orderline_reload", ["order_ref", "product_sku", "quantity", "price", "extra", "created_at"],
      [["SO-1001", "BK-0001", 2, "25.00", "{}", "2024-06-01 09:00+00"], ["SO-1001", "NW-0009", 1, "5.00", "{}", "2024-06-01 09:00+00"],
       ["SO-1003", "BK-0002", 1, "15.00", "{}", "2024-06-03 09:00+00"]])

# ---------------------------------------------------------------- Supabase
write("todos", ["user_id", "task", "is_complete"], [[ADA, "task number %d" % i, random.choice(["true", "false", ""])] for i in range(40)])
write("todos_other_user", ["user_id", "task"], [[ADA, "task number %d" % i] for i in range(10)] + [[GRACE, "not mine to add"]])
# New users' profiles: new uuid keys of auth.users, whose on_auth_user_created trigger writes the profile first.
newbies = [new_uuid() for _ in range(5)]
write("profiles_new_users", ["id", "username", "full_name", "email"],
      [[u, "newbie%d" % i, "Newbie %d" % i, "newbie%d@example.com" % i] for i, u in enumerate(newbies)])
# Existing users' profiles updated through a load: the row exists, so the load refuses it.
write("user_roles", ["user_id", "role"],
      [[u, r] for u, r in [(ADA, "moderator"), (GRACE, "admin"), (LINUS, "member"), (GRACE, "member")]]
      + [[u, "member"] for u in newbies[:2]],
      rules="""
tables:
  's20app.roles':
    columns:
      description: { template: "Imported role {role}" }
""")
# A label the enum does not have: PostgreSQL cannot read it.
write("user_roles_editor", ["user_id", "role"], [[ADA, "member"], [GRACE, "editor"], [LINUS, "member"]], rules="""
tables:
  's20app.roles':
    columns:
      description: { template: "Imported role {role}" }
""")
write("messages", ["user_id", "channel_id", "message"],
      [[ADA, random.choice([1, 2, 3, 4]), "hello %d" % i] for i in range(50)], rules="""
tables:
  's20app.channels':
    columns:
      slug: { template: "imported-{channel_id}" }
      created_by: { value: "%s" }
""" % ADA)
# New channels created_by another user than the signed-in one: channels' WITH CHECK refuses them.
write("messages_other_creator", ["user_id", "channel_id", "message"], [[ADA, 3, "hello"], [ADA, 1, "again"]], rules="""
tables:
  's20app.channels':
    columns:
      slug: { template: "imported-{channel_id}" }
      created_by: { value: "%s" }
""" % GRACE)
# No role column: every row takes the DEFAULT 'member', a label roles has no row for.
write("invites_default_role", ["email", "invited_by"], [["x%d@example.com" % i, random.choice([ADA, GRACE])] for i in range(6)])
write("invites", ["email", "invited_by", "role"],
      [["guest%d@example.com" % i, ADA, random.choice(["member", "moderator"])] for i in range(20)] + [["Guest3@Example.com", ADA, "member"]],
      rules="""
tables:
  's20app.roles':
    columns:
      description: { template: "Imported role {role}" }
""")
# Comments on the signed-in user's todo (id 1) and on another user's (id 2), which the
# SELECT policy hides from this role: the load takes it for missing, and its insert clashes.
write("todo_comments", ["todo_id", "body"], [[1, "comment %d" % i] for i in range(8)])
write("todo_comments_hidden", ["todo_id", "body"], [[1, "comment %d" % i] for i in range(8)] + [[2, "on a todo I cannot see"]], rules="""
tables:
  's20app.todos':
    columns:
      user_id: { value: "%s" }
      task: { value: "imported" }
""" % ADA)

# ---------------------------------------------------------------- Keycloak
groups = [["g-%04d" % i, "team-%d" % i, "g-%04d" % (i + 1) if i % 4 else "g-root-0001", ACME] for i in range(10, 30)]
groups[7][2] = "g-9999"  # a parent nowhere: backfilled from the rules
write("keycloak_group", ["id", "name", "parent_group", "realm_id"], groups, rules="""
tables:
  's20app.keycloak_group':
    columns:
      name: { template: "imported-{parent_group}" }
      realm_id: { value: "%s" }
""" % ACME)
mappings = sorted({(random.choice(["r-admin-01", "r-user-02", "r-auditor-03", "r-billing-04"]),
                    random.choice(["g-root-0001", "g-dev-0002", "g-ops-0003"])) for _ in range(20)})
write("group_role_mapping", ["role_id", "group_id"], [list(m) for m in mappings], rules="""
tables:
  's20app.keycloak_role':
    columns:
      name: { template: "imported-{role_id}" }
  's20app.keycloak_group':
    columns:
      name: { template: "imported-{group_id}" }
      realm_id: { value: "%s" }
""" % ACME)
attrs = []
for user in ["kim", "lee", "max", "noor", "oli"]:
    for name in ["department", "locale", "employeeNumber"]:
        attrs.append([ACME, user, name, "%s-%s" % (name, user)])
write("user_attribute_import", ["realm_id", "username", "name", "value"], attrs, rules="""
tables:
  's20app.user_entity':
    columns:
      id: { sql: "gen_random_uuid()::text" }
      enabled: { value: true }
""")
