@testable import PostgresClient
import Testing

/// `quoteIdentifier` and `identifierNeedsQuotes`: the always-quote form for SQL and the
/// psql-like display form. QuotingTests (PostgresClientTests) round-trips both through
/// the server's parser; these pin the rules without one.
@Suite struct IdentifierQuotingTests {
    @Test func alwaysQuotesAndDoublesEmbeddedQuotes() {
        #expect(quoteIdentifier("plain") == "\"plain\"")
        #expect(quoteIdentifier("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(quoteIdentifier("\"; DROP TABLE x; --") == "\"\"\"; DROP TABLE x; --\"")
        #expect(quoteIdentifier("") == "\"\"")
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

    @Test(arguments: [
        ("a", false), ("_", false), ("a1", false), ("a$", false), ("é", false), ("表1", false), ("x_规模", false),
        ("$a", true), ("1", true), ("A", true), ("aB", true), ("a-b", true), ("a.b", true), ("a b", true),
        ("a\"", true), ("a\n", true),
    ])
    func theFirstCharacterAndEveryOtherOneDecide(name: String, needsQuotes: Bool) {
        #expect(identifierNeedsQuotes(name) == needsQuotes)
    }

    @Test func reservedAndTypeKeywordsNeedQuotesUnreservedOnesDoNot() {
        for keyword in ["all", "table", "select", "user", "integer", "varchar", "current_user", "xmltable", "null"] {
            #expect(identifierNeedsQuotes(keyword), "\(keyword)")
        }
        for word in ["name", "data", "key", "value", "year", "comment", "position_x", "users", "tables"] {
            #expect(!identifierNeedsQuotes(word), "\(word)")
        }
        // A capital needs quotes whatever the word.
        #expect(identifierNeedsQuotes("Select"))
        #expect(SQLKeywords.needingQuotes.allSatisfy { $0 == $0.lowercased() })
    }

    @Test func qualifiedDisplayQuotesEachPartOnItsOwn() {
        #expect(quoteQualified(schema: "public", name: "Orders", style: .whenNeeded) == "public.\"Orders\"")
        #expect(quoteQualified(schema: "My Schema", name: "t", style: .whenNeeded) == "\"My Schema\".t")
        #expect(quoteQualified(schema: "a", name: "b", style: .always) == "\"a\".\"b\"")
    }

    @Test func literalsEscapeQuotesAndBackslashes() {
        #expect(quoteLiteral("plain") == "E'plain'")
        #expect(quoteLiteral("it's") == "E'it''s'")
        #expect(quoteLiteral("a\\b") == "E'a\\\\b'")
        #expect(quoteLiteral("\\'") == "E'\\\\'''")
    }
}
