@testable import PostgresClient
import Testing

/// Password redaction for messages about a connection: libpq parses the string
/// locally, nothing connects.
@Suite struct ConnectionStringTests {
    @Test func aURIPasswordIsMaskedWhereverItAppears() {
        let connection = ConnectionString("postgresql://u:hunter2@db.example/app")
        #expect(connection.password == "hunter2")
        #expect(connection.redact("hunter2 rejected for postgresql://u:hunter2@db.example/app")
            == "******** rejected for postgresql://u:********@db.example/app")
    }

    @Test func aPercentEncodedPasswordIsMaskedDecodedAndEncoded() {
        let connection = ConnectionString("postgresql://u:p%40ss%22word@127.0.0.1:1/db")
        #expect(connection.password == "p@ss\"word")
        #expect(connection.redact("auth failed: p@ss\"word; uri postgresql://u:p%40ss%22word@127.0.0.1:1/db")
            == "auth failed: ********; uri postgresql://u:********@127.0.0.1:1/db")
    }

    @Test func keyValuePasswordsAreMaskedEvenWhenUnparsed() {
        let quoted = ConnectionString("host=h password='x; DROP TABLE y'")
        #expect(quoted.password == "x; DROP TABLE y")
        #expect(quoted.redact("bad password x; DROP TABLE y") == "bad password ********")
        // Unknown password (no string given): the shapes alone are masked.
        #expect(ConnectionString(nil).password == nil)
        #expect(ConnectionString(nil).redact("conninfo \"host=h password=abc\" is bad") == "conninfo \"host=h password=********\" is bad")
        #expect(ConnectionString(nil).redact("postgresql://me:secret@h:5432/db?x=1") == "postgresql://me:********@h:5432/db?x=1")
    }

    @Test func messagesWithoutPasswordsAreLeftAlone() {
        let plain = ConnectionString("postgresql://u@h/db")
        #expect(plain.password == nil)
        for message in ["could not connect to postgresql://u@h/db", "http://example.com/a:b@c", "no secrets here"] {
            #expect(plain.redact(message) == message)
        }
    }
}

/// `--db` text libpq would misread: issue 28's `--db "not a conninfo"` was taken as a
/// database name, and the error spoke of a socket path.
@Suite struct ConnectionStringProblemTests {
    @Test(arguments: ["", "mydb", "postgresql://u@h/db", "postgres://h", "host=h dbname=d", "dbname='my db' user=u",
                      "service=warehouse"])
    func whatLibpqReadsAsMeantHasNoProblem(text: String) {
        #expect(ConnectionString(text).problem == nil)
    }

    @Test func textWithSpacesAndNoEqualsSignIsNeitherURINorPairs() {
        let problem = ConnectionString("not a conninfo").problem
        #expect(problem?.hasPrefix("the connection string is neither a URI (postgresql://…) nor key=value pairs") == true, "\(problem ?? "nil")")
    }

    @Test func pairsLibpqCannotParseSayWhyWithoutThePassword() {
        let problem = ConnectionString("host=h password=S3cretPW9 dbname").problem
        #expect(problem?.hasPrefix("the connection string is not valid key=value pairs: ") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("S3cretPW9") == false, "\(problem ?? "nil")")
    }
}
