/// One generated case: a schema with its existing rows, a CSV, maybe a rules file, and
/// the options both sides run with. Its text names the schema `@S@`, replaced by the
/// test's own schema when run and by `fkdiff` in the printed reproduction.
struct DiffCase: Sendable {
    static let schemaToken = "@S@"

    let seed: UInt64
    let index: Int
    let features: DiffFeatures
    /// CREATE statements, then the existing rows.
    var schemaSQL = ""
    var dataSQL = ""
    var csv = ""
    var rules: String?
    var maxRejects: Int?
    var replaceBy: [String] = []
    /// `--ignore-extra-columns` (with `extra-columns`).
    var ignoreExtraColumns = false
    /// The user's search_path both sides run under (with `unqualified-code`: the case's
    /// schema first, as an application role's `ALTER ROLE … SET search_path` gives it).
    var searchPath: String?
    /// What the generator put in, for the reproduction and for grouping findings.
    var used: [String] = []
    /// An oracle of its own for partitions whose FKs differ: a parent referenced only from
    /// one partition (by the target's FK declared there, by nothing else) may get only
    /// keys of input rows routed to that partition. Parent table (with the schema token)
    /// → those keys.
    var partitionKeys: [String: Set<[String?]>] = [:]
    /// False when `--fk-check set-based` must refuse the case (the target references
    /// itself, an FK is declared on a partition only, a trigger): (a) is skipped.
    var setBasedApplies = true

    /// The load's options as command-line arguments (besides the input and format).
    func options(maxRejects override: Int? = nil, rulesPath: String?) -> [String] {
        var arguments: [String] = []
        if let rulesPath { arguments += ["--rules", rulesPath] }
        if let rejects = override ?? maxRejects { arguments += ["--max-rejects", String(rejects)] }
        if !replaceBy.isEmpty { arguments += ["--replace-by", replaceBy.joined(separator: ",")] }
        if ignoreExtraColumns { arguments.append("--ignore-extra-columns") }
        return arguments
    }

    func text(_ template: String, schema: String) -> String {
        template.replacingOccurrences(of: Self.schemaToken, with: schema)
    }

    /// A self-contained reproduction: psql script, files and command lines.
    var reproduction: String {
        let schema = "fkdiff"
        let arguments = options(rulesPath: rules == nil ? nil : "rules.yaml").joined(separator: " ")
        var out = """
            ---- differential case: seed \(seed) case \(index) (FKB_DIFF_SEED=\(seed) FKB_DIFF_CASE=\(index)); uses: \(used.joined(separator: ", "))
            -- schema.sql (psql -v ON_ERROR_STOP=1 -f schema.sql)
            DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema); SET search_path TO \(schema);
            \(text(schemaSQL, schema: schema))
            \(text(dataSQL, schema: schema))
            -- input.csv (between the markers; \\u escapes are not used, the bytes are as shown)
            ---8<---
            \(csv)---8<---

            """
        if let rules {
            out += "-- rules.yaml\n---8<---\n\(text(rules, schema: schema))---8<---\n"
        }
        if let searchPath { out += "-- run with PGOPTIONS='-c search_path=\(text(searchPath, schema: schema))'\n" }
        out += """
            -- commands
            fkbackfill load \(schema).fact --csv input.csv \(arguments) --dry-run --fk-check set-based --samples 1000000 --format json
            fkbackfill load \(schema).fact --csv input.csv \(arguments) --dry-run --fk-check per-row --samples 1000000 --format json
            fkbackfill validate \(schema).fact --csv input.csv \(arguments) --samples 1000000 --format json

            """
        return out
    }
}
