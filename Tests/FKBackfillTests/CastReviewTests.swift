@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// The casts the tool makes of input text and typed values, held against `load --dry-run`
/// on the primary (PostgreSQL the oracle), staged on the primary and read-only on the
/// standby: other cases of the classes HostileReview15Tests and HostileReadOnly(9)Tests
/// recorded. A cast that runs the user's code (a domain's CHECK calling a function that
/// names a table unqualified) must run under the user's path, wherever the cast is made;
/// a length PostgreSQL's assignment checks must not be cut or padded by an explicit cast.
@Suite(.timeLimit(.minutes(30))) struct CastReviewTests: HostileSuite {
    /// The load's verdict and rows set aside (nil rejected: it stops).
    func dryRun(_ db: TestDatabase, _ table: String, _ input: InputSource, maxRejects: Int, rules: Rules?) -> Int? {
        try? db.load(table, input: input) { $0.dryRun = true; $0.maxRejects = maxRejects; if let rules { $0.rules = rules } }.rejected
    }

    /// validate staged on the primary and read-only on the standby, under the schema's path.
    func validations(
        _ db: TestDatabase, _ table: String, _ input: InputSource, maxRejects: Int, rules: Rules?
    ) throws -> [(String, ValidationReport)] {
        var options = ValidateOptions()
        options.maxRejects = maxRejects
        if let rules { options.rules = rules }
        let staged = try Validator(connection: db.connection).run(table: "\(db.schema).\(table)", input: input, options: options)
        let standby = try Standby.connect()
        try Standby.waitForReplay(of: db.connection, on: standby)
        _ = try standby.execute("SELECT pg_catalog.set_config('search_path', \(bind: db.schema), false)")
        let streamed = try Validator(connection: standby).run(table: "\(db.schema).\(table)", input: input, options: options)
        return [("staged", staged), ("standby", streamed)]
    }

    /// Each path's verdict and rows set aside agree with the load's.
    func agree(_ db: TestDatabase, _ table: String, _ input: InputSource, maxRejects: Int = 0, rules: String? = nil, _ note: String) throws {
        let parsed = try rules.map { try RulesParser.parse($0, file: "rules.yaml") }
        let load = dryRun(db, table, input, maxRejects: maxRejects, rules: parsed)
        for (name, report) in try validations(db, table, input, maxRejects: maxRejects, rules: parsed) {
            #expect(report.wouldLoad == (load != nil), "\(note), \(name): load \(load.map(String.init) ?? "stops"), validate \(summary(report))")
            let rejected = report.prediction?.rejected ?? report.rejected ?? 0
            if let load, maxRejects > 0 { #expect(rejected == load, "\(note), \(name): rejected \(rejected), load \(load)") }
        }
    }

    static let userDomain = """
        CREATE TABLE allowed (v text);
        INSERT INTO allowed VALUES ('xa'), ('xb');
        CREATE FUNCTION ok(text) RETURNS boolean LANGUAGE plpgsql STABLE AS $f$ BEGIN RETURN EXISTS (SELECT 1 FROM allowed WHERE v = $1); END $f$;
        CREATE DOMAIN dcode AS text CHECK (ok(VALUE));
        """

    /// A domain whose CHECK calls a PL/pgSQL function reading an unqualified table, as a
    /// target's non-key column, in an array of it, and as a parent's non-key column a
    /// rule's constant fills: values it refuses ('zz') are set aside by the load as "not a
    /// valid"; validate, staged and read-only, stopped with 42P01 (exit 3) before the casts
    /// ran under the user's path, or called every value unconvertible.
    @Test func aUserDomainAsAColumnAnArrayAndARuleConstant() throws {
        let db = try TestDatabase()
        try db.run(Self.userDomain + """
            CREATE TABLE p (code text PRIMARY KEY, name dcode);
            CREATE TABLE fact (id int, code text REFERENCES p, note dcode, tags dcode[]);
            CREATE TABLE src (id int, code text, note text, tags text[]);
            INSERT INTO src VALUES (1, 'k1', 'xa', '{xa,xb}');
            """)
        let rules = "tables:\n  \(db.schema).p:\n    columns:\n      name: { value: xb }\n"
        let csv = InputSource.csv(path: try db.csvFile("id,code,note,tags\n1,k1,xa,\"{xa,xb}\"\n2,k2,zz,{xa}\n3,k3,xb,\"{xa,zz}\"\n"), options: CSVOptions())
        try agree(db, "fact", csv, rules: rules, "refused values, no rejects")
        try agree(db, "fact", csv, maxRejects: 5, rules: rules, "refused values set aside")
        try agree(db, "fact", .table("\(db.schema).src"), rules: rules, "a --source table")
        #expect(dryRun(db, "fact", .table("\(db.schema).src"), maxRejects: 0, rules: try RulesParser.parse(rules, file: "r")) == 0)
    }

    /// A parent's key of a user's domain, the fact's a varchar: the new key xa is the
    /// domain's, zz is not (the load's key-fit check sets its row aside, under the user's
    /// path; its helper returned the domain, whose CHECK then refused the NULL it returns
    /// for zz: 23514, exit 3).
    @Test func aParentKeyOfAUserDomain() throws {
        let db = try TestDatabase()
        try db.run(Self.userDomain + """
            CREATE TABLE pk (code dcode PRIMARY KEY);
            CREATE TABLE fact (id int, code varchar(5) REFERENCES pk);
            """)
        let input = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n2,zz\n"), options: CSVOptions())
        #expect(dryRun(db, "fact", input, maxRejects: 1, rules: nil) == 1)
        try agree(db, "fact", input, "a key the domain refuses")
        try agree(db, "fact", input, maxRejects: 1, "its row set aside")
        let fits = InputSource.csv(path: try db.csvFile("id,code\n1,xa\n"), options: CSVOptions())
        #expect(try dryRunLoads(db, "fact", fits))
        try agree(db, "fact", fits, "a key the domain takes")
    }

    /// Lengths the assignment checks and an explicit cast does not: a bit(3) key (and its
    /// parent's), a bit varying(2) domain, char(2)[] and bit(2)[] arrays. '1010' into bit(3)
    /// and '{abc}' into char(2)[] stop the load; '101' and '{ab}' load.
    @Test func lengthsOfBitsAndArrays() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE DOMAIN vb2 AS bit varying(2);
            CREATE TABLE p (k bit(3) PRIMARY KEY);
            CREATE TABLE fact (id int, k bit(3) REFERENCES p, v vb2, c char(2)[], b bit(2)[]);
            """)
        let cases = [
            ("id,k,v,c,b\n1,101,1,{ab},{10}\n", true), ("id,k,v,c,b\n1,1010,1,{ab},{10}\n", false),
            ("id,k,v,c,b\n1,101,101,{ab},{10}\n", false), ("id,k,v,c,b\n1,101,1,\"{ab,abc}\",{10}\n", false),
            ("id,k,v,c,b\n1,101,1,\"{ab,\"\"a  \"\"}\",{10}\n", true), ("id,k,v,c,b\n1,101,1,{ab},\"{10,1}\"\n", false),
        ]
        for (text, loads) in cases {
            let input = InputSource.csv(path: try db.csvFile(text), options: CSVOptions())
            #expect(try dryRunLoads(db, "fact", input) == loads, "\(text)")
            try agree(db, "fact", input, text)
            try agree(db, "fact", input, maxRejects: 1, text)
        }
    }

    /// A regtype source column naming the user's own type: printed 'mood' under the user's
    /// path, read back under the pinned one it named nothing (42704, exit 3, read-only).
    @Test func aRegtypeSourceNamingTheUsersType() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TYPE mood AS ENUM ('ok');
            CREATE TABLE fact (id int PRIMARY KEY, x varchar(20));
            CREATE TABLE src (id int, x regtype);
            INSERT INTO src VALUES (1, 'mood'), (2, 'integer');
            """)
        let input = InputSource.table("\(db.schema).src")
        #expect(try dryRunLoads(db, "fact", input))
        try agree(db, "fact", input, "regtype")
    }
}
