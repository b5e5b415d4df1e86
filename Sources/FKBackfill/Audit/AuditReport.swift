/// What `fkbackfill audit` found: the backfill status of every FK, and lint findings.
public struct AuditReport: Sendable {
    public enum Status: String, Sendable, Codable {
        /// A backfill works with no rules.
        case auto
        /// A backfill works thanks to the rules file.
        case rule
        /// A backfill cannot create the parent rows; `reasons` say why.
        case uncovered
        /// Not backfilled by choice (`skip`, `on_missing: reject|fail`, `mode: skip|fail`).
        case skipped
    }

    public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
        case info, warning, error

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public struct ForeignKeyResult: Sendable {
        public var name: String
        public var table: TableName
        public var referencedTable: TableName
        public var columns: [String]
        public var referencedColumns: [String]
        public var declared: Bool
        public var status: Status
        public var reasons: [String]
    }

    public struct Finding: Sendable {
        public var kind: String
        public var severity: Severity
        /// The table, column or constraint concerned, e.g. `business.规模明细.机构代码`.
        public var object: String
        public var message: String
        /// One line to act on: a statement, or what to change.
        public var fix: String
        /// A ready `relations:` entry, for implied relations.
        public var snippet: String?
    }

    /// What was audited: a table, `schema NAME`, or `all tables`.
    public var scope: String
    public var foreignKeys: [ForeignKeyResult] = []
    public var findings: [Finding] = []

    /// Whether any finding is at or above `failOn` (the command line exits 1 then).
    public func fails(at failOn: Severity) -> Bool {
        findings.contains { $0.severity >= failOn }
    }
}
