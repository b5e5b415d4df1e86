/// `target-cycle` (issue #24, item 2): a parent references the target's id, so the target
/// sits in a cycle with it (fact → pN → fact). The back reference is nullable, NOT NULL
/// (set on the existing rows once the fact's own are in), or DEFERRABLE; with rules, a new
/// parent row's reference is its input row's own id, so it points at a row only the load
/// brings: the order of the writes decides whether PostgreSQL takes them.
extension DiffGenerator {
    mutating func makeTargetCycle() {
        guard target.idUnique, !target.partitioned,
              let parent = parents.first(where: { ($0.key == .int || $0.key == .text) && $0.partition == nil }),
              use(.targetCycle, 60, "target-cycle") else { return }
        let s = DiffCase.schemaToken
        let deferrable = random.chance(30) ? " DEFERRABLE" : ""
        create.append("ALTER TABLE \(s).\(parent.name) ADD COLUMN tid int, "
            + "ADD CONSTRAINT \(parent.name)_tid FOREIGN KEY (tid) REFERENCES \(s).fact (id)\(deferrable);")
        if let id = target.existingIDs.first, random.chance(70) {
            data.append("UPDATE \(s).\(parent.name) SET tid = \(id); ALTER TABLE \(s).\(parent.name) ALTER COLUMN tid SET NOT NULL;")
        }
        if random.chance(90) {
            rulesTables[parentKey(parent.index), default: []].append(
                random.pick(["tid: { from: id }", "tid: { from: id }", "tid: { from: id, pick: max }", "tid: { value: '1' }"]))
        }
    }
}
