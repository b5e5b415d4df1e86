import PostgresClient

/// Staging as text first, for the paths that must see every bad value instead of
/// failing on the first: `--max-rejects` in a load, and validate. The input goes into
/// `pg_temp.fkb_raw` (all text, so nothing can fail on the way in), then is cast into
/// `pg_temp.fkb_stage` with the target's types, in one statement when every value
/// converts and value by value (pg_temp cast-check functions) when one does not.
struct TextStaging {
    let plan: LoadPlan

    static let raw: SQL = "pg_temp.fkb_raw"

    /// A column name, quoted.
    func identifier(_ name: String) -> SQL { SQL(ident: name) }

    /// The type a text value must cast to, as the load will: the column's, with character
    /// types without their length, so a long value is reported as too long instead of
    /// being cut by the cast; `bpchar` keeps char(n) comparisons blank-insensitive, as
    /// PostgreSQL compares them.
    /// Path-safe (`PathSafeType`): the casts run under the user's search path
    /// (`castsUnderUserPath`).
    static func checkedType(_ column: Column) -> SQL {
        unsized(column.type) ?? PathSafeType.sql(column.type)
    }

    /// The stage's column type: `checkedType`, but for a domain the type under it. A value
    /// the domain refuses (its CHECK, its NOT NULL) must stand as NULL in the stage until
    /// its row is set aside; typed as a NOT NULL domain, the stage refused that NULL again
    /// and the load stopped with a bare 23502 instead of a reject. The domain is still
    /// what every value is cast to first (`castAll`, `castChecked`), and the insert casts
    /// to it again.
    static func stagingType(_ column: Column) -> SQL {
        guard let base = column.domainBaseType else { return checkedType(column) }
        return unsized(base) ?? PathSafeType.sql(base)
    }

    /// A table's or query's `value` as the text staged raw, printed as `print` says
    /// (`LoadPlan.printedByOutput`); a string type's by its cast to text (char(n) without its
    /// trailing spaces, as the load's cast takes it). Shared by the read-only cursor.
    static func rawText(_ value: SQL, byOutput: Bool) -> SQL {
        byOutput ? "CASE WHEN \(value) IS NULL THEN NULL ELSE pg_catalog.format('%s', \(value)) END" : "CAST(\(value) AS pg_catalog.text)"
    }

    /// `value` cast back to the input column's own type, or as it is.
    static func via(_ value: SQL, _ type: String?) -> SQL {
        type.map { "CAST(\(value) AS \(PathSafeType.sql($0)))" } ?? value
    }

    /// The input column's own type for `column`, if its text goes back to it first.
    func via(_ column: Column) -> String? { plan.sourceTypes[column.name] }

    static func unsized(_ type: String) -> SQL? {
        // An array keeps its brackets: varchar(5)[] is staged as varchar[], not varchar.
        let array: SQL = type.hasSuffix("[]") ? "[]" : ""
        if type.hasPrefix("character varying(") { return "character varying" + array }
        if type.hasPrefix("character(") { return "pg_catalog.bpchar" + array }
        return nil
    }

    /// `value` (text) cast to `checkedType` as the load assigns it (after `via`, the input
    /// column's own type): an explicit cast, but where the explicit cast would cut or pad
    /// what the load's COPY or INSERT refuses (a bit(n) of another length, an array's
    /// element too long: `AssignedLength`), first the assignment's own length check, which
    /// raises as the load does. An integer into bit(n) keeps the explicit cast, as the load
    /// makes it (`LoadStatements.stagingCast`).
    static func checkedCast(_ value: SQL, _ column: Column, via: String? = nil) -> SQL {
        let input = Self.via(value, via)
        let cast: SQL = "CAST(\(input) AS \(checkedType(column)))"
        guard let length = AssignedLength(column), !LoadStatements.integerTypes.contains(via ?? "") else { return cast }
        return "CASE WHEN \(input) IS NULL OR \(length.fits(input)) THEN \(cast) END"
    }

    /// `CAST(value AS checkedType)`, and for a domain then to the stage's type. A NULL in
    /// a NOT NULL domain's column stays NULL, for the NOT NULL check to set its row aside
    /// (`Column.refusesNull`), instead of failing the whole cast. With `via` (the input
    /// column's own type, `LoadPlan.sourceTypes`), the text goes back to that type first.
    static func cast(_ value: SQL, _ column: Column, via: String? = nil) -> SQL {
        let input = Self.via(value, via)
        let checked = checkedCast(value, column, via: via)
        guard column.domainBaseType != nil else { return checked }
        var stored: SQL = "CAST(\(checked) AS \(stagingType(column)))"
        if let length = maxLength(column), !column.type.hasSuffix("]") {
            // A domain over varchar(n)/char(n): the explicit cast to it cuts a longer value,
            // which must reach the stage whole for its row to be found too long (as COPY and
            // the load refuse it); only a value that fits meets the domain's own checks.
            stored = "CASE WHEN pg_catalog.char_length(pg_catalog.rtrim(CAST(\(input) AS pg_catalog.text), ' ')) OPERATOR(pg_catalog.>) \(int: length) "
                + "THEN CAST(\(input) AS \(stagingType(column))) ELSE \(stored) END"
        }
        return column.domainNotNull ? "CASE WHEN \(value) IS NULL THEN NULL ELSE \(stored) END" : stored
    }

