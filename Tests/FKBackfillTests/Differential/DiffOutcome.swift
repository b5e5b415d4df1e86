import Foundation

/// What one run said (the report the command line would print), read from its JSON: the parts the differential
/// compares, with sample lists as sets (their order is not promised).
struct DiffOutcome {
    struct Rejection: Equatable, CustomStringConvertible {
        var rows: Int
        var lines: Set<Int>
        var description: String { "\(rows) rows, lines \(lines.sorted())" }
    }
    struct Parent: Equatable, CustomStringConvertible {
        var inserted: Int
        var keys: Set<[String?]>
        /// Load only (validate's prediction does not have them).
        var candidates: Int?
        var present: Int?
        var updated: Int?
        var description: String {
            let keyText = keys.map { "(" + $0.map { $0.map { "'\($0)'" } ?? "NULL" }.joined(separator: ",") + ")" }.sorted().joined(separator: " ")
            return "inserted \(inserted)" + (candidates.map { ", candidates \($0)" } ?? "") + (present.map { ", present \($0)" } ?? "")
                + (updated.map { ", updated \($0)" } ?? "") + ", keys \(keyText)"
        }
    }

    /// One FK of validate's table (staged or read-only): what the checks found in the input.
    struct ForeignKey: Equatable, CustomStringConvertible {
        var violatingRows: Int
        var missingKeys: Int
        var fixableKeys: Int
        var unfixableKeys: Int
        /// `schema.name` of the referenced table, and why keys are not fixable (not compared).
        var referencedTable = ""
        var reasons: [String] = []
        static func == (left: Self, right: Self) -> Bool {
            (left.violatingRows, left.missingKeys, left.fixableKeys, left.unfixableKeys)
                == (right.violatingRows, right.missingKeys, right.fixableKeys, right.unfixableKeys)
        }
        var description: String {
            "\(violatingRows) violating rows, \(missingKeys) missing keys (\(fixableKeys) fixable, \(unfixableKeys) unfixable)"
        }
    }

    let status: Int32
    let stdout: String
    let stderr: String
    /// Target counts: staged (load only), deleted, inserted, rejected, skipped.
    var counts: [String: Int] = [:]
    var rejections: [String: Rejection] = [:]
    var parents: [String: Parent] = [:]
    /// Near-duplicate keys as "table: key ~ looksLike (existing|new)".
    var nearDuplicates: Set<String> = []
    /// validate only.
    var wouldLoad: Bool?
    var exact = true
    var notExact: [String] = []
    var blockers: [String] = []
    var decoded = false
    /// validate's report itself (staged or read-only): its per-FK table by constraint name,
    /// its column problems, and the top-level verdict and `notExact` a read-only report has
    /// instead of a prediction (nil `reportWouldLoad`: no report).
    var foreignKeys: [String: ForeignKey] = [:]
    var columnProblems: [String] = []
    var reportWouldLoad: Bool?
    var reportNotExact: [Any] = []
    /// Read-only with --max-rejects: the rows it counts set aside, and the limit.
    var reportRejected: Int?
    var reportMaxRejects = 0

    /// A `load --format json` report.
    init(load status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        guard status == 0, let json = Self.object(stdout), let target = json["target"] as? [String: Any] else { return }
        for name in ["staged", "deleted", "inserted", "rejected", "skipped"] { counts[name] = target[name] as? Int }
        rejections = Self.rejections(json["rejections"])
        nearDuplicates = Self.nearDuplicates(json["nearDuplicates"])
        for case let parent as [String: Any] in json["parents"] as? [Any] ?? [] {
            guard let table = Self.tableName(parent["table"]) else { continue }
            parents[table] = Parent(inserted: parent["inserted"] as? Int ?? -1, keys: Self.keys(parent["sampleKeys"]),
                                    candidates: parent["candidates"] as? Int, present: parent["present"] as? Int,
                                    updated: parent["updated"] as? Int)
        }
        decoded = true
    }

    /// A `validate --format json` report: its prediction.
    init(validate status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        guard let json = Self.object(stdout) else { return }
        reportWouldLoad = json["wouldLoad"] as? Bool
        reportNotExact = json["notExact"] as? [Any] ?? []
        reportRejected = json["rejected"] as? Int
        reportMaxRejects = json["maxRejects"] as? Int ?? 0
        for case let fk as [String: Any] in json["foreignKeys"] as? [Any] ?? [] {
            guard let name = fk["name"] as? String else { continue }
            foreignKeys[name] = ForeignKey(
                violatingRows: fk["violatingRows"] as? Int ?? -1, missingKeys: fk["missingKeys"] as? Int ?? -1,
                fixableKeys: fk["fixableKeys"] as? Int ?? -1, unfixableKeys: fk["unfixableKeys"] as? Int ?? -1,
                referencedTable: Self.tableName(fk["referencedTable"]) ?? "?", reasons: fk["reasons"] as? [String] ?? [])
        }
        for case let column as [String: Any] in json["columns"] as? [Any] ?? [] {
            columnProblems.append("\(column["column"] as? String ?? "?"): \(column["problem"] as? String ?? "?")")
        }
        guard let prediction = json["prediction"] as? [String: Any] else { return }
        wouldLoad = prediction["wouldLoad"] as? Bool
        exact = prediction["exact"] as? Bool ?? true
        notExact = prediction["notExact"] as? [String] ?? []
        blockers = prediction["blockers"] as? [String] ?? []
        for name in ["deleted", "inserted", "rejected", "skipped"] { counts[name] = prediction[name] as? Int }
        rejections = Self.rejections(prediction["rejections"])
        nearDuplicates = Self.nearDuplicates(prediction["nearDuplicates"])
        for case let parent as [String: Any] in prediction["parents"] as? [Any] ?? [] {
            guard let table = Self.tableName(parent["table"]) else { continue }
            parents[table] = Parent(inserted: parent["inserted"] as? Int ?? -1, keys: Self.keys(parent["sampleKeys"]))
        }
        decoded = true
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func rejections(_ value: Any?) -> [String: Rejection] {
        var result: [String: Rejection] = [:]
        for case let entry as [String: Any] in value as? [Any] ?? [] {
            guard let reason = entry["reason"] as? String else { continue }
            result[reason] = Rejection(rows: entry["rows"] as? Int ?? -1, lines: Set(entry["sampleLines"] as? [Int] ?? []))
        }
        return result
    }

    /// A table of the JSON reports (`{"display", "schema", "name"}`) as `schema.name`,
    /// the form the oracle's side uses.
    static func tableName(_ value: Any?) -> String? {
        guard let table = value as? [String: Any], let schema = table["schema"] as? String, let name = table["name"] as? String else { return nil }
        return "\(schema).\(name)"
    }

    static func nearDuplicates(_ value: Any?) -> Set<String> {
        Set((value as? [Any] ?? []).compactMap { entry in
            guard let entry = entry as? [String: Any] else { return nil }
            let existing = entry["existing"] as? Bool == true ? "existing" : "new"
            return "\(Self.tableName(entry["table"]) ?? "?"): '\(entry["key"] as? String ?? "?")' ~ '\(entry["looksLike"] as? String ?? "?")' (\(existing))"
        })
    }

    static func keys(_ value: Any?) -> Set<[String?]> {
        Set((value as? [Any] ?? []).map { key in (key as? [Any] ?? []).map { $0 as? String } })
    }

    /// The first error line, for messages.
    var error: String {
        stderr.split(separator: "\n").first { $0.hasPrefix("fkbackfill: error:") }.map(String.init)
            ?? String(stderr.prefix(300))
    }
}
