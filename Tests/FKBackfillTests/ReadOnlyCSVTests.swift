@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Issue #29's second stage: a CSV on a hot standby or for a read-only role is split as
/// COPY splits it, streamed in batches as bound arrays and checked as in place, with the
/// verdict of `load --dry-run` on the primary, nothing written and no sequence value used.
@Suite struct ReadOnlyCSVTests {
    let shared = ReadOnlyValidateTests()

    /// `ReadOnlyValidateTests`' schema plus a date and a varchar(4) column on a table of its own.
    func schema(_ db: TestDatabase) throws {
        try shared.schema(db)
        try db.run("""
            CREATE TABLE dated (id int PRIMARY KEY, org_code text CONSTRAINT d_org REFERENCES org, day date, note varchar(4))
            """)
    }

    /// The sessions that cannot write: the standby, the read-only role on the primary and on the standby.
    func readOnlySessions(_ db: TestDatabase, role: String) throws -> [(name: String, connection: Connection)] {
        Array(try shared.sessions(db, role: role).dropFirst())
    }

    /// Records per streamed batch where a test is about more records than a batch
    /// (`ValidateOptions.streamBatchRows`): a few hundred rows are several batches.
    static let batch = 50

    func validate(_ connection: Connection, _ table: String, _ csv: String, maxRejects: Int = 0,
                  batchRows: Int = Validator.streamBatch) throws -> (report: ValidationReport, statements: [String]) {
        var options = ValidateOptions()
        options.streamBatchRows = batchRows
        options.rules = try RulesParser.parse(ReadOnlyValidateTests.rules, file: "rules.yaml")
        options.maxRejects = maxRejects
        let statements = LockedBox<[String]>()
        options.onStatement = { statements.append($0.description) }
        let report = try Validator(connection: connection).run(table: table, input: .csv(path: csv, options: CSVOptions()), options: options)
        return (report, statements.value)
    }

    /// `csv` validated read-only on the standby, and staged on the primary.
    func bothWays(_ db: TestDatabase, _ table: String, _ csv: String,
                  batchRows: Int = Validator.streamBatch) throws -> (streamed: ValidationReport, staged: ValidationReport) {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        return (try validate(standby, "\(db.schema).\(table)", csv, batchRows: batchRows).report,
                try validate(db.connection, "\(db.schema).\(table)", csv, batchRows: batchRows).report)
    }

    /// The column problems of a report that the staged path lists as such: values.
    func valueProblems(_ report: ValidationReport) -> [String] {
        report.columns.filter { [.conversion, .tooLong, .notNull].contains($0.problem) }
            .map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" }
    }

    /// The target's own refusals a streamed report lists with the column problems
    /// (StreamedStatements+TargetRows), in the staged prediction's words.
    func targetRowProblems(_ report: ValidationReport) -> [String] {
        report.columns.filter { ![.conversion, .tooLong, .notNull, .missingColumn].contains($0.problem) }
            .map { "\($0.detail) \($0.rows) \($0.sampleLines)" }
    }

    /// The staged prediction's rejections for the same refusals.
    func rejectedForTheTarget(_ report: ValidationReport) -> [String] {
        (report.prediction?.rejections ?? []).filter {
            $0.reason.hasPrefix("fails CHECK") || $0.reason.hasPrefix("key (") || $0.reason.hasPrefix("duplicate key") || $0.reason.hasPrefix("no partition")
        }.map { "\($0.reason) \($0.rows) \($0.sampleLines)" }
    }

    /// `load --dry-run` on the primary: whether it would commit.
    func dryRunLoads(_ db: TestDatabase, _ table: String, _ csv: String) throws -> Bool {
        var options = LoadOptions()
        options.dryRun = true
        options.rules = try RulesParser.parse(ReadOnlyValidateTests.rules, file: "rules.yaml")
        do {
            _ = try Loader(connection: db.connection).run(table: table, input: .csv(path: csv, options: CSVOptions()), options: options)
            return true
        } catch {
            return false
        }
    }

