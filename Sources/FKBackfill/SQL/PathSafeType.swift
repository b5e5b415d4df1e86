import PostgresClient

/// A type name as `format_type` spells it, made to resolve the same whatever the
/// search_path, for the statements that run under the user's own path (the stage's insert
/// from a `--source` or `--query`, whose views may inline SQL functions whose bodies name
/// things unqualified, as PostgreSQL's own INSERT … SELECT resolves them there).
/// `format_type` leaves pg_catalog's types bare: the SQL-standard spellings (`integer`,
/// `character varying(3)`, `timestamp with time zone`) are the grammar's and always
/// pg_catalog's, but a bare `text`, `date` or `jsonb` is looked up on the path, where a
/// schema listed before pg_catalog could hold a lookalike: those get `pg_catalog.`.
/// Other schemas' types are already qualified (the tool's path shows only pg_catalog and
/// pg_temp).
enum PathSafeType {
    /// The grammar's own type names that `format_type` prints as one word.
    static let keywords: Set<String> = [
        "smallint", "integer", "bigint", "real", "numeric", "decimal", "boolean", "bit", "interval", "character", "time", "timestamp",
        "float", "double", "int", "char", "varchar", "dec",
    ]

    static func sql(_ formatted: String) -> SQL {
        // Safe as raw text: `format_type`'s own spelling, with at most a schema put before it.
        SQL(unsafeRaw: text(formatted))
    }

    static func text(_ formatted: String) -> String {
        var base = Substring(formatted)
        while base.hasSuffix("[]") { base = base.dropLast(2) }
        let word = base.first == "\""
            ? base.count > 1 && base.last == "\"" && !base.dropFirst().dropLast().contains("\"")
            : !base.isEmpty && base.allSatisfy { $0 == "_" || $0 == "$" || $0.isLetter || $0.isNumber }
        guard word, !keywords.contains(String(base)) else { return formatted }
        return "pg_catalog." + formatted
    }

    /// Whether `format_type`'s spelling names a schema: under the tool's pinned path
    /// only pg_catalog's (and pg_temp's) types print bare, so a qualified name is a type
    /// of the user's (a domain, composite, enum, range), whose cast may run the user's code.
    static func isQualified(_ formatted: String) -> Bool {
        var quoted = false
        for character in formatted {
            if character == "\"" { quoted.toggle() } else if character == "." && !quoted { return true }
        }
        return false
    }

    /// Whether values of the type are names read under the search path (`regclass`,
    /// `regtype`, …): their text means another object under another path.
    static func readsPath(_ formatted: String) -> Bool {
        formatted.hasPrefix("reg") && !formatted.contains(".") && !formatted.contains("(")
    }
}
