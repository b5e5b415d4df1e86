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
