/// The target table, its existing rows, and the rules file of a case.
extension DiffGenerator {
    mutating func makeTarget() {
        let s = DiffCase.schemaToken
        // A cycle through the target needs a key to reference.
        target.idUnique = use(.unique, 60, "unique") || (features.contains(.targetCycle) && random.chance(70))
        target.selfReference = !target.partitioned && target.idUnique && use(.targetSelfReference, 35, "target-self-reference")
        target.amountCheck = use(.checks, 50, "checks")
        target.batchNotNull = use(.defaults, 50, "defaults")
        target.hasDate = random.chance(80)
        target.hasNote = random.chance(80)
        chooseTargetColumns()
        var columns: [String] = []
        if target.partitioned { columns.append("kind text NOT NULL") }
        columns.append("id int")
        if target.hasSource { columns.append("src text") }
        for parent in parents {
            for (column, type) in zip(parent.factColumns, parent.factTypes) {
                columns.append("\(column) \(type)\(parent.factNotNull ? " NOT NULL" : "")"
                    + (parent.factDefault.map { " DEFAULT \($0)" } ?? ""))
            }
        }
        columns += ["amount int\(target.amountCheck ? " CHECK (amount >= 0)" : "")", "d date", "note varchar(6)",
                    "batch int\(target.batchNotNull ? " NOT NULL DEFAULT 1" : "")"]
        if target.selfReference { columns.append("parent_id int") }
        if target.idUnique {
            let key = random.chance(60) ? "PRIMARY KEY" : "UNIQUE"
            columns.append(target.partitioned ? "\(key) (kind, id)" : "CONSTRAINT fact_id_key \(key) (id)")
        }
        for parent in parents where parent.partition == nil {
            columns.append(foreignKey(parent))
        }
        if target.selfReference { columns.append("CONSTRAINT fself FOREIGN KEY (parent_id) REFERENCES \(s).fact (id)") }
        if !target.partitioned, use(.exclusion, 25, "exclusion") { columns.append("EXCLUDE USING btree (id WITH =)") }
        create.append("CREATE TABLE \(s).fact (\(columns.joined(separator: ", ")))\(target.partitioned ? " PARTITION BY LIST (kind)" : "");")
        if target.partitioned {
            makePartitions()
            target.defaultPartition = random.chance(50)
            if target.defaultPartition { create.append("CREATE TABLE \(s).fact_d PARTITION OF \(s).fact DEFAULT;") }
            for parent in parents {
                if let partition = parent.partition {
                    create.append("ALTER TABLE \(s).\(partition) ADD \(foreignKey(parent));")
                }
            }
        }
        if use(.trigger, 25, "trigger") {
            create.append("""
                CREATE FUNCTION \(s).fact_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'trg'); RETURN NEW; END $$;
                CREATE TRIGGER fact_note BEFORE INSERT ON \(s).fact FOR EACH ROW EXECUTE FUNCTION \(s).fact_note();
                """)
        }
        makeTargetTriggers()
        makeTargetChild()
        // A cycle through the target wants existing rows: a NOT NULL reference back needs one.
        if use(.existingRows, 60, "existing-rows") || (features.contains(.targetCycle) && random.chance(50)) {
            target.existingIDs = [1, 2, 3]
            // Partition 'a': a parent referenced from partition b only gets an existing key too.
            let names = (target.partitioned ? ["kind"] : []) + ["id"] + parents.flatMap(\.factColumns) + ["amount", "batch"]
            let rows = target.existingIDs.map { id in
                var values = (target.partitioned ? ["'a'"] : []) + ["\(id)"]
                for parent in parents {
                    values += zip(parent.existing[0], parent.keyTypes).map { DiffCase.literal($0, type: $1) }
                }
                return "(" + (values + ["5", "1"]).joined(separator: ", ") + ")"
            }
            data.append("INSERT INTO \(s).fact (\(names.joined(separator: ", "))) VALUES \(rows.joined(separator: ", "));")
        }
    }

    func foreignKey(_ parent: DiffParent) -> String {
        "CONSTRAINT \(parent.constraint) FOREIGN KEY (\(parent.factColumns.joined(separator: ", "))) REFERENCES "
            + "\(DiffCase.schemaToken).\(parent.name) (\(parent.keyColumns.joined(separator: ", ")))\(parent.matchFull ? " MATCH FULL" : "")"
    }

    /// The rules file: blank markers, column rules (a NOT NULL name needs one), table
    /// modes, on_missing. Without the rules feature a NOT NULL name stays uncovered.
    mutating func makeRules(into result: inout DiffCase) {
        var tables: [String: [String]] = [:]
        for (table, entries) in rulesTables {
            for entry in entries {
                if entry != "__name__" {
                    tables[table, default: []].append(entry)
                } else if features.contains(.rules), random.chance(85) {
                    if features.contains(.nullRules) { used.insert("null-rules") }
                    // Some derive NULL for a key whose rows have no note: the NOT NULL
                    // column then stops the load, which validate must foresee.
                    var choices = ["name: { value: nm }", "name: { sql: \"count(*)::text\" }"]
                    if features.contains(.nullRules) { choices += ["name: { null: true }", "name: { default: true }"] }
                    if target.hasNote {
                        choices += ["name: { from: note, pick: first }", "name: { sql: \"max(note)\" }", "name: { from: note }",
                                    "name: { from: note, pick: { max_by: amount } }", "name: { from: note, pick: concat_distinct, separator: \"+\" }",
                                    "name: { template: \"{note}-x\" }", "name: { from: note, pick: last }"]
                    }
                    tables[table, default: []].append(random.pick(choices))
                }
            }
        }
        guard use(.rules, 70, "rules") else { return }
        var yaml = ""
        if random.chance(60) {
            let onBlank = random.pick(["keep", "\"null\"", "reject"])
            yaml += "blank:\n  markers: ['-', '(空白)']\n  on_blank: \(onBlank)\n"
        }
        if features.contains(.nearDuplicates), random.chance(50) {
            yaml += "near_duplicates: \(random.pick(["warn", "reject"]))\n"
        }
        var modes: [String: String] = [:]
        for parent in parents where random.chance(10) { modes[parentKey(parent.index)] = random.pick(["skip", "fail", "fill_null_only"]) }
        // A parent's mode skip/fail next to its FK's own on_missing (A2), on purpose.
        var overridden: DiffParent?
        if features.contains(.modeOverride), let parent = parents.first(where: { $0.partition == nil }), use(.modeOverride, 60, "mode-override") {
            modes[parentKey(parent.index)] = random.pick(["skip", "fail"])
            overridden = parent
        }
        let names = Set(tables.keys).union(modes.keys).sorted()
        if !names.isEmpty {
            yaml += "tables:\n"
            for name in names {
                yaml += "  \(name):\n"
                if let mode = modes[name] { yaml += "    mode: \(mode)\n" }
                if let entries = tables[name] { yaml += "    columns:\n" + entries.map { "      \($0)\n" }.joined() }
            }
        }
        var guarded = ""
        for parent in parents where random.chance(15) {
            if let mode = modes[parentKey(parent.index)], mode != "fill_null_only", !use(.modeOverride, 100, "mode-override") { continue }
            guarded += "  \(parent.constraint): { on_missing: \(random.pick(["reject", "fail", "backfill"])) }\n"
        }
        if let overridden {
            guarded += "  \(overridden.constraint): { on_missing: \(random.pick(["reject", "fail", "backfill"])) }\n"
        }
        if !guarded.isEmpty { yaml += "foreign_keys:\n" + guarded }
        result.rules = yaml.isEmpty ? "{}\n" : yaml
    }
}
