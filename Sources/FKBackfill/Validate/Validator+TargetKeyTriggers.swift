import PostgresClient

/// Read-only, a BEFORE INSERT trigger of the target that assigns an FK's column
/// (`NEW.country := upper(NEW.country)`): PostgreSQL checks the key the trigger leaves,
/// and the load backfills the keys the file gives, so a stored key no parent row has and
/// the load does not add stops it ("PostgreSQL's FK check refused a stored row"). The
/// staged path tries the insert; read-only collects the column's distinct values across
/// the batches and, after the last, evaluates the trigger's assignments on them as the
/// parents' key triggers are evaluated (`keyAssignments`: every assignment a plain
/// statement, under the path the trigger runs under, read-only), then looks the stored
/// keys up `FROM ONLY` the parent. Where it cannot (an assignment inside an IF, too many
/// distinct values, a value that does not convert), the trigger stays named in notExact.
extension Validator {
    /// Distinct values held per FK at most.
    static let targetKeyValues = 100_000

    /// An FK of the target whose single column its BEFORE INSERT triggers assign.
    struct TargetKeyTrigger {
        var fk: Int
        var column: Int
        var assignments: KeyAssignments
        var values = CompactKeySet()
        var overflow = false
    }

    /// The FKs of `checked` (to another table) whose column the target's triggers assign evaluably.
    func targetKeyTriggers(_ checked: [ForeignKey], _ sql: StreamedStatements, _ constraints: TargetConstraints) throws -> [TargetKeyTrigger] {
        guard !constraints.beforeInsertTriggers.isEmpty else { return [] }
        let target = sql.plan.target
        var found: [TargetKeyTrigger] = []
        for (index, fk) in checked.enumerated() where fk.columns.count == 1 && fk.referencedTable != target.name {
            guard let column = sql.columns.firstIndex(where: { $0.name == fk.columns[0] }),
                  let assignments = try keyAssignments(target, column: fk.columns[0]), !assignments.expressions.isEmpty else { continue }
            found.append(TargetKeyTrigger(fk: index, column: column, assignments: assignments))
        }
        return found
    }

    /// After each batch: the assigned columns' distinct values (blank ones are no key).
    static func collect(_ triggers: inout [TargetKeyTrigger], values: [[String?]]) throws {
        for index in triggers.indices where !triggers[index].overflow {
            for value in values[triggers[index].column] {
                guard let value, !value.allSatisfy(\.isWhitespace) else { continue }
                _ = try triggers[index].values.insert(value)
                if triggers[index].values.count > targetKeyValues {
                    triggers[index].overflow = true
                    triggers[index].values = CompactKeySet()
                    break
                }
            }
        }
    }

    /// After the last batch: per FK name, why the stored keys stop the load.
    func targetKeyTriggerStops(_ triggers: [TargetKeyTrigger], _ checked: [ForeignKey], _ tallies: [KeyTally], _ sql: StreamedStatements) throws -> [String: String] {
        var stops: [String: String] = [:]
        let target = sql.plan.target
        for trigger in triggers where !trigger.overflow && trigger.values.count > 0 {
            let fk = checked[trigger.fk]
            guard let type = target.column(fk.columns[0]).map({ PathSafeType.sql($0.type) }),
                  let pinned = target.column(fk.columns[0])?.pinnedType else { continue }
            var keys: [String] = []
            trigger.values.forEach { keys.append($0) }
            var value: SQL = "CAST(fkb_u.fkb_k AS \(type))"
            for assignment in trigger.assignments.expressions {
                // Safe as raw text: the trigger's own expression, run as it runs it, read-only, in a savepoint.
                let expression = assignment.components(separatedBy: "\u{0}K\u{0}").map { SQL(unsafeRaw: $0) }.joined(separator: "(\(value))")
                value = "CAST((\(expression)) AS \(type))"
            }
            let asked: SQL = "CAST(fkb_u.fkb_k AS \(type))"
            let changed: SQL = "SELECT fkb_u.fkb_k AS asked, CAST(\(value) AS pg_catalog.text) AS stored "
                + "FROM pg_catalog.unnest(CAST(\(bindArray: keys) AS pg_catalog.text[])) AS fkb_u (fkb_k) "
                + "WHERE NOT (\(fk.equality[0].compare(value, asked))) IS TRUE"
            let pairs: [(asked: String, stored: String?)]
            do {
                pairs = try session.savepoint {
                    let evaluate = { try self.session.execute(changed).rows.map { (try $0.string("asked"), $0["stored"]) } }
                    if let path = trigger.assignments.searchPath { return try session.underSearchPath(path, evaluate) }
                    return try session.underUserSearchPath(evaluate)
                }
            } catch let error as PostgresError where error.kind == .server {
                continue
            }
            let stored = pairs.compactMap(\.stored)
            guard !stored.isEmpty else { continue }
            // The stored keys no parent row has; those the load adds (new keys of this FK) are there by then.
            let missing = try session.execute(
                "SELECT s.k FROM pg_catalog.unnest(CAST(\(bindArray: stored) AS pg_catalog.text[])) AS s(k) WHERE "
                    + KeyPredicates.missing(fk, child: ["CAST(s.k AS \(pinned))"]) + " ORDER BY s.k").rows.map { try $0.string("k") }
                .filter { !tallies[trigger.fk].seen.contains($0) }
            guard let first = missing.first, let from = pairs.first(where: { $0.stored == first })?.asked else { continue }
            stops[fk.name] = "a BEFORE INSERT trigger of \(target.name.display) stores \(fk.columns[0]) \(first) for the file's \(from)"
                + (missing.count > 1 ? " (and \(missing.count - 1) more)" : "")
                + ", which \(fk.referencedTable.display) has not and the load does not add: PostgreSQL's check refuses the rows and the load stops"
        }
        return stops
    }
}
