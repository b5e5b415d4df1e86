/// The whole backfill and load, decided before anything is written: which parents get
/// keys from where, how each column is filled, what order things happen in.
public struct LoadPlan: Sendable {
    public var target: Table
    /// Staged columns: the input's columns, all of them target columns, in input order.
    public var stagedColumns: [Column]
    /// Parents in load order (parents first). Includes the target when it references itself.
    public var parents: [ParentPlan]
    /// Groups of parent indexes to compute together, children first. A group of several
    /// (or a self-referencing one) is a cycle, computed until no new key appears.
    public var computeGroups: [[Int]]
    /// Deferrable constraints to defer because a cycle is broken at them.
    public var deferredConstraints: [ForeignKey]
    /// FKs of the target (catalog and declared) whose columns the input all sets: the key
    /// sets the load reads from the staged rows, once, in one pass.
    public var stagedKeys: [ForeignKey]
    /// FKs of the target under MATCH FULL: a partly NULL staged key violates them.
    public var matchFullKeys: [ForeignKey]
    /// Cycles that cannot be broken; an error only if one of their tables needs new rows.
    public var unbreakableCycles: [DependencyGraph.Cycle]
    /// FKs of the target whose missing keys are not backfilled but reject the row, or stop
    /// the load (`on_missing`, or the parent's `mode: skip|fail`).
    public var guardedKeys: [GuardedKey]
    /// FK columns of the target that blank values are looked for in.
    public var blankColumns: [Column]
    public var blank: BlankRule

    /// An FK of the target whose missing keys reject rows or stop the load.
    public struct GuardedKey: Sendable {
        public var foreignKey: ForeignKey
        public var reject: Bool
    }

    public func parent(_ table: TableName) -> ParentPlan? {
        parents.first { $0.table.name == table }
    }
}
