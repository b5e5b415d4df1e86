import PostgresClient

/// The statements of a CSV validated read-only (docs/validate.md, "Read-only sessions and
/// standbys"): no temporary table can hold it, so each batch of records is sent as bound
/// arrays, one text array per input column and the records' lines as the last
/// (`ROWS FROM (pg_catalog.unnest($1::text[]), …, pg_catalog.unnest($n::int8[]))`, what
/// `unnest($1, …, $n)` stands for, spelt out since the qualified name does not get that
/// sugar), and checked by one statement over them: the
/// column checks of the staged path (`ValidationStatements.rawChecks`) over the text, and
/// the checks in place (`InPlaceStatements`) over the batch cast to the target's types.
struct StreamedStatements {
    let plan: LoadPlan
    let load: LoadStatements

    /// The batch as text (a CTE of the statement, not a table).
    static let text: SQL = "fkb_text"
    /// The batch cast to the staging types, as `TextStaging` casts a staged CSV.
    static let batch: SQL = "fkb_batch"

    var columns: [Column] { plan.stagedColumns }

    /// The batch's column of records' lines: `_fkb_line`, or with a number where the
    /// input has a column of that name (hostile review 5: every batch was ambiguous).
    var line: SQL {
        let taken = Set(columns.map(\.name))
        let name = ([""] + (1...columns.count + 1).map { "_\($0)" }).map { "_fkb_line\($0)" }.first { !taken.contains($0) } ?? "_fkb_line"
        return SQL(ident: name)
    }

    /// The rows whose FK keys are checked: the typed batch, or with `--max-rejects` the
    /// rows the load would not set aside (`SetAside.forKeys`).
    var keySource: SQL = Self.batch

    /// `--max-rejects`: the load's reject steps run, and they read the input's values
    /// before any BEFORE INSERT trigger runs (`LoadRun.markValueRejects`,
    /// `markUniqueRejects`): routing and the unique keys set rows aside whatever the
    /// triggers, and so do the CHECKs and NOT NULL over columns no trigger assigns, so the
    /// batches flag them too (`targetRowChecks`, `checkedUniqueKeys`). Without it, a
    /// trigger may change the row before the insert that alone refuses it, and those are
    /// left unevaluated.
    var rejects = false
    /// Columns whose NULLs a BEFORE INSERT trigger of the target may fill
    /// (`TargetConstraints.setAsideOnInput`): under `rejects` their NOT NULL sets no row
    /// aside, as the load leaves those rows to the insert (`LoadRun.markValueRejects`).
    var nullsLeftToTriggers: Set<String> = []

    /// Read-only `--replace-by` on a target that references itself: the batch returns its
    /// own FK's keys that it does not give itself, each flagged `name_s` when a target row
    /// holds it; which of those rows the DELETE removes is resolved after the last batch
    /// (Validator+StreamedSelfReplace.swift).
    var selfTableLater = false
    /// The target's FKs to itself that PostgreSQL enforces, with `--replace-by`: what they
    /// do on its DELETE is read after the last batch (StreamedStatements+SelfReplace.swift).
    var ownForeignKeys: [ForeignKey] = []

    /// Columns the input lacks that each batch computes as the insert would (a DEFAULT
    /// beside input columns of one FK: Validator+StreamedComputedKeys.swift).
    var computed: [(name: String, expression: SQL)] = []

    /// The checks in place, over the typed batch: one code path for both.
    var inPlace: InPlaceStatements { InPlaceStatements(plan: plan, load: load, source: Self.batch) }

    /// One column check over the text rows `r` of a batch, as the staged path makes it.
    struct ColumnCheck {
        var column: String
        var problem: ValidationReport.ColumnProblem.Problem
        var detail: String
        var condition: SQL
    }

    /// The column checks in the staged path's order: values that do not convert (those in
    /// `unconvertible`, per column, found by `convertsAll`), then per column too long and
    /// NULL in a NOT NULL column.
    func columnChecks(unconvertible: [[String]], nullRefused: [Bool] = []) -> [ColumnCheck] {
        var checks: [ColumnCheck] = []
        for (index, (column, bad)) in zip(columns, unconvertible).enumerated() {
            guard let condition = refused(index, bad, nullRefused) else { continue }
            checks.append(.init(column: column.name, problem: .conversion, detail: "not a valid \(column.type)", condition: condition))
        }
        for column in columns {
            let name: SQL = "r.\(ident: column.name)"
            if let length = TextStaging.maxLength(column) {
                checks.append(.init(
                    column: column.name, problem: .tooLong, detail: "longer than \(length) characters (\(column.type))",
                    condition: "pg_catalog.char_length(pg_catalog.rtrim(\(name), ' ')) OPERATOR(pg_catalog.>) \(int: length)"))
            }
            if column.refusesNull {
                checks.append(.init(column: column.name, problem: .notNull, detail: "\(column.name) is NOT NULL", condition: "\(name) IS NULL"))
            }
        }
        return checks
    }

