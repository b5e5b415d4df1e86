/// The naming evidence for an implied relation: does a column's name say it refers to
/// a table? Pure string work, so the rules are unit-tested on their own
/// (docs/audit.md, "Implied relations").
///
/// A name only counts when it names the *parent table*: `user_id` → `users.id`. A column
/// that merely shares the key's name (`id`, `email`, `external_id`) is no evidence,
/// which is what kept own-`id` columns and one-to-one sibling tables from "referencing"
/// hundreds of tables.
enum RelationNaming {
    /// How strongly a column's name points at a parent; higher is stronger.
    enum Match: Int, Comparable {
        /// No name names the parent, but declared FKs elsewhere use this column name for
        /// it (`author_id` → users): the weakest (ImpliedRoles.swift).
        case role = 1
        /// The column ends with `_<parent>_<key>` (`author_user_id`), or with a key name
        /// that itself names the parent (`home_region_code` → `region.region_code`).
        case suffix = 2
        /// `<parent>_<key>` with the table-name prefix the child shares removed
        /// (`ci_builds.pipeline_id` → `ci_pipelines.id`).
        case sharedPrefix = 3
        /// `<parent>_id` or `<parent>_code` for a parent keyed on another column.
        case idOrCode = 4
        /// `<parent>_<key>`, `<schema>_<parent>_<key>`, or the key's own name when that
        /// name starts with the parent's (`region_code` → `region.region_code`).
        case exact = 5

        static func < (lhs: Match, rhs: Match) -> Bool { lhs.rawValue < rhs.rawValue }

        /// How the evidence reads in a finding.
        func describe(column: String, parent: TableName, key: String) -> String {
            switch self {
            case .exact: "the name \(column) is the parent's name and key (\(parent.name).\(key))"
            case .idOrCode: "the name \(column) is <parent>_id or <parent>_code for \(parent.name)"
            case .sharedPrefix: "the name \(column) names \(parent.name) without the table-name prefix both tables share"
            case .suffix: "the name \(column) ends with the parent's name and key (\(parent.name).\(key))"
            case .role: "the name \(column) is how declared FKs elsewhere refer to \(parent.name).\(key)"
            }
        }
    }

    /// Singular and plural spellings of a table name (English rules; other names as they are).
    static func forms(_ name: String) -> Set<String> {
        let lower = name.lowercased()
        var forms: Set<String> = [lower]
        if lower.hasSuffix("ies"), lower.count > 3 { forms.insert(String(lower.dropLast(3)) + "y") }
        for ending in ["sses", "xes", "ches", "shes", "zes"] where lower.hasSuffix(ending) { forms.insert(String(lower.dropLast(2))) }
        if lower.hasSuffix("s"), !lower.hasSuffix("ss"), lower.count > 1 { forms.insert(String(lower.dropLast())) }
        if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) {
            forms.insert(String(lower.dropLast()) + "ies")
        } else if ["s", "x", "ch", "sh", "z"].contains(where: { lower.hasSuffix($0) }) {
            forms.insert(lower + "es")
        } else {
            forms.insert(lower + "s")
        }
        return forms
    }

    /// The prefix up to and including the first `_`, when there is one before the end.
    static func prefix(_ name: String) -> String? {
        guard let underscore = name.firstIndex(of: "_"), name.index(after: underscore) != name.endIndex else { return nil }
        return String(name[...underscore]).lowercased()
    }

    /// How `column` of `child` names `parent` keyed on `key`, or nil when it does not.
    static func match(column: String, child: TableName, parent: TableName, key: String) -> Match? {
        let column = column.lowercased(), key = key.lowercased()
        let stems = forms(parent.name)
        // The key's own name names the parent: region.region_code, 年金计划.年金计划号.
        let keyNamesParent = stems.contains { key.hasPrefix($0) && key.count > $0.count }
        if keyNamesParent && column == key { return .exact }
        let schema = parent.schema.lowercased()
        for stem in stems {
            if column == "\(stem)_\(key)" || column == "\(schema)_\(stem)_\(key)" { return .exact }
        }
        if key != "id" && key != "code" {
            for stem in stems where column == "\(stem)_id" || column == "\(stem)_code" { return .idOrCode }
        }
        if let shared = prefix(parent.name), prefix(child.name) == shared {
            for stem in forms(String(parent.name.dropFirst(shared.count))) where column == "\(stem)_\(key)" {
                return .sharedPrefix
            }
        }
        if keyNamesParent && column.hasSuffix("_" + key) { return .suffix }
        for stem in stems where column.hasSuffix("_\(stem)_\(key)") { return .suffix }
        return nil
    }

    /// Tables whose rows copy another table's rather than hold live data: dumps,
    /// backups, history and archive tables (`users_backup`, `orders_2019`,
    /// `archive.users`). A relation to or from one is no finding.
    static func looksLikeCopy(_ table: TableName) -> Bool {
        let words: Set<String> = ["bak", "backup", "backups", "bkp", "dump", "history", "hist", "histories", "archive",
                                  "archived", "archives", "old", "copy", "tmp", "temp", "snapshot", "snapshots"]
        let tokens = (table.schema + "_" + table.name).lowercased().split { !$0.isLetter && !$0.isNumber }
        if tokens.contains(where: { words.contains(String($0)) }) { return true }
        // A trailing date or year: orders_2019, users_20240101.
        if let last = table.name.split(separator: "_").last, last.count >= 4, last.allSatisfy(\.isNumber) { return true }
        return false
    }
}
