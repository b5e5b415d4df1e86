/// What one load learns about one parent as its steps run, held by `LoadRun.parentStates`
/// at the parent's index in `plan.parents`: one value per parent, so a step that asks
/// "does this parent need work?" reads one place, not five dictionaries kept in step.
struct ParentState {
    /// Distinct keys asked for, and how many of them the parent has; `nil` until
    /// "find missing keys" counted them (a parent with no key source is never counted).
    var counts: (candidates: Int, present: Int)?
    /// Whether the parent's work tables (keys, refs, values) exist.
    var available = false
    /// Rows this run really inserted into the parent.
    var inserted = 0
    /// Up to `samples` keys of the rows really inserted.
    var insertedKeys: [[String?]] = []
    /// Existing rows whose NULL columns `fill-null-only` set.
    var updated = 0

    /// Whether some key asked for is missing from the parent: its new rows need writing.
    var hasMissingKeys: Bool {
        guard let counts else { return false }
        return counts.candidates > counts.present
    }
}
