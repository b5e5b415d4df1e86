@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// How the second session gets its input (`CopyMirror.Feed`): as the first's COPY runs for
/// a first load, from a spool after it otherwise (issue #25).
@Suite(.timeLimit(.minutes(30))) struct SecondSessionFeedTests {
    /// Under `auto` a file of 4 MiB or more opens the second session: fed live for a first
    /// load (a parent whose values come from the stage holds no row), from a spool where
    /// rules derive values; the same rows as one session either way. Not without rules
    /// where the parents hold rows, nor for smaller files (`notForARuleOfSQL…`).
    @Test func autoOpensItForALargeFile() throws {
        var random = RandomInputTests.Generator(state: 4242)
        var lines = ["plan_code,portfolio_code,region,org,kind,customer,grade,amount,day"]
        for _ in 0..<80_000 {
            let portfolio = Int.random(in: 1...400, using: &random)
            lines.append("P\(portfolio % 50),F\(portfolio),N,G\(portfolio % 7),a,customer number \(Int.random(in: 1...900, using: &random)),"
                + "\(Int.random(in: 1...5, using: &random)),\(Int.random(in: 1...99_999, using: &random)).25,2024-05-1\(portfolio % 10)")
        }
        let csv = lines.joined(separator: "\n") + "\n"
        #expect(csv.utf8.count >= LoadRun.secondSessionMinimumBytes)
        var written: [[[String?]]] = []
        for present in ["", "INSERT INTO plan (code) VALUES ('P0'); INSERT INTO portfolio (code, plan_code) VALUES ('F50', 'P0'); "
                            + "INSERT INTO region_org (region, code) VALUES ('N', 'G0');"] {
            var written: [[[String?]]] = []
            for use in [SecondSessionUse.off, .auto] {
                let db = try TestDatabase()
                try db.run(SecondSessionTests.schema + present)
                let report = try SecondSessionTests.load(db, csv, rules: SecondSessionTests.rules(db.schema, variant: 3), use: use) {
                    $0.waitsForSpool = true
                }
                #expect(report.derivedInSecondSession.isEmpty == (use == .off))
                #expect(report.secondSessionFeed == (use == .off ? nil : present.isEmpty ? .live : .spooled))
                written.append(try SecondSessionTests.contents(db))
            }
            #expect(written[0] == written[1])
        }
        // Without rules, where the parents hold rows, auto opens none (only the defaults
        // would be derived: measured, a spool beside the insert then cost more than it saved).
        let db = try TestDatabase()
        try db.run(SecondSessionTests.schema + "INSERT INTO plan (code) VALUES ('P0'); INSERT INTO portfolio (code, plan_code) VALUES ('F50', 'P0'); "
            + "INSERT INTO region_org (region, code) VALUES ('N', 'G0');")
        let report = try SecondSessionTests.load(db, csv, rules: "", use: .auto)
        #expect(report.secondSessionFeed == nil && report.derivedInSecondSession.isEmpty)
        // Nor for rules that read no staged row (a constant).
        try db.run("TRUNCATE fact")
        let constant = "tables:\n  \(db.schema).plan:\n    columns:\n      note: { value: imported }\n"
        #expect(try SecondSessionTests.load(db, csv, rules: constant, use: .auto).secondSessionFeed == nil)
    }

    /// The spool is a file in the temporary folder with no name: unlinked as soon as it is
    /// made, closed once the second session staged it (no descriptor of this process
    /// points into the folder after). A folder where no file can be made leaves the
    /// second session out, and the load goes on alone with the same rows.
    @Test func theSpoolHasNoNameAndAFolderWithoutRoomLeavesItOut() throws {
        let (csv, present) = SecondSessionTests.input(seed: 17)
        let folder = TestDatabase.repositoryRoot.appendingPathComponent(".tmp/spool-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        @Sendable func openedInFolder() -> [String] {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
                .filter { $0.hasPrefix(folder) }
        }
        var written: [[[String?]]] = []
        for (use, spoolFolder) in [(SecondSessionUse.off, folder), (.always, folder), (.always, folder + "/missing")] {
            let db = try TestDatabase()
            try db.run(SecondSessionTests.schema + present + SecondSessionTests.noFirstLoad)
            let seen = LockedBox<[String]>()
            let report = try SecondSessionTests.load(db, csv, rules: SecondSessionTests.rules(db.schema, variant: 1), use: use) { options in
                options.spoolFolder = spoolFolder
                options.afterSecondSession = {
                    seen.mutate { $0 = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? ["unreadable"]) + openedInFolder() }
                }
            }
            #expect(seen.value.isEmpty, "\(seen.value)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
            #expect(openedInFolder().isEmpty)
            #expect(report.secondSessionFeed == (use == .off ? nil : .spooled))
            #expect(report.derivedInSecondSession.isEmpty == (use == .off || spoolFolder != folder), "\(report.derivedInSecondSession)")
            written.append(try SecondSessionTests.contents(db))
        }
        #expect(written[0] == written[1] && written[1] == written[2])
    }

    /// A load with nothing new (every key already a parent's) takes nothing from the
    /// second session and neither waits for it nor copies its keys: a parent with no
    /// missing key is compared only before a later one is taken. The same rows as one session.
    @Test func nothingNewCopiesNothingFromIt() throws {
        let (csv, _) = SecondSessionTests.input(seed: 23)
        let every = (1...8).map { "INSERT INTO plan (code) VALUES ('P\($0)');" }
            + (1...12).map { "INSERT INTO portfolio (code, plan_code) VALUES ('F\($0)', 'P\($0 % 8 + 1)');" }
            + ["N", "S"].flatMap { region in (1...4).map { "INSERT INTO region_org (region, code) VALUES ('\(region)', 'G\($0)');" } }
        try SecondSessionTests.alike { db, use in
            try db.run(SecondSessionTests.schema + every.joined(separator: "\n"))
            let statements = LockedBox<[String]>()
            let report = try SecondSessionTests.load(db, csv, rules: SecondSessionTests.rules(db.schema, variant: 2), use: use) {
                $0.onStatement = { statements.append($0.description) }
            }
            #expect(report.parents.allSatisfy { $0.inserted == 0 })
            #expect(report.derivedInSecondSession.isEmpty)
            #expect(report.secondSessionFeed == (use == .off ? nil : .spooled))
            let firsts = statements.value.prefix { !$0.hasPrefix("-- what follows ran in a second session") }
            #expect(!firsts.contains { $0.contains("fkb_keys_theirs") }, "\(firsts.filter { $0.contains("theirs") })")
        }
    }
}
