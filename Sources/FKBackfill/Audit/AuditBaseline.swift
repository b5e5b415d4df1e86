import Foundation

/// The findings a team has accepted for now (`audit --write-baseline FILE`), so that
/// `audit --baseline FILE` reports, and fails on, only what is new, as linters do.
///
/// A finding is known by its identity: its kind and its object (`missing-index` +
/// `shop.orders.customer_id`), never its message, so a reworded message, a new piece of
/// evidence or a changed severity does not make an old finding new. Two findings of one
/// identity count twice: a second one is new.
public struct AuditBaseline: Sendable, Equatable {
    /// What makes a finding the same finding from one run to the next.
    public struct Identity: Hashable, Comparable, Sendable, CustomStringConvertible {
        public var kind: String
        public var object: String

        public init(kind: String, object: String) {
            self.kind = kind
            self.object = object
        }

        public static func < (lhs: Identity, rhs: Identity) -> Bool { (lhs.kind, lhs.object) < (rhs.kind, rhs.object) }
        public var description: String { "\(kind) \(object)" }
    }

    /// One recorded finding: its identity, and for the people reading the file in review
    /// its severity and message at the time (neither is compared).
    public struct Entry: Sendable, Equatable, Codable {
        public var kind: String
        public var object: String
        public var severity: String
        public var message: String

        var identity: Identity { Identity(kind: kind, object: object) }
    }

    /// The scope audited when the file was written (`all tables`, `schema S`, a table).
    public var scope: String
    /// Sorted by identity, so the file diffs well in review.
    public var entries: [Entry]

    /// A baseline of `findings`, as `--write-baseline` records them (all of them, before
    /// `--min-severity`/`--only`).
    public init(scope: String, findings: [AuditReport.Finding]) {
        self.scope = scope
        entries = findings.map { Entry(kind: $0.kind, object: $0.object, severity: $0.severity.rawValue, message: $0.message) }
            .sorted { ($0.identity, $0.message) < ($1.identity, $1.message) }
    }

    /// The file's JSON: `schemaVersion`, `scope`, `findings`, keys sorted, byte-stable.
    public var json: String {
        struct Document: Encodable {
            var schemaVersion = 1
            var tool = "fkbackfill audit baseline"
            var scope: String
            var findings: [Entry]
        }
        return encodeJSON(Document(scope: scope, findings: entries))
    }

    /// Reads a file `--write-baseline` wrote.
    /// - Throws: `.badInput` when it is missing or is not such a file.
    public static func read(path: String) throws(FKBackfillError) -> AuditBaseline {
        struct Document: Decodable {
            var schemaVersion: Int
            var scope: String
            var findings: [Entry]
        }
        let hint = "write one with `fkbackfill audit … --write-baseline \(path)`"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FKBackfillError("cannot read the baseline \(path)", hint: hint, kind: .badInput(line: nil))
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw FKBackfillError("\(path) is not an audit baseline: \(describe(error))", hint: hint, kind: .badInput(line: nil))
        }
        guard document.schemaVersion == 1 else {
            throw FKBackfillError("\(path): baseline schemaVersion \(document.schemaVersion) is not 1", hint: hint, kind: .badInput(line: nil))
        }
        var baseline = AuditBaseline(scope: document.scope, findings: [])
        baseline.entries = document.findings
        return baseline
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "bad \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not JSON"
        }
    }
}

extension AuditReport {
    /// What `--baseline` did: how many findings it hid as known, and which known ones are
    /// no longer found (fixed, or their object is gone).
    public struct BaselineOutcome: Sendable, Equatable {
        /// The baseline file as given.
        public var file: String
        /// Known findings left out of `findings` (before `--min-severity`/`--only`).
        public var hidden: Int
        /// Findings of the baseline this run did not find, sorted.
        public var gone: [AuditBaseline.Identity]
        /// Findings this run found that the baseline does not hold.
        public var new: Int
    }

    /// Leaves out of `findings` those the baseline knows, one per recorded entry, and
    /// records what was hidden and what is gone. Run before `filter`, so the summary
    /// counts, and the exit code looks at, the new findings only.
    mutating func apply(_ baseline: AuditBaseline, file: String) {
        var known: [AuditBaseline.Identity: Int] = [:]
        for entry in baseline.entries { known[entry.identity, default: 0] += 1 }
        var hidden = 0
        findings.removeAll { finding in
            let identity = AuditBaseline.Identity(kind: finding.kind, object: finding.object)
            guard let left = known[identity], left > 0 else { return false }
            known[identity] = left - 1
            hidden += 1
            return true
        }
        let gone = known.flatMap { identity, left in Array(repeating: identity, count: left) }.sorted()
        baselineOutcome = BaselineOutcome(file: file, hidden: hidden, gone: gone, new: findings.count)
    }
}
