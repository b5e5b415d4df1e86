/// Generates one differential case from a seed: parents, target, existing rows, rules,
/// options; `DiffGenerator+Input` writes the CSV. Every choice reads the case's own
/// `DiffRandom`, so seed and index give the same case every time.
struct DiffGenerator {
    var random: DiffRandom
    let features: DiffFeatures
    var parents: [DiffParent] = []
    var target = DiffTarget()
    var used: Set<String> = []
    /// Statements before any table: extensions, domains.
    var prelude: [String] = []
    var create: [String] = []
    var data: [String] = []
    var rulesTables: [String: [String]] = [:]
    /// Parents that other parents reference (chain, cycle): new keys may come from those.
    var referencedByParents: Set<Int> = []
    var partitionKeys: [Int: Set<[String?]>] = [:]
    /// Extra input columns of the CSV (`extra-columns`): `name`, and `memo` that nothing reads.
    var extraColumns: [String] = []
    var ignoreExtraColumns = false

    /// Each case draws about half of the allowed features: with all of them at once
    /// nearly every load fails early and there is little left to compare. A short list
    /// (`make fuzz FEATURES=a,b,c`) is drawn mostly whole, to aim at a combination.
    init(seed: UInt64, index: Int, features allowed: DiffFeatures) {
        var random = DiffRandom(seed: DiffRandom.caseSeed(seed, index))
        var drawn = DiffFeatures()
        let percent = allowed.names.count > 6 ? 45 : 85
        for (_, feature) in DiffFeatures.named where allowed.contains(feature) && random.chance(percent) {
            drawn.insert(feature)
        }
        self.random = random
        features = drawn
    }

    /// Whether the feature is on and this case uses it (with `percent` chance), noting it.
    mutating func use(_ feature: DiffFeatures, _ percent: Int = 100, _ name: String) -> Bool {
        guard features.contains(feature), random.chance(percent) else { return false }
        used.insert(name)
        return true
    }

    static func generate(seed: UInt64, index: Int, features: DiffFeatures) -> DiffCase {
        var generator = DiffGenerator(seed: seed, index: index, features: features)
        var result = DiffCase(seed: seed, index: index, features: features)
        generator.makeParents()
        generator.makeTarget()
        generator.makeTargetCycle()
        generator.makeRules(into: &result)
        if generator.use(.extraColumns, 50, "extra-columns") {
            generator.extraColumns = ["name"] + (generator.random.chance(40) ? ["memo"] : [])
            generator.ignoreExtraColumns = generator.random.chance(60)
        }
        result.ignoreExtraColumns = generator.ignoreExtraColumns
        result.csv = generator.makeCSV()
        if generator.use(.maxRejects, 50, "max-rejects") { result.maxRejects = generator.random.pick([0, 1, 3, 100, 100]) }
        // R1 (fixed): --replace-by deleting a fact row an existing parent row references (a
        // cycle through the target) is a finding in the load and tried by validate.
        if generator.use(.replaceBy, 40, "replace-by") { result.replaceBy = ["batch"] }
        result.schemaSQL = (generator.prelude + generator.create).joined(separator: "\n")
        result.dataSQL = generator.data.joined(separator: "\n")
        result.used = generator.used.sorted()
        if generator.used.contains("unqualified-code") { result.searchPath = "\(DiffCase.schemaToken), public" }
        result.setBasedApplies = !generator.target.selfReference && !generator.target.partitioned && !generator.used.contains("trigger")
            && !generator.used.contains("target-cycle")
        for (index, keys) in generator.partitionKeys where !generator.referencedByParents.contains(index) {
            result.partitionKeys[generator.parentKey(index)] = keys
        }
        return result
    }

