/// Where a new parent row's column gets its value when the tool inserts the row.
enum ColumnSource: Sendable, Equatable {
    /// Part of the referenced key: the value is the key itself.
    case key(position: Int)
    /// Identity or generated: the database fills it.
    case generatedByDatabase
    /// The column's DEFAULT applies (it is left out of the INSERT).
    case databaseDefault
    /// The most frequent non-NULL value of this staged column among the staged rows that
    /// reference the key, ties to the smallest. `reason` says why this column was chosen.
    case staged(column: String, reason: StagedReason)
    /// Left NULL (nullable, nothing better known).
    case null
    /// A rule from the rules file (`from`/`pick`, `value`, `template`, `sql`).
    case rule(ColumnRule)
    /// NOT NULL with no default and no source: the parent cannot be backfilled.
    case uncovered

    enum StagedReason: String, Sendable {
        /// The staged rows have a column of the same name.
        case sameName = "same name"
        /// The column is an FK to a table the staged rows also reference, through the
        /// staged column of the case: e.g. a new portfolio's plan is the fact row's plan.
        case sameParent = "same parent"
    }
}

/// One column of a parent table and how the backfill fills it.
struct ColumnPlan: Sendable {
    var column: Column
    var source: ColumnSource
    /// A `mark:` constant, written only on rows the tool inserts (wins over `source` there).
    var mark: String?
    /// Inserted as NULL first and set after every parent exists: the column belongs to an
    /// FK that is broken to load a cycle.
    var deferredUntilCycleLoaded: Bool
    /// Of those, set only once the fact rows are in: its FK references the target, whose
    /// rows the new row may point at (`TargetCycle.parentsFirst`).
    var setAfterTarget = false
}
