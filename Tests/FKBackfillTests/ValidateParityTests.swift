import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// validate's verdict against what `load --dry-run` with the same options then does, on
/// each case #14 found them disagreeing. Every test runs both and compares: exit (would
/// load or not), rejected lines with reasons, new parent keys.
@Suite struct ValidateParityTests {
    struct Options {
        var rules: String?
        var maxRejects = 0
        var replaceBy: [String] = []
    }

    /// validate's prediction and the dry-run load's outcome for the same input and options.
    func both(_ db: TestDatabase, _ table: String, csv: String, _ options: Options = Options())
        throws -> (prediction: ValidationReport.Prediction, report: ValidationReport, load: Result<LoadReport, FKBackfillError>) {
        let path = try db.csvFile(csv)
        let rules = try options.rules.map { try RulesParser.parse($0, file: "rules.yaml") } ?? .none
        var validate = ValidateOptions()
        validate.rules = rules
        validate.maxRejects = options.maxRejects
        validate.replaceBy = options.replaceBy
        validate.samples = 100
        let report = try Validator(connection: db.connection).run(
            table: table, input: .csv(path: path, options: CSVOptions()), options: validate)
        var load = LoadOptions()
        load.rules = rules
        load.maxRejects = options.maxRejects
        load.replaceBy = options.replaceBy
        load.samples = 100
        load.dryRun = true
        let outcome: Result<LoadReport, FKBackfillError>
        do throws(FKBackfillError) {
            outcome = .success(try Loader(connection: db.connection).run(
                table: table, input: .csv(path: path, options: CSVOptions()), options: load))
        } catch {
            outcome = .failure(error)
        }
        return (try #require(report.prediction), report, outcome)
    }

    /// The two agree: same verdict; when the load ran, same rejections and new parent keys.
    func expectAgreement(_ prediction: ValidationReport.Prediction, _ load: Result<LoadReport, FKBackfillError>,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        switch load {
        case .success(let report):
            #expect(prediction.wouldLoad, "validate: \(prediction.blockers), load inserted \(report.inserted)", sourceLocation: sourceLocation)
            #expect(prediction.inserted == report.inserted, sourceLocation: sourceLocation)
            #expect(prediction.deleted == report.deleted, sourceLocation: sourceLocation)
            #expect(prediction.rejections.map { "\($0.reason) \($0.sampleLines)" } == report.rejections.map { "\($0.reason) \($0.sampleLines)" },
                    sourceLocation: sourceLocation)
            let loaded = report.parents.filter { $0.inserted > 0 }
            #expect(prediction.parents.map { "\($0.table) \($0.inserted) \($0.sampleKeys)" } == loaded.map { "\($0.table) \($0.inserted) \($0.sampleKeys)" },
                    sourceLocation: sourceLocation)
        case .failure(let error):
            #expect(!prediction.wouldLoad, "the load failed (\(error.message)) but validate predicted it would load", sourceLocation: sourceLocation)
        }
    }

    @Test func aNewProductOfAnExistingBrandIsFixable() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE brand (brand_id text PRIMARY KEY, brand_name text NOT NULL);
            CREATE TABLE product (sku text PRIMARY KEY, brand_id text NOT NULL REFERENCES brand);
            CREATE TABLE sale (id int PRIMARY KEY, sku text REFERENCES product, quantity int);
            INSERT INTO brand VALUES ('B1', 'Brand one');
            """)
        let rules = "tables:\n  product:\n    columns:\n      brand_id: { value: B1 }\n"
        let (prediction, report, load) = try both(db, "sale", csv: "id,sku,quantity\n1,S9,2\n", Options(rules: rules))
        #expect(report.wouldLoad)
        #expect(report.foreignKeys.first?.fixableKeys == 1)
        #expect(report.foreignKeys.first?.reasons == [])
        expectAgreement(prediction, load)
        #expect(prediction.parents.map(\.table.name) == ["product"])
    }

    @Test func aNullableParentColumnIsLeftNull() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE label (code text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE artist (id text PRIMARY KEY, label_code text REFERENCES label);
            CREATE TABLE track (id int PRIMARY KEY, artist_id text REFERENCES artist);
            """)
        let (prediction, report, load) = try both(db, "track", csv: "id,artist_id\n1,A1\n2,A2\n")
        #expect(report.wouldLoad)
        #expect(report.foreignKeys.first?.unfixableKeys == 0)
        expectAgreement(prediction, load)
    }

    @Test func aColumnATriggerSetsIsNotMissing() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE org (code text PRIMARY KEY);
            CREATE SEQUENCE fact_ids;
            CREATE TABLE fact (id bigint NOT NULL PRIMARY KEY, org_code text REFERENCES org, amount int);
            CREATE FUNCTION \(db.schema).set_id() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN NEW.id := nextval('\(db.schema).fact_ids'); RETURN NEW; END $$;
            CREATE TRIGGER set_id BEFORE INSERT ON fact FOR EACH ROW EXECUTE FUNCTION \(db.schema).set_id();
            """)
        let (prediction, report, load) = try both(db, "fact", csv: "org_code,amount\nG1,1\n")
        #expect(!report.columns.contains { $0.problem == .missingColumn }, "\(report.columns)")
        // validate tries the insert in a savepoint: what the trigger does is known.
        #expect(prediction.exact, "\(prediction.notExact)")
        #expect(prediction.tried.contains { $0.contains("BEFORE INSERT trigger set_id") }, "\(prediction.tried)")
        expectAgreement(prediction, load)
    }

    @Test func aCheckViolationFailsBothAndIsRejectedByLine() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE sale (id int PRIMARY KEY, quantity int CHECK (quantity > 0))")
        let csv = "id,quantity\n1,3\n2,0\n3,4\n"
        let (prediction, report, load) = try both(db, "sale", csv: csv)
        #expect(!report.wouldLoad)
        expectAgreement(prediction, load)
        guard case .failure(let error) = load else { Issue.record("the load passed"); return }
        #expect(error.message.hasSuffix(":3: fails CHECK sale_quantity_check, nothing was written"), "\(error.message)")
        let allowed = try both(db, "sale", csv: csv, Options(maxRejects: 1))
        #expect(allowed.prediction.rejections.map(\.sampleLines) == [[3]])
        expectAgreement(allowed.prediction, allowed.load)
    }

    @Test func duplicatesInTheFileAndClashesWithLoadedRows() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE sale (month date, id int, amount int, PRIMARY KEY (month, id));
            INSERT INTO sale VALUES ('2024-10-01', 1, 5), ('2024-11-01', 1, 5);
            """)
        // Line 3 repeats line 2's key; line 4 is already loaded (November).
        let csv = "month,id,amount\n2024-12-01,1,1\n2024-12-01,1,2\n2024-11-01,1,3\n"
        let plain = try both(db, "sale", csv: csv)
        #expect(!plain.report.wouldLoad)
        expectAgreement(plain.prediction, plain.load)
        guard case .failure(let error) = plain.load else { Issue.record("the load passed"); return }
        #expect(error.hint?.contains("--replace-by") == true)
        let rejecting = try both(db, "sale", csv: csv, Options(maxRejects: 5))
        #expect(rejecting.prediction.rejections.map(\.sampleLines) == [[3], [4]], "\(rejecting.prediction.rejections)")
        expectAgreement(rejecting.prediction, rejecting.load)
        // Reloading November and December by month replaces what is there: only the in-file duplicate stays.
        let replacing = try both(db, "sale", csv: csv, Options(maxRejects: 5, replaceBy: ["month"]))
        #expect(replacing.prediction.deleted == 1)
        #expect(replacing.prediction.rejections.map(\.sampleLines) == [[3]])
        expectAgreement(replacing.prediction, replacing.load)
    }

    @Test func revalidatingALoadedMonthSaysItWouldFail() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE sale (month date, id int, PRIMARY KEY (month, id))")
        let csv = "month,id\n2024-11-01,1\n2024-11-01,2\n"
        _ = try db.load("sale", csv: csv)
        let again = try both(db, "sale", csv: csv)
        #expect(!again.report.wouldLoad)
        #expect(again.report.render(.text).contains("already in \(db.schema).sale (sale_pkey)"))
        expectAgreement(again.prediction, again.load)
        let replaced = try both(db, "sale", csv: csv, Options(replaceBy: ["month"]))
        #expect(replaced.report.wouldLoad)
        expectAgreement(replaced.prediction, replaced.load)
    }

    @Test func aDerivedValueThatBreaksAParentCheckStopsBoth() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE plan (code text PRIMARY KEY, kind text NOT NULL DEFAULT 'x' CHECK (kind IN ('A', 'B')));
            CREATE TABLE fact (plan_code text REFERENCES plan, amount int);
            """)
        let (prediction, report, load) = try both(db, "fact", csv: "plan_code,amount\nP1,1\n")
        #expect(!report.wouldLoad)
        #expect(prediction.blockers.contains { $0.contains("fails CHECK plan_kind_check") }, "\(prediction.blockers)")
        expectAgreement(prediction, load)
    }

    /// Issue #23, break 8 (`make fuzz` seeds 424242 case 871, 8675309 case 310): a
    /// self-referencing target whose referenced row is set aside. The row it would have
    /// been is no parent for the others: validate and load agree (here: neither loads,
    /// since a placeholder row could not satisfy batch NOT NULL).
    @Test func aSelfReferencedRowSetAsideIsNoParent() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE fact (id int UNIQUE, batch int NOT NULL, parent_id int REFERENCES fact(id))")
        let (prediction, _, load) = try both(db, "fact", csv: "id,batch,parent_id\n1,,\n2,1,1\n", Options(maxRejects: 10))
        expectAgreement(prediction, load)
        #expect(!prediction.wouldLoad)
        // With a placeholder possible (batch has a default), both backfill id 1 and load row 2.
        try db.run("ALTER TABLE fact ALTER COLUMN batch SET DEFAULT 0")
        let (again, _, loaded) = try both(db, "fact", csv: "id,batch,parent_id\n1,,\n2,1,1\n", Options(maxRejects: 10))
        expectAgreement(again, loaded)
    }

    /// Issue #23: an FK column the input leaves to its DEFAULT. The load stores the default
    /// and its verify refuses a key no parent holds; validate evaluates the same default
    /// and says so (it once said 0 violations). A volatile default makes it not exact.
    @Test func anFKColumnLeftToItsDefault() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE q (id int PRIMARY KEY); INSERT INTO q VALUES (1);
            CREATE TABLE fact (k text, qid int DEFAULT 999 REFERENCES q (id));
            CREATE SEQUENCE qs; CREATE TABLE fact2 (k text, qid int DEFAULT nextval('qs') REFERENCES q (id));
            """)
        let (prediction, _, load) = try both(db, "fact", csv: "k\nA\n")
        expectAgreement(prediction, load)
        #expect(!prediction.wouldLoad)
        #expect(prediction.blockers.contains { $0.contains("fact_qid_fkey") && $0.contains("DEFAULT") }, "\(prediction.blockers)")
        try db.run("ALTER TABLE fact ALTER COLUMN qid SET DEFAULT 1")
        let (fine, _, loaded) = try both(db, "fact", csv: "k\nA\n")
        expectAgreement(fine, loaded)
        #expect(fine.wouldLoad)
        // A volatile default is tried too, but the load's call gives another value.
        let (volatile, _, _) = try both(db, "fact2", csv: "k\nA\n")
        #expect(volatile.notExact.contains { $0.contains("fact2_qid_fkey") }, "\(volatile.notExact)")
        #expect(volatile.tried.contains { $0.contains("fact2_qid_fkey") }, "\(volatile.tried)")
    }

    /// Partitions that reference different parents: each row is checked, and backfilled
    /// for, only against the FKs of the partition the server routes it to.
    @Test func partitionsWithTheirOwnForeignKeys() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE book (id text PRIMARY KEY);
            CREATE TABLE film (id text PRIMARY KEY);
            CREATE TABLE item (kind text NOT NULL, ref_id text, qty int, PRIMARY KEY (kind, ref_id)) PARTITION BY LIST (kind);
            CREATE TABLE item_book PARTITION OF item FOR VALUES IN ('book');
            CREATE TABLE item_media PARTITION OF item FOR VALUES IN ('film', 'clip') PARTITION BY LIST (kind);
            CREATE TABLE item_film PARTITION OF item_media FOR VALUES IN ('film');
            CREATE TABLE item_clip PARTITION OF item_media FOR VALUES IN ('clip');
            ALTER TABLE item_book ADD CONSTRAINT item_ref FOREIGN KEY (ref_id) REFERENCES book;
            ALTER TABLE item_media ADD CONSTRAINT item_ref FOREIGN KEY (ref_id) REFERENCES film;
            INSERT INTO book VALUES ('B1'); INSERT INTO film VALUES ('F1');
            """)
        let csv = "kind,ref_id,qty\nbook,B1,1\nbook,B2,1\nfilm,F1,2\nfilm,F2,3\nclip,F3,1\n"
        let (prediction, report, load) = try both(db, "item", csv: csv)
        #expect(report.foreignKeys.map(\.violatingRows) == [1, 2], "\(report.foreignKeys)")
        #expect(prediction.parents.map { "\($0.table.name) \($0.sampleKeys)" } == ["book [[Optional(\"B2\")]]", "film [[Optional(\"F2\")], [Optional(\"F3\")]]"])
        expectAgreement(prediction, load)
        // A real load writes only those parents, and PostgreSQL's own FKs hold (the orphan oracle checks at teardown).
        _ = try db.load("item", csv: csv)
        #expect(try db.count("book") == 2)
        #expect(try db.count("film") == 3)
        // A row no partition takes is named by its line, and set aside with --max-rejects.
        let stray = "kind,ref_id,qty\nbook,B9,5\ntoy,T1,1\n"
        let refused = try both(db, "item", csv: stray)
        #expect(refused.prediction.rejections.map(\.reason) == ["no partition of \(db.schema).item accepts the row"])
        expectAgreement(refused.prediction, refused.load)
        let allowed = try both(db, "item", csv: "kind,ref_id,qty\ntoy,T1,1\nbook,B3,1\n", Options(maxRejects: 1))
        #expect(allowed.prediction.rejections.map(\.sampleLines) == [[2]])
        expectAgreement(allowed.prediction, allowed.load)
    }

    /// --replace-by deletes a row that a new row references through the target's own FK:
    /// the placeholder must be made after the delete, and validate must say so first.
    @Test func aReplacedRowReferencedThroughASelfReference() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE fact (id int PRIMARY KEY, batch int, parent_id int REFERENCES fact);
            INSERT INTO fact VALUES (1, 1, NULL);
            """)
        let (prediction, _, load) = try both(db, "fact", csv: "id,batch,parent_id\n100,1,1\n", Options(replaceBy: ["batch"]))
        #expect(prediction.deleted == 1)
        #expect(prediction.parents.map(\.sampleKeys) == [[["1"]]])
        expectAgreement(prediction, load)
        _ = try db.load("fact", csv: "id,batch,parent_id\n100,1,1\n") { $0.replaceBy = ["batch"] }
        #expect(try db.values("SELECT id, batch FROM fact ORDER BY id") == [["1", nil], ["100", "1"]])
    }

    /// A CHECK one partition has of its own is not among the reject steps: validate tries
    /// the insert in a savepoint and predicts PostgreSQL's refusal, which the load reports
    /// as a finding (exit 1), not a bare SQLSTATE.
    @Test func aPartitionsOwnCheckIsTried() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE item (kind text NOT NULL, qty int) PARTITION BY LIST (kind);
            CREATE TABLE item_book PARTITION OF item FOR VALUES IN ('book');
            ALTER TABLE item_book ADD CONSTRAINT book_qty CHECK (qty < 10);
            """)
        let (prediction, _, load) = try both(db, "item", csv: "kind,qty\nbook,50\n")
        #expect(prediction.exact && !prediction.wouldLoad, "\(prediction.notExact)")
        #expect(prediction.tried.contains { $0.contains("CHECK book_qty on item_book") }, "\(prediction.tried)")
        #expect(prediction.blockers.contains { $0.contains("book_qty") }, "\(prediction.blockers)")
        guard case .failure(let error) = load else { Issue.record("the load passed"); return }
        #expect(error.kind == .rowRefused(line: nil), "\(error)")
    }
}
