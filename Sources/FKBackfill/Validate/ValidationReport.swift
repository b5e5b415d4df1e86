/// What `fkbackfill validate` found: per FK, the rows and keys that would fail and how
/// many a backfill would fix; per column, values that would stop the load.
public struct ValidationReport: Sendable {
    public struct Sample: Sendable {
        /// The missing key's column values, as text.
        public var key: [String?]
        /// CSV line numbers (or, for --source/--query, row numbers) of the rows that
        /// reference it; empty when checked in place.
        public var lines: [Int]
    }

    public struct ForeignKeyResult: Sendable {
        public var name: String
        public var table: TableName
        public var referencedTable: TableName
        public var declared: Bool
        /// Rows whose key the parent lacks (MATCH rules applied), plus partly NULL keys under MATCH FULL.
        public var violatingRows: Int
        /// Distinct keys the parent lacks.
        public var missingKeys: Int
        /// Of those, keys a backfill would create.
        public var fixableKeys: Int
        public var unfixableKeys: Int
        /// Why keys (or rows) cannot be fixed.
        public var reasons: [String]
        public var samples: [Sample]
    }

    public struct ColumnProblem: Sendable {
        public enum Problem: String, Sendable {
            case conversion = "does not convert"
            case notNull = "NULL in NOT NULL column"
            case tooLong = "too long"
            case missingColumn = "NOT NULL column missing from the input"
        }

        public var column: String
        public var problem: Problem
        public var detail: String
        public var rows: Int
        public var sampleLines: [Int]
    }

    public var table: TableName
    public var input: String
    /// True when line numbers are CSV lines (else row numbers of the input).
    public var linesAreFileLines: Bool
    /// The table or query was checked where it is, without staging a copy; samples then
    /// list keys but no row numbers, which a table's unordered rows do not have.
    public var checkedInPlace = false
    public var rows = 0
    public var strict = false
    public var foreignKeys: [ForeignKeyResult] = []
    public var columns: [ColumnProblem] = []

    public init(table: TableName, input: String, linesAreFileLines: Bool) {
        self.table = table
        self.input = input
        self.linesAreFileLines = linesAreFileLines
    }

    /// Whether the load would pass: no column problems, and every missing key fixable
    /// by a backfill (with `strict`, no missing key at all).
    public var wouldLoad: Bool {
        columns.isEmpty && foreignKeys.allSatisfy { fk in
            strict ? fk.violatingRows == 0 : fk.unfixableKeys == 0 && fk.reasons.isEmpty
        }
    }

}
