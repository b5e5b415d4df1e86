/// Why FKs are not covered, said once per parent (issue 27): every FK to one parent
/// shares that parent's reasons, and a reason inherited from a grandparent ("new rows of
/// P need rows in Q: …") is only a pointer to Q when Q's own reasons are shown too.
/// Text and HTML both list these groups instead of each FK's full chain.
extension AuditReport {
    struct ReasonGroup {
        var parent: TableName
        var status: Status
        var constraints: [String]
        var reasons: [String]
    }

    /// The parents whose reasons the report shows, by their display name.
    var blockingParents: [String: TableName] {
        var parents: [String: TableName] = [:]
        for fk in foreignKeys where fk.status == .uncovered { parents[fk.referencedTable.display] = fk.referencedTable }
        return parents
    }

    /// `keys`' reasons grouped by parent and status, chains to another blocking parent
    /// shortened to one line naming it.
    func reasonGroups(_ keys: [ForeignKeyResult], blocking: [String: TableName]? = nil) -> [ReasonGroup] {
        let blocking = blocking ?? blockingParents
        var groups: [ReasonGroup] = []
        for fk in keys where !fk.reasons.isEmpty {
            let reasons = shortened(fk.reasons, parent: fk.referencedTable, blocking: blocking)
            if let at = groups.firstIndex(where: { $0.parent == fk.referencedTable && $0.status == fk.status && $0.reasons == reasons }) {
                groups[at].constraints.append(fk.name)
            } else {
                groups.append(ReasonGroup(parent: fk.referencedTable, status: fk.status, constraints: [fk.name], reasons: reasons))
            }
        }
        return groups
    }

    /// "new rows of P need rows in Q: …" becomes one "new rows of P need rows in Q (see
    /// Q's reasons)" when Q is a blocking parent of the report.
    func shortened(_ reasons: [String], parent: TableName, blocking: [String: TableName]) -> [String] {
        let prefix = "new rows of \(parent.display) need rows in "
        var out: [String] = []
        for reason in reasons {
            guard reason.hasPrefix(prefix) else { out.append(reason); continue }
            let rest = reason.dropFirst(prefix.count)
            if let colon = rest.range(of: ": "), let grandparent = blocking[String(rest[..<colon.lowerBound])], grandparent != parent {
                let pointer = "new rows of \(parent.display) need rows in \(grandparent.display) (see the reasons for \(grandparent.display))"
                if !out.contains(pointer) { out.append(pointer) }
            } else {
                out.append(reason)
            }
        }
        return out
    }
}
