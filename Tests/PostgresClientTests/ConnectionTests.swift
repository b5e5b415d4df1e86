import Foundation
import Logging
import PostgresClient
import Testing
import TestSupport

@Suite struct ConnectionTests {
    @Test func bindsValuesAsParametersNeverAsSQL() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE x (v text)")
        let hostile = "'); DROP TABLE x; --"
        try db.connection.execute("INSERT INTO x VALUES (\(bind: hostile)), (\(bind: nil))")
        let rows = try db.connection.execute("SELECT v FROM x ORDER BY v NULLS LAST").rows
        #expect(rows.count == 2)
        #expect(rows[0]["v"] == hostile)
        #expect(rows[1]["v"] == nil)
    }

    @Test func readsUTF8Text() throws {
        let db = try TestDatabase()
        let result = try db.connection.execute("SELECT \(bind: "规模")::text || '明细' AS v, 42 AS n, true AS b")
        #expect(result.rows[0]["v"] == "规模明细")
        #expect(result.rows[0].int("n") == 42)
        #expect(result.rows[0].bool("b"))
        #expect(result.columnNames == ["v", "n", "b"])
    }

    @Test func serverErrorsCarryDiagnosticFields() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE parent (id int PRIMARY KEY);
            CREATE TABLE child (parent_id int CONSTRAINT child_parent_fk REFERENCES parent);
            """)
        let error = try #require(throws: PostgresError.self) {
            try db.connection.execute("INSERT INTO child VALUES (\(bind: "7"))")
        }
        #expect(error.kind == .server)
        #expect(error.sqlState == "23503")
        #expect(error.constraint == "child_parent_fk")
        #expect(error.table == "child")
        #expect(error.schema == db.schema)
        #expect(error.detail?.contains("(parent_id)=(7)") == true)
        // The statement's text goes with the error, its parameters as $n, never their values.
        #expect(error.statement == "INSERT INTO child VALUES ($1)")
        #expect(error.sqlState == SQLState.foreignKeyViolation)
    }

    @Test func aNullIsNeverReadAsAnEmptyString() throws {
        let db = try TestDatabase()
        let row = try db.connection.execute("SELECT CAST(NULL AS text) AS missing, '' AS empty").rows[0]
        #expect(try row.string("empty") == "")
        #expect(row["missing"] == nil)
        let error = try #require(throws: PostgresError.self) { try row.string("missing") }
        #expect(error.kind == .client)
        #expect(error.message.contains("column missing"))
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.connection.transaction {
                try db.connection.execute("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(!db.connection.inTransaction)
        #expect(try db.connection.execute("SELECT count(*) AS n FROM t").rows[0].int("n") == 0)
        _ = try db.connection.transaction { try db.connection.execute("INSERT INTO t VALUES (2)") }
        #expect(try db.connection.execute("SELECT count(*) AS n FROM t").rows[0].int("n") == 1)
    }

    @Test func readOnlyTransactionRefusesWrites() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int)")
        let error = try #require(throws: PostgresError.self) {
            try db.connection.transaction(readOnly: true) { try db.connection.execute("INSERT INTO t VALUES (1)") }
        }
        #expect(error.sqlState == "25006")
    }

    @Test func copyStreamsRowsInChunks() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int, name text)")
        let copied = try db.connection.copyIn("COPY t FROM STDIN WITH (FORMAT csv)") { writer in
            for i in 0..<1000 { try writer.write("\(i),\"name \(i)\"\n") }
            try writer.write("1000,\"split ")
            try writer.write("across chunks\"\n")
        }
        #expect(copied == 1001)
        let row = try db.connection.execute("SELECT name FROM t WHERE id = 1000").rows[0]
        #expect(row["name"] == "split across chunks")
    }

    @Test func copyWithBadDataFailsWithTypedErrorAndLeavesNothing() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int)")
        let error = try #require(throws: PostgresError.self) {
            try db.connection.copyIn("COPY t FROM STDIN WITH (FORMAT csv)") { writer in
                try writer.write("1\nnot a number\n")
            }
        }
        #expect(error.sqlState == "22P02")
        #expect(try db.connection.execute("SELECT count(*) AS n FROM t").rows[0].int("n") == 0)
        // The connection is still usable afterwards.
        #expect(try db.connection.execute("SELECT 1 AS one").rows[0].int("one") == 1)
    }

    @Test func copyAbortedByCallerDiscardsRowsAndRethrows() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int)")
        struct ReadFailed: Error {}
        #expect(throws: ReadFailed.self) {
            try db.connection.copyIn("COPY t FROM STDIN") { writer in
                try writer.write("1\n2\n")
                throw ReadFailed()
            }
        }
        #expect(try db.connection.execute("SELECT count(*) AS n FROM t").rows[0].int("n") == 0)
    }

    @Test func noticesGoToTheLogger() throws {
        let box = LockedBox<[(level: Logger.Level, text: String)]>()
        let logger = Logger(label: "test") { _ in CollectingLogHandler(box: box) }
        let connection = try Connection(logger: logger)
        try connection.execute("DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; RAISE WARNING 'careful'; END $$")
        let messages = box.value
        #expect(messages.contains { $0.level == .info && $0.text.contains("hello from plpgsql") })
        #expect(messages.contains { $0.level == .warning && $0.text.contains("careful") })
    }

    @Test func connectionFailureIsTypedAndNeverShowsThePassword() throws {
        for text in [
            "postgresql://someone:s3cr3t-pw@127.0.0.1:1/nowhere?connect_timeout=2",
            "host=127.0.0.1 port=1 user=someone password=s3cr3t-pw connect_timeout=2",
            "host=127.0.0.1 password=s3cr3t-pw port=",
            "postgresql://someone:s3cr3t-pw@[bad",
        ] {
            let error = try #require(throws: PostgresError.self) { try Connection(ConnectionString(text)) }
            #expect(error.kind == .connectionFailed)
            #expect(!error.description.contains("s3cr3t-pw"), "\(error.description)")
        }
    }

    @Test func redactsPasswordShapesInMessages() {
        let conninfo = ConnectionString("postgresql://u:topsecret@h/db")
        #expect(conninfo.redact("failed for postgresql://u:topsecret@h/db") == "failed for postgresql://u:********@h/db")
        let pairs = ConnectionString(nil)
        #expect(pairs.redact("bad: host=x password=abc user=y") == "bad: host=x password=******** user=y")
    }
}

struct CollectingLogHandler: LogHandler {
    let box: LockedBox<[(level: Logger.Level, text: String)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        box.append((level: event.level, text: "\(event.message)"))
    }
}
