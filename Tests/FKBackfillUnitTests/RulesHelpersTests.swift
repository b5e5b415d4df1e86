@testable import FKBackfill
import Testing

/// The pure checks behind rules validation: the `sql:` guard and template placeholders.
@Suite struct RulesHelpersTests {
    @Test(arguments: [
        ("count(*); DROP TABLE x", "';'"),
        ("max(x) + (DELETE FROM t RETURNING 1)", "keyword DELETE"),
        ("count(*) into y", "keyword INTO"),
        ("x::text || update", "keyword UPDATE"),
        ("max(x) /* c */ truncate", "keyword TRUNCATE"),
        ("'a'drop", "keyword DROP"),
    ])
    func dataChangingSQLIsFound(expression: String, what: String) {
        #expect(SQLExpressionCheck.forbidden(in: expression) == what)
    }

    @Test(arguments: [
        "max(x)",
        "max(x) || ' drop; delete '",
        "max(\"update\")",
        "$q$update; insert$q$ || max(x)",
        "$$drop$$",
        "max(x) -- delete; drop\n + 1",
        "max(x) /* insert; */ + 1",
        "string_agg(updated_at::text, ',')",
        "'it''s; fine'",
    ])
    func keywordsInLiteralsIdentifiersAndCommentsAreFine(expression: String) {
        #expect(SQLExpressionCheck.forbidden(in: expression) == nil)
    }

    @Test func templatesSplitIntoTextAndPlaceholders() {
        let parts = TemplateParts.parse("{计划代码}_新建 {月度}!")
        #expect(parts.map(\.column) == ["计划代码", nil, "月度", nil])
        #expect(parts.compactMap { if case .text(let text) = $0 { text } else { nil } } == ["_新建 ", "!"])
        #expect(TemplateParts.parse("plain").map(\.column) == [nil])
        #expect(TemplateParts.parse("").isEmpty)
        // An unclosed brace is text.
        #expect(TemplateParts.parse("a{b").compactMap { if case .text(let text) = $0 { text } else { nil } } == ["a{b"])
        #expect(TemplateParts.parse("{}").map(\.column) == [""])
    }
}
