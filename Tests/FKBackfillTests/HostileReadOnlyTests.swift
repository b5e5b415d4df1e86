@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 4 (issues #29 and #25): each test is a break found — it failed on the
/// branch it was written against, and each is fixed. PostgreSQL (`load --dry-run` on the primary) is the
/// oracle; a read-only validate on the standby must give its verdict, or say in
/// `notExact` why it cannot know.
@Suite(.timeLimit(.minutes(30))) struct HostileReadOnlyTests {
    func validate(_ connection: Connection, _ table: String, _ csv: String, csvOptions: CSVOptions = CSVOptions()) throws -> ValidationReport {
        try Validator(connection: connection).run(table: table, input: .csv(path: csv, options: csvOptions), options: ValidateOptions())
    }

    /// `load --dry-run` on the primary: nil when it would commit, else its error.
    func dryRunError(_ db: TestDatabase, _ table: String, _ csv: String) -> Error? {
        var options = LoadOptions()
        options.dryRun = true
        do {
            _ = try Loader(connection: db.connection).run(table: table, input: .csv(path: csv, options: CSVOptions()), options: options)
            return nil
        } catch {
            return error
        }
    }

    func standby(_ db: TestDatabase) throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return standby
    }

    /// A CSV with a header and no rows: the load refuses it ("the file has a header but no
    /// rows, nothing to load", exit 2) and the staged validate says "would not load"; the
    /// read-only validate says "would load" (exit 0) with an empty notExact.
    @Test func aHeaderOnlyCSVIsNotWouldLoadOnTheStandby() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE t (id int, a text REFERENCES p);
            """)
        let csv = try db.csvFile("id,a\n")
        let table = "\(db.schema).t"
        #expect(dryRunError(db, table, csv) != nil, "load --dry-run refuses a header-only file")
        let staged = try validate(db.connection, table, csv)
        #expect(!staged.wouldLoad)
        // Read-only, the load's own refusal: one error line naming the file, exit 2.
        let error = try #require(throws: FKBackfillError.self) { _ = try validate(try standby(db), table, csv) }
        #expect(error.kind == .badInput(line: nil) && error.message.hasSuffix("the file has a header but no rows, nothing to load"), "\(error.message)")
    }

    /// A domain whose CHECK refuses NULL (`CHECK (VALUE IS NOT NULL)`), and an empty
    /// field: the load fails (`value for domain … violates check constraint`, line 3).
    /// The staged validate on the primary says "would load" (exit 0); the read-only one
    /// stops with the bare database error (exit 3, no hint, no line) instead of a finding.
    @Test func aDomainCheckThatRefusesNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN dnn AS text CHECK (VALUE IS NOT NULL);
            CREATE TABLE p (k text PRIMARY KEY);
            INSERT INTO p VALUES ('x');
            CREATE TABLE t (id int, a dnn REFERENCES p);
            """)
        let csv = try db.csvFile("id,a\n1,x\n2,\n")
        let table = "\(db.schema).t"
        #expect(dryRunError(db, table, csv) != nil, "load --dry-run fails on the NULL")
        let staged = try validate(db.connection, table, csv)
        #expect(!staged.wouldLoad, "staged validate says would load: \(staged.render(.text))")
        do {
            let streamed = try validate(try standby(db), table, csv)
            #expect(!streamed.wouldLoad, "read-only: \(streamed.render(.text))")
        } catch let error as FKBackfillError {
            // At least the staged path's shape: a finding, or an error naming the line with a hint.
            Issue.record("read-only validate threw instead of reporting: \(error.message) hint: \(error.hint ?? "none") kind: \(error.kind)")
        }
    }

    /// Invalid UTF-8 inside a quoted field after a newline in it: both paths name line 2,
    /// where the record starts (the read-only parser named the byte's own line, 3; the
    /// staged path's line is COPY's count mapped by its tracker, `CSVLineTracker`).
    @Test func invalidUTF8AfterAQuotedNewlineNamesTheStagedLine() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE t (id int, a text REFERENCES p, b text);
            """)
        let path = try db.csvFile("")
        try Data([UInt8]("id,a,b\n1,\"x\n".utf8) + [0xC3, 0x28] + [UInt8]("\",y\n".utf8)).write(to: URL(fileURLWithPath: path))
        let table = "\(db.schema).t"
        func line(_ connection: Connection) -> String {
            do {
                _ = try validate(connection, table, path)
                return "no error"
            } catch let error as FKBackfillError {
                return "\(error.kind)"
            } catch {
                return "\(error)"
            }
        }
        let staged = line(db.connection)
        #expect(staged == "\(FKBackfillError.Kind.badInput(line: 2))")
        #expect(line(try standby(db)) == staged)
    }

    /// Distinct missing numeric keys (merged "by equality": every batch is sent every
    /// key earlier batches found, and `fkb_same` is probed by a correlated subquery per
    /// missing key of the batch): 24,000 rows took 6.6 s read-only against 0.25 s staged,
    /// 40,000 took 124 s against 0.38 s, 80,000 were killed after 600 s on the standby
    /// (recovery conflict). Quadratic in the keys: a 1M-row file of new numeric keys does
    /// not finish. Here 30,000 rows (two batches), read-only on the primary
    /// (`default_transaction_read_only`, the same streamed path, no recovery conflict).
    @Test func distinctNumericKeysAreNotQuadratic() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k numeric PRIMARY KEY);
            CREATE TABLE t (id int, a numeric REFERENCES p);
            """)
        let rows = 30_000
        var text = "id,a\n"
        for id in 0..<rows { text += "\(id),\(id).5\n" }
        let csv = try db.csvFile(text)
        let table = "\(db.schema).t"
        let clock = ContinuousClock()
        var staged: ValidationReport?
        let stagedTime = try clock.measure { staged = try validate(db.connection, table, csv) }
        try db.connection.execute("SET default_transaction_read_only = on")
        defer { _ = try? db.connection.execute("SET default_transaction_read_only = off") }
        var streamed: ValidationReport?
        let streamedTime = try clock.measure { streamed = try validate(db.connection, table, csv) }
        #expect(streamed?.checkedInPlace == true)
        #expect(streamed?.foreignKeys.first?.missingKeys == rows && staged?.foreignKeys.first?.missingKeys == rows)
        #expect(streamedTime < stagedTime * 10 + .seconds(5), "read-only \(streamedTime) against staged \(stagedTime)")
    }

    /// Batches are 20,000 records whatever their width: 40,000 rows with a 4 KB column
    /// (160 MB) peaked at 484 MB read-only against 33 MB staged (a single 48 MB field:
    /// 307 MB, 13.7 s against 0.55 s — the parser also rescans the unfinished record from
    /// its start at every 1 MiB chunk). The promise is under 64 MiB. Here the CLI
    /// (`FKBACKFILL_BIN`) validates 12,000 rows of 4 KB (48 MB, which held at once is
    /// well over the promise; 24,000 until make test's time ran short) read-only on the
    /// primary (`PGOPTIONS=-c default_transaction_read_only=on`), its peak RSS from getrusage.
    @Test func wideRowsStayUnder64MiB() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            INSERT INTO p VALUES ('x');
            CREATE TABLE t (id int, a text REFERENCES p, note text);
            """)
        let wide = String(repeating: "w", count: 4000)
        var text = "id,a,note\n"
        text.reserveCapacity(12_000 * 4_020)
        for id in 0..<12_000 { text += "\(id),x,\(wide)\n" }
        let csv = try db.csvFile(text)
        text = ""
        let (status, output, peakMiB) = try readOnlyValidationPeak(db, table: "t", csv: csv)
        #expect(status == 0, "\(output.prefix(500))")
        #expect(output.contains("\"notExact\""))
        #expect(peakMiB < 64, "peak \(peakMiB) MiB read-only")
    }

    /// Lengths, staged and read-only alike: a domain over varchar(4) got no length check
    /// and its cast truncated ('abcde' → "would load", empty notExact; the load fails with
    /// 22001: mended after hostile review 9, TextStaging.maxLength), while a varchar(4)[]
    /// column is measured as its whole array literal ('{ab,cd}' is "too long", "would not
    /// load"; the load takes it): mended on branch casts (each element is measured, `AssignedLength`).
    @Test func lengthsOfADomainAndAnArrayAsPostgreSQLJudgesThem() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN dv AS varchar(4);
            CREATE TABLE p (k text PRIMARY KEY);
            INSERT INTO p VALUES ('x');
            CREATE TABLE t (id int, a text REFERENCES p, d dv, arr varchar(4)[]);
            """)
        let table = "\(db.schema).t"
        let domain = try db.csvFile("id,a,d,arr\n1,x,abcde,{ab}\n")
        let array = try db.csvFile("id,a,d,arr\n1,x,ab,\"{ab,cd}\"\n")
        #expect(dryRunError(db, table, domain) != nil, "the load refuses 'abcde' in a domain over varchar(4)")
        #expect(dryRunError(db, table, array) == nil, "the load takes '{ab,cd}' in varchar(4)[]")
        let standby = try standby(db)
        for (name, connection) in [("staged", db.connection), ("read-only", standby)] {
            let tooLong = try validate(connection, table, domain)
            #expect(!tooLong.wouldLoad || !tooLong.notExact.isEmpty, "\(name): \(tooLong.render(.text))")
            let fine = try validate(connection, table, array)
            #expect(fine.wouldLoad, "\(name): \(fine.render(.text))")
        }
    }

    /// bit(3) and varbit(3): the explicit cast truncates and pads where the load's
    /// assignment refuses ('1010': "bit string length 4 does not match type bit(3)", "bit
    /// string too long for type bit varying(3)"); validate, staged and read-only, says
    /// "would load" with an empty notExact. Mended on branch casts: the assignment's own
    /// length check runs first (`AssignedLength`).
    @Test func bitStringLengths() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            INSERT INTO p VALUES ('x');
            CREATE TABLE t (id int, a text REFERENCES p, b bit(3), vb varbit(3));
            """)
        let table = "\(db.schema).t"
        let standby = try standby(db)
        for text in ["id,a,b,vb\n1,x,1010,101\n", "id,a,b,vb\n1,x,101,1010\n"] {
            let csv = try db.csvFile(text)
            #expect(dryRunError(db, table, csv) != nil, "the load refuses \(text)")
            for (name, connection) in [("staged", db.connection), ("read-only", standby)] {
                let report = try validate(connection, table, csv)
                #expect(!report.wouldLoad || !report.notExact.isEmpty, "\(name): \(text)")
            }
        }
    }
}

