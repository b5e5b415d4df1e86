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

        var rank: Int { switch self { case .info: 0; case .warning: 1; case .error: 2 } }
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
        /// The table or partition holding the declaration: a partition for an FK declared
        /// on one partition, listed under its partitioned table (`table`).
        public var declaredOn: TableName? = nil
        /// False for a `NOT VALID` constraint.
        public var validated = true
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
        /// The table the finding is listed under (a partition's findings under its
        /// partitioned table); nil for none.
        public var table: TableName? = nil
        /// Why an implied relation is believed, strongest first; empty for other kinds.
        public var evidence: [String] = []
        /// Other candidate parents of the same column that were left out for this one.
        public var droppedCandidates: [String] = []
    }

    /// What the audit read beyond the catalog and the server's statistics (JSON `dataRead`).
    public struct DataRead: Sendable, Equatable {
        /// At most this many rows per check (`--sample-rows`).
        public var sampleRows: Int?
        /// All checks stopped after this many seconds (`--time-budget`).
        public var timeBudgetSeconds: Double?
        /// Data checks that ran.
        public var checks = 0
        /// Data checks not run, or cut short, because the budget was spent.
        public var skippedChecks = 0

        /// A description of what was read; all nil and zero when no data was.
        public init(sampleRows: Int? = nil, timeBudgetSeconds: Double? = nil, checks: Int = 0, skippedChecks: Int = 0) {
            self.sampleRows = sampleRows
            self.timeBudgetSeconds = timeBudgetSeconds
            self.checks = checks
            self.skippedChecks = skippedChecks
        }

        /// Whether any table was read at all.
        public var readsData: Bool { sampleRows != nil || timeBudgetSeconds != nil }
    }

    /// Every finding kind, for `--only` (docs/audit.md explains each).
    public static let kinds = ["uncovered-fk", "missing-index", "type-mismatch", "not-valid", "implied-relation",
                               "partition-only-fk", "partition-fks-differ", "enabled-triggers", "partition-triggers",
                               "citus-fk-not-colocated", "citus-reference-to-distributed", "citus-unique-without-distribution-column",
                               "citus-identity-column", "sequence-advance"]

    /// What was audited: a table, `schema NAME`, or `all tables`.
    public var scope: String
    /// Every FK of the scope with its status, ordered by referencing table, then name.
    public var foreignKeys: [ForeignKeyResult] = []
    /// Lint findings, most serious first (then by kind and object); after `--min-severity`
    /// and `--only`.
    public var findings: [Finding] = []
    /// How many tables were audited (partitions count with their partitioned table).
    public var tables = 0
    /// Findings per kind and severity before `--min-severity`/`--only`, for the summary.
    public var allFindings: [FindingCount] = []
    /// What was read from the tables' data.
    public var dataRead = DataRead()
    /// The `--min-severity` and `--only` the findings were filtered with.
    public var minSeverity: Severity = .info
    public var only: [String] = []
    /// Every finding before `--baseline`, `--min-severity` and `--only`: what
    /// `--write-baseline` records.
    public internal(set) var everyFinding: [Finding] = []
    /// What `--baseline` hid and found gone; nil without a baseline.
    public internal(set) var baselineOutcome: BaselineOutcome?
    /// The partitioned tables of the report with their number of partitions (HTML notes them).
    public internal(set) var partitionCounts: [TableName: Int] = [:]

    /// The number of findings of one kind and severity.
    public struct FindingCount: Sendable, Equatable {
        public var kind: String
        public var severity: Severity
        public var count: Int
    }

    /// Counts `findings` per kind and severity (most serious first, then kind).
    static func count(_ findings: [Finding]) -> [FindingCount] {
        Dictionary(grouping: findings) { "\($0.severity.rawValue) \($0.kind)" }.values
            .map { FindingCount(kind: $0[0].kind, severity: $0[0].severity, count: $0.count) }
            .sorted { ($1.severity, $0.kind) < ($0.severity, $1.kind) }
    }

    /// Keeps the findings at or above `minSeverity` and, when `only` is not empty, of those kinds;
    /// the summary keeps counting all of them.
    mutating func filter(minSeverity: Severity, only: Set<String>) {
        allFindings = Self.count(findings)
        self.minSeverity = minSeverity
        self.only = only.sorted()
        findings.removeAll { $0.severity < minSeverity || (!only.isEmpty && !only.contains($0.kind)) }
    }

    /// Whether any finding is at or above `failOn` (the command line exits 1 then).
    public func fails(at failOn: Severity) -> Bool {
        findings.contains { $0.severity >= failOn }
    }
}
