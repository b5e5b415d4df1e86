import PostgresClient

/// A length PostgreSQL's assignment checks and an explicit cast does not. An INSERT or
/// COPY into a bit(3) column refuses '1010' ("bit string length 4 does not match type
/// bit(3)") and into bit varying(3) a longer value, and into varchar(4)[] an element
/// longer than 4 characters; `CAST(… AS bit(3))` cuts or pads instead, and
/// `CAST(… AS varchar(4)[])` cuts each element. Text staging casts explicitly, so for
/// these types (through a domain, or an array of one, too) it first calls the type's own
/// length coercion function with `isExplicit` false, as the assignment does: it raises
/// exactly where the load does (hostile reviews 4 and 9). A scalar varchar(n)/char(n) is
/// measured apart (`TextStaging.maxLength`: "too long").
struct AssignedLength {
    /// The length coercion function, pg_catalog's: `(value, typmod, isExplicit)`.
    var function: SQL
    /// The type its value is taken as, unsized (of the elements, for an array).
    var unsized: SQL
    /// The typmod of the declared length.
    var typmod: Int
    var array: Bool

    init?(_ column: Column) {
        let type = column.domainBaseType ?? column.arrayDomainBaseType ?? column.type
        array = type.hasSuffix("[]")
        let base = array ? String(type.dropLast(2)) : type
        guard let open = base.firstIndex(of: "("), base.hasSuffix(")"),
              let length = Int(base[base.index(after: open)..<base.index(before: base.endIndex)]) else { return nil }
        switch base[..<open] {
        case "bit": (function, unsized, typmod) = ("pg_catalog.\"bit\"", "pg_catalog.\"bit\"", length)
        case "bit varying": (function, unsized, typmod) = ("pg_catalog.varbit", "bit varying", length)
        // varchar(n) and char(n) hold n characters in a typmod of n + 4 (VARHDRSZ).
        case "character varying" where array: (function, unsized, typmod) = ("pg_catalog.\"varchar\"", "character varying", length + 4)
        case "character" where array: (function, unsized, typmod) = ("pg_catalog.bpchar", "pg_catalog.bpchar", length + 4)
        default: return nil
        }
    }

    /// True when `value` (not NULL) has a length the assignment takes; raises as the
    /// assignment does otherwise. For an array, per element, in a subquery that counts them
    /// (`count` evaluates its argument for every element: nothing is folded away).
    func fits(_ value: SQL) -> SQL {
        guard array else { return "\(function)(CAST(\(value) AS \(unsized)), \(int: typmod), false) IS NOT NULL" }
        return "(SELECT pg_catalog.count(\(function)(e.v, \(int: typmod), false)) FROM pg_catalog.unnest(CAST(\(value) AS \(unsized)[])) AS e(v)) IS NOT NULL"
    }
}
