@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The Discourse/ERP-style schema of Tests/Fixtures/realschema2/app.sql in schemas this
/// test owns (`s14app` → the test's schema, `s14wh` → another of its own, citext wherever
/// StoredTruthTests put it), with the application's session search_path (what
/// `ALTER DATABASE … SET search_path` gives it): its trigger and CHECK functions use
/// unqualified names.
struct ForumSchema {
    let db: TestDatabase
    let app: String, wh: String, ext: String

    static let folder = "Tests/Fixtures/realschema2/"

    init() throws {
        db = try TestDatabase()
        app = db.schema
        wh = try db.makeSchema("wh")
        // Teardown's OrphanOracle reads an inheritance parent without ONLY (document 500
        // lives in delivery_notes); `RealSchema.orphans(in:on:)` runs instead.
        db.expectsOrphans = true
        ext = try StoredTruthTests.extensions(db).citext
        try db.run(rename(try Self.text("app.sql")))
    }

    static func text(_ file: String) throws -> String {
        try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent(folder + file), encoding: .utf8)
    }

    /// The fixture's schema names replaced by this test's.
    func rename(_ text: String) -> String {
        text.replacingOccurrences(of: "s14app", with: app).replacingOccurrences(of: "s14wh", with: wh)
            .replacingOccurrences(of: "fkb_ext", with: ext)
    }

    /// A connection to the hot standby once it has replayed the schema, with the same search_path.
    func standby() throws -> Connection {
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        try standby.execute("SET search_path TO \(ident: app), \(ident: wh), \(ident: ext), public")
        return standby
    }

    /// A staging table `name` of text columns holding the CSV file, for `--source` and `--query`.
    func stage(_ file: String, as name: String) throws {
        let csv = try Self.text(file)
        let header = csv.prefix { $0 != "\n" }.split(separator: ",").map { "\(ident: String($0)) text" as SQL }
        try db.connection.execute("CREATE TABLE \(ident: app).\(ident: name) (\(header.joined(separator: ", ")))")
        _ = try db.connection.copyIn("COPY \(ident: app).\(ident: name) FROM STDIN WITH (FORMAT csv, HEADER)") { try $0.write(csv) }
    }
}

/// One target of the sweep: an input of a few hundred rows (generate.py) with the load's options.
struct ForumCase: CustomTestStringConvertible, Sendable {
    enum Input: Sendable { case csv(String), source(String), query(String) }
    var name: String
    var table: String
    var input: Input
    var rules: String?
    var maxRejects = 0
    var replaceBy: [String] = []
    /// Whether the load commits, as the sweep saw it (so a case cannot pass by both sides
    /// failing for a reason nobody meant, e.g. a broken fixture).
    var commits = true
    var staged: (file: String, table: String)?

    var testDescription: String { name }

    func source(_ schema: ForumSchema) throws -> InputSource {
        if let staged { try schema.stage(staged.file, as: staged.table) }
        switch input {
        case .csv(let file): return .csv(path: TestDatabase.repositoryRoot.appendingPathComponent(ForumSchema.folder + file).path, options: CSVOptions())
        case .source(let table): return .table("\(schema.app).\(table)")
        case .query(let sql): return .query(schema.rename(sql))
        }
    }

    func parsedRules(_ schema: ForumSchema) throws -> Rules {
        guard let rules else { return .none }
        return try RulesParser.parse(schema.rename(try ForumSchema.text(rules)), file: rules)
    }

    static func csv(_ name: String, _ table: String, _ file: String, rules: String? = nil, maxRejects: Int = 0, replaceBy: [String] = [],
                    commits: Bool = true) -> ForumCase {
        ForumCase(name: name, table: table, input: .csv(file), rules: rules, maxRejects: maxRejects, replaceBy: replaceBy, commits: commits)
    }
}

/// What each step said: the dry run, validate on the primary (staged) and on the standby
/// (read-only), then the real load.
struct ForumOutcome {
    var dryRun: Result<LoadReport, FKBackfillError>
    var staged: Result<ValidationReport, FKBackfillError>
    var readOnly: Result<ValidationReport, FKBackfillError>
    var load: Result<LoadReport, FKBackfillError>

