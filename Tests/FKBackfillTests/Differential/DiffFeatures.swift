/// What the differential generator may put into a case. `make fuzz FEATURES=a,b` picks a
/// set by name; the committed suite runs `DiffFeatures.agreeing`, the features on which
/// validate and load are known to agree (docs/testing.md, and its "Open findings" section
/// for the ones that do not yet).
struct DiffFeatures: OptionSet, Sendable {
    let rawValue: UInt64

    /// Keys of two columns (int, text).
    static let composite = DiffFeatures(rawValue: 1 << 0)
    /// FK columns of another type than the key: bigint → int, varchar(6) → text.
    static let crossType = DiffFeatures(rawValue: 1 << 1)
    /// Composite keys under MATCH FULL.
    static let matchFull = DiffFeatures(rawValue: 1 << 2)
    /// DEFAULTs on the target and on parents' NOT NULL columns.
    static let defaults = DiffFeatures(rawValue: 1 << 3)
    /// CHECKs on the target's amount and on parents' keys and columns.
    static let checks = DiffFeatures(rawValue: 1 << 4)
    /// A PRIMARY KEY or UNIQUE on the target's id.
    static let unique = DiffFeatures(rawValue: 1 << 5)
    /// A parent references itself (up → its key), maybe with a value rule on that column.
    static let selfReference = DiffFeatures(rawValue: 1 << 6)
    /// Two parents that reference each other.
    static let cycle = DiffFeatures(rawValue: 1 << 7)
    /// A partitioned target whose partitions reference different parents.
    static let partitions = DiffFeatures(rawValue: 1 << 8)
    /// A rules file: value/from/sql rules, modes, on_missing, blank markers.
    static let rules = DiffFeatures(rawValue: 1 << 9)
    /// Blank keys: '', spaces, tab, NBSP, U+3000, markers.
    static let blanks = DiffFeatures(rawValue: 1 << 10)
    /// Keys that differ from an existing one by a space, NFD, case, a zero-width or full-width character.
    static let nearDuplicates = DiffFeatures(rawValue: 1 << 11)
    /// Values that do not convert or are too long; keys out of the parent's range.
    static let badValues = DiffFeatures(rawValue: 1 << 12)
    /// The target's unique id repeated inside the file.
    static let duplicates = DiffFeatures(rawValue: 1 << 13)
    /// Rows already in the target, some of which the input clashes with.
    static let existingRows = DiffFeatures(rawValue: 1 << 14)
    /// `--replace-by batch`.
    static let replaceBy = DiffFeatures(rawValue: 1 << 15)
    /// `--max-rejects N`.
    static let maxRejects = DiffFeatures(rawValue: 1 << 16)
    /// A BEFORE INSERT trigger on the target (validate cannot be exact).
    static let trigger = DiffFeatures(rawValue: 1 << 17)
    /// Parents that reference other parents (nullable or NOT NULL with a rule).
    static let parentChain = DiffFeatures(rawValue: 1 << 18)
    /// An FK's `on_missing` next to its parent's `mode: skip/fail` (finding A2).
    static let modeOverride = DiffFeatures(rawValue: 1 << 19)
    /// The target references itself (parent_id → id).
    static let targetSelfReference = DiffFeatures(rawValue: 1 << 20)
    /// Keys the parent's narrower type cannot hold: 3000000000 from a bigint column for an
    /// int key, 10 characters from a text column for a varchar(8) key (B1, B2).
    static let narrowKeys = DiffFeatures(rawValue: 1 << 21)
    /// `{ null: true }` or `{ default: true }` on a parent's NOT NULL column without a DEFAULT (B5).
    static let nullRules = DiffFeatures(rawValue: 1 << 22)

    // PostgreSQL's table features (issue #23): what a parent or the target may be, beyond
    // what the tool's own options do. docs/testing.md has the catalogue.