    /// Whether casting text to `column`'s type (after `via`, the input column's own type)
    /// may run the user's code: a type of the user's (`PathSafeType.isQualified`), such as
    /// a domain whose CHECK calls the user's function. Such a cast must run under the
    /// user's path (`castsUnderUserPath`), where the statement that casts can.
    static func castRunsUserCode(_ column: Column, via: String?) -> Bool {
        PathSafeType.isQualified(column.type) || (via.map(PathSafeType.isQualified) ?? false)
    }

    /// `value` cast to the stage's type without its domain's checks (a domain's base
    /// type): for a statement that cannot run under the user's path (the read-only
    /// batch's), whose values the domain refuses were found beforehand by casts that did
    /// (`Validator.unconvertibleValues`) and are NULL. Nil where the type has no base to
    /// cast to instead (an array of a domain, a composite).
    static func castToBase(_ value: SQL, _ column: Column, via: String? = nil) -> SQL? {
        guard let base = column.domainBaseType ?? column.arrayDomainBaseType else { return nil }
        let input = Self.via(value, via)
        let cast: SQL = "CAST(\(input) AS \(unsized(base) ?? PathSafeType.sql(base)))"
        guard let length = AssignedLength(column), !LoadStatements.integerTypes.contains(via ?? "") else { return cast }
        return "CASE WHEN \(input) IS NULL OR \(length.fits(input)) THEN \(cast) END"
    }

    /// The declared length of a character column, if it has one.
    /// A domain's is its base type's: the explicit cast to the domain cuts a longer value
    /// (hostile review 9: `--max-rejects` stored 'ABC' for 'ABCDEF' in a varchar(3)
    /// domain), so the raw check must find it first, as the load's COPY refuses it.
    /// Not an array's: its elements are measured by the cast (`AssignedLength`), not its
    /// whole literal ('{ab,cd}' fits varchar(4)[]).
    static func maxLength(_ column: Column) -> Int? {
        let type = column.domainBaseType ?? column.type
        guard !type.hasSuffix("]"), type.hasPrefix("character varying(") || type.hasPrefix("character("),
              let open = type.firstIndex(of: "("), let close = type.firstIndex(of: ")") else { return nil }
        return Int(type[type.index(after: open)..<close])
    }

    func createRaw() -> SQL {
        "CREATE TEMP TABLE \(Self.raw) (_fkb_row bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000)"
            + plan.stagedColumns.map { ", \(identifier($0.name)) text" as SQL }.joined() + ") ON COMMIT DROP"
    }

    func createStage() -> SQL {
        "CREATE TEMP TABLE \(LoadStatements.stage) (_fkb_row bigint PRIMARY KEY, _fkb_reject text"
            + plan.stagedColumns.map { ", \(identifier($0.name)) \(Self.stagingType($0))" as SQL }.joined() + ") ON COMMIT DROP"
    }

    /// The distinct staging types, each with a cast-check function `pg_temp.fkb_casts_N`
    /// (with the input's own type first where it has one: `via`).
    var castTypes: [String] { Array(Set(plan.stagedColumns.map(castKey))).sorted() }

    /// What a column's cast-check function evaluates: its checked cast of `value`
    /// (`checkedCast`), with its input type and its lengths.
    func castKey(_ column: Column) -> String {
        Self.checkedCast("value", column, via: via(column)).description
    }

    /// One pg_temp function per staged type that says whether a text casts to it,
    /// catching the error in a subtransaction. Only used on the slow path, when a value
    /// is bad. The body is an ordinary quoted literal (`\(literal:)`), not dollar-quoted:
    /// a quoted type name may contain any `$tag$`. `OR REPLACE`: a temporary function
    /// outlives the transaction, so a second run on the same connection (the library's
    /// callers) found the first one's and stopped with 42723.
    ///
    /// Created under the user's search path (`castsUnderUserPath`) with `SET search_path
    /// FROM CURRENT`: a domain's CHECK calling the user's function that names a table
    /// unqualified runs as in the user's COPY (hostile review 15: under the pinned path
    /// every value "did not convert"). Its only names are types, path-safe.
    func createCastChecks() -> [SQL] {
        castTypes.enumerated().map { index, key in
            // The body is a quoted literal, so nothing in a type's name can end it. Safe
            // as raw text inside: `checkedCast`'s own, types as `format_type` spells them
            // made path-safe, functions pg_catalog's, and digits.
            let body = "BEGIN PERFORM \(key); RETURN true; EXCEPTION WHEN others THEN RETURN false; END"
            return "CREATE OR REPLACE FUNCTION pg_temp.fkb_casts_\(int: index)(value pg_catalog.text) RETURNS pg_catalog.bool LANGUAGE plpgsql "
                + "SET search_path FROM CURRENT AS \(literal: body)"
        }
    }

