import FKBackfill
import Foundation
import PostgresClient
import TestSupport

/// Helpers for load tests: CSV files, counts, running the loader.
extension TestDatabase {
    /// Writes `text` to a fresh file under the clone's .tmp/ and returns its path.
    func csvFile(_ text: String) throws -> String {
        let path = TestFiles.url(suffix: ".csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(
        _ table: String, csv text: String? = nil, input: InputSource? = nil,
        configure: (inout LoadOptions) -> Void = { _ in }
    ) throws -> LoadReport {
        var options = LoadOptions()
        configure(&options)
        let source = try input ?? .csv(path: csvFile(text ?? ""), options: CSVOptions())
        return try Loader(connection: connection).run(table: table, input: source, options: options)
    }

    func count(_ table: String, _ condition: String = "true") throws -> Int {
        try connection.execute("SELECT count(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: condition)").rows[0].int("n") ?? -1
    }

    func values(_ sql: String) throws -> [[String?]] {
        let result = try connection.execute(SQL(unsafeRaw: sql))
        return (0..<result.rowCount).map { row in result.columnNames.indices.map { result.value(row, $0) } }
    }

    /// A checksum of every row of the tables, to prove nothing changed.
    func checksum(_ tables: [String]) throws -> String {
        try tables.map { table in
            try connection.execute("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM \(unsafeRaw: table) t")
                .rows[0].string("h")
        }.joined(separator: ",")
    }
}

extension LoadReport {
    func parent(_ name: String) -> LoadReport.Parent? {
        parents.first { $0.table.name == name }
    }
}
