import FKBackfill
import PostgresClient
import Testing
import TestSupport

@Suite struct TableResolverTests {
    @Test func bareNamesFollowSearchPath() throws {
        let db = try TestDatabase()
        let other = try db.makeSchema("other")
        try db.run("""
            CREATE TABLE "\(other)".thing (id int);
            CREATE TABLE thing (id int);
            CREATE TABLE "\(other)".only_there (id int);
            """)
        #expect(try TableResolver.resolve("thing", on: db.connection).name.schema == db.schema)
        let error = try #require(throws: FKBackfillError.self) { try TableResolver.resolve("only_there", on: db.connection) }
        #expect(error.kind == .tableNotFound)
        try db.connection.execute("SET search_path TO \(ident: db.schema), \(ident: other)")
        #expect(try TableResolver.resolve("only_there", on: db.connection).name.schema == other)
    }

    @Test func unknownTableSuggestsCloseNames() throws {
        let db = try TestDatabase()
        try db.run("""
            CREATE TABLE customer_orders (id int);
            CREATE TABLE "MixedCase" (id int);
            """)
        let typo = try #require(throws: FKBackfillError.self) {
            try TableResolver.resolve("customer_order", on: db.connection)
        }
        #expect(typo.kind == .tableNotFound)
        #expect(typo.message == "table customer_order not found")
        #expect(typo.hint?.contains("\(db.schema).customer_orders") == true)
        #expect(typo.category == .usage)
        // Unquoted MixedCase folds to mixedcase; the hint shows the quoted spelling.
        let folded = try #require(throws: FKBackfillError.self) {
            try TableResolver.resolve("MixedCase", on: db.connection)
        }
        #expect(folded.kind == .tableNotFound)
        #expect(folded.hint?.contains("\"MixedCase\"") == true)
        let nothing = try #require(throws: FKBackfillError.self) {
            try TableResolver.resolve("zzzzzzzzzzzz", on: db.connection)
        }
        #expect(nothing.kind == .tableNotFound)
        #expect(nothing.hint?.contains("search_path") == true)
    }

    /// `database.schema.table` names the current database or nothing: PostgreSQL itself
    /// refuses a cross-database reference, and so does the tool, instead of dropping it.
    @Test func threePartNamesMustNameThisDatabase() throws {
        let db = try TestDatabase()
        try db.run("CREATE TABLE t (id int)")
        let database = try #require(try db.values("SELECT current_database()").first?.first ?? nil)
        #expect(try TableResolver.resolve("\(database).\(db.schema).t", on: db.connection).name.name == "t")
        let error = try #require(throws: FKBackfillError.self) {
            try TableResolver.resolve("elsewhere.\(db.schema).t", on: db.connection)
        }
        #expect(error.kind == .invalidTableName)
        #expect(error.message.contains("cross-database references are not implemented"))
    }
}
