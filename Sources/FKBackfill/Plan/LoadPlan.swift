import PostgresClient

/// The whole backfill and load, decided before anything is written: which parents get
/// keys from where, how each column is filled, what order things happen in.
struct LoadPlan: Sendable {
    var target: Table
    /// Staged columns: the input's columns, in input order. Most are the target's; an
    /// extra one (`extraColumns`) is typed by `ExtraColumns.typed` and never inserted.
    var stagedColumns: [Column]
    /// The input's columns that are not the target's, with what reads them.
    var extraColumns: [ExtraInputColumn] = []
    /// Parents in load order (parents first). Includes the target when it references itself.
    var parents: [ParentPlan]
    /// Groups of parent indexes to compute together, children first. A group of several
    /// (or a self-referencing one) is a cycle, computed until no new key appears.
    var computeGroups: [[Int]]
    /// Deferrable constraints to defer because a cycle is broken at them.
    var deferredConstraints: [ForeignKey]
    /// The target's own cycle with other tables, and the order its writes take.
    var targetCycle: TargetCycle?
    /// FKs of the target (catalog and declared) whose columns the input all sets: the key
    /// sets the load reads from the staged rows, once, in one pass.
    var stagedKeys: [ForeignKey]
    /// FKs of the target under MATCH FULL: a partly NULL staged key violates them.
    var matchFullKeys: [ForeignKey]
    /// Cycles that cannot be broken; an error only if one of their tables needs new rows.
    var unbreakableCycles: [DependencyGraph.Cycle]
    /// FKs of the target whose missing keys are not backfilled but reject the row, or stop
    /// the load (`on_missing`, or the parent's `mode: skip|fail`).
    var guardedKeys: [GuardedKey]
    /// FK columns of the target that blank values are looked for in.
    var blankColumns: [Column]
    var blank: BlankRule
    /// `--replace-by` of the run: target rows matching a staged row on these columns are
    /// deleted before the insert, so a self-reference cannot count on them.
    var replaceBy: [String] = []
    /// Per `--replace-by` column, its type's own equality (`OperatorCatalog.columnEquality`).
    var replaceEquality: [String: SQLOperator] = [:]
    /// The `--replace-by` columns NULL nowhere the DELETE reaches (`Preparation.replaceNotNull`).
    var replaceNotNull: Set<String> = []
    /// Per staged column of a table or query input whose own type is neither a string
    /// type nor the target column's, that type (`format_type`): its text, staged raw, is
    /// cast back to it before the target's type (`TextStaging.cast`), so a value converts
    /// as the load's direct cast converts it (numeric 4.4 into an integer is 4, as
    /// PostgreSQL's INSERT has it; its text '4.4' is not an integer). Read by
    /// `OpenedInput.sourceTypes`.
    var sourceTypes: [String: String] = [:]
    /// The staged columns of a table or query input that are not of a string type: printed
    /// to be staged as text by their type's output function (`TextStaging.rawText`), not a
    /// cast to text, which may be a user's own (an enum's in capitals, which its input
    /// refuses: hostile review 9) or another form (`text(inet)`).
    var printedByOutput: Set<String> = []
    /// The database is UTF-8: blank keys are looked for with every Unicode white space
    /// character. Elsewhere (SQL_ASCII, LATIN1, EUC_*) only ASCII white space, since the
    /// others cannot be written in the server's encoding (`KeyPredicates.isBlank`).
    var unicode = true
    /// `near_duplicates:` of the rules: warn (the default) or reject.
    var nearDuplicates: NearDuplicates = .warn
    /// Per partition that declares FKs of its own, the staged rows it would receive
    /// (`PartitionRoutes`, read from the server after planning).
    var routes: [TableName: PartitionRoute] = [:]
    /// True for a staged row (columns by bare name) that no partition accepts; nil when
    /// every row finds one, or the target is not partitioned.
    var unroutable: SQL?

    /// An FK of the target whose missing keys reject rows or stop the load.
    struct GuardedKey: Sendable {
        var foreignKey: ForeignKey
        var reject: Bool
    }

    /// Whether `on_missing: reject` (or the parent's `mode: skip`) sets aside rows whose key
    /// of `fk` the parent lacks: for an FK of the target to itself the load's guard reads
    /// the table only (`LoadRun.guardKeys`), so a key only the input gives is missing too.
    func rejectsMissing(_ fk: ForeignKey) -> Bool {
        guardedKeys.contains { $0.reject && $0.foreignKey.name == fk.name && $0.foreignKey.table == fk.table }
    }

    /// The staged columns the target has: what the fact insert writes.
    var targetColumns: [Column] {
        stagedColumns.filter { target.column($0.name) != nil }
    }

    func parent(_ table: TableName) -> ParentPlan? {
        parents.first { $0.table.name == table }
    }
}

extension LoadPlan {
    /// The load's blank test with the markers bound as values: what reads before the load's
    /// constants table exists, or never may (a READ ONLY check in place, a streamed batch).
    func isBlankBound(_ value: SQL) -> SQL {
        let markers: SQL? = blank.markers.isEmpty ? nil
            : "VALUES " + blank.markers.map { "(CAST(\(bind: $0) AS pg_catalog.text))" as SQL }.joined(separator: ", ")
        return KeyPredicates.isBlank(value, markers: markers, unicode: unicode)
    }
}
