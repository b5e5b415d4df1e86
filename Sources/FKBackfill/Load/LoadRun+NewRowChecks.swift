import PostgresClient

extension LoadRun {
    /// Before the first write: the new parent rows checked against their NOT NULL and
    /// CHECK constraints, the same test validate's prediction runs
    /// (`newParentRowProblems`). A placeholder that PostgreSQL would refuse stops the load
    /// here with exit 1, naming the table, constraint and count, instead of a raw 23514 or
    /// 23502 from the middle of the backfill (exit 3).
    func refuseBadNewRows() throws {
        let problems = try newParentRowProblems()
        guard !problems.isEmpty else { return }
        throw FKBackfillError(
            "cannot backfill \(target.name.display): new parent rows would be refused, nothing was written",
            details: problems,
            hint: "give those columns values that pass with a rule in the rules file (see `fkbackfill init`), "
                + "or backfill those parents yourself first",
            kind: .blocked)
    }
}
