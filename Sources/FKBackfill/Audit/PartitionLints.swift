import PostgresClient

/// What the audit says about partitioned tables: FKs declared on partitions rather than
/// on the partitioned table, and triggers declared on partitions. PostgreSQL checks each
/// partition's rows against that partition's own FKs only, so partitions may rightly
/// reference different parents; the audit says so and never suggests an FK on the
/// partitioned table that another partition's rows would break.
struct PartitionLints {
    typealias Finding = AuditReport.Finding

    /// A partition of an audited partitioned table.
    struct Partition {
        var name: TableName
        var parent: TableName
        var leaf: Bool
    }

    /// Partitions by partitioned table (every level), and user triggers declared on them.
    var partitions: [TableName: [Partition]] = [:]
    var triggers: [TableName: [(partition: TableName, names: [String])]] = [:]
    /// Each partition's indexes, as leading-column lists (for FKs declared on a partition).
    var indexes: [TableName: [[String]]] = [:]

    /// Reads the partition trees of `tables` (the partitioned ones) in two queries.
    static func read(_ tables: [Table], on session: Session) throws -> PartitionLints {
        var lints = PartitionLints()
        let roots = tables.filter { $0.kind == .partitioned }
        guard !roots.isEmpty else { return lints }
        let rows = try session.execute(
            """
            SELECT rn.nspname AS root_schema, r.relname AS root_name, n.nspname, c.relname, pn.nspname AS parent_schema,
                   pc.relname AS parent_name, t.isleaf,
                   CAST(ARRAY(SELECT CAST(ARRAY(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY AS k(n, o)
                                                JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS text)
                              FROM pg_index x WHERE x.indrelid = t.relid) AS text) AS indexes,
                   CAST(ARRAY(SELECT g.tgname FROM pg_trigger g WHERE g.tgrelid = t.relid AND NOT g.tgisinternal
                              AND g.tgenabled <> 'D' AND g.tgparentid = 0 ORDER BY g.tgname) AS text) AS triggers
            FROM unnest(CAST(\(bindArray: roots.map { String($0.oid) }) AS oid[])) AS root(oid)
            JOIN pg_class r ON r.oid = root.oid JOIN pg_namespace rn ON rn.oid = r.relnamespace
            CROSS JOIN LATERAL pg_partition_tree(root.oid) AS t
            JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class pc ON pc.oid = t.parentrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE t.relid <> root.oid
            ORDER BY 1, 2, 3, 4
            """).rows
        for row in rows {
            let root = TableName(schema: try row.string("root_schema"), name: try row.string("root_name"))
            let name = TableName(schema: try row.string("nspname"), name: try row.string("relname"))
            lints.partitions[root, default: []].append(Partition(
                name: name, parent: TableName(schema: try row.string("parent_schema"), name: try row.string("parent_name")), leaf: row.bool("isleaf")))
            lints.indexes[name] = row.array("indexes").compactMap { $0 }.map { Self.parseArray($0) }
            let names = row.array("triggers").compactMap { $0 }
            if !names.isEmpty { lints.triggers[root, default: []].append((name, names)) }
        }
        return lints
    }

    /// The leaf partitions below `table` (itself when it is a leaf).
    func leaves(under table: TableName, of root: TableName) -> Set<TableName> {
        let all = partitions[root] ?? []
        if table == root { return Set(all.filter(\.leaf).map(\.name)) }
        var found: Set<TableName> = []
        var pending = [table]
        while let next = pending.popLast() {
            guard let node = all.first(where: { $0.name == next }) else { continue }
            if node.leaf { found.insert(next) }
            pending += all.filter { $0.parent == next }.map(\.name)
        }
        return found
    }

