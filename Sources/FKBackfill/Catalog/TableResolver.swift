import PostgresClient

/// Finds the table a user named, the way `psql` reads a name.
///
/// `schema.table` or `table`; unquoted parts fold to lower case, `"Quoted"` parts keep
/// their case and may hold dots, spaces and doubled quotes. A bare name is looked up
/// along `search_path` (including `pg_temp`), first match wins.
public enum TableResolver {
    /// A name split into its parts, before looking it up.
    public struct ParsedName: Equatable, Sendable {
        /// The schema as written (folded unless quoted), or nil for a bare name to look up along `search_path`.
        public var schema: String?
        /// The table name, folded to lower case unless it was quoted.
        public var name: String
        /// The database of a three-part name, which must be the current one.
        public var database: String? = nil
    }

    /// Splits `text` into schema and table as PostgreSQL's parser would.
    public static func parse(_ text: String) throws(FKBackfillError) -> ParsedName {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var partWasQuoted = false
        var chars = Array(text.trimmingWhitespace())
        var index = 0
        func fail(_ why: String) -> FKBackfillError {
            FKBackfillError(
                "invalid table name '\(text)': \(why)",
                hint: "write schema.table, and double-quote parts with capitals or spaces: 'Sales.\"My Table\"'",
                kind: .invalidTableName)
        }
        if chars.isEmpty { throw fail("it is empty") }
        while index < chars.count {
            let char = chars[index]
            if quoted {
                if char == "\"" {
                    if index + 1 < chars.count && chars[index + 1] == "\"" {
                        current.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(char)
                }
            } else if char == "\"" {
                quoted = true
                partWasQuoted = true
            } else if char == "." {
                if current.isEmpty && !partWasQuoted { throw fail("a part is empty") }
                parts.append(current)
                current = ""
                partWasQuoted = false
            } else {
                // Unquoted identifiers fold to lower case; only ASCII letters fold,
                // as in PostgreSQL's downcase_identifier for UTF-8 databases.
                if char.isASCII, char.isUppercase { current += char.lowercased() } else { current.append(char) }
            }
            index += 1
        }
        chars.removeAll()
        if quoted { throw fail("a double quote is not closed") }
        if current.isEmpty && !partWasQuoted { throw fail("a part is empty") }
        parts.append(current)
        switch parts.count {
        case 1: return ParsedName(schema: nil, name: parts[0])
        case 2: return ParsedName(schema: parts[0], name: parts[1])
        case 3:
            // database.schema.table is accepted by PostgreSQL only for the current database.
            return ParsedName(schema: parts[1], name: parts[2], database: parts[0])
        default: throw fail("too many dotted parts")
        }
    }

    /// Resolves `text` to a table (or partitioned, foreign table, view) in the database.
    /// A bare name is looked up along the user's own search path, as the session read it
    /// before pinning its own (with `pg_temp` first, as PostgreSQL does for relations).
    public static func resolve(_ text: String, on session: Session) throws(FKBackfillError) -> (oid: UInt32, name: TableName) {
        let parsed = try parse(text)
        if let database = parsed.database {
            let same = try FKBackfillError.mapping {
                try session.execute("SELECT pg_catalog.current_database() = \(bind: database) AS same").rows[0].bool("same")
            }
            if same == false {
                throw FKBackfillError(
                    "invalid table name '\(text)': \(database) is not the database connected to; cross-database references are not implemented",
                    hint: "connect to that database, or write schema.table", kind: .invalidTableName)
            }
        }
        let found: QueryResult
        do throws(PostgresError) {
            if let schema = parsed.schema {
                found = try session.execute(
                    """
                    SELECT c.oid, n.nspname, c.relname FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = \(bind: schema) AND c.relname = \(bind: parsed.name) AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
                    """)
            } else {
                found = try session.execute(
                    """
                    SELECT c.oid, n.nspname, c.relname
                    FROM unnest(CAST(\(bindArray: session.userSchemas) AS name[])) WITH ORDINALITY AS s(nspname, position)
                    JOIN pg_namespace n ON n.nspname = s.nspname
                    JOIN pg_class c ON c.relnamespace = n.oid
                    WHERE c.relname = \(bind: parsed.name) AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
                    ORDER BY s.position LIMIT 1
                    """)
            }
        } catch {
            throw FKBackfillError(error)
        }
        if let row = found.rows.first, let oid = row.int("oid") {
            return (UInt32(oid), try FKBackfillError.mapping { TableName(schema: try row.string("nspname"), name: try row.string("relname")) })
        }
        let suggestions = try suggest(for: parsed, on: session)
        let wanted = parsed.schema.map { quoteQualified(schema: $0, name: parsed.name, style: .whenNeeded) }
            ?? quoteIdentifier(parsed.name, style: .whenNeeded)
        let hint = suggestions.isEmpty
            ? (parsed.schema == nil
                ? "no table of that name is on the search_path; qualify it as schema.table"
                : "check the schema and table name; `\\dt *.*` in psql lists tables")
            : "did you mean " + suggestions.map(\.display).joined(separator: ", ") + "?"
        throw FKBackfillError("table \(wanted) not found", hint: hint, kind: .tableNotFound)
    }

    /// Up to three user tables whose names are closest to what was asked, by edit distance,
    /// ignoring case so that a missing pair of quotes is caught.
    static func suggest(for parsed: ParsedName, on session: Session) throws(FKBackfillError) -> [TableName] {
        let result: QueryResult
        do {
            result = try session.execute(
                """
                SELECT n.nspname, c.relname, n.nspname = ANY (CAST(\(bindArray: session.userSchemas) AS name[])) AS on_path FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                """)
        } catch {
            throw FKBackfillError(error)
        }
        let wanted = parsed.name.lowercased()
        // Closest first; at equal distance, tables on search_path before others.
        let scored: [(Int, Int, TableName)] = try FKBackfillError.mapping { try result.rows.compactMap { row in
            let name = TableName(schema: try row.string("nspname"), name: try row.string("relname"))
            var distance = editDistance(wanted, name.name.lowercased())
            if let schema = parsed.schema { distance += editDistance(schema.lowercased(), name.schema.lowercased()) }
            let limit = max(2, wanted.count / 3)
            return distance <= limit ? (distance, row.bool("on_path") ? 0 : 1, name) : nil
        } }
        return scored.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.prefix(3).map(\.2)
    }
}

extension TableResolver {
    /// Resolves `text` on a connection of the caller's, with its own search path.
    public static func resolve(_ text: String, on connection: Connection) throws(FKBackfillError) -> (oid: UInt32, name: TableName) {
        try Session.scoped(connection) { session in try resolve(text, on: session) }
    }

