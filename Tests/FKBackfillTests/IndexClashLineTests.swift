@testable import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// A fact insert refused by a partial or expression unique index names the input row by
/// its line, as a plain unique key's clash does (LoadRun+IndexClashes): the clash with a
/// row of the table, with an earlier input row, an index calling the user's function,
/// and nothing written.
@Suite(.timeLimit(.minutes(30))) struct IndexClashLineTests {
    func refused(_ db: TestDatabase, _ table: String, _ csv: String, _ configure: (inout LoadOptions) -> Void = { _ in }) throws -> FKBackfillError {
        try #require(throws: FKBackfillError.self) { _ = try db.load(table, csv: csv, configure: configure) }
    }

    @Test func anExpressionIndexClashWithAStoredRow() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE member (id int PRIMARY KEY, name text, deleted_at timestamptz);
            CREATE UNIQUE INDEX member_name ON member (lower(name)) WHERE deleted_at IS NULL;
            INSERT INTO member VALUES (1, 'Ann', NULL), (2, 'Bob', now());
            """)
        // Bob's stored row is deleted (outside the predicate): line 2 loads; ANN clashes.
        let error = try refused(db, "member", "id,name\n3,bob\n4,Cy\n5,ANN\n")
        #expect(error.message.contains(":4: key (lower(name)) already in \(db.schema).member (member_name), nothing was written"), "\(error.message)")
        #expect(error.kind == .rowRefused(line: 4), "\(error)")
        #expect(try db.count("member") == 2)
    }

    @Test func aDuplicateInsideTheInputThroughTheUsersFunction() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE FUNCTION norm(t text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT lower(btrim(t)) $$;
            CREATE TABLE tag (id int PRIMARY KEY, label text);
            CREATE UNIQUE INDEX tag_label ON tag (norm(label));
            """)
        let error = try refused(db, "tag", "id,label\n1,Red\n2,blue\n3,\" red \"\n")
        #expect(error.message.contains(":4: duplicate key (\(db.schema).norm(label)) of an earlier input row (tag_label)"), "\(error.message)")
        #expect(error.kind == .rowRefused(line: 4), "\(error)")
        #expect(try db.count("tag") == 0)
    }
}
