import Foundation
import PostgresClient

/// What an audit reports and what it may read beyond the catalog.
public struct AuditOptions: Sendable {
    /// Findings below this severity are left out (`--min-severity`); the summary still counts them.
    public var minSeverity: AuditReport.Severity = .info
    /// Only findings of these kinds (`--only`, repeatable); empty for all.
    public var only: Set<String> = []
    /// Check values on at most this many rows per check (`--sample-rows`): the orphans of
    /// NOT VALID FKs and the containment of implied relations. Nil with no `timeBudget`: no data is read.
    public var sampleRows: Int?
    /// Stop running data checks after this many seconds in all (`--time-budget`).
    public var timeBudget: Double?
    /// Known findings to leave out (`--baseline`), with the file's name for the report.
    public var baseline: (baseline: AuditBaseline, file: String)?

    /// Catalog and statistics only, every finding.
    public init(minSeverity: AuditReport.Severity = .info, only: Set<String> = [], sampleRows: Int? = nil, timeBudget: Double? = nil) {
        self.minSeverity = minSeverity
        self.only = only
        self.sampleRows = sampleRows
        self.timeBudget = timeBudget
    }

    /// Whether any table data is read.
    public var readsData: Bool { sampleRows != nil || timeBudget != nil }
}

/// The data checks an audit runs only when asked (`--sample-rows`, `--time-budget`):
/// each reads at most `sampleRows` rows of one table, and none starts once the time
/// budget is spent; a check the budget cuts short is cancelled by `statement_timeout`
/// and counted as skipped. What ran is in the report's `dataRead`.
final class DataChecks {
    let session: Session
    let options: AuditOptions
    private let deadline: Date?
    private(set) var run = 0
    private(set) var skipped = 0

    init(session: Session, options: AuditOptions) {
        self.session = session
        self.options = options
        deadline = options.timeBudget.map { Date().addingTimeInterval($0) }
    }

    /// The rows a check looks at: `FROM table c`, the first `sampleRows` a scan returns.
    func rows(of fk: ForeignKey, where condition: SQL?) -> SQL {
        var sample: SQL = "SELECT \(KeyPredicates.columns("t", fk.columns).joined(separator: ", ")) FROM \(fk.table.sql) t"
        if let condition { sample += " WHERE \(condition)" }
        if let limit = options.sampleRows { sample += " LIMIT \(int: limit)" }
        return sample
    }

    /// Rows looked at and rows whose key `fk`'s parent lacks (MATCH rules as PostgreSQL's),
    /// or nil when data checks are off or the budget is spent.
    func orphans(_ fk: ForeignKey, nonNullOnly: Bool = false) throws -> (rows: Int, orphans: Int)? {
        guard options.readsData else { return nil }
        var timeout = 0
        if let deadline {
            let left = deadline.timeIntervalSinceNow
            guard left > 0.001 else { skipped += 1; return nil }
            timeout = max(1, Int(left * 1000))
        }
        let child = KeyPredicates.columns("c", fk.columns)
        var condition: SQL = "(\(KeyPredicates.missing(fk, child: child)))"
        if fk.match == .full && child.count > 1 { condition += " OR " + KeyPredicates.partlyNull(child) }
        let nonNull: SQL? = nonNullOnly
            ? KeyPredicates.columns("t", fk.columns).map { "\($0) IS NOT NULL" as SQL }.joined(separator: " AND ") : nil
        let query: SQL = "SELECT count(*) AS n, count(*) FILTER (WHERE \(condition)) AS missing FROM (\(rows(of: fk, where: nonNull))) c"
        do {
            let row = try session.savepoint {
                try session.execute("SELECT pg_catalog.set_config('statement_timeout', \(bind: String(timeout)), true)")
                defer { _ = try? session.execute("SELECT pg_catalog.set_config('statement_timeout', '0', true)") }
                return try session.execute(query).rows[0]
            }
            run += 1
            return (row.int("n") ?? 0, row.int("missing") ?? 0)
        } catch let error as PostgresError where error.sqlState == SQLState.queryCanceled || error.sqlState == SQLState.undefinedTable {
            // Cut short by the budget, or the table was dropped since the catalog was read.
            skipped += 1
            return nil
        }
    }

    /// What the report says about the data read.
    var summary: AuditReport.DataRead {
        AuditReport.DataRead(sampleRows: options.sampleRows, timeBudgetSeconds: options.timeBudget, checks: run, skippedChecks: skipped)
    }
}

/// The statistics evidence of implied relations, from `pg_stats` and `pg_class.reltuples`
/// only (what ANALYZE and autovacuum keep): a column with more distinct values than the
/// parent has rows cannot be contained in it, so that relation is dropped.
struct StatisticsEvidence {
    let session: Session

    func apply(to relations: [ImpliedRelations.Relation]) throws -> [ImpliedRelations.Relation] {
        guard !relations.isEmpty else { return [] }
        let rows = try session.execute(
            """
            SELECT w.schema, w.name, w.col, c.reltuples,
                   (SELECT max(s.n_distinct) FROM pg_stats s
                    WHERE s.schemaname = w.schema AND s.tablename = w.name AND s.attname = w.col) AS n_distinct
            FROM unnest(CAST(\(bindArray: relations.map(\.child.schema)) AS name[]), CAST(\(bindArray: relations.map(\.child.name)) AS name[]),
                        CAST(\(bindArray: relations.map(\.column)) AS name[])) AS w(schema, name, col)
            JOIN pg_namespace n ON n.nspname = w.schema JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name
            """).rows
        var distinct: [String: Double] = [:]
        for row in rows {
            guard let value = row["n_distinct"].flatMap(Double.init) else { continue }
            let tuples = Double(try row.string("reltuples")) ?? 0
            distinct["\(try row.string("schema")).\(try row.string("name")).\(try row.string("col"))"] = value >= 0 ? value : -value * max(tuples, 0)
        }
        return relations.compactMap { relation in
            var relation = relation
            guard let values = distinct["\(relation.child.schema).\(relation.child.name).\(relation.column)"] else {
                relation.evidence.append("no statistics on \(relation.column) (not analyzed yet): nothing said about its values")
                return relation
            }
            let parentRows = relation.key.rows
            if parentRows >= 0 && values > parentRows * 1.1 + 10 { return nil }
            relation.score += 1
            relation.evidence.append(parentRows >= 0
                ? "statistics: about \(Int(values)) distinct values, no more than \(relation.key.table.name) has rows (about \(Int(parentRows)))"
                : "statistics: about \(Int(values)) distinct values; \(relation.key.table.name) has no row count yet")
            return relation
        }
    }
}
