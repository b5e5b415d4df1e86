#!/usr/bin/env python3
"""Writes the seventh sweep's CSV inputs and rules files next to app.sql (deterministic: seed 22).

Run once by hand (python3 generate.py); the files are committed, the tests only read them.
The inputs are what these applications' users feed a loader: MusicBrainz entities with
their MBIDs (gid) and row ids from a replication dump, OpenStreetMap changesets and way
nodes from an extract (bigint ids, timestamps without zone), Zabbix host/group/item
exports keyed by the ids the server allocated, and Nextcloud group memberships whose group
id may be the empty string.
"""
import csv, io, os, random, uuid

random.seed(22)
HERE = os.path.dirname(os.path.abspath(__file__))


def field(value):
    """One CSV field as psql's `\\copy … CSV` writes it: NULL (None) empty, the empty string quoted."""
    if value is None:
        return ""
    if value == "":
        return '""'
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def write(name, header, rows):
    lines = [",".join(header)] + [",".join(field(v) for v in row) for row in rows]
    with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
        f.write("\n".join(lines) + "\n")


def rules(name, text):
    with open(os.path.join(HERE, name + ".rules.yaml"), "w") as f:
        f.write(text.strip("\n") + "\n")


def mbid():
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def stamp(day, minute=0):
    return "2024-07-%02d %02d:%02d:%02d" % (day, 8 + minute // 60, minute % 60, random.randint(0, 59))


# ---------------------------------------------------------------- MusicBrainz
# area: cities and districts of two area types the database lacks (7, 8).
areas = []
for i in range(1, 13):
    areas.append([mbid(), "Area %d" % i, random.choice([1, 3, 7, 8])])
write("area", ["gid", "name", "type"], areas)
rules("area", """
tables:
  's22app.area_type':
    columns:
      name: { template: "Imported area type {type}" }
      gid: { sql: "gen_random_uuid()" }
""")

# artist_credit_name: credits 10..14 the database lacks, naming stored artists (1, 3) and
# new ones (20..24); every new credit gets its names in the same load.
credit_names = []
artists = {1: "Radiohead", 3: "David Bowie"}
for n in range(20, 25):
    artists[n] = "New Artist %d" % n
for credit in range(10, 15):
    chosen = random.sample(sorted(artists), random.randint(1, 3))
    for position, artist in enumerate(chosen):
        phrase = " & " if position < len(chosen) - 1 else ""
        credit_names.append([credit, position, artist, artists[artist], phrase])
write("artist_credit_name", ["artist_credit", "position", "artist", "name", "join_phrase"], credit_names)
rules("artist_credit_name", """
tables:
  's22app.artist_credit':
    columns:
      artist_count: { sql: "count(*)" }
      gid: { sql: "gen_random_uuid()" }
  's22app.artist':
    columns:
      sort_name: { template: "{name}" }
      gid: { sql: "gen_random_uuid()" }
""")

# release_group: a new credit (30) nobody names: the deferred constraint trigger refuses it.
write("release_group", ["gid", "name", "artist_credit", "type"],
      [[mbid(), "Kid A", 1, 1], [mbid(), "Blackstar", 3, 1], [mbid(), "Unknown Pleasures", 30, 1]])
rules("release_group", """
tables:
  's22app.artist_credit':
    columns:
      artist_count: { value: 1 }
      gid: { sql: "gen_random_uuid()" }
""")

# track: two new media (5, 6) of release 1 and new recordings (10..17) beside stored ones;
# a_ins_track counts them into medium.track_count, artist_credit.ref_count, recording.length.
tracks = []
for medium, count in ((1, 4), (5, 5), (6, 4)):
    for position in range(1, count + 1):
        recording = random.choice([1, 2] + list(range(10, 18)))
        tracks.append([mbid(), recording, medium, position + (2 if medium == 1 else 0), str(position), "Track %d-%d" % (medium, position),
                       random.choice([1, 3]), random.randint(120, 420) * 1000])
write("track", ["gid", "recording", "medium", "position", "number", "name", "artist_credit", "length"], tracks)
rules("track", """
tables:
  's22app.medium':
    columns:
      release: { value: 1 }
      position: { from: medium, pick: min }
      gid: { sql: "gen_random_uuid()" }
  's22app.recording':
    columns:
      gid: { sql: "gen_random_uuid()" }
""")

# track_medium1: medium 1 reloaded: stored recordings and one new (11).
write("track_medium1", ["gid", "recording", "medium", "position", "number", "name", "artist_credit", "length"],
      [[mbid(), 1, 1, 1, "1", "Airbag", 1, 284000], [mbid(), 2, 1, 2, "2", "Paranoid Android", 1, 386000],
       [mbid(), 11, 1, 3, "3", "Subterranean Homesick Alien", 1, 267000]])

# label: new areas (10, 11); two names padded by white space (control_for_whitespace) and
# a label code out of range: three rows PostgreSQL refuses.
labels = []
for i in range(1, 21):
    labels.append([mbid(), "Label %d" % i, random.randint(1000, 9999), 1, random.choice([1, 2, 10, 11])])
labels[3][1] = " Warp Records"
labels[9][1] = "XL  Recordings"
labels[14][2] = 0
write("label", ["gid", "name", "label_code", "type", "area"], labels)
# label_code: the same labels without the padded names; two codes out of range (a CHECK of built-ins only).
coded = [row[:] for row in labels]
coded[3][1], coded[9][1], coded[17][2] = "Warp Records", "XL Recordings", 100000
write("label_code", ["gid", "name", "label_code", "type", "area"], coded)
rules("label", """
tables:
  's22app.area':
    columns:
      name: { template: "Imported area {area}" }
      gid: { sql: "gen_random_uuid()" }
""")

# artist_meta: rows of artists the database lacks; a_ins_artist writes each new artist's
# artist_meta row first, so the input's rows then clash with it.
write("artist_meta", ["id", "rating", "rating_count"], [[40, 60, 1], [41, 70, 2]])
rules("artist_meta", """
tables:
  's22app.artist':
    columns:
      name: { template: "Artist {id}" }
      sort_name: { template: "Artist {id}" }
      gid: { sql: "gen_random_uuid()" }
""")

# label_ended: an end year with ended false or NULL; end_date_implies_ended sets it first.
write("label_ended", ["gid", "name", "label_code", "end_date_year", "ended"],
      [["11111111-2222-4333-8444-555555555501", "Factory Records", 1001, 1992, "false"],
       ["11111111-2222-4333-8444-555555555502", "Creation Records", 1002, 1999, None],
       ["11111111-2222-4333-8444-555555555503", "Rough Trade", 1003, None, "false"]])

# ---------------------------------------------------------------- OpenStreetMap
changesets = []
for i in range(100, 120):
    opened = stamp(i % 28 + 1, i - 100)
    changesets.append([i, random.choice([1, 2, 50, 51, 52]), opened, opened.replace(" 0", " 1", 1), random.randint(1, 500)])
write("changesets", ["id", "user_id", "created_at", "closed_at", "num_changes"], changesets)
rules("changesets", """
tables:
  's22osm.users':
    columns:
      email: { template: "{user_id}@import.invalid" }
      pass_crypt: { value: "00000000000000000000000000000000" }
      creation_time: { from: created_at, pick: min }
      display_name: { template: "imported user {user_id}" }
""")
rules("changesets_no_name", """
tables:
  's22osm.users':
    columns:
      email: { template: "{user_id}@import.invalid" }
      pass_crypt: { value: "00000000000000000000000000000000" }
      creation_time: { from: created_at, pick: min }
""")

way_nodes = []
for way, nodes in ((10, [1, 100, 101, 102, 2]), (11, [103, 104, 105, 106, 107, 108, 103])):
    for sequence, node in enumerate(nodes, start=1):
        way_nodes.append([way, node, sequence])
write("current_way_nodes", ["way_id", "node_id", "sequence_id"], way_nodes)
rules("current_way_nodes", """
tables:
  's22osm.current_ways':
    columns:
      changeset_id: { value: 1 }
      timestamp: { value: "2024-07-03 12:00:00" }
      visible: { value: true }
      version: { value: 1 }
  's22osm.current_nodes':
    columns:
      latitude: { value: 515000000 }
      longitude: { value: -1000000 }
      changeset_id: { value: 1 }
      visible: { value: true }
      timestamp: { value: "2024-07-03 12:00:00" }
      tile: { value: 3221225472 }
      version: { value: 1 }
""")

# way_node_notes: (way, sequence) pairs stored, new ((1, 3), (12, 1)), and half NULL
# ((13, NULL), (NULL, 4)): MATCH SIMPLE asks nothing of those.
write("way_node_notes", ["way_id", "sequence_id", "note"],
      [[1, 1, "start"], [1, 2, "end"], [1, 3, "extended"], [12, 1, "new way"], [13, None, "way 13, no sequence"], [None, 4, "no way"]])
rules("way_node_notes", """
tables:
  's22osm.current_way_nodes':
    columns:
      node_id: { value: 1 }
  's22osm.current_ways':
    columns:
      changeset_id: { value: 1 }
      timestamp: { value: "2024-07-03 12:00:00" }
      visible: { value: true }
      version: { value: 1 }
""")

members = []
for relation in (1, 5, 6):
    for sequence in range(random.randint(2, 4)):
        kind = random.choice(["Node", "Way", "Relation"])
        members.append([relation, kind, random.randint(1, 999999), random.choice(["outer", "inner", "", "stop"]), sequence])
write("current_relation_members", ["relation_id", "member_type", "member_id", "member_role", "sequence_id"], members)
rules("current_relation_members", """
tables:
  's22osm.current_relations':
    columns:
      changeset_id: { value: 2 }
      timestamp: { value: "2024-07-03 12:00:00" }
      visible: { value: true }
      version: { value: 1 }
""")

# ---------------------------------------------------------------- Zabbix
host_groups = []
hostgroupid = 200
for host in (10084, 10200, 10201, 10202):
    for group in sorted(random.sample([2, 4, 30, 31], 2)):
        host_groups.append([hostgroupid, host, group])
        hostgroupid += 1
write("hosts_groups", ["hostgroupid", "hostid", "groupid"], host_groups)
rules("hosts_groups", """
tables:
  's22app.hstgrp':
    columns:
      name: { template: "Imported group {groupid}" }
""")

items = []
itemid = 30100
for host in (10084, 10300, 10301):
    for key in ("agent.ping", "vfs.fs.size[/,pused]", "net.if.in[eth0]"):
        if host == 10084 and key == "agent.ping":
            continue
        items.append([itemid, host, "%s on %d" % (key, host), key, "1m", random.choice([0, 3])])
        itemid += 1
write("items", ["itemid", "hostid", "name", "key_", "delay", "value_type"], items)

functions = []
for n, (item, trigger) in enumerate([(23253, 13000), (30500, 14100), (30501, 14100), (30502, 14101), (23252, 14101)]):
    functions.append([14200 + n, item, trigger, random.choice(["last", "avg", "min"]), "$,5m"])
write("functions", ["functionid", "itemid", "triggerid", "name", "parameter"], functions)
rules("functions_host", """
tables:
  's22app.items':
    columns:
      hostid: { value: 10084 }
""")
rules("functions", """
tables:
  's22app.items':
    columns:
      hostid: { value: 10084 }
      key_: { template: "import.item[{itemid}]" }
      name: { template: "Imported item {itemid}" }
""")

# items_templates: template items referenced by host items, one template later in the
# file (items references itself through templateid); items_template_nowhere adds a
# templateid neither the input nor the table has.
templated = [[40001, 10084, "Server ping", "agent.ping", 40000], [40000, 10001, "Template ping", "agent.ping", None],
             [40002, 10400, "New host ping", "agent.ping", 40000]]
write("items_templates", ["itemid", "hostid", "name", "key_", "templateid"], templated)
write("items_template_nowhere", ["itemid", "hostid", "name", "key_", "templateid"],
      templated + [[40003, 10400, "New host load", "system.cpu.load", 49999]])

# hosts_groups_again: a (hostid, groupid) pair already stored (hosts_groups_1) beside new ones.
write("hosts_groups_again", ["hostgroupid", "hostid", "groupid"], [[300, 10084, 4], [301, 10084, 2], [302, 10500, 4]])

# hosts_groups_one_new_group: one new group, named by a rule like a stored one (hstgrp_1 (type,name)).
write("hosts_groups_one_new_group", ["hostgroupid", "hostid", "groupid"], [[400, 10084, 40], [401, 10001, 2]])
rules("hosts_groups_stored_name", """
tables:
  's22app.hstgrp':
    columns:
      name: { value: "Linux servers" }
""")

# hosts_blank_proxy: a quoted '' in proxy_hostid, a bigint FK.
write("hosts_blank_proxy", ["hostid", "host", "name", "proxy_hostid"], [[10500, "web1", "Web 1", ""], [10501, "web2", "Web 2", 10084]])

# ---------------------------------------------------------------- Nextcloud
write("oc_group_user", ["gid", "uid"],
      [["admin", "alice"], ["", "alice"], ["staff", "alice"], ["staff", "bob"], ["", "carol"], ["design", "carol"]])
# oc_group_user_uid_only: no gid column: the DEFAULT '' is the stored group ''.
write("oc_group_user_uid_only", ["uid"], [["alice"], ["bob"]])
write("oc_group_user_blank_uid", ["gid", "uid"], [["admin", "alice"], ["staff", ""], ["staff", "bob"]])
rules("blank_reject", """
blank:
  on_blank: reject
""")
rules("blank_null", """
blank:
  on_blank: "null"
""")
