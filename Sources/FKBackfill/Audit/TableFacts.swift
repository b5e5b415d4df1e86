import Foundation
import PostgresClient

/// What the audit needs to know about tables beyond their columns: CHECK constraints,
/// unique indexes, indexes by leading columns, privileges, triggers. One query each,
/// for all tables at once.
struct TableFacts {
    struct Check {
        var name: String
        var definition: String
        var expression: String
        var columns: [String]
    }

    struct Index {
        var name: String
        var columns: [String]
        var unique: Bool
    }

    var checks: [TableName: [Check]] = [:]
    var indexes: [TableName: [Index]] = [:]
    var canInsert: [TableName: Bool] = [:]
    var canUpdate: [TableName: Bool] = [:]
    var triggers: [TableName: [String]] = [:]

    static func read(_ tables: [Table], on connection: Connection) throws -> TableFacts {
        var facts = TableFacts()
        let byOID = Dictionary(tables.map { (String($0.oid), $0.name) }, uniquingKeysWith: { first, _ in first })
        let oids = "{" + byOID.keys.sorted().joined(separator: ",") + "}"
        facts.checks = try checks(of: tables, on: connection)
        for row in try connection.execute(
            """
            SELECT x.indrelid, i.relname, x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL AS unique_key,
                   array_to_json(ARRAY(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                                       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o))::text AS columns
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ANY($1::oid[]) ORDER BY i.relname
            """, [oids]).rows {
            guard let table = byOID[row.string("indrelid")] else { continue }
            facts.indexes[table, default: []].append(Index(
                name: row.string("relname"), columns: jsonStrings(row.string("columns")), unique: row.bool("unique_key")))
        }
        for row in try connection.execute(
            """
            SELECT c.oid, has_table_privilege(c.oid, 'INSERT') AS can_insert, has_table_privilege(c.oid, 'UPDATE') AS can_update
            FROM pg_class c WHERE c.oid = ANY($1::oid[])
            """, [oids]).rows {
            guard let table = byOID[row.string("oid")] else { continue }
            facts.canInsert[table] = row.bool("can_insert")
            facts.canUpdate[table] = row.bool("can_update")
        }
        for row in try connection.execute(
            "SELECT tgrelid, tgname FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname",
            [oids]).rows {
            guard let table = byOID[row.string("tgrelid")] else { continue }
            facts.triggers[table, default: []].append(row.string("tgname"))
        }
        return facts
    }

    /// The CHECK constraints of `tables` (a load needs only these, not the rest of the facts).
    static func checks(of tables: [Table], on connection: Connection) throws -> [TableName: [Check]] {
        var checks: [TableName: [Check]] = [:]
        let byOID = Dictionary(tables.map { (String($0.oid), $0.name) }, uniquingKeysWith: { first, _ in first })
        let oids = "{" + byOID.keys.sorted().joined(separator: ",") + "}"
        for row in try connection.execute(
            """
            SELECT c.conrelid, c.conname, pg_get_constraintdef(c.oid) AS definition, pg_get_expr(c.conbin, c.conrelid) AS expression,
                   array_to_json(ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)))::text AS columns
            FROM pg_constraint c WHERE c.contype = 'c' AND c.conrelid = ANY($1::oid[]) ORDER BY c.conname
            """, [oids]).rows {
            guard let table = byOID[row.string("conrelid")] else { continue }
            checks[table, default: []].append(Check(
                name: row.string("conname"), definition: row.string("definition"), expression: row.string("expression"),
                columns: jsonStrings(row.string("columns"))))
        }
        return checks
    }

    /// A JSON array of strings as PostgreSQL prints it: `["a","b"]`.
    static func jsonStrings(_ text: String) -> [String] {
        guard let data = text.data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [String] else { return [] }
        return array
    }
}