    /// The table a name in a rules file or option means: resolved the way psql would
    /// when it names an existing table; otherwise (a table to be created) qualified with
    /// the first schema of the user's path it can be created in, so it is always used
    /// qualified.
    static func qualify(_ text: String, on session: Session) throws -> TableName {
        let parsed = try parse(text)
        if let schema = parsed.schema { return TableName(schema: schema, name: parsed.name) }
        if let found = try? resolve(text, on: session) { return found.name }
        let schema = try session.execute(
            """
            SELECT s.nspname FROM unnest(CAST(\(bindArray: session.userSchemas) AS name[])) WITH ORDINALITY AS s(nspname, position)
            WHERE s.nspname <> 'pg_catalog' AND s.nspname NOT LIKE 'pg_temp%' ORDER BY s.position LIMIT 1
            """).rows.first?.string("nspname")
        guard let schema else {
            throw FKBackfillError("no schema on the search path to create \(text) in", hint: "qualify it as schema.table", kind: .tableNotFound)
        }
        return TableName(schema: schema, name: parsed.name)
    }
}

/// Edit distance over characters (insert, delete, substitute, swap two neighbours), so
/// that one Chinese character counts as one edit and `nmae` is one edit from `name`.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], before[j - 2] + 1)
            }
        }
        (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
}

extension String {
    func trimmingWhitespace() -> Substring {
        let trimmed = drop { $0.isWhitespace }
        return trimmed.dropLast(trimmed.reversed().prefix { $0.isWhitespace }.count)
    }
}