    @Test func aCSVGetsTheDryRunsVerdictOnEveryReadOnlySession() throws {
        let db = try TestDatabase()
        try schema(db)
        let (role, cleanup) = try shared.readOnlyRole(db)
        defer { cleanup() }
        let fact = "\(db.schema).fact", dated = "\(db.schema).dated"
        let cases: [(name: String, table: String, csv: String, loads: Bool)] = [
            ("fixable", fact, "id,org_code,plan_code,amount\n11,G1,P1,1\n12,G9,P1,2\n13,\"G9\",P1,3\n", true),
            ("unfixable", fact, "id,org_code,plan_code,amount\n11,G1,P1,1\n12,G1,P7,2\n", false),
            ("bad values", dated, "id,org_code,day,note\n1,G1,2024-01-31,abcd\n2,G1,2024-02-30,ab\n3,G8,2024-03-01,\"abcde\"\n", false),
        ]
        let sequence = "SELECT last_value::text || is_called::text AS v FROM \(db.schema).serial_no"
        let checksum = try db.checksum(["org", "plan", "fact", "dated"])
        let before = try db.values(sequence)
        var reports: [String: ValidationReport] = [:]
        for (name, table, text, _) in cases {
            let csv = try db.csvFile(text)
            var first: String?
            for (session, connection) in try readOnlySessions(db, role: role) {
                let (report, statements) = try validate(connection, table, csv)
                #expect(report.checkedInPlace && report.linesAreFileLines && report.prediction == nil, "\(name) on \(session)")
                #expect(statements.contains("BEGIN READ ONLY"), "\(name) on \(session)")
                #expect(ReadOnlyValidateTests.writes(statements).isEmpty, "\(name) on \(session): \(ReadOnlyValidateTests.writes(statements))")
                // The same JSON on the standby and for the read-only role on the primary.
                let json = report.render(.json)
                if let first { #expect(json == first, "\(name): the report on \(session) differs") } else { first = json }
                reports[name] = report
            }
        }
        #expect(try db.values(sequence) == before, "a sequence value was used")
        #expect(try db.checksum(["org", "plan", "fact", "dated"]) == checksum)

        let fixable = try #require(reports["fixable"])
        let org = try #require(fixable.foreignKeys.first { $0.name == "f_org" })
        #expect((org.violatingRows, org.missingKeys, org.fixableKeys) == (2, 1, 1) && org.samples.map(\.lines) == [[3, 4]], "\(org)")
        #expect(fixable.wouldLoad && fixable.render(.text).contains("would load after backfilling 1 missing key"))
        // Its primary key is checked now, in the file and against the table: not named.
        #expect(!fixable.notExact.contains { $0.contains("fact_pkey") }, "\(fixable.notExact)")
        #expect(try JSONSchema("validate").problems(fixable.render(.json)).isEmpty)
        #expect(fixable.render(.json).contains("\"lineNumbers\" : \"file\""))
        let unfixable = try #require(reports["unfixable"])
        #expect(!unfixable.wouldLoad && unfixable.foreignKeys.first { $0.name == "f_plan" }?.unfixableKeys == 1)
        // Bad values: the staged path's column problems, with the same lines.
        let bad = try #require(reports["bad values"])
        let (staged, _) = try validate(db.connection, dated, try db.csvFile(cases[2].csv))
        #expect(!staged.checkedInPlace && !bad.wouldLoad)
        #expect(bad.columns.map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" }
            == staged.columns.map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" })
        #expect(bad.columns.map(\.problem) == [.conversion, .tooLong] && bad.columns.map(\.sampleLines) == [[3], [4]])
        #expect(bad.foreignKeys.map(\.samples.first?.lines) == staged.foreignKeys.map(\.samples.first?.lines))

        for (name, table, text, loads) in cases {
            #expect(try dryRunLoads(db, table, try db.csvFile(text)) == loads, "load --dry-run of \(name)")
            #expect(reports[name]?.wouldLoad == loads, "validate read-only of \(name)")
        }
    }

    /// More records than a batch: what the batches found is merged exactly, as the staged
    /// path finds it in one go (a key missing in every batch counts once, first lines kept).
    @Test func batchesMergeToTheStagedFindings() throws {
        let db = try TestDatabase()
        try schema(db)
        var text = "id,org_code,plan_code,amount\n"
        let rows = Self.batch * 2 + 23
        for id in 1...rows {
            let org = id % 13 == 0 ? "N\(id % 3)" : id % 5 == 0 ? "G1" : "G2"
            text += "\(id),\(org),\(id == rows ? "P9" : "P1"),\(id % 7 == 0 ? "x" : "1")\n"
        }
        let csv = try db.csvFile(text)
        let (streamed, staged) = try bothWays(db, "fact", csv, batchRows: Self.batch)
        #expect(streamed.rows == rows && staged.rows == rows)
        func keys(_ report: ValidationReport) -> [String] {
            report.foreignKeys.map { "\($0.name) \($0.violatingRows) \($0.missingKeys) \($0.samples.map { "\($0.key) \($0.lines)" })" }
        }
        #expect(keys(streamed) == keys(staged))
        #expect(valueProblems(streamed) == staged.columns.map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" })
        #expect(targetRowProblems(streamed) == rejectedForTheTarget(staged), "\(targetRowProblems(streamed))")
        #expect(streamed.columns.first?.rows == rows / 7)
    }

    /// Keys equal by their type's equality but written differently (numeric 10.0 and 10)
    /// in different batches are one missing key, as the staged path counts them; partly
    /// NULL MATCH FULL keys are counted in every batch.
    @Test func equalKeysMergeByTheirTypesEqualityAcrossBatches() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE price (code numeric PRIMARY KEY);
            INSERT INTO price VALUES (1);
            CREATE TABLE pair (a text, b text, PRIMARY KEY (a, b));
            CREATE TABLE sale (id int, code numeric REFERENCES price, a text, b text, FOREIGN KEY (a, b) REFERENCES pair MATCH FULL);
            """)
        var text = "id,code,a,b\n"
        let rows = Self.batch + 30
        for id in 1...rows {
            let code = id == 3 ? "10.0" : id == rows - 1 ? "10" : id == rows ? "10.000" : "1"
            text += "\(id),\(code),\(id % 10 == 0 ? "x," : ",")\n"
        }
        let csv = try db.csvFile(text)
        let (streamed, staged) = try bothWays(db, "sale", csv, batchRows: Self.batch)
        func keys(_ report: ValidationReport) -> [String] {
            report.foreignKeys.map { "\($0.name) \($0.violatingRows) \($0.missingKeys) \($0.samples.map(\.lines))" }
        }
        #expect(keys(streamed) == keys(staged))
        let price = try #require(streamed.foreignKeys.first { $0.referencedTable.name == "price" })
        #expect((price.violatingRows, price.missingKeys) == (3, 1) && price.samples.first?.key == ["10.0"], "\(price)")
        #expect(price.samples.first?.lines == [4, rows, rows + 1])
        let pair = try #require(streamed.foreignKeys.first { $0.referencedTable.name == "pair" })
        #expect(pair.violatingRows == rows / 10, "\(pair)")
    }

    /// Blank keys (a bound marker, white space) are named as the staged path names them;
    /// a bad value repeated in every batch is found in each.
    @Test func blankKeysAndRepeatedBadValuesAsStaged() throws {
        let db = try TestDatabase()
        try schema(db)
        var text = "id,org_code,plan_code,amount\n"
        let rows = Self.batch * 2 + 10
        for id in 1...rows {
            let org = id == 2 ? "(空白)" : id == rows ? "\"\u{3000} \"" : "G1"
            text += "\(id),\(org),P1,\(id % 13 == 0 ? "N/A" : "1")\n"
        }
        let csv = try db.csvFile(text)
        let (streamed, staged) = try bothWays(db, "fact", csv, batchRows: Self.batch)
        func keys(_ report: ValidationReport) -> [String] {
            report.foreignKeys.map { "\($0.name) \($0.violatingRows) \($0.missingKeys) \($0.fixableKeys) \($0.reasons) \($0.samples.map(\.key))" }
        }
        #expect(keys(streamed) == keys(staged))
        let org = try #require(streamed.foreignKeys.first { $0.name == "f_org" })
        #expect((org.missingKeys, org.unfixableKeys) == (2, 2) && org.reasons == ["2 missing keys are blank, which is never backfilled"], "\(org)")
        #expect(valueProblems(streamed) == ["amount conversion 8 [14, 27, 40, 53, 66]"])
        #expect(valueProblems(streamed) == staged.columns.map { "\($0.column) \($0.problem) \($0.rows) \($0.sampleLines)" })
        #expect(targetRowProblems(streamed) == rejectedForTheTarget(staged), "\(targetRowProblems(streamed))")
    }

    /// A NOT NULL domain with a CHECK on a column: a value its CHECK refuses does not
    /// convert, and a NULL is NULL in a NOT NULL column, read-only as staged (the batch is
    /// cast to the domain, then held in the type under it).
    @Test func aNotNullDomainsValuesAsStaged() throws {
        let db = try TestDatabase()
        try schema(db)
        try db.run("""
            CREATE DOMAIN upper_code AS text NOT NULL CHECK (VALUE ~ '^[A-Z]+$');
            CREATE TABLE coded (id int PRIMARY KEY, org_code text CONSTRAINT c_org REFERENCES org, c upper_code);
            """)
        let csv = try db.csvFile("id,org_code,c\n1,G1,AB\n2,G1,ab\n3,G1,\n4,G9,CD\n")
        let (streamed, staged) = try bothWays(db, "coded", csv)
        func columns(_ report: ValidationReport) -> [String] {
            report.columns.map { "\($0.column) \($0.problem.rawValue) \($0.rows) \($0.sampleLines)" }
        }
        #expect(columns(streamed) == ["c does not convert 1 [3]", "c NULL in NOT NULL column 1 [4]"], "\(columns(streamed))")
        #expect(columns(streamed) == columns(staged))
        #expect(!streamed.wouldLoad && !(staged.prediction?.wouldLoad ?? true))
        #expect(try !dryRunLoads(db, "\(db.schema).coded", csv))
    }

    /// A file COPY refuses is refused read-only with the same kind and line.
    @Test func aFileCOPYRefusesIsRefusedWithTheSameLine() throws {
        let db = try TestDatabase()
        try schema(db)
        let (role, cleanup) = try shared.readOnlyRole(db)
        defer { cleanup() }
        let files: [Data] = [
            Data("id,org_code,plan_code,amount\n1,G1,P1,1\n2,\"G\n1\",P1,2,9\n".utf8),
            Data("id,org_code,plan_code,amount\n1,G1,P1\n".utf8),
            Data("id,org_code,plan_code,amount\n1,G1,P1,1\n2,\"G1,P1,2\n".utf8),
            Data("id,org_code,plan_code,amount\n1,\"a\nb\",P1,1\n2,G".utf8) + Data([0xFF]) + Data(",P1,1\n".utf8),
        ]
        for data in files {
            let path = TestFiles.url(suffix: ".csv").path
            try data.write(to: URL(fileURLWithPath: path))
            let staged = try #require(throws: FKBackfillError.self) { _ = try validate(db.connection, "\(db.schema).fact", path) }
            #expect(staged.cause != nil)
            guard case .badInput(let line?) = staged.kind else { Issue.record("\(staged)"); continue }
            for (session, connection) in try readOnlySessions(db, role: role) {
                let error = try #require(throws: FKBackfillError.self) { _ = try validate(connection, "\(db.schema).fact", path) }
                #expect(error.kind == .badInput(line: line), "\(session): \(error) vs \(staged)")
                #expect(error.message.hasPrefix("\(path):\(line): "), "\(error.message)")
            }
        }
    }

    /// What needs the staged prediction is refused read-only, one error of the first
    /// stage's kind: a target that references itself by a key whose equal values differ in
    /// text (`interval`: '1 day' is '24 hours'), which the batches do not follow (rows set aside, rows
    /// replaced and a self-reference, with rows replaced too, are checked read-only:
    /// ReadOnlyMaxRejectsTests, ReadOnlyReplaceByTests, ReadOnlySelfReferenceTests,
    /// ReadOnlySelfReplaceTests).
    @Test func whatNeedsTheStagedPredictionIsRefusedReadOnly() throws {
        let db = try TestDatabase()
        try schema(db)
        try db.run("CREATE TABLE node (id interval PRIMARY KEY, up interval REFERENCES node)")
        // Bigger than one batch for sure (a file of one batch is compared in its statement: HostileReview17Tests).
        let nodes = try db.csvFile("id,up\n1 day,\n2 days,24 hours\n" + (3...1500).map { "\($0) days,1 day\n" }.joined())
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        let cases: [(String, String, ValidateOptions, String)] = [
            ("node", nodes, { var options = ValidateOptions(); options.replaceBy = ["id"]; return options }(), "the target references itself, and the keys its rows give are not followed across batches"),
        ]
        for (table, path, options, why) in cases {
            let statements = LockedBox<[String]>()
            var options = options
            options.onStatement = { statements.append($0.description) }
            let error = try #require(throws: FKBackfillError.self, "\(why)") {
                _ = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: .csv(path: path, options: CSVOptions()), options: options)
            }
            #expect(error.kind == .database(sqlState: SQLState.readOnlySQLTransaction) && error.cause == nil, "\(error)")
            #expect(error.message.contains(why) && error.message.hasPrefix("cannot validate \(path) for \(db.schema).\(table) on this session: the server is a hot standby"), "\(error.message)")
            #expect(ReadOnlyValidateTests.writes(statements.value).isEmpty)
        }
    }

    /// A partitioned target whose partitions reference different parents: each row is
    /// checked against its own partition's FKs, as staged; rows no partition accepts are
    /// named as not looked for.
    @Test func partitionsThatDifferAsStaged() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org_a (code text PRIMARY KEY); CREATE TABLE org_b (code text PRIMARY KEY);
            INSERT INTO org_a VALUES ('A1'); INSERT INTO org_b VALUES ('B1');
            CREATE TABLE pfact (kind text, code text) PARTITION BY LIST (kind);
            CREATE TABLE pfact_a PARTITION OF pfact (FOREIGN KEY (code) REFERENCES org_a) FOR VALUES IN ('a');
            CREATE TABLE pfact_b PARTITION OF pfact (FOREIGN KEY (code) REFERENCES org_b) FOR VALUES IN ('b');
            """)
        let csv = try db.csvFile("kind,code\na,A1\na,B1\nb,B1\nb,A1\nb,A2\n")
        let (streamed, staged) = try bothWays(db, "pfact", csv)
        func keys(_ report: ValidationReport) -> [String] {
            report.foreignKeys.map { "\($0.referencedTable.name) \($0.violatingRows) \($0.missingKeys) \($0.samples.map { "\($0.key) \($0.lines)" })" }
        }
        #expect(keys(streamed) == keys(staged))
        #expect(keys(streamed).contains("org_b 2 2 [\"[Optional(\\\"A1\\\")] [5]\", \"[Optional(\\\"A2\\\")] [6]\"]"), "\(keys(streamed))")
        // Routing is evaluated: every row has a partition, and nothing is left unsaid.
        #expect(streamed.columns.isEmpty && streamed.notExact.isEmpty, "\(streamed.columns) \(streamed.notExact)")
    }

    /// Field by field, what COPY reads from tricky files and what the parser reads agree;
    /// where COPY refuses a file, the parser refuses it with COPY's line, and COPY's line
    /// mapped by the staged path's tracker is the line the parser names (where the
    /// record starts), quoted newlines in the first record, a later one, or a CRLF file
    /// before it.
    @Test func theParserSplitsAsCOPYDoes() throws {
        let db = try TestDatabase()
        var semicolons = CSVOptions()
        (semicolons.delimiter, semicolons.quote, semicolons.null) = (";", "'", "NA")
        let corpus: [([UInt8], CSVOptions)] = [
            (Array("a,\"b,c\",\n\"\",\"x\"\"y\",z\nab\"c,d\"e,,\"\"\"\"\n".utf8), CSVOptions()),
            (Array("1,\"a\nb\",3\n4,\" 5 \", 6 \n7,\"\n\n\",9".utf8), CSVOptions()),
            (Array("1,2,3\r\n\"x\r\ny\",,\"\"\r\n".utf8), CSVOptions()),
            (Array("1,2,3\r4,\"5\r\",6\r".utf8), CSVOptions()),
            (Array("规模,é,😀\n\"\",,\n".utf8), CSVOptions()),
            (Array("NA;'NA';'it''s'\n;x;\"y\"\n".utf8), semicolons),
            (Array("1,2,3\n1,\"a\nb\",3,4\n".utf8), CSVOptions()),
            (Array("1,2,3\n1,2\n".utf8), CSVOptions()),
            (Array("1,2,3\n1,\"a\nb\n".utf8), CSVOptions()),
            (Array("1,2,3\r\n4,5,6\n".utf8), CSVOptions()),
            (Array("1,2,3\n4,5\r6\n".utf8), CSVOptions()),
            (Array("1,2,3\n\"a\nb\",".utf8) + [0xC3, 0x28] + Array(",6\n".utf8), CSVOptions()),
            (Array("1,2,3\n4,5,6".utf8) + [0x00, 0x0A], CSVOptions()),
            (Array("\"a\nb\",2,3\n4,5\n".utf8), CSVOptions()),
            (Array("1,2,3\n\"a\nb\",2,3\n\"c\n\nd\",5\n".utf8), CSVOptions()),
            (Array("\"a\r\nb\",2,3\r\n\"c\nd\",5,6\r\n7,8\r\n".utf8), CSVOptions()),
            (Array("\"a\nb\",2,3\n\"c\nd\",5,6\n7,8,9\n".utf8) + [0xFF] + Array(",8,9\n".utf8), CSVOptions()),
        ]
        try db.run("CREATE TABLE copied (n bigint GENERATED ALWAYS AS IDENTITY, c1 text, c2 text, c3 text)")
        for (bytes, options) in corpus {
            let shown = String(decoding: bytes, as: UTF8.self).debugDescription
            var parsed: [[String?]] = []
            var parseError: CSVRecordParser.Failure?
            let tracker = CSVLineTracker(quote: options.quote, firstLine: 1)
            bytes.withUnsafeBytes { tracker.consume($0) }
            do {
                var parser = CSVRecordParser(options: options, columns: ["c1", "c2", "c3"], firstLine: 1)
                try bytes.withUnsafeBytes { try parser.feed($0) { fields, _ in parsed.append(fields) } }
                try parser.finish { fields, _ in parsed.append(fields) }
            } catch let failure as CSVRecordParser.Failure {
                parseError = failure
            }
            try db.run("TRUNCATE copied")
            do {
                _ = try db.connection.copyIn(LoadStatements.copy(into: "copied", columns: ["c1", "c2", "c3"], options)) { writer in
                    try bytes.withUnsafeBytes { try writer.write($0) }
                }
                let copied = try db.values("SELECT c1, c2, c3 FROM copied ORDER BY n")
                #expect(parseError == nil, "\(shown): COPY read it, the parser refused it: \(String(describing: parseError))")
                #expect(parsed == copied, "\(shown)")
            } catch let error as PostgresError {
                let located = FKBackfillError(input: "f", error)
                #expect(parseError?.sqlState == error.sqlState, "\(shown): \(error.message) vs \(String(describing: parseError))")
                #expect(located.kind == .badInput(line: parseError?.copyLine), "\(shown): \(located.message) vs \(String(describing: parseError))")
                let mapped = FKBackfillError(input: "f", error, fileLine: tracker.line(ofCopyLine:))
                #expect(mapped.kind == .badInput(line: parseError?.line), "\(shown): \(mapped.message) vs \(String(describing: parseError))")
            }
        }
    }
}