    /// The rows whose value in column `index` does not convert: one of `bad`, or NULL where
    /// the column's domain refuses it (`nullRefused`); nil when none.
    func refused(_ index: Int, _ bad: [String], _ nullRefused: [Bool]) -> SQL? {
        let name: SQL = "r.\(ident: columns[index].name)"
        var conditions: [SQL] = []
        if nullRefused.indices.contains(index) && nullRefused[index] { conditions.append("\(name) IS NULL") }
        if !bad.isEmpty { conditions.append("\(name) OPERATOR(pg_catalog.=) ANY (CAST(\(bindArray: bad) AS pg_catalog.text[]))") }
        return conditions.isEmpty ? nil : "(" + conditions.joined(separator: " OR ") + ")"
    }

    /// The whole check of one batch, in one statement and one row: `rows` and `f0…` (partly
    /// NULL MATCH FULL keys, `InPlaceStatements.counts`), `n0…`/`s0…` per column check
    /// (rows and their first lines), and `fk0…` per FK, its missing keys as a JSON array of
    /// `[[key…], rows, [first lines], blank, known]`, by first line (`missingKeys`, with
    /// `known[i]` the keys earlier batches found missing for FK i); `x0…`/`xs0…` per check
    /// of `target` and `u0…` per key of `repeats` (`StreamedStatements+TargetRows`), and with
    /// `replacing` (`--replace-by`) `rb_k0…` and `c0_…` per unique key (`StreamedStatements+Replace`). `trackers`: the
    /// indices of `repeats` that only follow the keys the rows kept give (a self-reference's,
    /// `UniqueTally.tracksOnly`), grouped over the rows whose keys are checked and setting
    /// no row aside. `arrays` are the batch's
    /// columns as array literals (`arrayLiteral`), then its lines; `unconvertible` values
    /// are NULL in the typed batch, as the staged path's checked cast makes them.
    func check(
        arrays: [String], unconvertible: [[String]], nullRefused: [Bool] = [], checks: [ColumnCheck], matchFull: [ForeignKey],
        foreignKeys: [ForeignKey], known: [[[String?]]], samples: Int,
        target: [TargetRowCheck] = [], repeats: [(key: TargetConstraints.UniqueKey, all: Bool)] = [], nullable: [[String]] = [],
        replacing: [TargetConstraints.UniqueKey]? = nil, setAside: SetAside? = nil, trackers: Set<Int> = []
    ) -> SQL {
        var statement = relations(arrays: arrays, unconvertible: unconvertible, nullRefused: nullRefused)
        // --max-rejects: the rows the load sets aside are left out of the keys' checks
        // (StreamedStatements+SetAside.swift).
        var keys = self
        if let setAside {
            let flagged = repeats.indices.filter { !trackers.contains($0) }.map { repeats[$0].key }
            let setting = checks.filter { $0.problem != .notNull || !nullsLeftToTriggers.contains($0.column) }
            statement += setAside.relations(self, checks: setting.map(\.condition), target: target.map(\.condition), repeats: flagged)
            keys.keySource = SetAside.forKeys
        }
        if setAside != nil, !matchFull.isEmpty {
            // A partly NULL MATCH FULL key of a row set aside stops nothing: counted over the rows kept.
            let partly = matchFull.enumerated().map { index, fk -> SQL in
                "pg_catalog.count(*) FILTER (WHERE \(KeyPredicates.partlyNull(KeyPredicates.columns("s", fk.columns)))) AS f\(int: index)"
            }
            statement += "SELECT * FROM (\(inPlace.counts(notNull: [], matchFull: []))) c CROSS JOIN (SELECT \(partly.joined(separator: ", ")) "
                + "FROM \(SetAside.forKeys) s) f"
        } else {
            statement += "SELECT * FROM (\(inPlace.counts(notNull: [], matchFull: matchFull))) c"
        }
        if let setAside { statement += " CROSS JOIN (\(setAside.counts())) rj" }
        if !checks.isEmpty {
            let raw = ValidationStatements(plan: plan, load: load)
                .rawChecks(checks.map(\.condition), samples: samples, from: Self.text, row: "r.\(line)")
            statement += " CROSS JOIN (\(raw)) t"
        }
        if !target.isEmpty {
            statement += " CROSS JOIN (\(targetRowCounts(target, samples: samples))) x"
        }
        for (index, repeated) in repeats.enumerated() {
            let rows = setAside == nil ? Self.batch : trackers.contains(index) ? SetAside.forKeys : SetAside.kept
            statement += " CROSS JOIN (\(keyGroups(repeated.key, all: repeated.all, samples: samples, as: "u\(index)", from: rows))) u\(int: index)"
        }
        if let replacing {
            // --replace-by: the batch's values, and per unique key the clashes it cannot
            // resolve alone (StreamedStatements+Replace.swift).
            let replacers = setAside == nil ? Self.batch : SetAside.kept
            statement += " CROSS JOIN (\(replaceValues(from: replacers))) rb"
            for (index, key) in replacing.enumerated() {
                statement += " CROSS JOIN (\(clashCandidates(key, as: "c\(index)", replacedBy: replacers))) c\(int: index)"
            }
        }
        for (index, fk) in foreignKeys.enumerated() {
            let inputs = nullable.indices.contains(index) ? nullable[index] : []
            statement += " CROSS JOIN (\(keys.missingKeys(fk, samples: samples, as: "fk\(index)", known: known[index], nullable: inputs))) k\(int: index)"
        }
        return statement
    }

