/// PostgreSQL's table features on the target (issue #23): FK columns left to their
/// DEFAULT (per partition too), partitions that generate an FK column, triggers, an
/// exclusion constraint, an inheritance child.
extension DiffGenerator {
    /// Which parent's FK column a partition generates and which one the CSV leaves to its
    /// DEFAULT. Only FKs of the whole table: a partition-only FK's keys are checked by the
    /// partition oracle (c) from the CSV, which neither column carries.
    mutating func chooseTargetColumns() {
        let candidates = parents.indices.filter { parents[$0].partition == nil && (parents[$0].key == .int || parents[$0].key == .text) }
        var generated: Int?
        if target.partitioned, use(.partitionGenerated, 50, "partition-generated") {
            if let index = candidates.first(where: { parents[$0].key == .text && !parents[$0].factNotNull
                && ["text", "varchar(6)"].contains(parents[$0].factTypes[0]) }) {
                generated = index
                target.generatedParent = index
                target.hasSource = true
            } else {
                used.remove("partition-generated")  // no plain nullable text FK to generate
            }
        }
        let defaultable = candidates.filter { $0 != generated }
        if !defaultable.isEmpty, use(.fkDefaults, 40, "fk-defaults") {
            let index = random.pick(defaultable)
            let parent = parents[index]
            let key = random.chance(50) ? parent.existing[0][0] : (parent.key == .int ? "17" : "N7")
            parents[index].factDefault = random.chance(85) ? DiffCase.literal(key, type: parent.factTypes[0]) : "NULL"
        }
    }

    /// The partitions: plain, or one that generates an FK column (maybe one level down,
    /// in a sub-partition by id), and partitions with DEFAULTs of their own.
    mutating func makePartitions() {
        let s = DiffCase.schemaToken
        var generatedIn: String?
        if let index = target.generatedParent {
            let parent = parents[index], column = parent.factColumns[0], type = parent.factTypes[0]
            let sub = random.chance(40)
            let holder = sub ? "fact_a1" : "fact_a"
            generatedIn = holder
            // Sub-partitions by id: a unique key of the target, (kind, id), must hold every
            // partitioning column. The input's ids (100 on) go where the column is generated.
            if sub {
                create.append("CREATE TABLE \(s).fact_a PARTITION OF \(s).fact FOR VALUES IN ('a') PARTITION BY RANGE (id);")
            }
            create.append("""
                CREATE TABLE \(s).\(holder) (LIKE \(s).fact INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE \(s).\(holder) DROP COLUMN \(column);
                ALTER TABLE \(s).\(holder) ADD COLUMN \(column) \(type) GENERATED ALWAYS AS (src || '_G') STORED;
                ALTER TABLE \(s).\(sub ? "fact_a" : "fact") ATTACH PARTITION \(s).\(holder) \(sub ? "FOR VALUES FROM (100) TO (MAXVALUE)" : "FOR VALUES IN ('a')");
                """)
            if sub { create.append("CREATE TABLE \(s).fact_a0 PARTITION OF \(s).fact_a DEFAULT;") }
        } else {
            create.append("CREATE TABLE \(s).fact_a PARTITION OF \(s).fact FOR VALUES IN ('a');")
        }
        create.append("CREATE TABLE \(s).fact_b PARTITION OF \(s).fact FOR VALUES IN ('b');")
        for parent in parents where parent.factDefault != nil {
            let column = parent.factColumns[0]
            for partition in ["fact_a", "fact_b"] where partition != generatedIn && random.chance(60) {
                let key = parent.key == .int ? "1\(random.int(5...8))" : "P\(random.int(5...8))"
                create.append("ALTER TABLE \(s).\(partition) ALTER COLUMN \(column) SET DEFAULT \(DiffCase.literal(key, type: parent.factTypes[0]));")
            }
        }
    }

    /// Triggers on the target: rewrite an FK column (target-trigger-keys), return NULL for
    /// some rows, or fire on UPDATE only (which a load never does).
    mutating func makeTargetTriggers() {
        let s = DiffCase.schemaToken
        var trigger: (timing: String, body: String)?
        if let parent = parents.first(where: { ($0.key == .int || $0.key == .text) && $0.factDefault == nil }),
           use(.targetTriggerKeys, 30, "target-trigger-keys") {
            let column = parent.factColumns[0]
            trigger = ("BEFORE INSERT", parent.key == .int ? "NEW.\(column) := NEW.\(column) + 1; RETURN NEW;"
                : "NEW.\(column) := upper(NEW.\(column)); RETURN NEW;")
        } else if use(.targetTriggers, 30, "target-triggers") {
            trigger = random.chance(50) ? ("BEFORE INSERT", "IF NEW.amount > 80 THEN RETURN NULL; END IF; RETURN NEW;")
                : ("BEFORE UPDATE", "NEW.note := 'upd'; RETURN NEW;")
        }
        guard var trigger else { return }
        if use(.unqualifiedCode, 50, "unqualified-code") {
            // An unqualified table in the function, as applications write it.
            create.append("CREATE TABLE \(s).fact_audit (n int);")
            trigger.body = "INSERT INTO fact_audit VALUES (1); " + trigger.body
        }
        create.append("""
            CREATE FUNCTION \(s).fact_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \(trigger.body) END $$;
            CREATE TRIGGER fact_trg \(trigger.timing) ON \(s).fact FOR EACH ROW EXECUTE FUNCTION \(s).fact_trg();
            """)
    }

    /// An inheritance child of a plain target, with a row of its own: an id the input may
    /// repeat (no constraint of the target covers the child), keys its parents hold.
    mutating func makeTargetChild() {
        guard !target.partitioned, use(.inheritTarget, 35, "inherit-target") else { return }
        let s = DiffCase.schemaToken
        target.childIDs = [4]
        create.append("CREATE TABLE \(s).fact_c (extra text) INHERITS (\(s).fact);")
        let names = ["id"] + parents.flatMap(\.factColumns) + ["amount", "batch"]
        var values = ["4"]
        for parent in parents {
            values += zip(parent.existing[0], parent.keyTypes).map { DiffCase.literal($0, type: $1) }
        }
        data.append("INSERT INTO \(s).fact_c (\(names.joined(separator: ", "))) VALUES (\((values + ["5", "1"]).joined(separator: ", ")));")
    }
}
