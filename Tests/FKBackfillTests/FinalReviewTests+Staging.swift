import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 3, the part outside the facts-first gate: what validate and
/// --max-rejects decide on the stage, before the backfill, that PostgreSQL decides after
/// it (a CHECK or domain reading the parent), this round's domain rejects (item 3) with a
/// NOT NULL domain, MATCH FULL's error, and a case-insensitive parent's derived column.
extension FinalReviewTests {
    /// A target CHECK that reads the parent through a user function (STABLE, so the gate
    /// sees it and the load keeps parents first). `load --dry-run` loads the 3 rows and
    /// backfills 2 customers (exit 0), as PostgreSQL's per-row order does; validate
    /// evaluates the CHECK against the staged rows before any parent exists and predicts
    /// 3 rows refused, "would not load". validate must agree with `load --dry-run`.
    @Test func validateRefusesACheckReadingTheParentThatTheLoadPasses() throws {
        let db = try TestDatabase()
        let s = db.schema
        try db.run(Self.checkReadingTheParent(s))
        let csv = "cust_id,n\n1,1\n1,2\n2,3\n"
        let dryRun = try db.load("fact", csv: csv) { $0.dryRun = true }
        #expect(dryRun.inserted == 3 && dryRun.parent("cust")?.inserted == 2)
        let predicted = try db.predict("fact", csv: csv)
        #expect(predicted.wouldLoad, "load --dry-run inserts \(dryRun.inserted); validate predicts \(predicted.inserted) inserted, \(predicted.rejected) rejected: \(predicted.rejections.map(\.reason))")
        #expect(predicted.inserted == dryRun.inserted && predicted.rejected == dryRun.rejected)
    }

