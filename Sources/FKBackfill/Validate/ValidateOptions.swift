import PostgresClient

/// Options of `fkbackfill validate`.
public struct ValidateOptions: Sendable {
    /// How many missing keys to list per FK, and rows per key and per column problem.
    public var samples = 5
    /// Count every missing key as a failure, even one a backfill would fix.
    public var strict = false
    /// The rules file, so fixable keys are judged as a load with these rules would (`relations:` included).
    public var rules: Rules = .none
    /// The load's `--max-rejects`: how many rows the predicted load may set aside.
    public var maxRejects = 0
    /// The load's `--replace-by`: target rows it would delete before inserting, so their
    /// keys do not clash.
    public var replaceBy: [String] = []
    /// Check a `--source` or `--query` with the target's types where it is, FKs and NOT
    /// NULL only, without predicting the load (fast on large tables; see docs/validate.md).
    public var inPlace = false
    /// The load's `--mode` (review 20: a `load --mode fill-null-only` could not be predicted).
    public var mode: BackfillMode = .insertMissing
    /// The load's `--ignore-extra-columns`: an input column nothing reads is ignored, not refused.
    public var ignoreExtraColumns = false
    /// Records per batch where the input is streamed (a read-only session:
    /// Validator+Streamed.swift), `Validator.streamBatch` unless set. Not a command-line
    /// option: tests set a few dozen, so that rows in different batches are a few dozen
    /// lines apart, not 20,000 (docs/testing.md); the 1 MiB of text per batch still holds.
    var streamBatchRows = Validator.streamBatch
    /// Called with each statement before it runs (for `--print-sql`).
    public var onStatement: (@Sendable (SQL) -> Void)?

    /// The defaults: 5 samples, not strict, no rules.
    public init() {}
}
