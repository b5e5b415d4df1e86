import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Hostile review 28 of blank keys made NULL as the rows are staged (a string FK column
/// of the stage is a generated column over the input column `_fkb_in_N` COPY writes) and
/// of COPY in 64 KiB messages. PostgreSQL is the oracle: a `\copy` of the same rows with
/// the blanks replaced by NULL by hand. Each test failed on main at ff084fb.
@Suite struct HostileReview28Tests {
    static let rules = "blank:\n  markers: ['n/a']\n  on_blank: \"null\"\n"

    func validate(_ db: TestDatabase, _ csv: String, rules: Rules) throws -> ValidationReport {
        var options = ValidateOptions()
        options.rules = rules
        return try Validator(connection: db.connection).run(table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
    }

    /// A short row, its missing field a blank key's: COPY's message named the stage's
    /// input column (`missing data for column "_fkb_in_2"`), not the file's.
    @Test func aShortRowNamesTheInputsColumn() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (n int, org text REFERENCES org)")
        let rules = try RulesParser.parse(Self.rules, file: "rules.yaml")
        let error = try #require(throws: FKBackfillError.self) { try db.load("fact", csv: "n,org\n1,G1\n2\n") { $0.rules = rules } }
        #expect(error.message.contains(#":3: missing data for column "org""#), "\(error.message)")
        #expect(!error.message.contains("_fkb_in"), "\(error.message)")
        #expect(try db.count("fact") == 0 && db.count("org") == 0)
    }

    /// Target columns named `_fkb_in_1` and `_fkb_in_1_` beside a blank key column: the
    /// stage's input column took the first's name, and its CREATE failed with 42701 where
    /// PostgreSQL's COPY loads the rows. Now the input columns go past the target's names:
    /// the load, validate and a reject table's original row (the target's columns, none of
    /// the stage's) agree with the `\copy`.
    @Test func targetColumnsNamedLikeTheStagesInputColumnsLoad() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE TABLE fact (id int GENERATED ALWAYS AS IDENTITY, org text REFERENCES org,
                               _fkb_in_1 text REFERENCES org, _fkb_in_1_ text CHECK (_fkb_in_1_ <> 'bad'));
            """)
        let rules = try RulesParser.parse(Self.rules, file: "rules.yaml")
        let csv = "org,_fkb_in_1,_fkb_in_1_\nG1,n/a,x\nn/a,G2,y\n\" \",G1,bad\n"
        let report = try validate(db, csv, rules: rules)
        #expect(!report.wouldLoad, "the CHECK refuses line 4 without --max-rejects")
        var options = ValidateOptions()
        options.rules = rules
        options.maxRejects = 1
        let rejecting = try Validator(connection: db.connection).run(
            table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(rejecting.wouldLoad && rejecting.prediction?.inserted == 2, "\(rejecting.prediction?.blockers ?? [])")
        let loaded = try db.load("fact", csv: csv) {
            $0.rules = rules
            $0.maxRejects = 1
            $0.rejectTable = "\(db.schema).rejects"
        }
        #expect(loaded.inserted == 2 && loaded.rejected == 1)
        #expect(try db.values("SELECT org, _fkb_in_1, _fkb_in_1_ FROM fact ORDER BY id") == [["G1", nil, "x"], [nil, "G2", "y"]])
        #expect(try db.values("SELECT CAST(original AS text) FROM rejects")
                    == [[#"{"org": null, "_fkb_in_1": "G1", "_fkb_in_1_": "bad"}"#]])
    }

    /// A blank longer than its varchar(n) column (a marker `(blank)`, four U+3000 spaces in
    /// varchar(3)): by hand, NULL loads. The load stops at COPY (22001: the stage's input
    /// column is sized, as its column was before the blanks moved to staging), validate on
    /// the primary says "would load", read-only validate "would not load" with the key cut
    /// to '(bl'. Recorded, not fixed: the staged test compares the sized value (a trailing
    /// space cut off a varchar(n) makes a marker), which an unsized input column would not.
    @Test func aBlankLongerThanItsColumnIsNullByHand() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE org (code text PRIMARY KEY); CREATE TABLE fact (n int, org varchar(3) REFERENCES org)")
        let rules = try RulesParser.parse("blank:\n  markers: ['(blank)']\n  on_blank: \"null\"\n", file: "rules.yaml")
        let csv = "n,org\n1,G1\n2,(blank)\n3,\u{3000}\u{3000}\u{3000}\u{3000}\n"
        #expect(try validate(db, csv, rules: rules).wouldLoad)
        withKnownIssue("a blank longer than varchar(n) stops the load at COPY; read-only validate cuts it") {
            let report = try db.load("fact", csv: csv) { $0.rules = rules }
            #expect(report.inserted == 3)
            var options = ValidateOptions()
            options.rules = rules
            let standby = try Standby.connect()
            try Standby.waitForReplay(of: db.connection, on: standby)
            let streamed = try Validator(connection: standby).run(
                table: "\(db.schema).fact", input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
            #expect(streamed.wouldLoad)
        }
    }
}
