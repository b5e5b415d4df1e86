@testable import FKBackfill

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
