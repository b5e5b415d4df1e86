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

/// Reads a rendered text table back by display offsets, so a test can check that
/// every cell starts where its column does.
enum Alignment {
    /// Where each column starts: the dash runs of the rule line.
    static func columnStarts(rule: String) -> [Int] {
        var starts: [Int] = []
        var previous: Character = " "
        for (offset, char) in rule.enumerated() {
            if char == "-" && previous == " " { starts.append(offset) }
            previous = char
        }
        return starts
    }

    /// Every text table in `text` (found by its rule line), as rows of cells, header first.
    static func tables(_ text: String) -> [[[String]]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.indices.filter { index in
            index > 0 && lines[index].hasPrefix("-") && lines[index].allSatisfy { $0 == "-" || $0 == " " }
        }.map { index in
            let starts = columnStarts(rule: lines[index])
            let rows = [lines[index - 1]] + lines[(index + 1)...].prefix { !$0.isEmpty }
            return rows.map { cells($0, starts: starts) }
        }
    }

    /// The cells of `line` cut at `starts` (display offsets), trailing spaces removed.
    /// A cell whose text does not begin exactly at its column's offset comes back as
    /// `<misaligned>…`, so comparing with the expected cells fails.
    static func cells(_ line: String, starts: [Int]) -> [String] {
        var cells = [String](repeating: "", count: starts.count)
        var offset = 0
        for char in line {
            defer { offset += displayWidth(String(char)) }
            let column = starts.lastIndex { $0 <= offset } ?? 0
            if cells[column].isEmpty {
                if char == " " { continue }  // padding of an empty cell
                if offset != starts[column] { cells[column] = "<misaligned>" }
            }
            cells[column].append(char)
        }
        return cells.map { $0.trimmingTrailingSpaces() }
    }
}
