import PostgresClient

/// What a `load` or `backfill` did (or, with `--dry-run`, would do).
public struct LoadReport: Sendable {
    /// One parent table's backfill, in load order (parents first); the target too when it references itself.
    public struct Parent: Sendable {
        /// The parent table whose missing rows the run created (or filled).
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
        /// Why, e.g. `blank key in col` or `key (col) missing from table (fk)`.
        public var reason: String
        /// How many input rows were left out for this reason.
        public var rows: Int
        /// Input row numbers (1 = the first data row), the first few.
        public var sampleRows: [Int]
        /// The same rows as the input's own lines: CSV file lines (header = 1, multi-line
        /// records counted), as errors and reject files give them; row numbers otherwise.
        public var sampleLines: [Int]

        public init(reason: String, rows: Int, sampleRows: [Int], sampleLines: [Int]? = nil) {
            self.reason = reason
            self.rows = rows
            self.sampleRows = sampleRows
            self.sampleLines = sampleLines ?? sampleRows
        }
    }

    /// A new key that looks like another key (see `NearDuplicates`).
    public struct NearDuplicate: Sendable, Equatable {
        /// The parent table the key is new in.
        public var table: TableName
        /// The new key, as text.
        public var key: String
        /// The key it looks like.
        public var looksLike: String
        /// `looksLike` is already in the table (else it is another new key of this run).
        public var existing: Bool
    }

    /// One timed step of the run (`read catalog`, `stage input`, …).
    public struct Step: Sendable {
        /// What the step did, as the text report and JSON `steps` show it.
        public var name: String
        /// Wall-clock seconds the step took (JSON rounds to milliseconds).
        public var seconds: Double
    }

    /// The table loaded (or whose parents were backfilled).
    public var target: TableName
    /// Where the rows came from: the CSV path, `<stdin>`, the `--source` table, or `<query>`.
    public var input: String
    /// How existing parent rows were treated.
    public var mode: BackfillMode
    /// Everything ran and was rolled back: the counts say what a real run would do.
    public var dryRun: Bool
    /// True for `load` (rows went into the target), false for `backfill` (parents only).
    public var loadedTarget: Bool
    /// Per parent table, in load order (parents first).
    public var parents: [Parent] = []
    /// Input rows staged.
    public var staged = 0
    /// The input is a CSV file: `sampleLines` are its lines, not row numbers.
    public var linesAreFileLines = false
    /// Target rows deleted by `replaceBy` before the insert; 0 for `backfill`.
    public var deleted = 0
    /// Rows inserted into the target; 0 for `backfill`.
    public var inserted = 0
    /// Rows the insert was given but that were not stored: a BEFORE INSERT trigger
    /// returned NULL for them, or a rule did something else. staged = inserted + rejected + skipped.
    public var skipped = 0
    /// The target's triggers and rules that can skip rows, when some were skipped.
    public var skippedBy: [String] = []
    /// A parent that got new keys no stored row references (their rows were skipped).
    public struct UnstoredParent: Sendable, Equatable {
        public var table: TableName
        /// New keys of this run that no stored row of the target references.
        public var keys: Int
    }
    /// Parents backfilled only for rows that were never stored.
    public var unstoredParents: [UnstoredParent] = []
    /// Input rows left out, the sum of `rejections`; above `maxRejects` the run fails instead.
    public var rejected = 0
    /// The rows left out, grouped by reason.
    public var rejections: [Rejection] = []
    /// New keys that look like another key: loaded (`near_duplicates: warn`) or rejected.
    public var nearDuplicates: [NearDuplicate] = []
    /// A sequence moved past the explicit keys a run wrote (serial, identity).
    public struct AdvancedSequence: Sendable, Equatable {
        /// The sequence, qualified as `regclass` prints it.
        public var sequence: String
        /// Its value now: the next `nextval` gives the one after.
        public var value: Int
    }
    /// Sequences advanced past the keys written, so the application's next insert works.
    public var advancedSequences: [AdvancedSequence] = []
    /// Input columns the target does not have: read only by the backfill (same-named
    /// parent columns, rules), or ignored (`--ignore-extra-columns`). Never inserted.
    public var extraColumns: [ExtraInputColumn] = []
    /// Checks that did not run, and why (a near-duplicate search in a database that is not UTF-8).
    public var notes: [String] = []
    /// `set-based` or `per-row`: how the fact insert's FKs were checked.
    public var fkCheck: FKCheckMode = .perRow
    /// Why `auto` fell back to `per-row`, if it did.
    public var fkCheckNote: String?
    /// Parents whose keys and derived values a second session computed beside the fact
    /// insert (`SecondSession`); empty where one session did everything.
    public var derivedInSecondSession: [TableName] = []
    /// How the second session, where one opened, got the input (its tests look).
    var secondSessionFeed: CopyMirror.Feed?
    /// Each step with its wall-clock time, in the order they ran.
    public var steps: [Step] = []

    /// An empty report for a run on `target`; the run fills in the counts.
    public init(target: TableName, input: String, mode: BackfillMode, dryRun: Bool, loadedTarget: Bool) {
        self.target = target
        self.input = input
        self.mode = mode
        self.dryRun = dryRun
        self.loadedTarget = loadedTarget
    }

    /// The run's wall-clock time: the sum of the steps (JSON `seconds`).
    public var totalSeconds: Double { steps.reduce(0) { $0 + $1.seconds } }
}
