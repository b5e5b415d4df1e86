/// What `fkbackfill validate` found: per FK, the rows and keys that would fail and how
/// many a backfill would fix; per column, values that would stop the load.
public struct ValidationReport: Sendable {
    /// One missing key and the input rows that reference it.
    public struct Sample: Sendable {
        /// The missing key's column values, as text.
        public var key: [String?]
        /// CSV line numbers (or, for --source/--query, row numbers) of the rows that
        /// reference it; empty when checked in place.
        public var lines: [Int]
    }

    /// One FK of the target whose columns are in the input, with what its check found.
    public struct ForeignKeyResult: Sendable {
        /// The constraint name (or the rules file's name for a declared relation).
        public var name: String
        /// The referencing table: the target.
        public var table: TableName
        /// The parent table the keys must exist in.
        public var referencedTable: TableName
        /// Declared in the rules file's `relations:`, not in the database.
        public var declared: Bool
        /// Rows whose key the parent lacks (MATCH rules applied), plus partly NULL keys under MATCH FULL.
        public var violatingRows: Int
        /// Distinct keys the parent lacks.
        public var missingKeys: Int
        /// Of those, keys a backfill would create.
        public var fixableKeys: Int
        /// Missing keys a backfill would not create: blank keys, and all of them when the parent is uncovered or skipped.
        public var unfixableKeys: Int
        /// Why keys (or rows) cannot be fixed.
        public var reasons: [String]
        /// Up to `samples` missing keys, each with the rows that reference it.
        public var samples: [Sample]
    }

    /// Values of one column that would stop the load, of one kind.
    public struct ColumnProblem: Sendable {
        /// What is wrong with the values (JSON `problem`, the raw value).
        public enum Problem: String, Sendable {
            /// The text is not a valid value of the column's type (a bad date, `x` for an int, an overflow).
            case conversion = "does not convert"
            /// The input has the column and some row has NULL there.
            case notNull = "NULL in NOT NULL column"
            /// Longer than the column's `varchar(n)`/`char(n)` allows (trailing spaces excepted).
            case tooLong = "too long"
            /// A NOT NULL column with no default that the input lacks: every row fails.
            case missingColumn = "NOT NULL column missing from the input"
            /// Read-only only (the staged path reports these as its prediction's rejections):
            /// the row fails a CHECK of the target (`column` lists the CHECK's columns).
            case check = "fails CHECK"
            /// No partition of the target accepts the row.
            case noPartition = "no partition accepts the row"
            /// A unique key of the target already holds the row's key (`column` lists the key's columns).
            case keyExists = "key already in the target"
            /// An earlier row of the input has the same unique key.
            case duplicateKey = "duplicate key in the input"
            /// Read-only: a missing key the parent's narrower type cannot hold exactly (a
            /// double into a `real` key); the load sets the row aside.
            case keyCannotExist = "key cannot exist in the parent"
            /// Read-only: a partial or expression unique index refuses the row at the insert
            /// (`column` lists the index's expressions). The load does not set such rows
            /// aside: the insert fails, whatever `--max-rejects` allows.
            case uniqueViolation = "unique violation at the insert"
        }

        /// The target column.
        public var column: String
        /// What is wrong with its values.
        public var problem: Problem
        /// Specifics for people, e.g. `not a valid date` or `longer than 10 characters (character varying(10))`.
        public var detail: String
        /// How many input rows have the problem (all of them for `missingColumn`).
        public var rows: Int
        /// The first few of those rows, as lines or row numbers (see `linesAreFileLines`); empty in place.
        public var sampleLines: [Int]
    }

    /// What `load` with the same options would do, computed by the load's own steps
    /// (staging, rejects, missing keys, what stops a backfill) short of writing.
    public struct Prediction: Sendable {
        /// One parent table the load would add rows to.
        public struct Parent: Sendable {
            public var table: TableName
            /// New rows the backfill would insert.
            public var inserted: Int
            /// Up to `samples` of their keys, in key order.
            public var sampleKeys: [[String?]]
        }

        /// Input rows the load would set aside, by reason (as the load reports them).
        public struct Rejection: Sendable {
            public var reason: String
            public var rows: Int
            /// Up to `samples` of them: CSV lines (header = 1) or row numbers of the input.
            public var sampleLines: [Int]
        }

