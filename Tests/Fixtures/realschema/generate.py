#!/usr/bin/env python3
"""Writes the sweep's CSV inputs and rules files next to app.sql (deterministic: seed 12).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
Each input mixes keys the seed rows have, new keys a backfill must add, blanks and a few
bad rows (CHECK, enum, domain, duplicate key), a few hundred rows each.
"""
import csv, os, random

random.seed(12)
HERE = os.path.dirname(os.path.abspath(__file__))
SHA = lambda: "%040x" % random.getrandbits(160)


def write(name, header, rows, rules=None):
    with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    if rules:
        with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
            f.write(rules.strip() + "\n")


def pick(*choices):
    return random.choice(choices)


PROJECT_RULES = """
  s12app.projects:
    columns:
      namespace_id: { value: 2 }
      name: { template: "imported-{%s}" }"""
USER_RULES = """
  s12app.users:
    columns:
      username: { template: "ghost-{%s}" }"""

# 1. issues: new projects, users and milestones; CHECK and NOT NULL failures.
rows = []
for i in range(260):
    rows.append([2001 + i, pick(1, 1, 2, 3, 5001, 5002, 5003), pick(1, 2, 3, "", 6001, 6002, 6003, 6004),
                 pick("", "", 1, 2, 3, 7001, 7002), "Issue %d" % i, pick("", "text", "a\nb"), pick(1, 1, 2), pick("", 0, 3, 5),
                 pick("false", "true")])
rows[17][6] = 3; rows[99][7] = -2; rows[150][4] = ""
write("issues", ["id", "project_id", "author_id", "milestone_id", "title", "description", "state_id", "weight", "confidential"], rows,
      "tables:" + PROJECT_RULES % "project_id" + USER_RULES % "author_id" + """
  s12app.milestones:
    columns:
      project_id: { from: project_id, pick: min }
      title: { template: "m-{milestone_id}" }""")

# 2. comments: a self-reference (parents earlier, later, in the table, nowhere), new issues.
rows = []
for i in range(240):
    parent = pick("", "", 1, 2, 3001 + random.randrange(240), 9001, 9002)
    rows.append([3001 + i, pick(1, 2, 3, 8001, 8002), pick(1, 2, "", 6001), parent, "comment %d" % i])
rows[40][4] = ""; rows[41][0] = 3001
write("comments", ["id", "issue_id", "author_id", "parent_id", "body"], rows, """
tables:
  s12app.issues:
    columns:
      project_id: { value: 1 }
      title: { template: "imported issue {issue_id}" }
  s12app.comments:
    columns:
      issue_id: { from: issue_id, pick: min }
      body: { value: "(deleted)" }""" + USER_RULES % "author_id")

# 3. merge_requests: the cycle with merge_request_diffs (latest diff new).
rows = []
for i in range(220):
    rows.append([4001 + i, pick(1, 2, 5001), pick("", 1, 2), pick(1, 2, 6001, ""), pick("Fix %d" % i, "Draft: wip %d" % i),
                 pick("", "", "", 1, 2, 9101, 9102), pick("opened", "merged", "closed")])
rows[77][6] = "reopened"
write("merge_requests", ["id", "target_project_id", "source_project_id", "author_id", "title", "latest_merge_request_diff_id", "state"], rows,
      "tables:" + PROJECT_RULES % "target_project_id" + USER_RULES % "author_id" + """
  s12app.merge_request_diffs:
    columns:
      merge_request_id: { from: id, pick: min }""")

# 4. merge_request_diffs: the other side of the cycle (new merge requests).
rows = []
for i in range(200):
    rows.append([5001 + i, pick(1, 2, 4501, 4502, 4503), pick("collected", "empty"), pick("", SHA()), pick(0, 1, 7)])
rows[5][3] = "XYZ"; rows[6][4] = ""
write("merge_request_diffs", ["id", "merge_request_id", "state", "head_commit_sha", "commits_count"], rows, """
tables:
  s12app.merge_requests:
    columns:
      target_project_id: { value: 1 }
      title: { template: "imported MR {merge_request_id}" }""")

