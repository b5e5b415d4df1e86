import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A target in a cycle, loaded before the cycle's parents, that also references itself:
/// a row whose self-reference is new goes in before its placeholder, and PostgreSQL's
/// per-row check refuses it. validate now tries that insert instead of predicting from
/// the statements, and says what the load says (differential seed 2312009 case 548).
@Suite(.timeLimit(.minutes(30))) struct TargetCycleSelfReferenceTests {
    @Test func validateSaysWhatTheLoadSays() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p1 (code text PRIMARY KEY, name text);
            CREATE TABLE fact (id int PRIMARY KEY, c1 text REFERENCES p1, parent_id int, CONSTRAINT fself FOREIGN KEY (parent_id) REFERENCES fact (id));
            ALTER TABLE p1 ADD COLUMN tid int, ADD CONSTRAINT p1_tid FOREIGN KEY (tid) REFERENCES fact (id);
            INSERT INTO p1 (code, name) VALUES ('K1', 'old');
            INSERT INTO fact (id, c1) VALUES (1, 'K1');
            UPDATE p1 SET tid = 1; ALTER TABLE p1 ALTER COLUMN tid SET NOT NULL;
            """)
        let csv = "id,c1,parent_id\n100,N2,999\n101,K1,\n"
        let predicted = try db.predict("fact", csv: csv)
        let loadError = try #require(throws: FKBackfillError.self) { try db.load("fact", csv: csv) }
        #expect(loadError.category == .findings, "\(loadError.message)")
        #expect(!predicted.wouldLoad, "\(predicted)")
        #expect(predicted.tried.contains { $0.contains("references itself") }, "\(predicted.tried)")
        #expect(try db.count("fact") == 1)
    }
}
