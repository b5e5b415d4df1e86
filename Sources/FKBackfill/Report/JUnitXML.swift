/// A minimal JUnit XML writer: what CI systems (GitLab, Jenkins, GitHub actions with a
/// reporter) read to show each check as a test case.
struct JUnitXML {
    struct TestCase {
        var className: String
        var name: String
        /// Failure message and body; nil when the case passed.
        var failure: (message: String, body: String)?
        var skipped: String?
        var output: String?
    }

    struct Suite {
        var name: String
        var cases: [TestCase]
    }

    var suites: [Suite]

    func render() -> String {
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.cases.filter { $0.failure != nil }.count }
        let skipped = suites.reduce(0) { $0 + $1.cases.filter { $0.skipped != nil }.count }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"fkbackfill\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        for suite in suites {
            let suiteFailures = suite.cases.filter { $0.failure != nil }.count
            let suiteSkipped = suite.cases.filter { $0.skipped != nil }.count
            out += "  <testsuite name=\"\(Self.escape(suite.name))\" tests=\"\(suite.cases.count)\" failures=\"\(suiteFailures)\" "
                + "errors=\"0\" skipped=\"\(suiteSkipped)\">\n"
            for test in suite.cases {
                out += "    <testcase classname=\"\(Self.escape(test.className))\" name=\"\(Self.escape(test.name))\""
                if test.failure == nil && test.skipped == nil && test.output == nil {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                if let failure = test.failure {
                    out += "      <failure message=\"\(Self.escape(failure.message))\">\(Self.escape(failure.body))</failure>\n"
                }
                if let skipped = test.skipped { out += "      <skipped message=\"\(Self.escape(skipped))\"/>\n" }
                if let output = test.output { out += "      <system-out>\(Self.escape(output))</system-out>\n" }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// XML text and attribute escaping; control characters XML 1.0 forbids are dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Markdown table cells: pipes and newlines would break the row.
func markdownCell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
}

/// A Markdown code span for a table cell that holds its text as it is, backticks
/// included: fenced with one backtick more than the longest run inside (CommonMark),
/// padded with a space where the text starts or ends with one.
func markdownCode(_ text: String) -> String {
    let cell = markdownCell(text)
    var longest = 0, run = 0
    for char in cell {
        run = char == "`" ? run + 1 : 0
        longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let padded = cell.hasPrefix("`") || cell.hasSuffix("`") ? " \(cell) " : cell
    return fence + padded + fence
}
