/// Everything the backfill does for one parent table.
struct ParentPlan: Sendable {
    /// Position in `LoadPlan.parents`; names its temporary tables.
    var index: Int
    var table: Table
    /// The referenced key every source points at, in key order.
    var keyColumns: [String]
    var sources: [KeySource]
    /// For each key column, the source whose FK operator compares it in the keys table
    /// (`LoadPlanner.keyColumnOperators`); empty: the first source's.
    var keyOperatorSources: [Int] = []
    /// For each key column, whether every source's values are cast to the input type of
    /// its operator as the keys table is built (`LoadPlanner.keyColumnOperators`).
    var keyCastColumns: [Bool] = []
    /// Every column of the table with its source (key columns included).
    var columns: [ColumnPlan]
    /// The parent is the target itself (a self-reference): rows of the load count as present.
    var isTarget: Bool
    /// Position of the cycle (in `DependencyGraph.cycles`) this table is part of.
    var cycle: Int?
    /// The rules file's `mode:` for this table, or the run's mode.
    var mode: TableRule.Mode

    /// Whether the tool may insert rows into this table at all.
    var backfills: Bool { mode == .insertMissing || mode == .fillNullOnly }

    /// Columns the tool writes on insert: keys, derived and marked columns, and columns a
    /// rule forces to NULL, in table order.
    var insertedColumns: [ColumnPlan] {
        columns.filter {
            if $0.mark != nil { return true }
            switch $0.source {
            case .key, .staged, .rule: return true
            case .null: return $0.column.defaultExpression != nil
            default: return false
            }
        }
    }

    /// Columns derived from staged rows, in table order; `d1`, `d2`, … in the temp tables.
    var derivedColumns: [ColumnPlan] {
        columns.filter {
            switch $0.source {
            case .staged, .rule: true
            default: false
            }
        }
    }

    var uncoveredColumns: [Column] {
        columns.filter { $0.source == .uncovered }.map(\.column)
    }

    /// A key column is an identity column: inserting the key needs OVERRIDING SYSTEM VALUE.
    var keyIsIdentity: Bool {
        columns.contains { if case .key = $0.source { $0.column.identity == .always } else { false } }
    }
}
