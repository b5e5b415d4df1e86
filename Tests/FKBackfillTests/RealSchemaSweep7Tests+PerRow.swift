@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The seventh sweep's loads once with `--fk-check per-row` (PostgreSQL's own RI
/// triggers, once per row) and once as the tool chooses (`auto`: set-based where every
/// precondition holds), each in a fresh copy of the fixture: what each stores must be the
/// same — the target, the parents and what the applications' triggers wrote into them —
/// and so must the rows set aside. `stored` lists what a load writes, without the
/// values PostgreSQL makes per run (serial ids of new rows, gen_random_uuid(), now()).
@Suite struct RealSchemaSweep7PerRowTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var sweep: SweepCase
        var stored: [String]
        /// What `auto` chose, as the sweep saw it: per-row where the target has triggers.
        var chosen: FKCheckMode = .setBased
        var testDescription: String { sweep.name }
    }

    static let cases: [Case] = [
        Case(sweep: .csv("label: a CHECK of built-ins sets rows aside; areas from rules", "s22app.label", "label_code.csv",
                         rules: "label.rules.yaml", maxRejects: 5),
             stored: ["SELECT gid::text, name, label_code::text, type::text, area::text, ended::text FROM s22app.label ORDER BY gid",
                      "SELECT id::text, name, type::text FROM s22app.area ORDER BY id"], chosen: .perRow),
        Case(sweep: .csv("track: a_ins_track updating medium, recording and artist_credit", "s22app.track", "track.csv", rules: "track.rules.yaml"),
             stored: ["SELECT gid::text, recording::text, medium::text, position::text, artist_credit::text, length::text FROM s22app.track ORDER BY gid",
                      "SELECT id::text, release::text, position::text, track_count::text FROM s22app.medium ORDER BY id",
                      "SELECT id::text, name, artist_credit::text, length::text FROM s22app.recording ORDER BY id",
                      "SELECT id::text, ref_count::text FROM s22app.artist_credit ORDER BY id"], chosen: .perRow),
        Case(sweep: .csv("artist_credit_name: new credits and artists, artist_meta by trigger", "s22app.artist_credit_name",
                         "artist_credit_name.csv", rules: "artist_credit_name.rules.yaml"),
             stored: ["SELECT artist_credit::text, position::text, artist::text, name, join_phrase FROM s22app.artist_credit_name ORDER BY 1, 2",
                      "SELECT id::text, name, artist_count::text FROM s22app.artist_credit ORDER BY id",
                      "SELECT a.id::text, a.name, a.sort_name, m.id::text FROM s22app.artist a LEFT JOIN s22app.artist_meta m USING (id) ORDER BY a.id"]),
        Case(sweep: .csv("hosts_groups: new hosts and named groups", "s22app.hosts_groups", "hosts_groups.csv", rules: "hosts_groups.rules.yaml"),
             stored: ["SELECT hostgroupid::text, hostid::text, groupid::text FROM s22app.hosts_groups ORDER BY 1",
                      "SELECT hostid::text, host, name, name_upper, status::text FROM s22app.hosts ORDER BY 1",
                      "SELECT groupid::text, name, type::text FROM s22app.hstgrp ORDER BY 1"]),
        Case(sweep: .csv("functions: new items (name_upper by trigger) and triggers", "s22app.functions", "functions.csv",
                         rules: "functions.rules.yaml"),
             stored: ["SELECT functionid::text, itemid::text, triggerid::text, name, parameter FROM s22app.functions ORDER BY 1",
                      "SELECT itemid::text, hostid::text, name, key_, name_upper FROM s22app.items ORDER BY 1",
                      "SELECT triggerid::text, expression, description FROM s22app.triggers ORDER BY 1"]),
        Case(sweep: .csv("way_node_notes: MATCH SIMPLE half-NULL pairs", "s22osm.way_node_notes", "way_node_notes.csv",
                         rules: "way_node_notes.rules.yaml"),
             stored: ["SELECT way_id::text, sequence_id::text, note FROM s22osm.way_node_notes ORDER BY note",
                      "SELECT way_id::text, node_id::text, sequence_id::text FROM s22osm.current_way_nodes ORDER BY 1, 3",
                      "SELECT id::text, changeset_id::text, version::text FROM s22osm.current_ways ORDER BY 1"]),
        Case(sweep: .csv("oc_group_user: the stored '' group, rejected blanks", "s22app.oc_group_user", "oc_group_user.csv",
                         rules: "blank_reject.rules.yaml", maxRejects: 5),
             stored: ["SELECT gid, uid FROM s22app.oc_group_user ORDER BY 1, 2", "SELECT gid, displayname FROM s22app.oc_groups ORDER BY 1",
                      "SELECT uid, password, uid_lower FROM s22app.oc_users ORDER BY 1"]),
    ]

    /// One load of `c` in a fresh fixture with `fkCheck`: its report and what it stored.
    static func load(_ c: Case, _ fkCheck: FKCheckMode) throws -> (report: LoadReport, stored: [[[String?]]]) {
        let schema = try RealSchema(RealSchema.musicMapMonitor)
        var options = LoadOptions()
        (options.rules, options.maxRejects, options.fkCheck) = (try c.sweep.parsedRules(schema), c.sweep.maxRejects, fkCheck)
        let report = try Loader(connection: schema.db.connection).run(table: schema.rename(c.sweep.table), input: try c.sweep.source(schema), options: options)
        #expect(try RealSchema.orphans(in: [schema.app, schema.second], on: schema.db.connection) == [])
        #expect(try schema.brokenInvariants() == [])
        return (report, try c.stored.map { try schema.db.values(schema.rename($0)) })
    }

    @Test(arguments: cases)
    func perRowAndTheToolsChoiceStoreTheSame(_ c: Case) throws {
        let perRow = try Self.load(c, .perRow)
        let auto = try Self.load(c, .auto)
        #expect(perRow.report.fkCheck == .perRow)
        #expect(auto.report.fkCheck == c.chosen, "\(auto.report.fkCheckNote ?? "")")
        #expect(auto.report.inserted == perRow.report.inserted && auto.report.inserted > 0, "\(auto.report.inserted) vs \(perRow.report.inserted)")
        #expect(auto.report.rejections.map { "\($0.reason) \($0.rows)" } == perRow.report.rejections.map { "\($0.reason) \($0.rows)" })
        #expect(auto.report.parents.map { "\($0.table.name) \($0.inserted)" } == perRow.report.parents.map { "\($0.table.name) \($0.inserted)" })
        for (index, query) in c.stored.enumerated() {
            #expect(auto.stored[index] == perRow.stored[index], "\(query) (auto chose \(auto.report.fkCheck))")
        }
    }
}