    /// The same CHECK with `--max-rejects`: the load decides CHECK rejects on the stage,
    /// before the backfill, so every row is set aside as "fails CHECK known" and nothing
    /// is loaded (exit 0, 3 rejected) — while without `--max-rejects` the same load
    /// inserts all 3, and PostgreSQL's per-row order accepts every one of them.
    /// --max-rejects must not reject a row PostgreSQL would accept.
    @Test func maxRejectsRejectsRowsACheckReadingTheParentWouldAccept() throws {
        let db = try TestDatabase()
        let s = db.schema
        try db.run(Self.checkReadingTheParent(s))
        let csv = "cust_id,n\n1,1\n1,2\n2,3\n"
        let plain = try db.load("fact", csv: csv) { $0.dryRun = true; $0.fkCheck = .perRow }
        #expect(plain.inserted == 3 && plain.rejected == 0)
        let report = try db.load("fact", csv: csv) { $0.maxRejects = 5 }
        #expect(report.rejected == 0 && report.inserted == 3,
                "with --max-rejects 5: \(report.inserted) inserted, \(report.rejected) rejected (\(report.rejections.map(\.reason)))")
        #expect(try db.count("fact") == 3)
    }

    /// A target CHECK that reads the parent through a user function (STABLE).
    static func checkReadingTheParent(_ s: String) -> String {
        """
        CREATE TABLE cust (id int PRIMARY KEY);
        CREATE FUNCTION cust_known(int) RETURNS boolean LANGUAGE sql STABLE
            AS $$ SELECT EXISTS (SELECT 1 FROM \(s).cust c WHERE c.id = $1) $$;
        CREATE TABLE fact (cust_id int REFERENCES cust, n int, CONSTRAINT known CHECK (\(s).cust_known(cust_id)));
        """
    }

    /// A NOT NULL domain with a CHECK, and a file whose line 3 it refuses.
    static let notNullDomain = """
        CREATE TABLE cust (id int PRIMARY KEY);
        CREATE DOMAIN code AS text NOT NULL CHECK (VALUE ~ '^[A-Z]+$');
        CREATE TABLE fact (cust_id int REFERENCES cust, c code);
        """
    static let notNullDomainCSV = "cust_id,c\n1,AB\n2,ab\n"

    /// Item 3 of this round: "a domain's CHECK or NOT NULL refusing a staged value is a
    /// reject under --max-rejects". With a NOT NULL domain it was not: staging tested each
    /// value's cast, then staged `CASE WHEN castable THEN CAST(...) END`, whose NULL for the
    /// refused value the NOT NULL domain refused again: a bare "database error: domain …
    /// does not allow null values (SQLSTATE 23502)", exit 3. Text staging now stores a
    /// domain's values in the type under it (`TextStaging.stagingType`). A NULL in the
    /// NOT NULL domain's column is a reject too, and a domain over a domain counts.
    @Test func aNotNullDomainsBadValueIsARejectUnderMaxRejects() throws {
        let db = try TestDatabase()
        try db.run(Self.notNullDomain)
        let report = try db.load("fact", csv: Self.notNullDomainCSV) { $0.maxRejects = 5 }
        #expect(report.inserted == 1 && report.rejected == 1)
        #expect(try db.count("fact") == 1)
        let s = db.schema
        try db.run("""
            CREATE DOMAIN code2 AS \(s).code CHECK (length(VALUE) > 1);
            CREATE TABLE fact2 (cust_id int REFERENCES cust, c code2);
            """)
        let nested = try db.load("fact2", csv: "cust_id,c\n1,AB\n2,ab\n3,\n4,A\n5,CD\n") { $0.maxRejects = 5 }
        #expect(nested.inserted == 2 && nested.rejected == 3, "\(nested.rejections.map(\.reason))")
        #expect(nested.rejections.contains { $0.reason.contains("NULL in a NOT NULL column") }, "\(nested.rejections.map(\.reason))")
        #expect(try db.values("SELECT c FROM fact2 ORDER BY c") == [["AB"], ["CD"]])
    }

    /// validate on the same table, without --max-rejects: the load says
    /// "d.csv:3: value for domain code violates check constraint" (exit 2, FILE:LINE);
    /// validate stopped with "database error: domain code does not allow null values
    /// (SQLSTATE 23502)", exit 3, and no report at all. It now reports the bad value at
    /// its line, as the load does, and would not load.
    @Test func validateReportsANotNullDomainsBadValue() throws {
        let db = try TestDatabase()
        try db.run(Self.notNullDomain)
        let csv = Self.notNullDomainCSV
        let loadError = try #require(throws: FKBackfillError.self) { _ = try db.load("fact", csv: csv) { $0.dryRun = true } }
        #expect(loadError.kind == .badInput(line: 3), "\(loadError.kind) \(loadError.message)")
        let prediction = try db.predict("fact", csv: csv)
        #expect(!prediction.wouldLoad)
        var options = ValidateOptions()
        options.samples = 10
        let report = try Validator(connection: db.connection).run(
            table: "fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(report.columns.contains { $0.column == "c" && $0.problem == .conversion && $0.sampleLines == [3] }, "\(report.columns)")
    }

    /// A domain on the FK column whose CHECK reads the parent ("a known customer"). PostgreSQL's
    /// per-row order backfills the customers, then inserts the facts: every CHECK passes.
    /// The load casts the staged values to the domain before any parent exists and stops
    /// with "e.csv:2: value for domain custref violates check constraint" (exit 2, and a
    /// hint to fix a value that is fine); with --max-rejects it is a bare 23514, exit 3.
    @Test func aDomainCheckReadingTheParentRefusesALoadPostgreSQLAccepts() throws {
        withKnownIssue("a domain CHECK that reads the parent is evaluated when the stage is typed, before the backfill") {
            let db = try TestDatabase()
            let s = db.schema
            try db.run("""
                CREATE TABLE cust (id int PRIMARY KEY);
                CREATE FUNCTION cust_known(int) RETURNS boolean LANGUAGE sql STABLE
                    AS $$ SELECT EXISTS (SELECT 1 FROM \(s).cust c WHERE c.id = $1) $$;
                CREATE DOMAIN custref AS int CHECK (\(s).cust_known(VALUE));
                CREATE TABLE fact (cust_id custref REFERENCES cust, n int);
                """)
            // What PostgreSQL's per-row order does: parents first, then each fact row.
            try db.run("BEGIN; INSERT INTO cust VALUES (1), (2); INSERT INTO fact VALUES (1, 1), (1, 2), (2, 3); ROLLBACK;")
            let csv = "cust_id,n\n1,1\n1,2\n2,3\n"
            var loadError: FKBackfillError?
            do { _ = try db.load("fact", csv: csv) { $0.fkCheck = .perRow } } catch let error as FKBackfillError { loadError = error }
            #expect(loadError == nil, "\(loadError.map { "\($0.kind) \($0.message)" } ?? "")")
            #expect(try db.count("fact") == 3)
        }
    }

    /// Partly NULL keys under MATCH FULL stop the load (exit 1, documented), but the error
    /// names no line (the rows are lines 3 and 4) and its hint is the uncovered-column one:
    /// "cover the column with a rule …, give it a DEFAULT, or add a column of the same
    /// name to the input", which does not fix a partly NULL key. One error that says where,
    /// and a hint that fits.
    @Test func aMatchFullPartlyNullKeyErrorNamesNoLineAndTheWrongHint() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text, month int, PRIMARY KEY (code, month));
            CREATE TABLE fact (code text, month int, n int, FOREIGN KEY (code, month) REFERENCES plan MATCH FULL);
            """)
        let csv = "code,month,n\nA,1,1\nA,,2\n,3,3\n,,4\n"
        var loadError: FKBackfillError?
        do { _ = try db.load("fact", csv: csv) } catch let error as FKBackfillError { loadError = error }
        let error = try #require(loadError)
        #expect(error.kind == .blocked)
        let text = ([error.message] + error.details).joined(separator: "\n")
        #expect(text.contains("lines 3, 4") || text.contains("line 3"), "\(text)")
        #expect(error.hint?.contains("add a column of the same name") != true, "hint: \(error.hint ?? "")")
    }

    /// A parent key under a case-insensitive collation, the fact's key under the default
    /// one: 'ab', 'Ab' and 'AB' are one new parent row (PostgreSQL's FK check compares with
    /// the parent's collation; the load keeps one, right). But its `name`, documented as
    /// "the most frequent value of a same-named input column among the rows that reference
    /// it", is taken from the kept spelling's rows alone ('y', 'z' or 'w'), not from the
    /// nine rows that reference the new row ('x' three times): each staged spelling is
    /// aggregated on its own and ON CONFLICT keeps the first spelling's row. Same in both
    /// --fk-check modes; validate predicts the one row, and its FK table says 3 missing keys.
    @Test func aCaseInsensitiveParentsDerivedColumnIgnoresTheOtherSpellingsRows() throws {
        withKnownIssue("a new row's derived columns are aggregated per staged spelling, not over every row its parent's collation matches") {
            let db = try TestDatabase()
            let s = db.schema
            try db.run("""
                CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
                CREATE TABLE plan (code text COLLATE \(s).ci PRIMARY KEY, name text);
                CREATE TABLE fact (code text REFERENCES plan, n int);
                """)
            // Whichever spelling the load keeps, its own rows' most frequent name is y, z or w;
            // over the nine rows that reference the one new row it is x.
            let csv = "code,n,name\nab,1,y\nab,2,y\nab,3,x\nAb,4,z\nAb,5,z\nAb,6,x\nAB,7,w\nAB,8,w\nAB,9,x\n"
            let report = try db.load("fact", csv: csv)
            #expect(report.parent("plan")?.inserted == 1)
            #expect(try db.values("SELECT name FROM plan") == [["x"]])
        }
    }
}
