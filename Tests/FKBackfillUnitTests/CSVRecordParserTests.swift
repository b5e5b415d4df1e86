@testable import FKBackfill
import PostgresClient
import Testing

/// `CSVRecordParser`: records and fields as COPY (FORMAT csv) reads them, in any
/// chunking, with the lines samples name and COPY's own errors and line counts.
/// (`ReadOnlyCSVTests.theParserSplitsAsCOPYDoes` holds it against COPY itself.)
@Suite struct CSVRecordParserTests {
    /// The records of `bytes` fed in chunks of `chunk` bytes: fields and starting line.
    func parse(
        _ bytes: [UInt8], columns: Int = 3, options: CSVOptions = CSVOptions(), firstLine: Int = 2, chunk: Int = .max
    ) throws -> [([String?], Int)] {
        var parser = CSVRecordParser(options: options, columns: (1...columns).map { "c\($0)" }, firstLine: firstLine)
        var records: [([String?], Int)] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(chunk, bytes.count))
            try bytes[start..<end].withUnsafeBytes { try parser.feed($0) { records.append(($0, $1)) } }
            start = end
        }
        try parser.finish { records.append(($0, $1)) }
        return records
    }

    func parse(_ text: String, columns: Int = 3, options: CSVOptions = CSVOptions(), chunk: Int = .max) throws -> [([String?], Int)] {
        try parse(Array(text.utf8), columns: columns, options: options, chunk: chunk)
    }

    func failure(_ bytes: [UInt8], columns: Int = 3) -> CSVRecordParser.Failure? {
        do {
            _ = try parse(bytes, columns: columns)
            return nil
        } catch {
            return error as? CSVRecordParser.Failure
        }
    }

    @Test func quotesDelimitersAndNullsAsCOPYReadsThem() throws {
        let records = try parse("a,\"b,c\",\n\"\",\"x\"\"y\",z\nab\"c,d\"e,,\"\"\"\"\n")
        #expect(records.map(\.0) == [["a", "b,c", nil], ["", "x\"y", "z"], ["abc,de", nil, "\""]])
        #expect(records.map(\.1) == [2, 3, 4])
    }

    @Test func aQuotedNewlineIsDataAndMovesTheLines() throws {
        for chunk in [1, 2, 3, 7, Int.max] {
            let records = try parse("1,\"a\nb\",3\n4,5,6\r\n".replacingOccurrences(of: "\r\n", with: "\n") + "7,\"\n\n\",9", chunk: chunk)
            #expect(records.map(\.0) == [["1", "a\nb", "3"], ["4", "5", "6"], ["7", "\n\n", "9"]], "chunk \(chunk)")
            #expect(records.map(\.1) == [2, 4, 5], "chunk \(chunk)")
        }
    }

    @Test func theNullStringDelimiterAndQuoteAreTheOptions() throws {
        var options = CSVOptions()
        options.delimiter = ";"
        options.quote = "'"
        options.null = "\\N"
        let records = try parse("\\N;'\\N';'it''s'\n;x;\"y\"\n", options: options)
        #expect(records.map(\.0) == [[nil, "\\N", "it's"], ["", "x", "\"y\""]])
    }

    @Test func crlfAndCRLineEndingsAndTheEndMarker() throws {
        #expect(try parse("1,2,3\r\n4,5,6\r\n").map(\.0) == [["1", "2", "3"], ["4", "5", "6"]])
        #expect(try parse("1,2,3\r4,5,6\r").map(\.0) == [["1", "2", "3"], ["4", "5", "6"]])
        // A line of \. alone is data (the staged path sends it quoted), never NULL.
        #expect(try parse("\\.\n", columns: 1).map(\.0) == [["\\."]])
        #expect(try parse("\n", columns: 1).map(\.0) == [[nil]])
    }

    /// COPY's own count (`copyLine`), and the line the failing record starts on (`line`),
    /// which both the staged and the read-only path name (here always record 2, line 3).
    @Test func whereCOPYRefusesTheFileItSaysSoWithCOPYsLine() {
        let bad = SQLState.badCopyFileFormat
        #expect(failure(Array("1,2,3\n1,\"a\nb\",3,4\n".utf8))
            == .init(message: "extra data after last expected column", sqlState: bad, copyLine: 3, line: 3))
        #expect(failure(Array("1,2,3\n1,2\n".utf8)) == .init(message: "missing data for column \"c3\"", sqlState: bad, copyLine: 2, line: 3))
        #expect(failure(Array("1,2,3\n1,\"a\nb\n".utf8)) == .init(message: "unterminated CSV quoted field", sqlState: bad, copyLine: 4, line: 3))
        #expect(failure(Array("1,2,3\n1,\"a\nb".utf8)) == .init(message: "unterminated CSV quoted field", sqlState: bad, copyLine: 3, line: 3))
        #expect(failure(Array("1,2,3\r\n4,5,6\n".utf8)) == .init(message: "unquoted newline found in data", sqlState: bad, copyLine: 2, line: 3))
        #expect(failure(Array("1,2,3\n4,5\r6\n".utf8)) == .init(message: "unquoted carriage return found in data", sqlState: bad, copyLine: 2, line: 3))
        let encoding = SQLState.characterNotInRepertoire
        #expect(failure([0x31, 0x2C, 0x32, 0x2C, 0x33, 0x0A, 0x22, 0x61, 0xFF, 0x0A, 0x62, 0x22, 0x2C, 0x35, 0x2C, 0x36, 0x0A])
            == .init(message: "invalid byte sequence for encoding \"UTF8\": 0xff", sqlState: encoding, copyLine: 2, line: 3))
        #expect(failure(Array("1,2,3\n\"a\nb\",".utf8) + [0xC3, 0x28] + Array(",6\n".utf8))
            == .init(message: "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28", sqlState: encoding, copyLine: 3, line: 3))
        #expect(failure(Array("1,2,3\n4,5,6".utf8) + [0x00] + [0x0A])?.message == "invalid byte sequence for encoding \"UTF8\": 0x00")
        // An invalid byte before a stray line ending in the same record is found first.
        #expect(failure(Array("1,2,3\n4,".utf8) + [0xE0, 0x80] + Array("\r6\n".utf8))?.sqlState == encoding)
    }

    @Test func validUTF8PassesAndOverlongAndSurrogateFormsDoNot() throws {
        #expect(try parse("规模,é,😀\n").map(\.0) == [["规模", "é", "😀"]])
        #expect(failure([0xC0, 0x80, 0x2C, 0x2C, 0x0A])?.sqlState == SQLState.characterNotInRepertoire)
        #expect(failure([0xED, 0xA0, 0x80, 0x2C, 0x2C, 0x0A])?.sqlState == SQLState.characterNotInRepertoire)
        #expect(failure([0xF4, 0x90, 0x80, 0x80, 0x2C, 0x2C, 0x0A])?.sqlState == SQLState.characterNotInRepertoire)
    }

    @Test func arrayLiteralsEscapeQuotesAndBackslashes() {
        #expect(StreamedStatements.arrayLiteral(["a", nil, "b\"c\\d", "", "NULL"]) == #"{"a",NULL,"b\"c\\d","","NULL"}"#)
        #expect(PostgresArray.decode(StreamedStatements.arrayLiteral(["x,y", "{}", " "])) == ["x,y", "{}", " "])
    }
}
