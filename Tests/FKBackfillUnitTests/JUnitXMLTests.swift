@testable import FKBackfill
import Foundation
import Testing

/// The JUnit writer on its own: counts, escaping, and characters XML 1.0 cannot hold.
@Suite struct JUnitXMLTests {
    @Test func escapesMarkupAndDropsForbiddenCharacters() {
        #expect(JUnitXML.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(JUnitXML.escape("x\ny\tz\r") == "x&#10;y\tz\r")
        #expect(JUnitXML.escape("bell\u{7}nul\u{0}end\u{FFFE}\u{FFFF}") == "bellnulend")
        #expect(JUnitXML.escape("规模明细") == "规模明细")
    }

    @Test func anEmptyReport() {
        #expect(JUnitXML(suites: []).render() == """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="fkbackfill" tests="0" failures="0" errors="0" skipped="0">
            </testsuites>

            """)
    }

    @Test func hostileTextSurvivesAParserRoundTrip() throws {
        let name = "fk \"<x>\" & 'y'\nline\u{1}"
        let xml = JUnitXML(suites: [.init(name: "s", cases: [
            .init(className: "c", name: name, failure: (message: "m\nm", body: "]]> <b>"), skipped: nil, output: "o&o"),
            .init(className: "c", name: "skipped", failure: nil, skipped: "why", output: nil),
        ])]).render()
        let junit = try JUnitDocument(xml)
        #expect(junit.attribute(junit.root, "tests") == "2")
        #expect(junit.attribute(junit.root, "failures") == "1")
        #expect(junit.attribute(junit.root, "skipped") == "1")
        let first = try #require(junit.cases.first)
        #expect(junit.attribute(first, "name") == "fk \"<x>\" & 'y'\nline")
        #expect(junit.attribute(try #require(first.elements(forName: "failure").first), "message") == "m\nm")
        #expect(first.elements(forName: "failure").first?.stringValue == "]]> <b>")
        #expect(first.elements(forName: "system-out").first?.stringValue == "o&o")
        #expect(junit.cases.last?.elements(forName: "skipped").count == 1)
    }

    @Test func markdownCellsEscapePipesAndJoinLines() {
        #expect(markdownCell("a|b\nc") == "a\\|b c")
        #expect(markdownCell("plain") == "plain")
    }
}
