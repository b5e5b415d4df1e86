@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

extension RealSchema {
    /// The seventh sweep's fixture: MusicBrainz, Zabbix and Nextcloud tables in `s22app`
    /// and OpenStreetMap's apidb in `s22osm`, Tests/Fixtures/realschema7/app.sql.
    static let musicMapMonitor = Fixture(folder: "Tests/Fixtures/realschema7/", app: "s22app", second: "s22osm", suffix: "osm")

    /// What the application's own triggers keep true, as counts of the rows that break it
    /// (each must stay 0 after any load): MusicBrainz's track_count, ref_count and
    /// recording length (`a_ins_track`, `a_del_track`, `a_ins_release_group`), an
    /// artist_meta row per artist (`a_ins_artist`), a name per artist credit (the deferred
    /// constraint trigger), Zabbix's name_upper (`*_name_upper_insert`).
    static let invariants: [String] = [
        "SELECT count(*) FROM s22app.medium m WHERE track_count <> (SELECT count(*) FROM s22app.track t WHERE t.medium = m.id)",
        """
        SELECT count(*) FROM s22app.artist_credit ac WHERE coalesce(ref_count, 0) <>
            (SELECT count(*) FROM s22app.track t WHERE t.artist_credit = ac.id) + (SELECT count(*) FROM s22app.release_group g WHERE g.artist_credit = ac.id)
        """,
        """
        SELECT count(*) FROM s22app.recording r WHERE r.length IS DISTINCT FROM
            coalesce((SELECT (percentile_disc(0.5) WITHIN GROUP (ORDER BY t.length))::integer FROM s22app.track t WHERE t.recording = r.id), r.length)
        """,
        "SELECT count(*) FROM s22app.artist a WHERE NOT EXISTS (SELECT FROM s22app.artist_meta m WHERE m.id = a.id)",
        "SELECT count(*) FROM s22app.artist_credit ac WHERE NOT EXISTS (SELECT FROM s22app.artist_credit_name n WHERE n.artist_credit = ac.id)",
        "SELECT count(*) FROM s22app.hosts WHERE name_upper <> upper(name)",
        "SELECT count(*) FROM s22app.items WHERE name_upper <> upper(name)",
    ]

    /// The invariants that some row breaks, with how many rows.
    func brokenInvariants() throws -> [String] {
        try Self.invariants.compactMap { sql in
            let n = try db.connection.execute(SQL(unsafeRaw: rename(sql))).rows[0].int("count") ?? 0
            return n == 0 ? nil : "\(n) rows: \(sql)"
        }
    }

    /// The Zabbix importer's staging rows (what the view `pending_host_groups` reads), from a CSV file of the fixture.
    func fillHostGroupImport(_ file: String, batch: String) throws {
        let rows = try text(file).split(separator: "\n").dropFirst().map { "\($0),\(batch)\n" }.joined()
        _ = try db.connection.copyIn("COPY \(ident: app).host_group_import FROM STDIN WITH (FORMAT csv)") { try $0.write(rows) }
    }
}

/// A case of the seventh sweep: the shared `SweepCase` and the parents its load should
/// write rows to (so that a polymorphic member, a half-NULL MATCH SIMPLE key or a blank
/// key is seen to backfill nothing).
struct AppCase7: CustomTestStringConvertible, Sendable {
    var sweep: SweepCase
    var parents: [String]?
    var fillsImport = false
    var testDescription: String { sweep.name }

    static func csv(_ name: String, _ table: String, _ file: String, rules: String? = nil, maxRejects: Int = 0, replaceBy: [String] = [],
                    commits: Bool = true, parents: [String]? = nil) -> AppCase7 {
        AppCase7(sweep: .csv(name, table, file, rules: rules, maxRejects: maxRejects, replaceBy: replaceBy, commits: commits), parents: parents)
    }
}

