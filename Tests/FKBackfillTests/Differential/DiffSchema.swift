/// The parent tables and target of a case, as the input generator needs to know them.
struct DiffParent {
    enum Key { case int, text, composite }
    let index: Int
    let key: Key
    /// The parent's key columns and types.
    var keyColumns: [String] { key == .composite ? ["yr", "code"] : [key == .int ? "id" : "code"] }
    var keyTypes: [String]
    /// The target's FK columns and their types.
    var factColumns: [String]
    var factTypes: [String]
    var factNotNull = false
    var matchFull = false
    /// The partition the FK is declared on (partitioned targets), nil for the whole table.
    var partition: String?
    /// Keys the parent already has, as text.
    var existing: [[String]] = []
    /// CHECK on the key: a key the input carries may break it.
    var keyCheck = false
    var name: String { "p\(index)" }
    var constraint: String { "f\(index)" }
}

/// The target: which optional columns it has.
struct DiffTarget {
    var partitioned = false
    var defaultPartition = false
    var idUnique = false
    var selfReference = false
    var amountCheck = false
    var batchNotNull = false
    var existingIDs: [Int] = []
    /// Optional columns the CSV carries.
    var hasDate = true
    var hasNote = true
}

extension DiffCase {
    /// SQL text of a key value in a parent's column.
    static func literal(_ value: String, type: String) -> String {
        type == "int" || type == "bigint" ? value : "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