    /// Runs the statements that cast the input's text to the target's types under the
    /// user's search path, as the load's COPY into its typed stage runs: a domain's CHECK
    /// (or a composite's field's) that calls the user's function naming things
    /// unqualified finds them as in the user's session. The statements' own names are
    /// qualified: types through `PathSafeType`, functions and operators `pg_catalog.`'s,
    /// tables `pg_temp.`'s.
    @discardableResult
    static func castsUnderUserPath<T>(on session: Session, _ body: () throws -> T) throws -> T {
        try session.underUserSearchPath(body)
    }

    /// True for a row of `fkb_raw r` whose `column` holds text that does not cast. A NULL
    /// does too where a domain's CHECK refuses it (`CHECK (VALUE IS NOT NULL)`); a NOT NULL
    /// domain's NULL is the NOT NULL check's (`Column.refusesNull`).
    func doesNotConvert(_ column: Column) -> SQL {
        let name: SQL = "r.\(identifier(column.name))"
        if column.domainBaseType != nil && !column.domainNotNull { return "NOT \(castCheck(column))(\(name))" }
        return "\(name) IS NOT NULL AND NOT \(castCheck(column))(\(name))"
    }

    func castCheck(_ column: Column) -> SQL {
        // castTypes holds every staged column's type: the index is always found.
        "pg_temp.fkb_casts_\(int: castTypes.firstIndex(of: castKey(column)) ?? 0)"
    }

    func copyRaw(_ csv: CSVOptions) -> SQL {
        LoadStatements.copy(into: Self.raw, columns: plan.stagedColumns.map(\.name), csv)
    }

    /// Runs under the user's search path (`OpenedInput.stage`): every name qualified.
    func insertRaw(from source: SQL) -> SQL {
        "INSERT INTO \(Self.raw) (\(list)) SELECT " + plan.stagedColumns.map { Self.rawText("q.\(identifier($0.name))", byOutput: plan.printedByOutput.contains($0.name)) }.joined(separator: ", ")
            + " FROM \(source) AS q"
    }

    var list: SQL { "\(idents: plan.stagedColumns.map(\.name))" }

    /// Raw to typed in one statement; fails on the first bad value.
    func castAll() -> SQL {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { Self.cast("r.\(identifier($0.name))", $0, via: via($0)) }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// Raw to typed with bad values as NULL (their rows are reported separately).
    func castChecked() -> SQL {
        "INSERT INTO \(LoadStatements.stage) (_fkb_row, \(list)) SELECT r._fkb_row, "
            + plan.stagedColumns.map { column -> SQL in
                let name: SQL = "r.\(identifier(column.name))"
                return "CASE WHEN \(castCheck(column))(\(name)) THEN \(Self.cast(name, column, via: via(column))) END"
            }.joined(separator: ", ")
            + " FROM \(Self.raw) r"
    }

    /// "row is too big" when the text rows were cast: the error names no row (COPY did
    /// not fail, the cast did), so find the first raw row whose typed form is over a
    /// heap page's limit and name its line. The size of the typed ROW(...) leaves out
    /// what TOAST would compress; no row found means the error names none.
    func rowTooBig(_ error: PostgresError, input: String, lines: CSVLineTracker?, on session: Session) -> FKBackfillError {
        let typed = plan.stagedColumns.map { Self.cast("r.\(identifier($0.name))", $0, via: via($0)) }.joined(separator: ", ")
        // 8160: MaxHeapTupleSize of 8 kB pages, which the server's message names. In
        // physical order, as the cast went: every row before the one it stopped at cast
        // fine, so the scan meets no bad value first; if it does, no line is named.
        let row = (try? Self.castsUnderUserPath(on: session) {
            try session.savepoint {
                try session.execute("SELECT r._fkb_row AS n FROM \(Self.raw) r WHERE pg_catalog.pg_column_size(ROW(\(typed))) OPERATOR(pg_catalog.>) \(int: 8160) LIMIT 1")
            }
        })?.rows.first?.int("n")
        let line = row.map { lines?.line(ofRecord: $0) ?? $0 }
        return FKBackfillError("\(input)\(line.map { ":\($0)" } ?? ""): \(error.message)", hint: OpenedInput.rowTooBigHint, kind: .badInput(line: line))
    }
}
