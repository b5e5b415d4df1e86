/// Which FK's operators compare a parent's keys table, whose values come from FKs of
/// different column types.
///
/// Every source's keys go into one keys table, typed as their UNION resolves them
/// (`integer` and `bigint` keys → `bigint`), and the tool compares them with an FK's
/// operators, which cast each side to that FK's column types: with an `integer` FK's
/// `int84eq` (its right operand an `integer`), a `bigint` FK's key 5000000000 stopped the
/// load with "integer out of range" (hostile review 24; PostgreSQL takes it, each FK
/// comparing with its own operator).
extension LoadPlanner {
    /// The sources of one parent, one whose FK columns are of the key's own types first
    /// (`keyForeignKey`, the FK other statements name). Where none has them, the source of
    /// the widest built-in types the UNION resolves to (`smallint` and `integer` FKs to a
    /// `bigint` key: the `integer` one). The comparisons themselves take each key column's
    /// operator from its own best source (`keyColumnOperators`).
    static func keyTypedFirst(_ sources: [KeySource], referenced table: Table, catalog: Catalog) -> [KeySource] {
        guard let key = sources.first?.foreignKey.referencedColumns else { return sources }
        let keyTypes = key.map { keyType(table.column($0)) }
        let types = sources.map { source in key.map { keyType(childColumn(of: source, for: $0, catalog: catalog)) } }
        var chosen = types.firstIndex { $0 == keyTypes }
        if chosen == nil, Set(types).count > 1 {
            let ranks = types.map { $0.map { $0.flatMap { widening[$0] } } }
            if ranks.allSatisfy({ $0.allSatisfy { $0 != nil } }) {
                chosen = ranks.indices.max { ranks[$0].map { $0 ?? 0 }.lexicographicallyPrecedes(ranks[$1].map { $0 ?? 0 }) }
            }
        }
        guard let index = chosen, index > 0 else { return sources }
        var ordered = sources
        ordered.insert(ordered.remove(at: index), at: 0)
        return ordered
    }

    /// For each key column, the source whose operator compares that column of the keys
    /// table (`sources`), and whether the keys table holds it in that operator's input type
    /// (`casts`). The source: one whose FK column is of the key column's own type, else the
    /// widest built-in type, else the first. Per column, not per FK: a composite key's wide
    /// types may be spread over its FKs (`(integer, bigint)` and `(bigint, integer)` FKs to a
    /// `(bigint, bigint)` key), and any single FK's operators cast one column to `integer`.
    ///
    /// The cast: where the sources' types differ and the chosen source is of the key
    /// column's own type, the type PostgreSQL's check casts a referencing value to, rather
    /// than the type their UNION resolves to. The UNION of `character(3)` and `varchar` is
    /// `character` when the former comes first (the resolution follows the order), whose
    /// equality ignores trailing spaces: a `(text, bigint)` key referenced by `(char(3),
    /// bigint)` and `(varchar, integer)` got one key of 'x' and 'x ', one new row 'x', and
    /// the load failed its FK check where PostgreSQL takes both rows (hostile review 25).
    /// Cast to `text`, as the check casts them, they stay two.
    static func keyColumnOperators(_ sources: [KeySource], keyColumns: [String], referenced table: Table, catalog: Catalog)
        -> (sources: [Int], casts: [Bool]) {
        let chosen = keyColumns.map { name -> (source: Int, cast: Bool) in
            let own = keyType(table.column(name))
            let types = sources.map { keyType(childColumn(of: $0, for: name, catalog: catalog)) }
            let differ = Set(types).count > 1
            if let index = types.firstIndex(where: { $0 == own }) { return (index, differ) }
            let ranks = types.map { $0.flatMap { widening[$0] } }
            guard differ, ranks.allSatisfy({ $0 != nil }) else { return (0, false) }
            return (ranks.indices.max { (ranks[$0] ?? 0) < (ranks[$1] ?? 0) } ?? 0, false)
        }
        return (chosen.map(\.source), chosen.map(\.cast))
    }

    /// The referencing column of `source`'s FK paired with the parent's key column `name`.
    private static func childColumn(of source: KeySource, for name: String, catalog: Catalog) -> Column? {
        let fk = source.foreignKey
        guard let position = fk.referencedColumns.firstIndex(of: name) else { return nil }
        return catalog.table(fk.table)?.column(fk.columns[position])
    }

    /// The type a key compares as: no typmod, and `varchar` as `text` (its equality is text's).
    private static func keyType(_ column: Column?) -> String? {
        guard let column else { return nil }
        let type = column.domainBaseType ?? column.type
        let unsized = type.firstIndex(of: "(").map { String(type[..<$0]) + (type.hasSuffix("[]") ? "[]" : "") } ?? type
        return unsized == "character varying" ? "text" : unsized == "character varying[]" ? "text[]" : unsized
    }

    /// Built-in key types in the order a UNION widens them to within their category.
    static let widening: [String: Int] = [
        "smallint": 1, "integer": 2, "bigint": 3, "numeric": 4, "real": 5, "double precision": 6,
        "date": 1, "timestamp without time zone": 2, "timestamp with time zone": 3,
    ]
}