    /// `WITH fkb_text AS (…), fkb_batch AS (…) `: the batch as text and cast to the staging
    /// types, `unconvertible` values NULL (the same for every statement over one batch).
    func relations(arrays: [String], unconvertible: [[String]], nullRefused: [Bool]) -> SQL {
        let names = columns.map { SQL(ident: $0.name) } + [line]
        let unnest = zip(arrays, names.indices).map { array, index -> SQL in
            index < columns.count
                ? "pg_catalog.unnest(CAST(\(bind: array) AS pg_catalog.text[]))" : "pg_catalog.unnest(CAST(\(bind: array) AS pg_catalog.int8[]))"
        }
        let typed = zip(columns, unconvertible).enumerated().map { index, pair -> SQL in
            let (column, bad) = pair
            // A translated column's text is the target type's already (`translation`).
            let via = translated(column) ? nil : plan.sourceTypes[column.name]
            // A cast that may run the user's code cannot run here, under the pinned path:
            // its domain's refusals were found under the user's path first (`userCast`).
            var cast = (TextStaging.castRunsUserCode(column, via: via) ? TextStaging.castToBase("r.\(ident: column.name)", column, via: via) : nil)
                ?? TextStaging.cast("r.\(ident: column.name)", column, via: via)
            // As the insert stores it: varchar(n) without the spaces beyond n, char(n)
            // padded ('abc  ' is 'abc' in a varchar(3) key). A longer value is a finding of
            // its own ("too long"); cut here, it is only compared.
            if TextStaging.maxLength(column) != nil, column.domainBaseType == nil, !column.type.hasSuffix("]") {
                cast = "CAST(\(cast) AS \(column.sqlType))"
            }
            // on_blank: null loads a blank key as NULL (LoadRun.handleBlankKeys); in a NOT
            // NULL column it is the row's reject, which the FK's blank keys report.
            if plan.blank.onBlank == .null, !column.refusesNull, plan.blankColumns.contains(where: { $0.name == column.name }) {
                cast = "CASE WHEN \(inPlace.isBlank(cast)) THEN NULL ELSE \(cast) END"
            }
            guard let condition = refused(index, bad, nullRefused) else { return "\(cast) AS \(ident: column.name)" }
            return "CASE WHEN \(condition) THEN NULL ELSE \(cast) END AS \(ident: column.name)"
        }
        return "WITH \(Self.text) AS MATERIALIZED (SELECT * FROM ROWS FROM (\(unnest.joined(separator: ", "))) AS u(\(names.joined(separator: ", ")))), "
            + "\(Self.batch) AS MATERIALIZED (SELECT \(typed.joined(separator: ", ")), r.\(line)"
            + computed.map { ", \($0.expression) AS \(ident: $0.name)" as SQL }.joined() + " FROM \(Self.text) r) "
    }