# 5. merge_request_diff_commits: a composite key, new diffs.
rows = []
for d in (1, 2, 5501, 5502):
    for o in range(1 if d == 1 else 0, 70):
        rows.append([d, o, SHA(), "commit %d/%d" % (d, o)])
rows.append([1, 0, SHA(), "clashes with the seed row"])
rows.append([2, -1, SHA(), "negative order"])
rows[10][2] = "not-a-sha"
write("merge_request_diff_commits", ["merge_request_diff_id", "relative_order", "sha", "message"], rows, """
tables:
  s12app.merge_request_diffs:
    columns:
      merge_request_id: { value: 1 }""")

# 6. diff_note_positions: a composite MATCH FULL FK with new composite keys and half-NULL rows.
rows = []
for i in range(200):
    d, o = pick((1, 0), (1, 5), (2, 0), (2, 3), ("", ""), (1, 0))
    rows.append([6001 + i, pick("", 1, 2, 9301), d, o, 1 + random.randrange(300)])
rows[12][2:4] = [1, ""]; rows[13][4] = 0
write("diff_note_positions", ["id", "comment_id", "diff_id", "diff_order", "line"], rows, """
tables:
  s12app.merge_request_diff_commits:
    columns:
      sha: { value: "dddddddddddddddddddddddddddddddddddddddd" }
  s12app.comments:
    columns:
      issue_id: { value: 1 }
      body: { value: "(imported)" }""")

# 7. project_topics: a citext natural key (Ruby = ruby), new topics spelt two ways.
rows, seen = [], set()
for p in (1, 2, 3, 5101, 5102):
    for t in ("ruby", "Ruby", "go", "postgresql", "rust", "RUST", "elixir", "Zig", "k8s", "cloud-native"):
        if random.random() < 0.8 and (p, t.lower()) not in seen:
            seen.add((p, t.lower())); rows.append([p, t])
for i in range(200 - len(rows)):
    rows.append([5200 + i, pick("ruby", "go", "topic-%d" % (i % 40))])
rows.append([1, "ruby"])  # a duplicate of (project, topic)
write("project_topics", ["project_id", "topic_name"], rows, "tables:" + PROJECT_RULES % "project_id")

# 8. project_licenses: a varchar natural key whose parent trigger btrims it.
rows = []
for p in range(1, 4):
    for l in ("MIT", "Apache-2.0", "BSD-3-Clause", "mit"):
        rows.append([p, l])
for i in range(200):
    rows.append([5300 + i, pick("MIT", "GPL-3.0-only", "BSD-3-Clause", "MPL-2.0", "0BSD")])
write("project_licenses", ["project_id", "spdx_identifier"], rows, "tables:" + PROJECT_RULES % "project_id")
write("project_licenses_padded", ["project_id", "spdx_identifier"], [[1, "ISC "], [2, "ISC "], [3, "GPL-3.0-only"]])

# 9. user_details: users' AFTER INSERT trigger writes a detail row of its own for each new user;
#    countries' BEFORE INSERT trigger upper-cases the code.
rows = [[u, pick("DE", "FR", "US", "", "IT"), "bio %d" % u, pick("", "https://example.com/%d" % u)] for u in (1, 2, 3)]
write("user_details_existing", ["user_id", "country_code", "bio", "website_url"], rows)
write("user_details_lowercase", ["user_id", "country_code", "bio"], [[1, "es", "x"], [2, "DE", "y"]])
rows = [[6101 + i, pick("DE", "FR", "", "IT"), "bio", ""] for i in range(150)]
write("user_details_newusers", ["user_id", "country_code", "bio", "website_url"], rows, "tables:" + USER_RULES % "user_id")

# 10. events: a partitioned target (rows in three partitions), new projects and users.
rows = []
for i in range(300):
    rows.append([pick(1, 2, 3, 5001, ""), pick(1, 2, 6001, 6002), pick("Issue", "MergeRequest", "Note"), random.randrange(1, 500),
                 pick(1, 2, 5, 12), pick("2026-11-15 10:00:00+00", "2026-12-03 09:30:00+00", "2025-01-01 00:00:00+00")])
rows[3][4] = 13
write("events", ["project_id", "author_id", "target_type", "target_id", "action", "created_at"], rows,
      "tables:" + PROJECT_RULES % "project_id" + USER_RULES % "author_id")

