import Foundation
import PostgresClient
import Testing
import TestSupport

/// `CopyMirror`: a second connection's COPY fed with what the first's is sent, live or
/// from a spool replayed after it (issue #25).
@Suite struct CopyMirrorTests {
    static func rows(_ count: Int) -> String {
        (1...count).map { "\($0),\(String(repeating: "v", count: 90))\n" }.joined()
    }

    /// Both feeds stage what the first COPY staged, byte for byte.
    @Test(arguments: [CopyMirror.Feed.live, .spooled]) func bothFeedsStageTheFirstsRows(feed: CopyMirror.Feed) throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE a (id int, v text); CREATE TABLE b (id int, v text)")
        let second = try Connection()
        let mirror = CopyMirror(second, "COPY \(ident: db.schema).b FROM STDIN WITH (FORMAT csv)", feed: feed)
        let copied = try db.connection.copyIn("COPY \(ident: db.schema).a FROM STDIN WITH (FORMAT csv)", mirror: mirror) { writer in
            try writer.write(Self.rows(5_000))
        }
        #expect(copied == 5_000)
        if feed == .spooled {
            #expect(mirror.copied == 0, "nothing reaches the second before the replay")
            #expect(mirror.replay())
        }
        #expect(mirror.failure == nil)
        #expect(mirror.copied == 5_000)
        #expect(try db.values("SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) d") == [["0"]])
    }

    /// A spool that cannot take the input (here past its limit; a full disk or a file-size
    /// limit fails the same way) stops the mirror, never the first COPY.
    @Test func aSpoolPastItsLimitStopsOnlyTheMirror() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE a (id int, v text); CREATE TABLE b (id int, v text)")
        let mirror = CopyMirror(try Connection(), "COPY \(ident: db.schema).b FROM STDIN WITH (FORMAT csv)", feed: .spooled, spoolLimit: 100_000)
        let copied = try db.connection.copyIn("COPY \(ident: db.schema).a FROM STDIN WITH (FORMAT csv)", mirror: mirror) { writer in
            for _ in 0..<10 { try writer.write(Self.rows(500)) }
        }
        #expect(copied == 5_000)
        #expect(mirror.failure != nil)
        #expect(mirror.spooled <= 100_000)
        #expect(!mirror.replay())
        #expect(try db.values("SELECT count(*) FROM b") == [["0"]])
    }

    /// A replay whose server waits (another transaction's uncommitted row with the same
    /// unique key, seen waiting in `pg_stat_activity`) is cancelled: it stops at the next
    /// chunk instead of sending the rest of the spool, and its connection stays up (it
    /// starts no statement since, as any cancelled connection).
    @Test func aCancelledReplayStopsSending() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE a (id int, v text); CREATE TABLE b (id int PRIMARY KEY, v text)")
        let holder = try Connection()
        try holder.execute("BEGIN")
        try holder.execute("INSERT INTO \(ident: db.schema).b VALUES (1, 'held')")
        let second = try Connection(applicationName: "mirror_\(db.schema)")
        let mirror = CopyMirror(second, "COPY \(ident: db.schema).b FROM STDIN WITH (FORMAT csv)", feed: .spooled)
        try db.connection.copyIn("COPY \(ident: db.schema).a FROM STDIN WITH (FORMAT csv)", mirror: mirror) { writer in
            try writer.write(Self.rows(200_000))
        }
        let canceller = try #require(second.makeCanceller())
        let handed = Handed(mirror)
        let replay = OwnThread { handed.mirror.replay() }
        let waiting = try eventually(within: 15) {
            try db.count("pg_stat_activity a", "a.application_name = 'mirror_\(db.schema)' AND a.wait_event_type = 'Lock'") > 0
        }
        canceller.cancel()
        let replayed = try replay.wait().get()
        try holder.execute("ROLLBACK")
        #expect(waiting, "the replay never waited on the held row")
        #expect(!replayed)
        #expect(mirror.replayed < mirror.spooled, "\(mirror.replayed) of \(mirror.spooled) bytes sent after the cancel")
        #expect(second.isConnected)
    }
}

/// The mirror handed to the replay's thread: the test touches it again only after that
/// thread is done (`OwnThread.wait`).
private final class Handed: @unchecked Sendable {
    let mirror: CopyMirror
    init(_ mirror: CopyMirror) { self.mirror = mirror }
}