    /// A parent with an inheritance child that holds a key the parent does not: RI reads
    /// `FROM ONLY` the parent, so that key must be backfilled into the parent.
    static let inheritParent = DiffFeatures(rawValue: 1 << 23)
    /// The target has an inheritance child with rows of its own (ids the input may repeat).
    static let inheritTarget = DiffFeatures(rawValue: 1 << 24)
    /// A partition (or a sub-partition) defines an FK column `GENERATED ALWAYS AS (src || '_G')
    /// STORED` that the partitioned table declares plain.
    static let partitionGenerated = DiffFeatures(rawValue: 1 << 25)
    /// An FK column the CSV leaves out, filled by its DEFAULT (an existing or a new key);
    /// partitions with DEFAULTs of their own (PostgreSQL applies the partitioned table's
    /// when it routes a row).
    static let fkDefaults = DiffFeatures(rawValue: 1 << 26)
    /// Domains: over text (with a CHECK) as key or FK column type, over citext as FK column.
    static let domains = DiffFeatures(rawValue: 1 << 27)
    /// Keys of a type with a typmod or of another precision than the FK column:
    /// numeric(6,2) ← numeric, timestamp(0) ← timestamp, varchar(4) ← text, real ← float8,
    /// with input keys the parent's type stores unchanged.
    static let typmod = DiffFeatures(rawValue: 1 << 28)
    /// Triggers on the target: return NULL for some rows, BEFORE UPDATE only.
    static let targetTriggers = DiffFeatures(rawValue: 1 << 29)
    /// Triggers on a parent: set a non-key column, BEFORE UPDATE only.
    static let parentTriggers = DiffFeatures(rawValue: 1 << 30)
    /// RULEs on a parent: DO ALSO log the key, ON UPDATE DO ALSO NOTHING.
    static let parentRules = DiffFeatures(rawValue: 1 << 31)
    /// Exclusion constraints: on the target's id, on a parent's name (partial).
    static let exclusion = DiffFeatures(rawValue: 1 << 32)
    /// A second UNIQUE constraint on a parent: on name, NULLS NOT DISTINCT, on (key, name).
    static let secondaryUnique = DiffFeatures(rawValue: 1 << 33)
    /// Row-level security on a parent: enabled (maybe forced) with a policy hiding a key.
    static let rls = DiffFeatures(rawValue: 1 << 34)
    /// Integer parent keys that are serial, or identity BY DEFAULT / ALWAYS.
    static let serialKeys = DiffFeatures(rawValue: 1 << 35)
    /// Typmod keys (with `typmod`) given input keys the parent's type changes: 1.005 into
    /// numeric(6,2), 10:00:00.4 into timestamp(0), 'ABCD ' into varchar(4), 0.1 into real.
    static let typmodLossy = DiffFeatures(rawValue: 1 << 36)
    /// A target trigger that rewrites an FK column.
    static let targetTriggerKeys = DiffFeatures(rawValue: 1 << 37)
    /// A parent trigger that rewrites the key or returns NULL (always, or for a NULL name).
    static let parentTriggerKeys = DiffFeatures(rawValue: 1 << 38)
    /// A parent RULE ON INSERT DO INSTEAD NOTHING (always, or for a NULL name).
    static let parentRuleDrops = DiffFeatures(rawValue: 1 << 39)
    /// Input columns the target lacks (#24 item 9): `name`, which fills every parent's
    /// `name` a rule or DEFAULT does not, and maybe `memo`, which nothing reads (refused by
    /// both sides, or ignored with `--ignore-extra-columns`).
    static let extraColumns = DiffFeatures(rawValue: 1 << 40)
    /// A NOT NULL parent column a BEFORE INSERT trigger fills (pagila's film.fulltext).
    static let triggerFilled = DiffFeatures(rawValue: 1 << 42)
    /// Trigger functions written as applications write them: unqualified table names,
    /// resolved by the user's own search_path when the load runs them.
    static let unqualifiedCode = DiffFeatures(rawValue: 1 << 43)
    /// The target in a cycle (#24 item 2): a parent references the target's id (nullable,
    /// NOT NULL or DEFERRABLE), a rule maybe giving a new row its input row's own id.
    static let targetCycle = DiffFeatures(rawValue: 1 << 47)

    static let named: [(String, DiffFeatures)] = [
        ("composite", .composite), ("crosstype", .crossType), ("matchfull", .matchFull), ("defaults", .defaults),
        ("checks", .checks), ("unique", .unique), ("selfref", .selfReference), ("cycle", .cycle),
        ("partitions", .partitions), ("rules", .rules), ("blanks", .blanks), ("neardup", .nearDuplicates),
        ("badvalues", .badValues), ("duplicates", .duplicates), ("existing", .existingRows),
        ("replaceby", .replaceBy), ("maxrejects", .maxRejects), ("trigger", .trigger), ("chain", .parentChain),
        ("modeoverride", .modeOverride), ("selfref-target", .targetSelfReference), ("narrowkeys", .narrowKeys),
        ("nullrules", .nullRules),
        ("inherit-parent", .inheritParent), ("inherit-target", .inheritTarget), ("partition-generated", .partitionGenerated),
        ("fk-defaults", .fkDefaults), ("domains", .domains), ("typmod", .typmod), ("target-triggers", .targetTriggers),
        ("parent-triggers", .parentTriggers), ("parent-rules", .parentRules), ("exclusion", .exclusion),
        ("secondary-unique", .secondaryUnique), ("rls", .rls), ("serial-keys", .serialKeys),
        ("trigger-filled", .triggerFilled), ("unqualified-code", .unqualifiedCode),
        ("typmod-lossy", .typmodLossy), ("target-trigger-keys", .targetTriggerKeys),
        ("parent-trigger-keys", .parentTriggerKeys), ("parent-rule-drops", .parentRuleDrops),
        ("extra-columns", .extraColumns), ("target-cycle", .targetCycle),
    ]

    static let all = DiffFeatures(named.map(\.1))

    /// The committed suite's features: those on which the two sides agree. A feature
    /// whose disagreement is found and not yet fixed is subtracted here, with its finding
    /// (docs/testing.md, "Findings of the differential").
    static let agreeing: DiffFeatures = all.subtracting([
        // Every finding so far is fixed (F1–F7 and #24's classes: validate tries what only
        // PostgreSQL can tell in a savepoint, Prediction+Trial.swift); nothing is left out.
    ])

    /// `all`, `agreeing`, or names separated by commas; `-name` removes one
    /// (`all,-partitions`). Unknown names are an error, so a typo cannot run nothing.
    static func parse(_ text: String) throws -> DiffFeatures {
        var set = DiffFeatures()
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !word.isEmpty {
            let removing = word.hasPrefix("-")
            let name = removing ? String(word.dropFirst()) : word
            let value: DiffFeatures
            switch name {
            case "all": value = .all
            case "agreeing": value = .agreeing
            default:
                guard let found = named.first(where: { $0.0 == name })?.1 else {
                    throw DiffError("unknown feature \(name); known: all, agreeing, \(named.map(\.0).joined(separator: ", "))")
                }
                value = found
            }
            if removing { set.subtract(value) } else { set.formUnion(value) }
        }
        return set
    }

    var names: [String] { Self.named.filter { contains($0.1) }.map(\.0) }
}

struct DiffError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
