import FKBackfill
import Foundation
import PostgresClient
import TestSupport

/// Helpers for load tests: running the loader (files, counts and checksums are TestSupport's).
extension TestDatabase {
    func load(
        _ table: String, csv text: String? = nil, input: InputSource? = nil,
        configure: (inout LoadOptions) -> Void = { _ in }
    ) throws -> LoadReport {
        var options = LoadOptions()
        configure(&options)
        let source = try input ?? .csv(path: csvFile(text ?? ""), options: CSVOptions())
        return try Loader(connection: connection).run(table: table, input: source, options: options)
    }
}

extension LoadReport {
    func parent(_ name: String) -> LoadReport.Parent? {
        parents.first { $0.table.name == name }
    }
}