/// The seventh real-schema sweep, as an outside tester on application schemas this tool's
/// users load reference data into (Tests/Fixtures/realschema7/app.sql, in the projects' own
/// DDL habits): MusicBrainz (serial ids, gids without defaults, CHECKs calling SQL
/// functions, ref_count/track_count triggers that UPDATE the parents through unqualified
/// and dynamic SQL, a deferred constraint trigger), OpenStreetMap's apidb (bigint ids,
/// timestamps NOT NULL without defaults, composite way-node keys, a polymorphic relation
/// member, a unique display_name DEFAULT ''), Zabbix (ids the server allocates, '' and '0'
/// defaults everywhere, a unique (type, name) of host groups, AFTER INSERT triggers that
/// UPDATE the row just inserted) and Nextcloud (varchar keys DEFAULT '' where '' is a
/// stored key). Each case holds validate on the primary (staged) and on the hot standby
/// (read-only) against `load --dry-run`, then runs the real load and checks for orphans
/// (`SweepOutcome`) and the applications' own invariants (`RealSchema.invariants`).
@Suite(.timeLimit(.minutes(30))) struct RealSchemaSweep7Tests {
    static let cases: [AppCase7] = [
        // MusicBrainz.
        .csv("area: two new area types (a name and a gid from rules)", "s22app.area", "area.csv", rules: "area.rules.yaml",
             parents: ["s22app.area_type"]),
        // The new types' name and gid, NOT NULL with no DEFAULT, are the input's same-named columns (docs/backfill.md).
        .csv("area: new area types without rules take the area's name and gid", "s22app.area", "area.csv", parents: ["s22app.area_type"]),
        .csv("artist_credit_name: new credits naming new and stored artists (the deferred names check holds)", "s22app.artist_credit_name",
             "artist_credit_name.csv", rules: "artist_credit_name.rules.yaml", parents: ["s22app.artist", "s22app.artist_credit"]),
        .csv("track: new media and recordings; a_ins_track updates medium, recording, artist_credit", "s22app.track", "track.csv",
             rules: "track.rules.yaml", parents: ["s22app.medium", "s22app.recording"]),
        .csv("track: medium 1 reloaded by medium (a_del_track, then a_ins_track)", "s22app.track", "track_medium1.csv", rules: "track.rules.yaml",
             replaceBy: ["medium"], parents: ["s22app.recording"]),
        .csv("label: new areas; the label_code CHECK sets two rows aside", "s22app.label", "label_code.csv",
             rules: "label.rules.yaml", maxRejects: 5, parents: ["s22app.area"]),
        .csv("label: the label_code CHECK over --max-rejects 1", "s22app.label", "label_code.csv", rules: "label.rules.yaml", maxRejects: 1,
             commits: false),
        .csv("label: an end year without ended (end_date_implies_ended sets it before label_ended_check)", "s22app.label", "label_ended.csv",
             maxRejects: 5, parents: []),
        // OpenStreetMap.
        .csv("changesets: new users (email, pass_crypt, creation_time, display_name from rules)", "s22osm.changesets", "changesets.csv",
             rules: "changesets.rules.yaml", parents: ["s22osm.users"]),
        .csv("changesets: new users all get display_name '' (users_display_name_idx)", "s22osm.changesets", "changesets.csv",
             rules: "changesets_no_name.rules.yaml", commits: false),
        .csv("changesets: new users without rules (NOT NULL, no DEFAULT)", "s22osm.changesets", "changesets.csv", commits: false),
        .csv("current_way_nodes: new ways of new nodes", "s22osm.current_way_nodes", "current_way_nodes.csv", rules: "current_way_nodes.rules.yaml",
             parents: ["s22osm.current_nodes", "s22osm.current_ways"]),
        .csv("current_way_nodes: new ways and nodes without rules", "s22osm.current_way_nodes", "current_way_nodes.csv", commits: false),
        .csv("way_node_notes: a composite MATCH SIMPLE key, half-NULL pairs ask nothing", "s22osm.way_node_notes", "way_node_notes.csv",
             rules: "way_node_notes.rules.yaml", parents: ["s22osm.current_way_nodes", "s22osm.current_ways"]),
        .csv("current_relation_members: new relations; members are polymorphic, no FK", "s22osm.current_relation_members",
             "current_relation_members.csv", rules: "current_relation_members.rules.yaml", parents: ["s22osm.current_relations"]),
        // Zabbix.
        .csv("hosts_groups: new hosts of new groups that all get name '' (hstgrp_1 (type,name))", "s22app.hosts_groups", "hosts_groups.csv",
             commits: false),
        .csv("hosts_groups: new hosts of new groups named by a rule", "s22app.hosts_groups", "hosts_groups.csv", rules: "hosts_groups.rules.yaml",
             parents: ["s22app.hosts", "s22app.hstgrp"]),
        AppCase7(sweep: SweepCase(name: "hosts_groups from the view pending_host_groups (--source)", table: "s22app.hosts_groups",
                                  input: .source("pending_host_groups"), rules: "hosts_groups.rules.yaml"),
                 parents: ["s22app.hosts", "s22app.hstgrp"], fillsImport: true),
        .csv("items: new hosts; both name_upper triggers UPDATE the row just inserted", "s22app.items", "items.csv", parents: ["s22app.hosts"]),
        .csv("functions: new items all get key_ '' on one host (items_1 (hostid,key_))", "s22app.functions", "functions.csv",
             rules: "functions_host.rules.yaml", commits: false),
        .csv("functions: new items and triggers, key_ from a rule", "s22app.functions", "functions.csv", rules: "functions.rules.yaml",
             parents: ["s22app.items", "s22app.triggers"]),
        .csv("items: template items by the self-reference templateid, one later in the file", "s22app.items", "items_templates.csv",
             parents: ["s22app.hosts"]),
        .csv("items: a templateid nowhere (the target's own placeholder takes no input column: hostid uncovered)", "s22app.items",
             "items_template_nowhere.csv", commits: false),
        .csv("hosts_groups: a (hostid, groupid) pair already stored is set aside (hosts_groups_1)", "s22app.hosts_groups", "hosts_groups_again.csv",
             maxRejects: 5, parents: ["s22app.hosts"]),
        // Nextcloud.
        .csv("oc_group_user: no gid column; its DEFAULT '' is the stored group", "s22app.oc_group_user", "oc_group_user_uid_only.csv",
             parents: ["s22app.oc_users"]),
        .csv("oc_group_user: gid '' is a stored group; new groups and users", "s22app.oc_group_user", "oc_group_user.csv",
             parents: ["s22app.oc_groups", "s22app.oc_users"]),
        .csv("oc_group_user: blank gids rejected by the rules", "s22app.oc_group_user", "oc_group_user.csv", rules: "blank_reject.rules.yaml",
             maxRejects: 5, parents: ["s22app.oc_groups", "s22app.oc_users"]),
        .csv("oc_group_user: uid '' is no stored user (a blank key is never backfilled)", "s22app.oc_group_user", "oc_group_user_blank_uid.csv",
             commits: false),
        .csv("oc_group_user: uid '' made NULL by the rules, NOT NULL sets it aside", "s22app.oc_group_user", "oc_group_user_blank_uid.csv",
             rules: "blank_null.rules.yaml", maxRejects: 5, parents: ["s22app.oc_groups", "s22app.oc_users"]),
    ]

    @Test(arguments: cases)
    func validateAgreesWithTheLoad(_ c: AppCase7) throws {
        let schema = try RealSchema(RealSchema.musicMapMonitor)
        if c.fillsImport { try schema.fillHostGroupImport("hosts_groups.csv", batch: "pending") }
        let outcome = try SweepOutcome(c.sweep, schema)
        try outcome.expectAgreement(c.sweep, schema)
        #expect(try schema.brokenInvariants() == [])
        if let parents = c.parents, case .success(let report) = outcome.load {
            #expect(report.parents.filter { $0.inserted > 0 }.map { "\($0.table)" }.sorted() == parents.map(schema.rename).sorted(), "\(report.parents)")
        }
    }

    /// Where the standby says "would load" and the load fails, with the reason named in
    /// notExact (the primary tries the load and agrees with it). Recorded, not mended:
    /// - a DEFERRABLE INITIALLY DEFERRED constraint trigger of a parent (every artist credit
    ///   names an artist, checked at COMMIT): read-only cannot insert the new credit to fire it;
    /// - a CHECK calling the user's SQL function (`control_for_whitespace(name)`) under
    ///   `--max-rejects`: as docs/validate.md says, such a CHECK is PostgreSQL's to evaluate
    ///   after the backfill, so neither validate nor --max-rejects judges the staged rows by
    ///   it: the load stops at the first padded name (exit 1, nothing written) instead of
    ///   setting it aside, and the primary's validate, which tries the insert, agrees;
    /// - a parent's AFTER INSERT trigger writing the target's rows (`a_ins_artist` inserts
    ///   the new artist's artist_meta, which the input's row then clashes with): the first
    ///   sweep's user_details case, same class;
    /// - a parent's unique key over values every new row gets alike, one new row that a
    ///   stored row already holds (a new host group named by a `value:` rule like a stored
    ///   one, type at its DEFAULT 0): read-only does not look the values up among the
    ///   stored rows (the sixth sweep's dag_run execution_date, same class).
    static let standbyCannotTell: [(AppCase7, String)] = [
        (.csv("release_group: a new artist credit nobody names (the deferred constraint trigger refuses it)", "s22app.release_group",
              "release_group.csv", rules: "release_group.rules.yaml", commits: false), "(a_ins_artist_credit_check_names) run on its new rows"),
        (.csv("artist_meta: rows of new artists, whose a_ins_artist writes their artist_meta first", "s22app.artist_meta", "artist_meta.csv",
              rules: "artist_meta.rules.yaml", commits: false), "(a_ins_artist, end_date_implies_ended) run on its new rows"),
        (.csv("hosts_groups: one new group named by a rule like a stored one (hstgrp_1 (type,name))", "s22app.hosts_groups",
              "hosts_groups_one_new_group.csv", rules: "hosts_groups_stored_name.rules.yaml", commits: false),
         "whether an existing row holds the same values only its insert can tell"),
        (.csv("label: padded names refused by control_for_whitespace() stop the load under --max-rejects", "s22app.label", "label.csv",
              rules: "label.rules.yaml", maxRejects: 5, commits: false), "CHECK control_for_whitespace calls code"),
    ]

    @Test(arguments: standbyCannotTell)
    func theStandbyNamesWhatItCannotTell(_ c: AppCase7, _ named: String) throws {
        let schema = try RealSchema(RealSchema.musicMapMonitor)
        let outcome = try SweepOutcome(c.sweep, schema)
        let readOnly = try outcome.readOnly.get()
        #expect(readOnly.wouldLoad && readOnly.notExact.contains { $0.contains(named) }, "\(c.sweep.name): \(readOnly.notExact)")
        #expect(try !outcome.staged.get().wouldLoad)
        withKnownIssue("the standby's verdict where only the insert can tell: \(c.sweep.name)") {
            try outcome.expectAgreement(c.sweep, schema)
        }
        #expect(try schema.brokenInvariants() == [])
    }

    /// `blank:` on a key column that is not a string (Zabbix's bigint proxy_hostid, a CSV's
    /// quoted ""): docs/rules.md says '' is always blank and `on_blank: null` loads the
    /// row without the reference, but every staging path tests blankness after the cast to
    /// the column's type (the typed COPY's generated columns, `LoadStatements+Blanks.swift`
    /// only for string types; text staging's casts; the read-only batches' `CASE WHEN
    /// isBlank(cast)`), so '' fails as "invalid input syntax for type bigint" first (the
    /// load exit 2; under --max-rejects the row is set aside as "not a valid bigint", and
    /// `on_blank: reject` names that, not the blank). Validate on both sides agrees with the
    /// load, so the oracle holds; the rule does not. Recorded, not mended: the blank test
    /// would have to run on the input's text before the cast in each of those paths.
    @Test func aBlankKeyInABigintColumnIsNotMadeNullByTheRules() throws {
        let schema = try RealSchema(RealSchema.musicMapMonitor)
        let c = SweepCase.csv("hosts: proxy_hostid \"\" under on_blank: null", "s22app.hosts", "hosts_blank_proxy.csv", rules: "blank_null.rules.yaml")
        let outcome = try SweepOutcome(c, schema)
        #expect(try !outcome.staged.get().wouldLoad && !outcome.readOnly.get().wouldLoad)
        withKnownIssue("a blank key in a bigint FK column fails its cast before on_blank: null makes it NULL") {
            let report = try outcome.load.get()
            #expect(report.inserted == 2)
        }
    }
}
