@testable import FKBackfill
import Testing

/// `TextTable` aligns by terminal display width: a Chinese, Japanese, Korean or
/// full-width character takes two columns, a combining mark none.
@Suite struct TextTableTests {
    @Test func displayWidthOfEachKindOfCharacter() {
        #expect(displayWidth("") == 0)
        #expect(displayWidth("abc") == 3)
        #expect(displayWidth("规模明细") == 8)
        #expect(displayWidth("한국") == 4)
        #expect(displayWidth("カタ") == 4)
        #expect(displayWidth("ＡＢ") == 4)  // full-width Latin
        #expect(displayWidth("e\u{301}") == 1)  // e + combining acute
        #expect(displayWidth("（空白）") == 8)
        #expect(displayWidth("𠀀") == 2)  // CJK extension B
        #expect(displayWidth("a规b") == 4)
    }

    @Test func wideCellsArePaddedByDisplayWidth() {
        var table = TextTable("NAME", "N", "NOTE")
        table.add("规模明细", "1", "x")
        table.add("ab", "22", "")
        table.add("한", "3", "终")
        #expect(table.render() == """
            NAME      N   NOTE
            --------  --  ----
            规模明细  1   x
            ab        22
            한        3   终

            """)
    }

    @Test func everyColumnStartsAtTheSameDisplayOffsetOnEveryLine() {
        var table = TextTable("TABLE", "CONSTRAINT", "COLUMNS", "REFERENCES")
        table.add("business.规模明细", "fk_规模明细_年金计划", "计划代码", "mapping.年金计划 (年金计划号)")
        table.add("mapping.组合计划", "fk_组合计划_年金计划", "年金计划号", "mapping.年金计划 (年金计划号)")
        table.add("s.plain", "fk_plain", "code, year", "s.t (a, b)")
        table.add("ｆｕｌｌ", "e\u{301}", "한국어", "x")
        let rows = [table.header] + table.rows
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == rows.count + 2)
        #expect(lines.last == "")
        let starts = Alignment.columnStarts(rule: lines[1])
        #expect(starts.count == 4)
        for (row, line) in zip(rows, [lines[0]] + lines[2...].dropLast()) {
            #expect(Alignment.cells(line, starts: starts) == row, "\(line)")
        }
    }

    @Test func theRuleIsAsWideAsEachColumn() {
        var table = TextTable("A", "BB")
        table.add("年金", "x")
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines[1] == "----  --")
    }

    @Test func noLineEndsInSpaces() {
        var table = TextTable("A", "B", "C")
        table.add("x", "", "")
        table.add("", "", "")
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == ["A  B  C", "-  -  -", "x", "", ""])
        #expect("a  \u{3000} ".trimmingTrailingSpaces() == "a  \u{3000}")
    }

    @Test func aHeaderOnlyTable() {
        #expect(TextTable("ONE", "TWO").render() == "ONE  TWO\n---  ---\n")
    }
}
