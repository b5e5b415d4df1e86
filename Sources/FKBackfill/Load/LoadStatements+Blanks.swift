import PostgresClient

/// Blank keys in the stage (`blank:` in the rules): what counts as blank, and `on_blank`
/// applied to every blank column in one scan of the stage.
extension LoadStatements {
    /// True when `value` is a blank key: `''`, white space only, or a listed marker.
    func isBlank(_ value: SQL) -> SQL {
        var markers: SQL?
        if !plan.blank.markers.isEmpty {
            let ids = plan.blank.markers.map { marker -> SQL in "\(int: (constants.firstIndex(of: marker) ?? 0) + 1)" }
            markers = "SELECT c.value FROM \(Self.constantsTable) c WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY[\(ids.joined(separator: ", "))])"
        }
        return KeyPredicates.isBlank(value, markers: markers, unicode: plan.unicode)
    }

    /// The columns whose blanks `on_blank: null` makes NULL as the rows are staged, not by
    /// an UPDATE afterwards: the stage's column of that name is a stored generated column
    /// over the value COPY wrote (`stagedInput`), so the test runs on the staged value as
    /// the UPDATE's did, in the same scan as the COPY. An UPDATE wrote a second version of
    /// every blank row at the end of the stage, so the fact insert then sorted every row
    /// back into input order (the month at 37,000 rows: the UPDATE and that sort, ~0.08 of
    /// its `\copy`). Only string columns without a domain (their text cast is IMMUTABLE,
    /// as a generated column needs, and no domain CHECK runs twice) and not a column the
    /// target-cycle step sets NULL (an UPDATE cannot set a generated column); the others
    /// keep the UPDATE (`blankKeys`). Text staging (rejects of values that do not convert)
    /// builds its own stage and keeps the UPDATE too, and so does a stage that its input
    /// columns would take past PostgreSQL's 1,600 columns a table (a wide target whose
    /// stage fits without them).
    var blanksNulledOnStaging: [Column] {
        guard plan.blank.onBlank == .null else { return [] }
        let cycle = Set(plan.targetCycle?.nulledTargetColumns ?? [])
        let nulled = plan.blankColumns.filter { column in
            !column.refusesNull && !cycle.contains(column.name) && column.domainBaseType == nil && column.arrayDomainBaseType == nil
                && !column.type.hasSuffix("]") && column.typeIs(oneOf: ["text", "character varying", "character", "bpchar"])
        }
        // _fkb_row and _fkb_reject, the staged columns, an input column for each nulled one.
        return 2 + plan.stagedColumns.count + nulled.count <= Self.maxTableColumns ? nulled : []
    }

    /// PostgreSQL's `MaxHeapAttributeNumber`: the most columns a table may have.
    static let maxTableColumns = 1600

    /// The stage's column COPY writes a column of `blanksNulledOnStaging` into: named by
    /// the column's position among the staged ones (a prefix on a 63-byte name would be cut
    /// to the same name as another's), and past any staged column of the target's that has
    /// that name already (hostile review 28: a target column `_fkb_in_1` made the stage's
    /// CREATE fail with 42701, where PostgreSQL's own COPY loads it).
    func stagedInput(_ column: String) -> String {
        let taken = Set(plan.stagedColumns.map(\.name))
        var name = "_fkb_in_\((plan.stagedColumns.firstIndex { $0.name == column } ?? 0) + 1)"
        while taken.contains(name) { name += "_" }
        return name
    }

    /// The staged columns as COPY and `insertStage` name them.
    var stagedInputNames: [String] {
        let nulled = Set(blanksNulledOnStaging.map(\.name))
        return plan.stagedColumns.map { nulled.contains($0.name) ? stagedInput($0.name) : $0.name }
    }

    /// A stage column of `blanksNulledOnStaging`: the staged value, NULL where blank.
    /// Markers are literals: a generated column's expression takes no parameters and no
    /// subquery.
    func nulledOnStaging(_ column: Column) -> SQL {
        let input = identifier(stagedInput(column.name))
        let markers: SQL? = plan.blank.markers.isEmpty ? nil
            : "ARRAY[" + plan.blank.markers.map { "CAST(\(literal: $0) AS pg_catalog.text)" as SQL }.joined(separator: ", ") + "]"
        return "\(input) \(column.sqlType), \(identifier(column.name)) \(column.sqlType) GENERATED ALWAYS AS "
            + "(CASE WHEN \(KeyPredicates.isBlank(input, markers: markers, unicode: plan.unicode)) THEN NULL ELSE \(input) END) STORED"
    }

    /// `on_blank: null`: blank keys become NULL in the staged rows.
    func nullBlank(_ column: Column) -> SQL {
        "UPDATE \(Self.stage) s SET \(identifier(column.name)) = NULL WHERE \(isBlank("s.\(identifier(column.name))"))"
    }

    /// `on_blank` for every blank column in one UPDATE, so the stage is scanned once
    /// whatever the number of FK columns (one UPDATE per column scanned it once each).
    /// `nulled` columns become NULL where blank; a row blank in one of `rejected` is set
    /// aside with that column's reason, the first in order, as one UPDATE per column in
    /// that order would. Every SET reads the row as it was, so each column's test sees
    /// the value as staged. Nil when there is nothing to do.
    func blankKeys(nulled: [Column], rejected: [(column: Column, reason: String)]) -> SQL? {
        guard !nulled.isEmpty || !rejected.isEmpty else { return nil }
        var sets = nulled.map { column -> SQL in
            let name = identifier(column.name)
            return "\(name) = CASE WHEN \(isBlank("s.\(name)")) THEN NULL ELSE s.\(name) END"
        }
        if !rejected.isEmpty {
            let cases = rejected.map { "WHEN \(isBlank("s.\(identifier($0.column.name))")) THEN \(bind: $0.reason)" as SQL }
            sets.append("_fkb_reject = CASE WHEN s._fkb_reject IS NOT NULL THEN s._fkb_reject \(cases.joined(separator: " ")) END")
        }
        let nullTests = nulled.map { isBlank("s.\(identifier($0.name))") }
        var tests = nullTests
        if !rejected.isEmpty {
            tests.append("(s._fkb_reject IS NULL AND (" + rejected.map { isBlank("s.\(identifier($0.column.name))") }.joined(separator: " OR ") + "))")
        }
        return "UPDATE \(Self.stage) s SET \(sets.joined(separator: ", ")) WHERE \(tests.joined(separator: " OR "))"
    }
}