    mutating func makeParents() {
        target.partitioned = use(.partitions, 30, "partitions")
        let count = target.partitioned ? random.int(2...5) : random.pick([1, 2, 2, 3, 3, 4, 5, 6])
        let s = DiffCase.schemaToken
        for index in 1...count {
            let onPartition = target.partitioned && index <= 2
            var key: DiffParent.Key = random.pick([.int, .text, .text])
            if !onPartition, use(.composite, 30, "composite") { key = .composite }
            if key != .composite, use(.typmod, 25, "typmod") { key = .typmod }
            var parent: DiffParent
            switch key {
            case .int:
                let cross = use(.crossType, 40, "cross-type")
                parent = DiffParent(index: index, key: key, keyTypes: ["int"], factColumns: ["c\(index)"], factTypes: [cross ? "bigint" : "int"])
                parent.existing = [["1"], ["2"], ["3"]]
                if use(.serialKeys, 35, "serial-keys") { serialKey(&parent) }
            case .text:
                let cross = use(.crossType, 40, "cross-type")
                let keyType = cross && random.chance(50) ? "varchar(8)" : "text"
                parent = DiffParent(index: index, key: key, keyTypes: [keyType],
                                    factColumns: ["c\(index)"], factTypes: [cross && keyType == "text" ? "varchar(6)" : "text"])
                parent.existing = [["K1"], ["K2"], ["Caf\u{E9}"]]
                if use(.domains, 35, "domains") { domainKey(&parent) }
            case .typmod:
                parent = typmodParent(index)
            case .composite:
                parent = DiffParent(index: index, key: key, keyTypes: ["int", "text"],
                                    factColumns: ["y\(index)", "c\(index)"], factTypes: ["int", "text"])
                parent.existing = [["2024", "K1"], ["2024", "K2"]]
                parent.matchFull = use(.matchFull, 50, "match-full")
            }
            parent.factNotNull = random.chance(25)
            if onPartition { parent.partition = "fact_\(["a", "b"][index - 1])" }
            var columns = zip(parent.keyColumns, parent.keyTypes).map { "\($0) \($1)" }
            if let definition = parent.keyDefinition { columns[0] = "\(parent.keyColumns[0]) \(definition)" }
            var existingColumns = parent.keyColumns
            var existingValues: [[String]] = parent.existing.map { zip($0, parent.keyTypes).map { DiffCase.literal($0, type: $1) } }
            func add(_ definition: String, existing value: String?, name: String) {
                columns.append(definition)
                if let value {
                    existingColumns.append(name)
                    existingValues = existingValues.map { $0 + [value] }
                }
            }
            // name: nullable, NOT NULL with a DEFAULT, or NOT NULL with nothing (needs a rule).
            switch random.int(0...5) {
            case 0...2: add("name text", existing: "'old'", name: "name")
            case 3...4 where use(.defaults, 100, "defaults"): add("name text NOT NULL DEFAULT 'n/a'", existing: "'old'", name: "name")
            case 3...4: add("name text", existing: "'old'", name: "name")
            default:
                add("name text NOT NULL", existing: "'old'", name: "name")
                rulesTables[parentKey(index), default: []].append("__name__")
            }
            if use(.triggerFilled, 20, "trigger-filled") {
                add("filled text NOT NULL", existing: "'x'", name: "filled")
                let table = "\(s).p\(index)"
                data.append("""
                    CREATE FUNCTION \(s).p\(index)_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.filled := coalesce(NEW.filled, 'f'); RETURN NEW; END $$;
                    CREATE TRIGGER p\(index)_fill BEFORE INSERT ON \(table) FOR EACH ROW EXECUTE FUNCTION \(s).p\(index)_fill();
                    """)
            }
            if key != .typmod, use(.checks, 40, "checks") {
                parent.keyCheck = true
                let check = switch key { case .int, .typmod: "CHECK (id < 1000)"; case .text: "CHECK (code <> 'BAD')"; case .composite: "CHECK (yr >= 2000)" }
                columns.append(check)
            }
            if use(.checks, 15, "checks") {
                add("kind text NOT NULL DEFAULT 'x' CHECK (kind IN ('A', 'B'))", existing: "'A'", name: "kind")
                if features.contains(.rules), random.chance(50) { rulesTables[parentKey(index), default: []].append("kind: { value: A }") }
            }
            // A reference to an earlier single-key parent: nullable, or NOT NULL (covered by
            // the "same parent" default when the target references that parent directly).
            if index > 1, use(.parentChain, 50, "parent-chain") {
                let other = parents[random.int(0...(index - 2))]
                if other.key != .composite, other.partition == nil {
                    referencedByParents.insert(other.index)
                    let notNull = random.chance(40)
                    add("r\(other.index) \(other.keyTypes[0])\(notNull ? " NOT NULL" : "") REFERENCES \(s).\(other.name)",
                        existing: DiffCase.literal(other.existing[0][0], type: other.keyTypes[0]), name: "r\(other.index)")
                }
            }
            if key != .composite, use(.selfReference, 25, "self-reference") {
                add("up \(parent.keyTypes[0]) REFERENCES \(s).\(parent.name)", existing: nil, name: "up")
                if features.contains(.rules), random.chance(50) {
                    rulesTables[parentKey(index), default: []].append("up: { value: \(yamlString(parent.existing[0][0])) }")
                }
            }
            constrainParent(parent, columns: &columns, existing: &existingValues)
            columns.append("PRIMARY KEY (\(parent.keyColumns.joined(separator: ", ")))")
            create.append("CREATE TABLE \(s).\(parent.name) (\(columns.joined(separator: ", ")));")
            let overriding = parent.identityAlways ? " OVERRIDING SYSTEM VALUE" : ""
            data.append("INSERT INTO \(s).\(parent.name) (\(existingColumns.joined(separator: ", ")))\(overriding) VALUES "
                + existingValues.map { "(\($0.joined(separator: ", ")))" }.joined(separator: ", ") + ";")
            decorateParent(&parent, existingColumns: existingColumns, existingRow: existingValues[0])
            parents.append(parent)
        }
        makeCycle()
    }

    /// Two single-key parents that reference each other through nullable columns.
    mutating func makeCycle() {
        let singles = parents.filter { $0.key == .int || $0.key == .text }
        guard singles.count >= 2, use(.cycle, 30, "cycle") else { return }
        let a = singles[0], b = singles[1]
        referencedByParents.formUnion([a.index, b.index])
        let s = DiffCase.schemaToken
        let deferrable = random.chance(50) ? " DEFERRABLE INITIALLY DEFERRED" : ""
        create.append("ALTER TABLE \(s).\(a.name) ADD COLUMN l\(b.index) \(b.keyTypes[0]) REFERENCES \(s).\(b.name);")
        create.append("ALTER TABLE \(s).\(b.name) ADD COLUMN l\(a.index) \(a.keyTypes[0]) REFERENCES \(s).\(a.name)\(deferrable);")
        if features.contains(.rules), random.chance(50) {
            rulesTables[parentKey(b.index), default: []].append("l\(a.index): { value: \(yamlString(random.pick(["N3", "3", "K2"]).valid(for: a))) }")
        }
    }

    func parentKey(_ index: Int) -> String { "\(DiffCase.schemaToken).p\(index)" }

    func yamlString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

private extension String {
    /// A value rule's constant of the parent's key type: text keys keep it, int keys get a number.
    func valid(for parent: DiffParent) -> String {
        parent.key == .int ? (Int(self) == nil ? "13" : self) : (Int(self) == nil ? self : "N\(self)")
    }
}
