@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The set-based check's walk of the code the fact insert runs (`FKCheck+ReplicaCode`)
/// runs only where it has somewhere to start (`FKCheck.walkSeeds`): a DEFAULT or
/// generated column, a CHECK or exclusion constraint, an index or partition key with an
/// expression, a predicate or an operator class of the user's (hostile review 29), or a
/// column of a type that is not one of PostgreSQL's hand-numbered built-ins, on the
/// target or any of its partitions. Planning the walk
/// was ~10 ms of a small load's ~65 ms of server time (issue #25, fixed costs).
@Suite(.timeLimit(.minutes(30))) struct ReplicaWalkSeedsTests {
    static let walk = "WITH RECURSIVE rel (relid) AS MATERIALIZED"

    func load(_ db: TestDatabase, _ text: String) throws -> (report: LoadReport, walked: Bool) {
        let box = LockedBox<[String]>()
        let report = try db.load("fact", csv: text) { options in
            options.fkCheck = .setBased
            options.onStatement = { box.append($0.description) }
        }
        return (report, box.value.contains { $0.hasPrefix(Self.walk) })
    }

    /// Built-in types only (an identity, numerics, dates, arrays, a range, a composite
    /// of the catalog's), no DEFAULT, no CHECK: set-based, and the walk is not run.
    @Test func aTargetOfBuiltInTypesOnlyIsNotWalked() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE p (k text PRIMARY KEY);
            CREATE TABLE fact (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k varchar(10) REFERENCES p, n numeric(10,2),
                               d date, tags int[], r int4range, at timestamptz, doc jsonb, UNIQUE (k, d));
            CREATE INDEX ON fact USING gin (doc);
            """)
        let (report, walked) = try load(db, "k,n,d,tags,r\nA,1.5,2024-01-01,{1},\"[1,2)\"\n")
        #expect(report.fkCheck == .setBased, "\(report.fkCheckNote ?? "")")
        #expect(!walked)
        #expect(try db.values("SELECT k FROM p") == [["A"]])
    }

    /// Each seed on its own starts the walk, which finds no user code that could write:
    /// still set-based.
    @Test(arguments: [
        "CREATE TABLE fact (id int, k text REFERENCES p, at timestamptz DEFAULT now())",
        "CREATE TABLE fact (id int CHECK (id > 0), k text REFERENCES p)",
        "CREATE TABLE fact (id int, k text REFERENCES p, g int GENERATED ALWAYS AS (id * 2) STORED)",
        "CREATE DOMAIN small AS int CHECK (VALUE < 100); CREATE TABLE fact (id small, k text REFERENCES p)",
        "CREATE TYPE pair AS (a int, b int); CREATE TABLE fact (id int, k text REFERENCES p, pr pair)",
        "CREATE TABLE fact (id int, k text REFERENCES p, tag {ext}.citext)",
        "CREATE TABLE fact (id int, k text REFERENCES p); CREATE INDEX ON fact (abs(id))",
        "CREATE TABLE fact (id int, k text REFERENCES p); CREATE INDEX ON fact (id) WHERE id > 0",
        "CREATE TABLE fact (id int, k text REFERENCES p) PARTITION BY LIST ((id % 2)); CREATE TABLE fact0 PARTITION OF fact FOR VALUES IN (0, 1)",
    ]) func eachSeedStartsTheWalk(_ schema: String) throws {
        let db = try TestDatabase()
        let ext = try StoredTruthTests.extensions(db)
        try db.run("CREATE TABLE p (k text PRIMARY KEY); " + schema.replacingOccurrences(of: "{ext}", with: ext.citext))
        let (report, walked) = try load(db, "id,k\n1,A\n")
        #expect(report.fkCheck == .setBased, "\(report.fkCheckNote ?? "")")
        #expect(walked)
    }

    /// A seed on a partition only (its own CHECK, calling a writer whose row another
    /// table's FK refuses): the walk starts there, set-based is refused, and the load
    /// (per-row) writes nothing, as PostgreSQL's FK of `side` refuses the row.
    @Test func aPartitionsOwnCheckIsWalked() throws {
        let db = try TestDatabase()
        try HostileReview27Tests.sideWriter(db)
        try db.run("""
            CREATE TABLE fact (id int, k text REFERENCES p) PARTITION BY RANGE (id);
            CREATE TABLE fact_1 PARTITION OF fact FOR VALUES FROM (0) TO (100);
            ALTER TABLE fact_1 ADD CHECK (\(db.schema).writer(id) IS NOT NULL);
            """)
        let refused = try #require(throws: FKBackfillError.self) { _ = try load(db, "id,k\n1,A\n") }
        #expect(refused.kind == .setBasedCheckUnsafe, "\(refused)")
        #expect(refused.details.contains { $0.contains("writer") }, "\(refused.details)")
        #expect(throws: (any Error).self) { try db.load("fact", csv: "id,k\n1,A\n") }
        #expect(try db.values("SELECT count(*) FROM side") == [["0"]])
        #expect(try db.values("SELECT count(*) FROM fact") == [["0"]])
    }
}
