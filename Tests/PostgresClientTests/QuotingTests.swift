import PostgresClient
import Testing
import TestSupport

@Suite struct QuotingTests {
    @Test func alwaysQuotesAndDoublesEmbeddedQuotes() {
        #expect(quoteIdentifier("plain") == "\"plain\"")
        #expect(quoteIdentifier("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(quoteIdentifier("\"; DROP TABLE x; --") == "\"\"\"; DROP TABLE x; --\"")
        #expect(quoteQualified(schema: "business", name: "规模明细") == "\"business\".\"规模明细\"")
    }

    @Test(arguments: [
        ("orders", "orders"),
        ("规模明细", "规模明细"),
        ("_x$1", "_x$1"),
        ("Orders", "\"Orders\""),
        ("order lines", "\"order lines\""),
        ("select", "\"select\""),
        ("user", "\"user\""),
        ("1abc", "\"1abc\""),
        ("", "\"\""),
        // unreserved keywords need no quotes, as with quote_ident
        ("name", "name"),
    ])
    func quotesOnlyWhenNeededForDisplay(name: String, expected: String) {
        #expect(quoteIdentifier(name, style: .whenNeeded) == expected)
    }

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
