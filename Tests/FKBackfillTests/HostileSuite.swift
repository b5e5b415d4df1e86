@testable import FKBackfill
import Testing
import TestSupport

/// What the hostile reviews' suites share: the oracle (`load --dry-run` on the primary)
/// and a one-line summary of a validation report for their messages.
protocol HostileSuite {}

extension HostileSuite {
    /// Whether `load --dry-run` on the primary commits (the oracle).
    func dryRunLoads(_ db: TestDatabase, _ table: String, _ input: InputSource) throws -> Bool {
        do {
            _ = try db.load(table, input: input) { $0.dryRun = true }
            return true
        } catch is FKBackfillError {
            return false
        }
    }

    func summary(_ report: ValidationReport) -> String {
        "\(report.wouldLoad) " + report.foreignKeys.map { "\($0.name) \($0.missingKeys)/\($0.fixableKeys) \($0.reasons)" }.joined(separator: "; ")
            + " notExact: \(report.notExact)"
    }
}