# 11. audit_event_streaming_headers: 500 is a row of the inheritance child only (FROM ONLY fails).
rows = [[pick(1, 1, 500, 700, 701), "X-Header-%d" % i, "v%d" % i] for i in range(200)]
write("audit_event_streaming_headers", ["audit_event_id", "key", "value"], rows, """
tables:
  s12app.audit_events:
    columns:
      entity_type: { value: Imported }
      entity_id: { value: 0 }""")

# 12. ci_builds: a composite FK to ci_stages, new pipelines and stages; a target with an inheritance child.
rows = []
for i in range(250):
    pipe = pick(1, 1, 2, 7701, 7702)
    rows.append([10001 + i, pipe, pick("build", "test", "deploy", ""), pick("", 1), pick(1, 2, ""), pick("rspec %d" % i, " lint "),
                 pick("success", "failed", "created")])
rows[8][6] = "done"
write("ci_builds", ["id", "pipeline_id", "stage_name", "project_id", "user_id", "name", "status"], rows, """
tables:
  s12ci.ci_pipelines:
    columns:
      project_id: { value: 1 }""")

# 13. ci_job_artifacts: job 900 lives only in the inheritance child ci_builds_archived.
rows = [[pick(1, 2, 3, 900, 11001, 11002), 1, pick(1, 2, 3, 9), pick(0, 1024, "")] for _ in range(220)]
rows[4][2] = 0
write("ci_job_artifacts", ["job_id", "project_id", "file_type", "size"], rows)
write("ci_job_artifacts_nochild", ["job_id", "project_id", "file_type", "size"],
      [[pick(1, 2, 3, 11001, 11002), 1, pick(1, 2, 3, 9), pick(0, 1024, "")] for _ in range(220)])

# 14. deployments: new environments (their slug is a trigger's), deployable 900 in the child only.
rows = [[pick(1, 1, 2), pick(1, 2, 7801, 7802), pick("main", "v1"), pick("", SHA()), pick(1, 2, ""), pick("", 1, 2, 12001),
         pick(0, 1, 2)] for _ in range(200)]
write("deployments", ["project_id", "environment_id", "ref", "sha", "user_id", "deployable_id", "status"], rows, """
tables:
  s12app.environments:
    columns:
      project_id: { from: project_id, pick: min }
      name: { template: "env-{environment_id}" }""")
rows = [[1, pick(1, 2, 7801), "main", "", 1, 900, 0] for _ in range(20)]
write("deployments_child", ["project_id", "environment_id", "ref", "sha", "user_id", "deployable_id", "status"], rows, """
tables:
  s12app.environments:
    columns:
      project_id: { from: project_id, pick: min }
      name: { template: "env-{environment_id}" }""")

# 15. members: a nullable FK with a CHECK on it, a partial unique index, new users.
rows = []
for i in range(220):
    u = pick(1, 2, 3, 6201 + i, "")
    rows.append(["Project", 1000 + i, u, pick(10, 20, 30, 40), "", "x%d@example.com" % i if u == "" else "", pick("", 1)])
rows[9][3] = 35; rows[10][2] = ""; rows[10][5] = ""
write("members", ["source_type", "source_id", "user_id", "access_level", "requested_at", "invite_email", "created_by_id"], rows,
      "tables:" + USER_RULES % "user_id")

# 16. groups: the users ↔ groups cycle, a namespace a trigger creates when none is given.
rows = [[1100 + i, pick("", "", 1, 8801 + i), pick(1, 2, 6301, 6302, ""), "Group %d" % i, pick(0, 10, 20)] for i in range(200)]
rows[2][4] = 15
write("groups", ["id", "namespace_id", "owner_id", "name", "visibility_level"], rows, """
tables:
  s12app.namespaces:
    columns:
      name: { template: "ns-{namespace_id}" }""" + USER_RULES % "owner_id")

# 17. users: the other side of the cycle (new primary groups), enum, domain and citext clashes.
rows = [[2001 + i, "user%d" % i, pick("", "u%d@example.com" % i), pick("", "User %d" % i), pick("", 1, 2, 8901, 8902),
         pick("active", "blocked"), pick(10, 100)] for i in range(250)]
