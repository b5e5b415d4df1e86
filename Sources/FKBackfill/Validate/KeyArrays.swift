import PostgresClient

/// Keys a batch check returns to the client, as parallel arrays in one row: one text
/// array per key column, then per key its rows, first lines and flags. Arrays, not a
/// JSON document: JSONSerialization made some 1,200 bytes of objects per key, 25 MB for
/// a batch of 20,000 new keys, on top of what the client keeps (docs/validate.md).
struct KeyArrays {
    /// `SELECT` items aggregating each expression into an array named by its label, in `order`.
    static func select(_ columns: [(name: String, value: SQL)], order: SQL) -> SQL {
        columns.map { "coalesce(pg_catalog.array_agg(\($0.value) ORDER BY \(order)), '{}') AS \(ident: $0.name)" as SQL }
            .joined(separator: ", ")
    }

    /// The keys' columns, by key.
    let keys: [[String?]]
    /// The same, as they merge: a numeric column's text without trailing zeros.
    let merge: [[String?]]
    /// Rows per key.
    let rows: [Int]
    /// Per key, its first lines.
    let lines: [[Int]]
    private let row: Row
    private let name: String

    /// The arrays labelled `name` of a batch's row, for keys of `canonical.count`
    /// columns; those marked have their merging text in `name_c0…` too.
    init(_ row: Row, _ name: String, canonical: [Bool]) throws {
        let columns = canonical.indices.map { row.array("\(name)_k\($0)") }
        let merging = canonical.enumerated().map { index, has in has ? row.array("\(name)_c\(index)") : columns[index] }
        let rows = row.array("\(name)_n").map { $0.flatMap { Int($0) } ?? 0 }
        let lines = row.array("\(name)_l").map { text in (text ?? "").split(separator: ",").compactMap { Int($0) } }
        guard (columns + merging).allSatisfy({ $0.count == rows.count }), lines.count == rows.count else {
            throw FKBackfillError("unexpected key arrays from the batch check (\(name))", kind: .database(sqlState: nil))
        }
        self.keys = rows.indices.map { index in columns.map { $0[index] } }
        self.merge = canonical.contains(true) ? rows.indices.map { index in merging.map { $0[index] } } : keys
        self.rows = rows
        self.lines = lines
        self.row = row
        self.name = name
    }

    /// A boolean array of the same keys (`t`/`f`).
    func flags(_ suffix: String) -> [Bool] { row.array("\(name)_\(suffix)").map { $0 == "t" } }

    /// An integer array of the same keys, NULL as nil.
    func integers(_ suffix: String) -> [Int?] { row.array("\(name)_\(suffix)").map { $0.flatMap { Int($0) } } }
}
