/// What a `load` or `backfill` did (or, with `--dry-run`, would do).
public struct LoadReport: Sendable {
    public struct Parent: Sendable {
        public var table: TableName
        /// Distinct non-NULL keys the load references in this table.
        public var candidates: Int
        /// Of those, keys the table (or, for a self-reference, the load) already had.
        public var present: Int
        /// Rows the tool inserted (fewer than missing when a concurrent load won a key).
        public var inserted: Int
        /// Existing rows whose NULL columns were filled (`fill-null-only`).
        public var updated: Int
        /// Up to `--samples` inserted keys, each as its column values in key order.
        public var sampleKeys: [[String?]]
    }

    /// Input rows left out of the load, grouped by why.
    public struct Rejection: Sendable {
        public var reason: String
        public var rows: Int
        /// Input row numbers (1 = the first data row), the first few.
        public var sampleRows: [Int]
    }

    public struct Step: Sendable {
        public var name: String
        public var seconds: Double
    }

    public var target: TableName
    public var input: String
    public var mode: BackfillMode
    public var dryRun: Bool
    public var loadedTarget: Bool
    public var parents: [Parent] = []
    public var staged = 0
    public var deleted = 0
    public var inserted = 0
    public var rejected = 0
    public var rejections: [Rejection] = []
    /// `set-based` or `per-row`: how the fact insert's FKs were checked.
    public var fkCheck: FKCheckMode = .perRow
    /// Why `auto` fell back to `per-row`, if it did.
    public var fkCheckNote: String?
    public var steps: [Step] = []

    public init(target: TableName, input: String, mode: BackfillMode, dryRun: Bool, loadedTarget: Bool) {
        self.target = target
        self.input = input
        self.mode = mode
        self.dryRun = dryRun
        self.loadedTarget = loadedTarget
    }

    public var totalSeconds: Double { steps.reduce(0) { $0 + $1.seconds } }
}