rows[1][5] = "banned"; rows[2][2] = "nope"; rows[3][6] = -1; rows[4][1] = "Alice"
write("users", ["id", "username", "email", "name", "primary_group_id", "state", "projects_limit"], rows, """
tables:
  s12app.groups:
    columns:
      name: { template: "group-{primary_group_id}" }""")

# 18. ci_pipelines: new merge requests (a parent in the MR ↔ diff cycle), upper-case SHAs the trigger lowers.
rows = [[pick(1, 2), pick("main", "feature"), pick("", SHA()), pick("success", "failed"), pick(1, 2, ""), pick("", 1, 4701, 4702)]
        for _ in range(200)]
rows[7][2] = SHA().upper()
write("ci_pipelines", ["project_id", "ref", "sha", "status", "user_id", "merge_request_id"], rows, """
tables:
  s12app.merge_requests:
    columns:
      target_project_id: { value: 1 }
      title: { template: "MR {merge_request_id}" }""")

# 19. issue_assignees: two NOT NULL FKs, new issues and users, duplicate pairs.
rows, seen = [], set()
while len(rows) < 200:
    pair = (pick(1, 2, 3, 8101, 8102, 8103), pick(1, 2, 3, 6401, 6402))
    rows.append(list(pair))
write("issue_assignees", ["issue_id", "user_id"], rows, """
tables:
  s12app.issues:
    columns:
      project_id: { value: 1 }
      title: { template: "imported issue {issue_id}" }""" + USER_RULES % "user_id")

# 20. release_links: new releases (tag NOT NULL, trimmed by a trigger), a URL CHECK.
rows = [[pick(1, 9601, 9602), "https://example.com/%d" % i, "link %d" % i] for i in range(200)]
rows[3][1] = "ftp://example.com/x"
write("release_links", ["release_id", "url", "name"], rows, """
tables:
  s12app.releases:
    columns:
      project_id: { value: 1 }
      tag: { template: "v-{release_id}" }""")

# 16b. groups whose namespace is always given (new namespaces get a path from their trigger).
rows = [[1300 + i, 1 if i == 0 else 8700 + i, pick(1, 2, 6301, 6302, ""), "Team %d" % i, pick(0, 10, 20)] for i in range(150)]
write("groups_given_namespace", ["id", "namespace_id", "owner_id", "name", "visibility_level"], rows, """
tables:
  s12app.namespaces:
    columns:
      name: { template: "ns-{namespace_id}" }""" + USER_RULES % "owner_id")
# 17b. users whose new primary groups all get namespace 1: the second clashes with groups' UNIQUE (namespace_id).
write("users_one_namespace", [], [], """
tables:
  s12app.groups:
    columns:
      name: { template: "group-{primary_group_id}" }
      namespace_id: { value: 1 }""")
os.remove(os.path.join(HERE, "users_one_namespace.csv"))

# 16c. groups whose new namespaces all get the path 'Imported': the partial unique index on lower(path) takes one.
rows = [[1400 + i, 8600 + i, 1, "T%d" % i] for i in range(5)]
write("groups_same_path", ["id", "namespace_id", "owner_id", "name"], rows, """
tables:
  s12app.namespaces:
    columns:
      name: { template: "ns-{namespace_id}" }
      path: { value: Imported }""")

# 12b. ci_builds of pipeline 1 reloaded by pipeline: pipeline 1 also has a row in ci_builds_archived.
write("ci_builds_pipeline1", ["id", "pipeline_id", "stage_name", "name"], [[20000 + i, 1, "test", "job%d" % i] for i in range(10)])

# 21. ci_build_trace_metadata: an FK (integer, bigint) to a list-partitioned parent; the second file has a
#     partition_id no partition takes, for a new key.
rows = [[pick(100, 101), pick(1, 2, 300 + random.randrange(20), ""), pick("", "%064x" % random.getrandbits(256))] for _ in range(200)]
write("ci_build_trace_metadata", ["partition_id", "execution_config_id", "checksum"], rows)
write("ci_build_trace_metadata_p102", ["partition_id", "execution_config_id", "checksum"], rows[:50] + [[102, 77, ""]])
