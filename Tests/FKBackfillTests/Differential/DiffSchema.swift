/// The parent tables and target of a case, as the input generator needs to know them.
struct DiffParent {
    /// `typmod`: one column whose type has a typmod or another precision than the FK
    /// column's (`values` says which keys exist, are new, and which the type changes).
    enum Key { case int, text, composite, typmod }
    let index: Int
    let key: Key
    /// The parent's key columns and types.
    var keyColumns: [String] { key == .composite ? ["yr", "code"] : [key == .int ? "id" : "code"] }
    /// Text-like keys: blanks and near-duplicates apply.
    var textual: Bool { key == .text || key == .composite }
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
    /// The key column's definition when not its plain type: serial, identity.
    var keyDefinition: String?
    /// Identity GENERATED ALWAYS: the existing rows are inserted OVERRIDING SYSTEM VALUE.
    var identityAlways = false
    /// A typmod key's new keys and the keys its type changes (rounds, truncates).
    var newKeys: [[String]] = []
    var oddKeys: [[String]] = []
    /// Keys only the parent's inheritance child holds.
    var childKeys: [[String]] = []
    /// The FK column is left out of the CSV and filled by its DEFAULT (a key's literal).
    var factDefault: String?
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
    /// Ids of the rows of the target's inheritance child.
    var childIDs: [Int] = []
    /// The CSV carries `src`, from which a partition generates an FK column.
    var hasSource = false
    /// The parent whose FK column a partition generates from `src`.
    var generatedParent: Int?
}

extension DiffCase {
    /// SQL text of a key value in a parent's column.
    static func literal(_ value: String, type: String) -> String {
        type == "int" || type == "bigint" ? value : "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
