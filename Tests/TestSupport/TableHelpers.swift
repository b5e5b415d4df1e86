import Foundation
import PostgresClient

/// What integration tests of every target ask of a test database: a CSV file to load,
/// row counts, values, and a checksum that proves nothing changed.
extension TestDatabase {
    /// Writes `text` to a fresh file under the clone's .tmp/ and returns its path.
    public func csvFile(_ text: String) throws -> String {
        let path = TestFiles.url(suffix: ".csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public func count(_ table: String, _ condition: String = "true") throws -> Int {
        try connection.execute("SELECT count(*) AS n FROM \(unsafeRaw: table) WHERE \(unsafeRaw: condition)").rows[0].int("n") ?? -1
    }

    public func values(_ sql: String) throws -> [[String?]] {
        let result = try connection.execute(SQL(unsafeRaw: sql))
        return (0..<result.rowCount).map { row in result.columnNames.indices.map { result.value(row, $0) } }
    }

    /// A checksum of every row of the tables, to prove nothing changed.
    public func checksum(_ tables: [String]) throws -> String {
        try tables.map { table in
            try connection.execute("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM \(unsafeRaw: table) t")
                .rows[0].string("h")
        }.joined(separator: ",")
    }
}