    /// Dry run, staged validate, standby validate, then the real load, in that order.
    init(_ c: ForumCase, _ schema: ForumSchema) throws {
        let rules = try c.parsedRules(schema)
        let input = try c.source(schema)
        let table = schema.rename(c.table)
        func run(dryRun: Bool) -> Result<LoadReport, FKBackfillError> {
            var options = LoadOptions()
            (options.rules, options.maxRejects, options.replaceBy, options.dryRun, options.samples) = (rules, c.maxRejects, c.replaceBy, dryRun, 5)
            do throws(FKBackfillError) {
                return .success(try Loader(connection: schema.db.connection).run(table: table, input: input, options: options))
            } catch { return .failure(error) }
        }
        func validate(_ connection: Connection) -> Result<ValidationReport, FKBackfillError> {
            var options = ValidateOptions()
            (options.rules, options.maxRejects, options.replaceBy, options.samples) = (rules, c.maxRejects, c.replaceBy, 5)
            do throws(FKBackfillError) {
                return .success(try Validator(connection: connection).run(table: table, input: input, options: options))
            } catch { return .failure(error) }
        }
        dryRun = run(dryRun: true)
        staged = validate(schema.db.connection)
        readOnly = validate(try schema.standby())
        load = run(dryRun: false)
    }

    /// The verdicts agree with the load, the staged prediction's counts with the dry run's,
    /// the standby's missing keys per FK with the staged ones (without --max-rejects, as
    /// docs/validate.md says), and a committed load leaves no orphans (`FROM ONLY` the
    /// parent, the FK's operators: RealSchema.orphans).
    func expectAgreement(_ c: ForumCase, _ schema: ForumSchema, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let loads = (try? dryRun.get()) != nil
        let why = (try? dryRun.get()).map { "dry run inserted \($0.inserted)" } ?? "dry run failed: \(String(describing: dryRun))"
        #expect(loads == c.commits, "the sweep saw this load \(c.commits ? "commit" : "fail"); \(why)", sourceLocation: sourceLocation)
        #expect(((try? load.get()) != nil) == loads, "the load: \(String(describing: load)); \(why)", sourceLocation: sourceLocation)
        switch staged {
        case .success(let staged):
            #expect(staged.wouldLoad == loads, "staged validate: \(staged.prediction?.blockers ?? []) \(staged.foreignKeys.flatMap(\.reasons)); \(why)",
                    sourceLocation: sourceLocation)
            if case .success(let report) = dryRun, let p = staged.prediction {
                #expect(p.inserted == report.inserted && p.deleted == report.deleted,
                        "validate: \(p.inserted) inserted, \(p.deleted) deleted; dry run: \(report.inserted), \(report.deleted)", sourceLocation: sourceLocation)
                #expect(p.rejections.map { "\($0.reason) \($0.rows)" } == report.rejections.map { "\($0.reason) \($0.rows)" }, sourceLocation: sourceLocation)
                #expect(p.parents.map { "\($0.table) \($0.inserted)" } == report.parents.filter { $0.inserted > 0 }.map { "\($0.table) \($0.inserted)" },
                        sourceLocation: sourceLocation)
            }
        case .failure(let error): Issue.record("staged validate refused: \(error)", sourceLocation: sourceLocation)
        }
        switch readOnly {
        case .success(let readOnly):
            #expect(readOnly.wouldLoad == loads, "standby validate: \(readOnly.foreignKeys.flatMap(\.reasons)) not exact: \(readOnly.notExact); \(why)",
                    sourceLocation: sourceLocation)
            if c.maxRejects == 0, case .success(let staged) = staged {
                let missing = { (r: ValidationReport) in r.foreignKeys.map { "\($0.name) \($0.missingKeys)" }.sorted() }
                #expect(missing(readOnly) == missing(staged), sourceLocation: sourceLocation)
            }
        case .failure(let error): Issue.record("standby validate refused: \(error)", sourceLocation: sourceLocation)
        }
        #expect(try RealSchema.orphans(in: [schema.app, schema.wh], on: schema.db.connection) == [], sourceLocation: sourceLocation)
    }
}
