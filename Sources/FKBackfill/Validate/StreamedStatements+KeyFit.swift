import PostgresClient

/// Keys a parent's narrower type cannot hold, in a CSV streamed read-only, as the load
/// finds them (`LoadRun.markKeysThatCannotFit`): a missing key of a cross-type FK whose
/// referenced column is narrower (`bigint` → `integer`, a double into a `real`, `text` into
/// `varchar(8)`) that the parent's type does not keep exactly; the load sets its row aside.
/// The cast may raise (an overflow), which would stop the batch's one statement: so each
/// batch asks in a statement of its own, in a savepoint, and where the cast raises, finds
/// the keys that raise by halves of its distinct missing keys (Validator+StreamedKeyFit).
extension StreamedStatements {
    /// Batch row `s`'s key of `fit` is missing from the parent (as the load's test).
    func missingKey(_ fit: KeyFit) -> SQL {
        var missing: SQL = "s.\(ident: fit.child) IS NOT NULL AND " + KeyPredicates.missing(fit.fk, child: KeyPredicates.columns("s", fit.fk.columns))
        if let routed = plan.routeCondition(of: fit.fk) { missing += " AND \(routed)" }
        return missing
    }

    /// The batch's lines whose key of `fit` is missing and does not fit (`l`); with `bad`,
    /// those whose key is one of these texts instead (found by `unfitValues`).
    func unfitLines(_ fit: KeyFit, relations: SQL, bad: [String]? = nil) -> SQL {
        let value: SQL = "CAST(s.\(ident: fit.child) AS pg_catalog.text)"
        let test: SQL = bad.map { "\(value) OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: $0) AS pg_catalog.text[]))" } ?? "NOT (\(fit.fits(value)))"
        return relations + "SELECT coalesce(pg_catalog.array_agg(s.\(line) ORDER BY s.\(line)), '{}') AS l FROM \(Self.batch) s "
            + "WHERE \(missingKey(fit)) AND \(test)"
    }

    /// The batch's distinct missing keys of `fit`, as text (`v`).
    func missingValues(_ fit: KeyFit, relations: SQL) -> SQL {
        relations + "SELECT coalesce(pg_catalog.array_agg(DISTINCT CAST(s.\(ident: fit.child) AS pg_catalog.text)), '{}') AS v "
            + "FROM \(Self.batch) s WHERE \(missingKey(fit))"
    }

    /// Of `values`, those that do not fit (`v`); raises when one cannot be cast at all.
    func unfitValues(_ fit: KeyFit, _ values: [String]) -> SQL {
        "SELECT coalesce(pg_catalog.array_agg(u.v), '{}') AS v FROM pg_catalog.unnest(CAST(\(bindArray: values) AS pg_catalog.text[])) AS u(v) "
            + "WHERE NOT (\(fit.fits("u.v")))"
    }
}
