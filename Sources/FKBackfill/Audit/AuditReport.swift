/// What `fkbackfill audit` found: the backfill status of every FK, and lint findings.
public struct AuditReport: Sendable {
    /// Whether a load could create an FK's missing parent rows (JSON `status`).
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

    /// How serious a finding is; ordered `info` < `warning` < `error` (JSON `severity`).
    public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
        /// `info`: worth knowing; `warning`: likely to cause trouble; `error`: a load would stop.
        case info, warning, error

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        /// Orders by seriousness, so `fails(at:)` can compare against a threshold.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// One FK's backfill status (catalog or `relations:`), listed by referencing table, then name.
    public struct ForeignKeyResult: Sendable {
        /// The constraint name, or the name the rules file gives a declared relation.
        public var name: String
        /// The table whose rows carry the key.
        public var table: TableName
        /// The parent table a load would have to backfill.
        public var referencedTable: TableName
        /// Referencing columns in key order.
        public var columns: [String]
        /// Referenced columns, paired by position with `columns`.
        public var referencedColumns: [String]
        /// Declared in the rules file's `relations:`, not in the database.
        public var declared: Bool
        /// Whether a load backfills this FK, and thanks to what.
        public var status: Status
        /// One line per reason for `uncovered` or `skipped` (docs/audit.md lists them); empty otherwise.
        public var reasons: [String]
    }

    /// One lint result; `findings` are sorted by severity (most serious first), then kind, then object.
    public struct Finding: Sendable {
        /// What was found, e.g. `missing-index`, `uncovered-fk`, `implied-relation` (docs/audit.md lists every kind).
        public var kind: String
        /// How serious it is; compared with `--fail-on` by `fails(at:)`.
        public var severity: Severity
        /// The table, column or constraint concerned, e.g. `business.规模明细.机构代码`.
        public var object: String
        /// One line saying what is wrong and why it matters.
        public var message: String
        /// One line to act on: a statement, or what to change.
        public var fix: String
        /// A ready `relations:` entry, for implied relations.
        public var snippet: String?
    }

    /// What was audited: a table, `schema NAME`, or `all tables`.
    public var scope: String
    /// Every FK of the scope with its status, ordered by referencing table, then name.
    public var foreignKeys: [ForeignKeyResult] = []
    /// Lint findings, most serious first (then by kind and object).
    public var findings: [Finding] = []

    /// Whether any finding is at or above `failOn` (the command line exits 1 then).
    public func fails(at failOn: Severity) -> Bool {
        findings.contains { $0.severity >= failOn }
    }
}
