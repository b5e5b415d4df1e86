import PostgresClient
import Testing
import TestSupport

/// Identifier quoting checked by the server's own parser. The quoting rules alone are
/// pinned without a database in FKBackfillUnitTests/IdentifierQuotingTests.
@Suite struct QuotingTests {
    /// The display form must read back as the same name in the server's own parser.
    @Test func displayQuotingRoundTripsThroughTheServerParser() throws {
        let db = try TestDatabase()
        let names = ["orders", "Orders", "规模明细", "order lines", "select", "user", "name", "a\"b", "x$", "_1", "ÄÖ",
                     "table", "\"; DROP TABLE x; --", "back\\slash", "new\nline"]
        for name in names {
            for style in [QuoteStyle.always, .whenNeeded] {
                let text = quoteQualified(schema: "s", name: name, style: style)
                let parts = try db.connection.execute(
                    "SELECT (parse_ident(\(bind: text)))[2] AS name").rows[0]["name"]
                #expect(parts == name, "\(text)")
            }
        }
    }
}
