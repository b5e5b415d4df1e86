@testable import FKBackfill
import Foundation
import Testing

/// The CSV header: split like COPY splits rows, and read off the front of a file
/// (BOM, CRLF, quoted names over several lines) by `CSVFile.readHeader`.
@Suite struct CSVHeaderTests {
    func options(delimiter: Character = ",", quote: Character = "\"") -> CSVOptions {
        var options = CSVOptions()
        options.delimiter = delimiter
        options.quote = quote
        return options
    }

    @Test func plainAndQuotedFields() {
        #expect(CSVHeader.parse("a,b,c", options: options()) == ["a", "b", "c"])
        #expect(CSVHeader.parse("\"a,b\",c", options: options()) == ["a,b", "c"])
        #expect(CSVHeader.parse("\"say \"\"hi\"\"\",x", options: options()) == ["say \"hi\"", "x"])
        #expect(CSVHeader.parse("\"line\nbreak\",x", options: options()) == ["line\nbreak", "x"])
        #expect(CSVHeader.parse("计划代码,\"规模 明细\"", options: options()) == ["计划代码", "规模 明细"])
    }

    @Test func emptyFieldsAreKept() {
        #expect(CSVHeader.parse("", options: options()) == [""])
        #expect(CSVHeader.parse("a,,b,", options: options()) == ["a", "", "b", ""])
        #expect(CSVHeader.parse("\"\",x", options: options()) == ["", "x"])
    }

    @Test func otherDelimitersAndQuotes() {
        #expect(CSVHeader.parse("a;b,c;d", options: options(delimiter: ";")) == ["a", "b,c", "d"])
        #expect(CSVHeader.parse("a\tb\t'c\td'", options: options(delimiter: "\t", quote: "'")) == ["a", "b", "c\td"])
        #expect(CSVHeader.parse("'it''s',\"x\"", options: options(quote: "'")) == ["it's", "\"x\""])
    }

    @Test func aLeadingBOMCharacterIsDropped() {
        #expect(CSVHeader.parse("\u{FEFF}a,b", options: options()) == ["a", "b"])
        // Only at the start.
        #expect(CSVHeader.parse("a,\u{FEFF}b", options: options()) == ["a", "\u{FEFF}b"])
    }

    /// Writes `bytes` to a temporary file and reads its header.
    func readHeader(_ bytes: [UInt8], options: CSVOptions = CSVOptions()) throws -> (header: [String]?, lines: Int) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fkb-unit-\(UUID().uuidString).csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try CSVFile(path: path)
        let header = try file.readHeader(options)
        #expect(file.label == path)
        #expect(file.size == bytes.count)
        return (header, file.headerLines)
    }

    @Test func aFileHeaderWithBOMAndCRLF() throws {
        let read = try readHeader([0xEF, 0xBB, 0xBF] + Array("计划代码,月度\r\nP1,2024\r\n".utf8))
        #expect(read.header == ["计划代码", "月度"])
        #expect(read.lines == 1)
    }

    @Test func aQuotedHeaderNameOverTwoLinesCountsBothLines() throws {
        let read = try readHeader(Array("\"a\nb\",c\n1,2\n".utf8))
        #expect(read.header == ["a\nb", "c"])
        #expect(read.lines == 2)
    }

    @Test func aHeaderWithoutNewlineAndAnEmptyFile() throws {
        let only = try readHeader(Array("x;y".utf8), options: options(delimiter: ";"))
        #expect(only.header == ["x", "y"])
        #expect(only.lines == 1)
        let empty = try readHeader([])
        #expect(empty.header == nil)
        #expect(try readHeader([0xEF, 0xBB, 0xBF]).header == nil)
    }

    @Test func aMissingFileOrADirectoryIsAUsageError() throws {
        let missing = "/nonexistent-\(UUID().uuidString).csv"
        let error = try #require(throws: FKBackfillError.self) { _ = try CSVFile(path: missing) }
        #expect(error.kind == .badInput(line: nil))
        #expect(error.message == "cannot open \(missing): no such file")
        #expect(error.category == .usage)
        let directory = FileManager.default.temporaryDirectory.path
        let dirError = try #require(throws: FKBackfillError.self) { _ = try CSVFile(path: directory) }
        #expect(dirError.kind == .badInput(line: nil))
        #expect(dirError.message == "cannot read \(directory): it is a directory")
    }
}
