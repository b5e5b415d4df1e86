@testable import FKBackfill
import Testing

/// The pure helpers behind rules validation: template placeholders. (`sql:` expressions are
/// checked by the server: SQLRuleCheckTests.)
@Suite struct RulesHelpersTests {
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