    /// `fk`'s missing keys in the batch, by first line, as parallel arrays (`KeyArrays`):
    /// `name_k0…` the key's columns as text, `name_n` rows, `name_l` first lines (as
    /// `3,4`), `name_b` blank, `name_x` known — arrays, not JSON, which the client
    /// parsed into 25 MB of objects for a batch of 20,000 new keys. `known` is the index in `known` (the
    /// keys earlier batches found missing, as text) of the key equal to this one, or
    /// null: equal as GROUP BY finds them, with the type's own equality, as the staged
    /// path's `count(DISTINCT …)` counts them (numeric 1.0 and 1.00, citext's letter
    /// case), so the batches merge exactly, not by the keys' text.
    func missingKeys(_ fk: ForeignKey, samples: Int, as name: String, known: [[String?]] = [], nullable: [String] = []) -> SQL {
        // Per input column of `nullable`, whether a row of the key has a value there
        // (`name_v0…`): a new parent row's NOT NULL column derived from it (Validator+StreamedDerivations).
        var rows = InPlaceStatements(plan: plan, load: load, source: keySource)
        // A key of the target's own is given by a row the load inserts: with --max-rejects
        // not by one it sets aside, nor by a repeat of another unique key than the one the
        // FK references (the first row of a key repeated is kept: it gives it).
        rows.provided = keySource == SetAside.forKeys ? SetAside.forKeys : Self.batch
        let later = selfTableLater && fk.referencedTable == plan.target.name && !plan.rejectsMissing(fk)
        rows.selfTableLater = later
        let grouped = rows.missingKeys(fk, extra: [
            "(pg_catalog.array_agg(s.\(line) ORDER BY s.\(line)))[1:\(bind: samples)] AS lines",
            "pg_catalog.min(s.\(line)) AS first",
        ] + nullable.enumerated().map { index, input in "pg_catalog.bool_or(s.\(ident: input) IS NOT NULL) AS v\(int: index)" })
        let keys = fk.columns.indices.map { "m.k\(int: $0 + 1)" as SQL }
        let blank = keys.map { inPlace.isBlank($0) }.joined(separator: " OR ")
        var with: SQL = "WITH fkb_missing AS (SELECT g.*, pg_catalog.row_number() OVER () AS gid FROM (\(grouped)) g)"
        var sameAs: SQL = "CAST(NULL AS pg_catalog.int8)"
        var join: SQL = ""
        if !known.isEmpty {
            let bound = boundKeys(fk, known, first: 1)
            let names = bound.names
            let cast = bound.typed
            with += ", fkb_same AS (SELECT pg_catalog.min(z.gid) AS gid, pg_catalog.min(z.i) AS i FROM ("
                + "SELECT \(names.map { "m.\($0)" as SQL }.joined(separator: ", ")), m.gid, CAST(NULL AS pg_catalog.int8) AS i FROM fkb_missing m "
                + "UNION ALL SELECT \(cast.joined(separator: ", ")), CAST(NULL AS pg_catalog.int8), u.i "
                + "FROM \(bound.rows)) z "
                + "GROUP BY \(names.map { "z.\($0)" as SQL }.joined(separator: ", ")) "
                + "HAVING pg_catalog.count(z.gid) OPERATOR(pg_catalog.>) 0 AND pg_catalog.count(z.i) OPERATOR(pg_catalog.>) 0)"
            // Joined, not a subquery per missing key: that scanned fkb_same once per key,
            // quadratic in a batch's new keys (30,000 numeric keys: 41 s; hostile review 4).
            sameAs = "x.i"
            join = " LEFT JOIN fkb_same x ON x.gid OPERATOR(pg_catalog.=) m.gid"
        }
        var output: [(name: String, value: SQL)] = keys.enumerated().map { index, key in ("\(name)_k\(index)", "CAST(\(key) AS pg_catalog.text)") }
        output += canonical(fk.columns, keys, name)
        output.append(("\(name)_n", "m.n"))
        output.append(("\(name)_l", "pg_catalog.array_to_string(m.lines, ',')"))
        output.append(("\(name)_b", "(\(blank))"))
        output.append(("\(name)_x", sameAs))
        for index in nullable.indices { output.append(("\(name)_v\(index)", "m.v\(int: index)")) }
        if later { output.append(("\(name)_s", KeyPredicates.parentHas(fk, child: keys))) }
        return "\(with) SELECT \(KeyArrays.select(output, order: "m.first")) FROM fkb_missing m\(join)"
    }

    /// Numeric, whose equal values may be written differently (`10.0`, `10`):
    /// `trim_scale` gives each value one text (PostgreSQL 13 and later).
    static func isNumeric(_ type: String) -> Bool { type == "numeric" || (type.hasPrefix("numeric(") && !type.hasSuffix("[]")) }

    /// Per column of `names`, whether a key's text to merge by is sent apart (`name_c…`).
    func canonicalColumns(_ names: [String]) -> [Bool] {
        names.map { name in columns.first { $0.name == name }.map { Self.isNumeric($0.type) } ?? false }
    }

    /// The `name_c…` arrays for the numeric ones of `names`, whose values are `values`.
    func canonical(_ names: [String], _ values: [SQL], _ name: String) -> [(name: String, value: SQL)] {
        zip(canonicalColumns(names), values).enumerated().compactMap { index, pair in
            pair.0 ? ("\(name)_c\(index)", "CAST(pg_catalog.trim_scale(\(pair.1)) AS pg_catalog.text)") : nil
        }
    }
}
