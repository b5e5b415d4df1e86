@testable import FKBackfill
import Testing

/// Table names as users type them and as the tool prints them: psql-style parsing
/// (moved here from TableResolverTests, which needs a database for the rest), display
/// forms, and the edit distance behind every "did you mean".
@Suite struct TableNameTests {
    @Test(arguments: [
        ("orders", nil, "orders"),
        ("Sales.Orders", "sales", "orders"),
        ("\"Sales\".\"Order Lines\"", "Sales", "Order Lines"),
        ("business.规模明细", "business", "规模明细"),
        ("\"a.b\".c", "a.b", "c"),
        ("\"say \"\"hi\"\"\"", nil, "say \"hi\""),
        ("  spaced  ", nil, "spaced"),
        ("db.s.t", "s", "t"),
    ] as [(String, String?, String)])
    func parsesNamesLikePsql(text: String, schema: String?, name: String) throws {
        let parsed = try TableResolver.parse(text)
        #expect(parsed.schema == schema)
        #expect(parsed.name == name)
    }

    @Test(arguments: ["", "a..b", "\"open", "a.b.c.d", ".x"])
    func rejectsMalformedNames(text: String) {
        let error = #expect(throws: FKBackfillError.self) { try TableResolver.parse(text) }
        #expect(error?.category == .usage)
        #expect(error?.hint != nil)
    }

    @Test func tableNamesPrintForJSONForPeopleAndForSQL() {
        let plain = TableName(schema: "business", name: "规模明细")
        #expect(plain.description == "business.规模明细")
        #expect(plain.display == "business.规模明细")
        #expect(plain.sql.description == "\"business\".\"规模明细\"")
        let odd = TableName(schema: "Sales", name: "order lines")
        #expect(odd.description == "Sales.order lines")
        #expect(odd.display == "\"Sales\".\"order lines\"")
        #expect(odd.sql.description == "\"Sales\".\"order lines\"")
    }

    @Test func tableNamesSortBySchemaThenName() {
        let names = [TableName(schema: "b", name: "a"), TableName(schema: "a", name: "z"), TableName(schema: "a", name: "b")]
        #expect(names.sorted().map(\.description) == ["a.b", "a.z", "b.a"])
    }

    @Test(arguments: [
        ("name", "name", 0), ("nmae", "name", 1), ("name", "names", 1), ("", "abc", 3), ("abc", "", 3),
        ("kitten", "sitting", 3), ("计划代码", "计划代玛", 1), ("计划", "划计", 1), ("abc", "abc", 0),
    ])
    func editDistanceCountsCharactersAndSwaps(a: String, b: String, distance: Int) {
        #expect(editDistance(a, b) == distance)
        #expect(editDistance(b, a) == distance)
    }

    @Test func didYouMeanPicksTheClosestAndThenTheFirstByName() {
        #expect(didYouMean("tabels", in: ["blank", "tables", "relations"]) == "did you mean tables?")
        #expect(didYouMean("MODE", in: ["mode", "columns"]) == "did you mean mode?")
        // Equally close: the name that sorts first.
        #expect(didYouMean("ab", in: ["ac", "aa"]) == "did you mean aa?")
        // Too far (more than a third of the name, at least 1): nothing.
        #expect(didYouMean("xyz", in: ["tables"]) == nil)
        #expect(didYouMean("abcdef", in: ["abcxyz"]) == nil)
        #expect(didYouMean("abcdef", in: ["abcdxy"]) == "did you mean abcdxy?")
    }
}