    /// FKs declared on partitions, per partitioned table: the same FK on every partition
    /// (safe to declare once on the table), or partitions that differ (nothing to declare).
    func foreignKeyFindings(_ keys: [ForeignKey]) -> [Finding] {
        let onPartitions = keys.filter { $0.declaredOn != $0.table && !$0.declared }
        var findings: [Finding] = []
        for (root, fks) in Dictionary(grouping: onPartitions, by: \.table).sorted(by: { $0.key < $1.key }) {
            let leaves = leaves(under: root, of: root)
            struct Signature: Hashable { var columns: [String]; var parent: TableName; var parentColumns: [String] }
            var covered: [Signature: (leaves: Set<TableName>, names: Set<String>)] = [:]
            for fk in fks {
                let signature = Signature(columns: fk.columns, parent: fk.referencedTable, parentColumns: fk.referencedColumns)
                covered[signature, default: ([], [])].leaves.formUnion(self.leaves(under: fk.declaredOn, of: root))
                covered[signature, default: ([], [])].names.insert(fk.name)
            }
            let uniform = covered.filter { !leaves.isEmpty && $0.value.leaves == leaves }
            for (signature, entry) in uniform.sorted(by: { $0.key.parent < $1.key.parent }) {
                let declare: SQL = "ALTER TABLE \(root) ADD FOREIGN KEY (\(idents: signature.columns)) REFERENCES \(signature.parent) (\(idents: signature.parentColumns));"
                findings.append(Finding(
                    kind: "partition-only-fk", severity: .warning, object: "\(root.description) (\(signature.columns.joined(separator: ", ")))",
                    message: "every partition of \(root.display) has its own FK from (\(signature.columns.joined(separator: ", "))) to "
                        + "\(signature.parent.display) (\(entry.names.sorted().joined(separator: ", "))), but \(root.display) has none: "
                        + "a partition added later will not check it",
                    fix: "declare it once on the partitioned table (each partition already satisfies it): \(declare)",
                    table: root))
            }
            let differing = covered.filter { !uniform.keys.contains($0.key) }
            guard !differing.isEmpty else { continue }
            let parts = differing.sorted { ($0.key.parent, $0.key.columns.joined(separator: ",")) < ($1.key.parent, $1.key.columns.joined(separator: ",")) }.map { signature, entry in
                "(\(signature.columns.joined(separator: ", "))) → \(signature.parent.display) on \(Self.list(entry.leaves))"
            }
            let withAny = differing.values.reduce(into: Set<TableName>()) { $0.formUnion($1.leaves) }
            let without = leaves.subtracting(withAny)
            findings.append(Finding(
                kind: "partition-fks-differ", severity: .warning, object: root.description,
                message: "the partitions of \(root.display) differ in their FKs: " + parts.joined(separator: "; ")
                    + (without.isEmpty ? "" : "; none of these on \(Self.list(without))")
                    + ". PostgreSQL checks each partition's rows against that partition's own FKs only",
                fix: "nothing to declare on \(root.display): an FK there applies to every partition and would reject the rows "
                    + "of the partitions that reference another table; give each new partition the FKs it needs",
                table: root))
        }
        return findings
    }

    /// Triggers declared on partitions fire for the rows routed there.
    func triggerFindings(on tables: [TableName]) -> [Finding] {
        tables.compactMap { table in
            guard let found = triggers[table], !found.isEmpty else { return nil }
            let listed = found.prefix(5).map { "\($0.partition.display): \($0.names.joined(separator: ", "))" }
            let more = found.count > 5 ? " and \(found.count - 5) more partitions" : ""
            return Finding(
                kind: "partition-triggers", severity: .info, object: table.description,
                message: "\(found.count) \(found.count == 1 ? "partition" : "partitions") of \(table.display) have enabled user triggers "
                    + "(\(listed.joined(separator: "; "))\(more)); they fire for every row a load routes there",
                fix: "keep them if loads must fire them; otherwise disable them on those partitions for bulk loads",
                table: table)
        }
    }

    /// A text array literal's elements (`{a,"b c"}`), as `format_type`-free column names need.
    static func parseArray(_ literal: String) -> [String] {
        var elements: [String] = [], current = "", quoted = false, escaped = false
        for char in literal.dropFirst().dropLast() {
            if escaped { current.append(char); escaped = false; continue }
            switch char {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle()
            case "," where !quoted: elements.append(current); current = ""
            default: current.append(char)
            }
        }
        if !literal.dropFirst().dropLast().isEmpty { elements.append(current) }
        return elements
    }

    /// Up to five names, then how many more.
    static func list(_ tables: Set<TableName>) -> String {
        let sorted = tables.sorted()
        let shown = sorted.prefix(5).map(\.display).joined(separator: ", ")
        return sorted.count > 5 ? "\(shown) and \(sorted.count - 5) more" : shown
    }
}
