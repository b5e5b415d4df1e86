import FKBackfill
import Foundation
import Testing
import TestSupport

/// `fkbackfill validate` and `load` on the hot standby as a CI job runs them: in place
/// gives the primary's output; what must write is one `fkbackfill: error:` line with a
/// hint naming the flags that work read-only, exit 3 (docs/validate.md).
@Suite struct ReadOnlyCommandTests {
    var binary: String {
        ProcessInfo.processInfo.environment["FKBACKFILL_BIN"]
            ?? TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fkbackfill").path
    }

    @Test func onTheStandbyInPlaceMatchesThePrimaryAndStagingIsOneError() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            INSERT INTO org VALUES ('G1');
            CREATE TABLE fact (id int, org_code text CONSTRAINT f_org REFERENCES org);
            CREATE TABLE src (id int, org_code text);
            INSERT INTO src VALUES (1, 'G1'), (2, 'G2');
            """)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let environment = ProcessInfo.processInfo.environment
        var onStandby = environment
        onStandby["PGHOST"] = environment["FKB_STANDBY_HOST"]
        onStandby["PGPORT"] = environment["FKB_STANDBY_PORT"]
        // G2 is missing and fixable: exit 0 on both.
        let inPlace = ["validate", "\(db.schema).fact", "--source", "\(db.schema).src", "--in-place", "--format", "json"]
        let primary = try run(binary, inPlace, environment: environment)
        let replica = try run(binary, inPlace, environment: onStandby)
        #expect(primary.status == 0 && replica.status == 0, "\(primary.stderr) \(replica.stderr)")
        #expect(replica.stdout == primary.stdout && replica.stderr.isEmpty)
        let report = try JSONSerialization.jsonObject(with: Data(replica.stdout.utf8)) as? [String: Any]
        #expect((report?["foreignKeys"] as? [[String: Any]])?.first?["missingKeys"] as? Int == 1)

        // A CSV is checked read-only too, streamed: G3 is missing and fixable.
        let csv = try db.csvFile("id,org_code\n3,G3\n4,\"G\n3\"\n")
        let streamed = try run(binary, ["validate", "\(db.schema).fact", "--csv", csv, "--format", "json"], environment: onStandby)
        #expect(streamed.status == 0 && streamed.stderr.isEmpty, "\(streamed.stderr)")
        let checked = try JSONSerialization.jsonObject(with: Data(streamed.stdout.utf8)) as? [String: Any]
        #expect(checked?["lineNumbers"] as? String == "file" && checked?["wouldLoad"] as? Bool == true && checked?["rows"] as? Int == 2)
        #expect((checked?["notExact"] as? [String]) == [] && checked?["prediction"] is NSNull)
        let text = try run(binary, ["validate", "\(db.schema).fact", "--csv", csv], environment: onStandby)
        #expect(text.status == 0 && text.stdout.contains("would load after backfilling 2 missing keys"), "\(text.stdout)")
        // A file COPY refuses: the primary's error line and hint, read-only too; the line
        // the refused record starts on (3), not COPY's count after its quoted newline.
        let ragged = try db.csvFile("id,org_code\n3,G3\n4,\"G\n4\",x\n")
        let onPrimary = try run(binary, ["validate", "\(db.schema).fact", "--csv", ragged], environment: environment)
        let onReplica = try run(binary, ["validate", "\(db.schema).fact", "--csv", ragged], environment: onStandby)
        #expect(onPrimary.status == 2 && onReplica.status == 2, "\(onPrimary.stderr) \(onReplica.stderr)")
        let expected = "fkbackfill: error: \(ragged):3: extra data after last expected column"
        #expect(onPrimary.stderr.hasPrefix(expected) && onReplica.stderr.hasPrefix(expected), "\(onPrimary.stderr) \(onReplica.stderr)")
        #expect(onReplica.stderr.split(separator: "\n").last == onPrimary.stderr.split(separator: "\n").last, "the hints differ")
        // --max-rejects streams too: the rows set aside are counted (none here).
        let limited = try run(binary, ["validate", "\(db.schema).fact", "--csv", csv, "--max-rejects", "1", "--format", "json"], environment: onStandby)
        let counted = try JSONSerialization.jsonObject(with: Data(limited.stdout.utf8)) as? [String: Any]
        #expect(limited.status == 0 && counted?["rejected"] as? Int == 0 && counted?["maxRejects"] as? Int == 1, "\(limited.stderr)")
        // A query, compiled into a view on the primary, is read through a cursor: the same report.
        let query = ["validate", "\(db.schema).fact", "--query", "SELECT 3 AS id, 'G3' AS org_code UNION ALL SELECT 4, 'G4'", "--format", "json"]
        let (queried, queriedOnPrimary) = (try run(binary, query, environment: onStandby), try run(binary, query, environment: environment))
        #expect(queried.status == 0 && queried.stderr.isEmpty, "\(queried.stderr)")
        let fromQuery = try JSONSerialization.jsonObject(with: Data(queried.stdout.utf8)) as? [String: Any]
        let fromQueryOnPrimary = try JSONSerialization.jsonObject(with: Data(queriedOnPrimary.stdout.utf8)) as? [String: Any]
        #expect(fromQuery?["wouldLoad"] as? Bool == true && fromQuery?["rows"] as? Int == 2 && fromQuery?["lineNumbers"] as? String == "row")
        #expect((fromQuery?["foreignKeys"] as? [[String: Any]])?.first?["missingKeys"] as? Int == 2)
        #expect((fromQueryOnPrimary?["foreignKeys"] as? [[String: Any]])?.first?["missingKeys"] as? Int == 2, "\(queriedOnPrimary.stdout)")
        // Any load is one error.
        for arguments in [["load", "\(db.schema).fact", "--csv", csv]] {
            let refused = try run(binary, arguments, environment: onStandby)
            #expect(refused.status == 3, "\(arguments[0]): \(refused.stderr)")
            let lines = refused.stderr.split(separator: "\n")
            #expect(lines.count == 2 && lines.first?.hasPrefix("fkbackfill: error: cannot \(arguments[0])") == true, "\(refused.stderr)")
            #expect(lines.last?.hasPrefix("hint: ") == true && lines.last?.contains("--source TABLE --in-place") == true, "\(refused.stderr)")
        }
        #expect(try db.count("org") == 1 && db.count("fact") == 0)
    }
}
