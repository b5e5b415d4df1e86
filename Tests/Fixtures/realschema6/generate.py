#!/usr/bin/env python3
"""Writes the sixth sweep's CSV inputs and rules files next to app.sql (deterministic: seed 21).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
The inputs are what these applications' users feed a loader: a Spree/Solidus catalogue
and order export (bigint ids, Rails timestamps given, ISO country codes), Redmine custom
values, Airflow metadata copied from another deployment (task instances by (dag_id,
task_id, run_id, map_index), xcom rows, FAB users), and a Hasura storefront export keyed
by uuid and enum-table values.
"""
import csv, io, os, random, uuid

random.seed(21)
HERE = os.path.dirname(os.path.abspath(__file__))
ADA, GRACE = "6f1a2b3c-0000-4000-8000-000000000001", "6f1a2b3c-0000-4000-8000-000000000002"


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


def rules(name, text):
    with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
        f.write(text.strip("\n") + "\n")


def new_uuid():
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def stamp(day, minute=0):
    return "2024-07-%02d %02d:%02d:00.%06d" % (day, 9 + minute // 60, minute % 60, random.randint(0, 999999))


# ---------------------------------------------------------------- Spree/Solidus
# spree_addresses: a customer export with two countries the store does not have yet (by iso).
addresses = []
for i in range(1, 61):
    iso = random.choice(["US", "DE", "FR", "JP", "NL", "SE"])
    t = stamp(i % 28 + 1, i)
    addresses.append(["Customer %d" % i, "%d Example Rd" % i, "City %d" % (i % 7), "%05d" % (1000 + i), iso, t, t])
write("spree_addresses", ["name", "address1", "city", "zipcode", "country_iso", "created_at", "updated_at"], addresses)

# spree_taxons: a category tree imported with its ids; parents later in the file, one (90) nowhere.
taxons = [[20, 21, "Mugs", "categories/kitchen/mugs", 1], [21, 22, "Kitchen", "categories/kitchen", 1],
          [22, 1, "Home", "categories/home", 1], [23, 90, "Tees", "categories/clothing/tees", 1],
          [24, 2, "Hoodies", "categories/clothing/hoodies", 1], [25, 91, "Acme", "brand/acme", 2]]
for t in taxons:
    ts = stamp(5)
    t += [ts, ts]
write("spree_taxons", ["id", "parent_id", "name", "permalink", "taxonomy_id", "created_at", "updated_at"], taxons, rules="""
tables:
  's21app.spree_taxons':
    columns:
      name: { template: "Imported {parent_id}" }
      permalink: { template: "imported/{parent_id}" }
      created_at: { value: now }
      updated_at: { value: now }
""")

# spree_line_items: new variants (by id) of an order export, new orders too; three negative prices.
items = []
for n, order in enumerate(range(3, 43)):
    for variant in sorted(random.sample([1, 2, 3, 7, 8], random.randint(1, 3))):
        price = "%.2f" % (random.randint(100, 4000) / 100)
        t = stamp(n % 28 + 1, n)
        items.append([variant, order, random.randint(1, 4), price, t, t])
for row in (4, 20, 50):   # check_price_positive refuses these three
    items[row][3] = "-1.00"
write("spree_line_items", ["variant_id", "order_id", "quantity", "price", "created_at", "updated_at"], items, rules="""
tables:
  's21app.spree_variants':
    columns:
      sku: { template: "IMPORT-{variant_id}" }
""")

# spree_variants: new variants of new products (by id); one sku is a deleted variant's, one a live one's.
variants = []
for i in range(1, 31):
    t = stamp(i % 28 + 1)
    variants.append(["NEW-%03d" % i, random.choice([1, 2, 4, 5]), "%.2f" % (random.randint(100, 900) / 100), t, t])
write("spree_variants", ["sku", "product_id", "cost_price", "created_at", "updated_at"], variants + [["CAP-001", 4, "2.00", stamp(3), stamp(3)]])
write("spree_variants_live_sku", ["sku", "product_id", "cost_price", "created_at", "updated_at"], variants + [["MUG-001", 4, "3.10", stamp(3), stamp(3)]])

# spree_adjustments: promotions of an order export; adjustable_type/adjustable_id name line items
# and orders that do not exist (polymorphic: no FK, nothing to backfill), order_id 50-52 new.
adjustments = []
for i in range(1, 41):
    order = random.choice([1, 2, 50, 51, 52])
    kind = random.choice(["Spree::LineItem", "Spree::Order", "Spree::Shipment"])
    t = stamp(i % 28 + 1)
    adjustments.append([kind, 9000 + i, "Spree::PromotionAction", random.randint(1, 3), "-%.2f" % (random.randint(50, 500) / 100),
                        "Promotion (SUMMER)", order, t, t])
write("spree_adjustments", ["adjustable_type", "adjustable_id", "source_type", "source_id", "amount", "label", "order_id", "created_at", "updated_at"],
      adjustments)

# ---------------------------------------------------------------- Redmine
# custom_values of issues/projects by (customized_type, customized_id), custom fields 3 and 4 new;
# issue 77 and project 9 do not exist (polymorphic: nothing to backfill).
values = [["Issue", 1, 1, "low"], ["Issue", 2, 1, "high"], ["Issue", 77, 3, "2024-08-01"], ["Project", 1, 2, "2500"],
          ["Project", 1, 4, "ops"], ["Project", 9, 4, "dev"], ["Issue", 1, 3, "2024-07-15"]]
write("custom_values", ["customized_type", "customized_id", "custom_field_id", "value"], values)

# ---------------------------------------------------------------- Airflow
DAGS_AND_RUNS = """
tables:
  's21af.dag':
    columns:
      is_paused: { value: true }
      is_active: { value: false }
      max_active_tasks: { value: 16 }
      max_active_runs: { value: 16 }
      has_task_concurrency_limits: { value: false }
  's21af.dag_run':
    columns:
      execution_date: { from: start_date, pick: min }
      run_type: { value: "backfill" }
      state: { value: "success" }
      external_trigger: { value: false }
"""
RUNS = [("example_etl", "scheduled__2024-07-01T00:00:00+00:00"), ("example_etl", "scheduled__2024-07-03T00:00:00+00:00"),
        ("example_etl", "scheduled__2024-07-04T00:00:00+00:00"), ("warehouse_sync", "scheduled__2024-07-01T02:00:00+00:00"),
        ("warehouse_sync", "manual__2024-07-02T08:15:00+00:00"), ("ml_features", "scheduled__2024-07-01T00:00:00+00:00")]
tis = []
for dag, run in RUNS:
    day = int(run.split("__")[1][8:10])
    for task in ("extract", "transform", "load", "notify"):
        if (dag, run, task) in (("example_etl", RUNS[0][1], "extract"), ("example_etl", RUNS[0][1], "load")):
            continue
        for map_index in ([-1] if task != "transform" else [0, 1, 2]):
            state = random.choice(["success", "success", "failed", "skipped", "upstream_failed"])
            if (dag, task, map_index) in (("warehouse_sync", "notify", -1), ("ml_features", "load", -1)):
                state = "shutdown"   # removed in Airflow 2.8: ck_task_instance_state refuses it
            start = "2024-07-%02d %02d:%02d:00+00" % (day, random.randint(0, 9), random.randint(0, 59))
            tis.append([dag, task, run, map_index, start, state, random.randint(1, 3), "default_pool", 1, "default",
                        random.randint(1, 10), random.choice(["PythonOperator", "BashOperator", "SQLExecuteQueryOperator"]),
                        "airflow-worker-%d" % random.randint(0, 3)])
TI_HEADER = ["dag_id", "task_id", "run_id", "map_index", "start_date", "state", "try_number", "pool", "pool_slots", "queue",
             "priority_weight", "operator", "hostname"]
write("task_instance", TI_HEADER, tis, rules=DAGS_AND_RUNS)
# Every new run of a dag at one execution_date: dag_run_dag_id_execution_date_key refuses the second.
rules("task_instance_one_date", DAGS_AND_RUNS.replace("{ from: start_date, pick: min }", '{ value: "2024-07-01 00:00:00+00" }'))
# Reloaded by run: example_etl's first run gets its four tasks again (its xcom rows go with the DELETE's cascade).
reload = [r for r in tis if r[0] == "example_etl" and r[2] == RUNS[0][1]]
reload.append(["example_etl", "extract", RUNS[0][1], -1, "2024-07-01 00:01:00+00", "success", 2, "default_pool", 1, "default", 3,
               "PythonOperator", "airflow-worker-0"])
write("task_instance_reload", TI_HEADER, reload)

# xcom pushed by task instances the database lacks, of runs it lacks too (dag example_etl and reporting exist).
xcoms = []
for run_number, (dag, run) in enumerate((("example_etl", "scheduled__2024-07-01T00:00:00+00:00"), ("example_etl", "scheduled__2024-07-05T00:00:00+00:00"),
                 ("reporting", "scheduled__2024-07-01T06:00:00+00:00"), ("reporting", "scheduled__2024-07-02T06:00:00+00:00")), start=1):
    for task in ("extract", "transform"):
        for key in ("return_value", "row_count"):
            xcoms.append([run_number, dag, task, run, -1, key, "\\x8004950c000000000000008c08", "2024-07-%s 01:00:00+00" % run.split("-")[2][:2]])
write("xcom", ["dag_run_id", "dag_id", "task_id", "run_id", "map_index", "key", "value", "timestamp"], xcoms, rules="""
tables:
  's21af.task_instance':
    columns:
      pool: { value: "default_pool" }
      pool_slots: { value: 1 }
      state: { value: "success" }
  's21af.dag_run':
    columns:
      execution_date: { from: timestamp, pick: min }
      run_type: { value: "scheduled" }
""")
# The same, with one run of a dag the database lacks (its NOT NULL columns have no rule): the load fails.
write("xcom_new_dag", ["dag_run_id", "dag_id", "task_id", "run_id", "map_index", "key", "value", "timestamp"],
      xcoms + [[5, "billing_sync", "extract", "scheduled__2024-07-03T00:00:00+00:00", -1, "return_value", "\\x8004950c000000000000008c08",
                "2024-07-03 01:00:00+00"]])

# ab_user_role: a role sync from LDAP by user id, users 3-6 new.
pairs = sorted({(random.choice([1, 2, 3, 4, 5, 6]), random.choice([1, 2, 3, 4])) for _ in range(20)})
write("ab_user_role", ["user_id", "role_id"], [list(p) for p in pairs], rules="""
tables:
  's21af.ab_user':
    columns:
      first_name: { value: "LDAP" }
      last_name: { template: "user {user_id}" }
      username: { template: "ldap-{user_id}" }
      email: { template: "ldap-{user_id}@example.com" }
      active: { value: true }
""")

# ---------------------------------------------------------------- Hasura
NEW_USERS = [new_uuid() for _ in range(4)]
orders = []
for i in range(1, 81):
    status = random.choice(["pending", "paid", "shipped", "refunded", "paid"])
    user = random.choice([ADA, GRACE] + NEW_USERS)
    total = "%.2f" % (random.randint(0, 20000) / 100)
    orders.append([new_uuid(), user, status, total, "storefront import"])
write("orders", ["id", "user_id", "status", "total", "note"], orders, rules="""
tables:
  's21app.users':
    columns:
      email: { template: "{user_id}@import.invalid" }
""")
rules("orders_one_email", """
tables:
  's21app.users':
    columns:
      email: { value: "import@example.com" }
""")
# The storefront's import batch, read through the view pending_order_import (batch 'pending') or a query.
write("order_import", ["batch", "order_ref", "user_id", "status", "total", "note"],
      [[random.choice(["pending", "pending", "done"])] + o[:4] + [""] for o in orders])

users = [[new_uuid(), "user%d@example.com" % i, "User %d" % i] for i in range(1, 21)]
write("users", ["id", "email", "display_name"], users + [[new_uuid(), "ada@example.COM", "Ada again"]])

# shipments: (carrier, service) a composite MATCH SIMPLE FK, NULL service on some rows, fedex new.
ships = []
for i in range(1, 31):
    carrier, service = random.choice([("ups", "ground"), ("dhl", "express"), ("fedex", "ground"), ("fedex", "2day"), ("ups", ""), ("", "")])
    ships.append([new_uuid(), random.choice(["0a0a0a0a-0000-4000-8000-000000000001", "0a0a0a0a-0000-4000-8000-000000000002"]),
                  carrier, service, "1Z%08d" % random.randint(0, 99999999), "2024-07-%02d 12:00:00+00" % random.randint(1, 28)])
write("shipments", ["id", "order_id", "carrier", "service", "tracking_number", "shipped_at"], ships)

# events: July, August, and a month no partition has yet (the DEFAULT partition takes it); kind 'refund' new.
events = []
for i in range(1, 61):
    when = random.choice(["2024-07-%02d", "2024-08-%02d", "2024-09-%02d"]) % random.randint(1, 28) + " 10:%02d:00+00" % random.randint(0, 59)
    events.append([random.choice(["login", "order_placed", "refund"]), random.choice([ADA, GRACE, ""]), "", '{"ip": "10.0.0.%d"}' % i, when])
write("events", ["kind", "user_id", "order_id", "payload", "created_at"], events)
# The same with an order's second 'order_paid' in July: only events_2024_07 has the unique (order_id, kind).
write("events_july_twice", ["kind", "user_id", "order_id", "payload", "created_at"],
      events + [["order_paid", ADA, "0a0a0a0a-0000-4000-8000-000000000001", "{}", "2024-07-20 10:00:00+00"]])