        /// The load would commit: nothing stops it and rejects stay within `maxRejects`.
        public var wouldLoad = true
        /// False when something the tool does not evaluate may change the outcome (a trigger, say); `notExact` says what.
        public var exact: Bool { notExact.isEmpty }
        public var notExact: [String] = []
        /// What would stop the load, each in the words the load's error would use.
        public var blockers: [String] = []
        /// Rows the load would insert into the target (0 when it would not load).
        public var inserted = 0
        /// Rows the target's triggers would skip (known only from a trial of the insert).
        public var skipped = 0
        /// Write steps validate tried in a savepoint and rolled back, each with the
        /// triggers, rules and constraints only PostgreSQL can evaluate that made it try.
        public var tried: [String] = []
        /// Target rows `--replace-by` would delete first.
        public var deleted = 0
        /// Rows set aside, the sum of `rejections`.
        public var rejected = 0
        /// The `--max-rejects` the prediction was made for.
        public var maxRejects = 0
        public var rejections: [Rejection] = []
        /// New keys that look like another key (`near_duplicates:` warns or rejects).
        public var nearDuplicates: [LoadReport.NearDuplicate] = []
        /// Parents, in load order, that would get rows.
        public var parents: [Parent] = []
    }

    /// The table validated.
    public var table: TableName
    /// Where the rows came from: the CSV path, `<stdin>`, the `--source` table, `<query>`, or (no input) the target's own name.
    public var input: String
    /// True when line numbers are CSV lines (else row numbers of the input).
    public var linesAreFileLines: Bool
    /// The table or query was checked where it is, without staging a copy; samples then
    /// list keys but no row numbers, which a table's unordered rows do not have.
    public var checkedInPlace = false
    /// A query or table read through a cursor, read-only (Validator+StreamedCursor.swift):
    /// checked as in place, but its rows numbered in the order read, as staged.
    var rowsNumbered = false
    /// Input rows checked.
    public var rows = 0
    /// Whether every missing key counts as a failure, fixable or not (`--strict`).
    public var strict = false
    /// One result per FK of the target whose columns are in the input.
    public var foreignKeys: [ForeignKeyResult] = []
    /// Column problems; empty when no value would stop the load.
    public var columns: [ColumnProblem] = []
    /// What a check read-only did not evaluate of the load, for this target and its
    /// parents (a CSV on a hot standby or read-only session, which is checked as in place:
    /// no prediction); empty otherwise. The verdict is exact only where this is empty.
    public var notExact: [String] = []
    /// Target rows `--replace-by` would delete first, counted where there is no prediction
    /// (a CSV streamed read-only, a `--source` checked in place); nil otherwise (the
    /// prediction's `deleted` says it) and without `--replace-by`.
    public var deleted: Int?
    /// Input rows the load would set aside, counted where there is no prediction (a CSV
    /// streamed read-only, a `--source` checked in place) with `--max-rejects` above 0;
    /// nil otherwise. Each row once,
    /// whatever its reasons (the column problems list them).
    public var rejected: Int?
    /// The `--max-rejects` `rejected` is held against.
    public var maxRejects = 0
    /// Read-only, per FK name: why the load stops there, found after the last batch (what
    /// `--replace-by`'s DELETE does to a target that references itself:
    /// Validator+StreamedSelfReplace.swift); the FK's result lists them as its reasons.
    var stops: [String: [String]] = [:]
    /// Read-only, FKs whose columns the input lacks and whose DEFAULT key was evaluated
    /// (Validator+StreamedDefaultedKeys.swift): not named in notExact as unchecked.
    var evaluatedDefaults: Set<String> = []
    /// Read-only `--replace-by`: other tables' FKs that refuse its DELETE, listed with the
    /// target's; and those evaluated, by how `replaceRefusers` names them (Validator+StreamedReplaceChildren.swift).
    var replaceRefusals: [ForeignKeyResult] = []
    var evaluatedReplaceChildren: Set<String> = []
    /// What the load would do; nil when checked in place (no staged copy to run the load's steps on).
    public var prediction: Prediction?
    /// Input columns the target does not have, as the load would treat them: read only
    /// for parents and rules, or ignored (`LoadReport.extraColumns`).
    public var extraColumns: [ExtraInputColumn] = []

    /// An empty report; the validator fills it in.
    public init(table: TableName, input: String, linesAreFileLines: Bool) {
        self.table = table
        self.input = input
        self.linesAreFileLines = linesAreFileLines
    }

    /// Whether the load would pass: no column problems, and every missing key fixable
    /// by a backfill (with `strict`, no missing key at all).
    public var wouldLoad: Bool {
        if let prediction {
            return prediction.wouldLoad && (!strict || foreignKeys.allSatisfy { $0.violatingRows == 0 })
        }
        // With --max-rejects, rows the load sets aside stop it only past the limit; a NOT
        // NULL column missing from the input stops it whatever the limit.
        let columnsPass = rejected.map { $0 <= maxRejects && !columns.contains { $0.problem == .missingColumn || $0.problem == .uniqueViolation } }
            ?? columns.isEmpty
        return columnsPass && foreignKeys.allSatisfy { fk in
            strict ? fk.violatingRows == 0 : fk.unfixableKeys == 0 && fk.reasons.isEmpty
        }
    }

    /// Read-only with `--max-rejects`: `rows` set aside, held against `maxRejects`.
    mutating func setAside(rows: Int, maxRejects: Int) {
        rejected = rows
        self.maxRejects = maxRejects
    }

}
