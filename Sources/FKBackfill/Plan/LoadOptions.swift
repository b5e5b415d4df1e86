import PostgresClient

/// How a load treats parent rows that already exist.
public enum BackfillMode: String, Sendable, CaseIterable, Codable {
    /// Insert absent keys only; never touch an existing parent row.
    case insertMissing = "insert-missing"
    /// Also set NULL columns of existing referenced parent rows from derived values;
    /// never overwrite a non-NULL value.
    case fillNullOnly = "fill-null-only"
}

/// When a load may use a second connection for the new parents' derived values.
public enum SecondSessionUse: String, Sendable, CaseIterable {
    /// For a CSV file of 4 MiB or more, where the load can use it: fed as the first
    /// session's COPY is for a first load (a parent whose values come from the stage
    /// holds no row yet); otherwise from a spool after it, where rules derive a parent's
    /// values, for files up to 1 GiB.
    case auto
    /// Never.
    case off
    /// Wherever the load can use it, whatever the input's size.
    case always
}

/// What one `load` or `backfill` run is asked to do.
public struct LoadOptions: Sendable {
    /// How existing parent rows are treated: never touched (default), or their NULL columns filled.
    public var mode: BackfillMode = .insertMissing
    /// Insert the staged rows into the target after the backfill (`load`), or stop
    /// after the backfill (`backfill`).
    public var loadTarget = true
    /// Columns whose staged values select the target rows to delete before inserting.
    public var replaceBy: [String] = []
    /// Do everything, report, then roll back.
    public var dryRun = false
    /// How many inserted keys to list per parent.
    public var samples = 5
    /// Per-column rules, declared relations, blank keys (`--rules`).
    public var rules: Rules = .none
    /// How many rejected rows a load may skip and still commit the rest; 0 fails on the first.
    public var maxRejects = 0
    /// How the fact insert's FKs are checked (see `FKCheckMode`).
    public var fkCheck: FKCheckMode = .auto
    /// Write rejected rows here as CSV: input line, reason, the row's fields.
    public var rejectFile: String?
    /// Append rejected rows to this table (created if missing) in the load's transaction.
    public var rejectTable: String?
    /// Rows with a bad value (type, length, NULL, CHECK) are rejected rather than failing
    /// the run: on whenever rejects are allowed or written somewhere.
    public var checksValues: Bool { maxRejects > 0 || rejectFile != nil || rejectTable != nil }
    /// Serialise loads of the same target with a transaction-scoped advisory lock.
    public var exclusive = false
    /// Upper bound for every lock wait (`lock_timeout`), e.g. `5s`; nil keeps the server's.
    public var lockTimeout: String?
    /// Stage an input column that is not the target's and that nothing reads, unread,
    /// instead of refusing the input (`FKBackfillError.Kind.unusedInputColumn`).
    public var ignoreExtraColumns = false
    /// Called with each statement before it runs (for `--print-sql`).
    public var onStatement: (@Sendable (SQL) -> Void)?
    /// Whether a second connection may find the missing keys and derive the new parents'
    /// values while this one inserts the fact rows (docs/performance.md, *A second session*).
    public var secondSession: SecondSessionUse = .auto
    /// For tests: runs once the second session is done, before the load
    /// reads a key, so that a test can change what the two sessions see.
    var afterSecondSession: (@Sendable () -> Void)?
    /// For tests: where a spooled second session keeps its spool instead of `TMPDIR`.
    var spoolFolder: String?
    /// For tests of `auto`: the first waits for a second session still staging its spool,
    /// as under `always`, so that what the test looks at does not depend on which of the
    /// two a busy machine ran first.
    var waitsForSpool = false

    /// The defaults: insert-missing, load the target, 5 samples, no rejects allowed, `auto` FK check.
    public init() {}
}
