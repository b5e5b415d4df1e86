import PostgresClient

extension Validator {
    /// What the checks found for one FK.
    struct Findings {
        var violating = 0
        var missing = 0
        var blank = 0
        var partlyNull = 0
        var samples: [ValidationReport.Sample] = []
        /// Read-only, per `Validator.nullableDerivations` of the FK: the new keys whose
        /// NOT NULL column would come out NULL.
        var nullDerived: [Int] = []
        /// Read-only, why a parent's key trigger stops the load (Validator+KeyTriggers.swift).
        var changedByTrigger: String?
        /// Read-only, why the parent refuses a new row: no partition, a CHECK (Validator+ParentNewRows.swift).
        var refusedNewRows: [String] = []

        /// Why some of its keys are never backfilled, whatever the parent: blank keys and
        /// partly NULL MATCH FULL keys.
        func neverBackfilled(onBlank: BlankRule.OnBlank) -> [String] {
            var reasons: [String] = []
            if blank > 0 {
                reasons.append("\(blank) missing \(blank == 1 ? "key is" : "keys are") blank, which is never backfilled"
                    + (onBlank == .reject ? " (on_blank: reject rejects those rows)" : ""))
            }
            if partlyNull > 0 {
                reasons.append("\(partlyNull) \(partlyNull == 1 ? "row has" : "rows have") a partly NULL key (MATCH FULL): never backfilled")
            }
            return reasons
        }
    }
}
