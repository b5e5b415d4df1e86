/// Whether PostgreSQL's assignment cast from one column type to another can never fail,
/// by the types' `format_type` spellings alone.
///
/// The read-only validate names a derived value the insert casts into a column of
/// another type ("one it cannot take is not found"): on the standby it cannot run that
/// cast. Many such casts cannot fail at all, and naming them made the bench's own
/// annuity month inexact on a standby: a portfolio's `kind varchar(50)` taking the most
/// frequent of the facts' `kind varchar(20)`. Only widenings every value survives
/// unchanged count: text into longer or unbounded text, an integer into a wider one or
/// an unconstrained `numeric`, a `numeric(p,s)` into one with as many digits on both
/// sides of the point, `real` into `double precision`. Anything else (a date into a
/// timestamp, whose range is narrower; a user type; a domain) is left to the insert.
enum AssignmentFit {
    /// True when every value of type `from` is stored unchanged, or as text of the same
    /// characters, by an assignment into `to`.
    static func alwaysFits(from: String, to: String) -> Bool {
        if from == to { return true }
        let source = Spelling(from), target = Spelling(to)
        switch (source.base, target.base) {
        case ("text", "text"), ("character varying", "text"), ("character", "text"):
            return true
        case ("text", "character varying"), ("character varying", "character varying"), ("character", "character varying"):
            // Unbounded target, or a bound at least the source's (char(n) loses only its
            // padding, which varchar does not count).
            guard let bound = target.modifiers.first else { return true }
            guard source.base != "text", let length = source.modifiers.first else { return false }
            return bound >= length
        case ("character varying", "character"), ("character", "character"):
            guard let bound = target.modifiers.first, let length = source.modifiers.first else { return false }
            return bound >= length
        case ("smallint", "integer"), ("smallint", "bigint"), ("integer", "bigint"), ("real", "double precision"):
            return true
        case ("smallint", "numeric"), ("integer", "numeric"), ("bigint", "numeric"):
            // An integer of up to 19 digits: an unconstrained numeric, or enough digits
            // before the point and a scale of 0 or more (numeric(5,-2) rounds 149 to 100:
            // it cannot fail, but the value is not stored unchanged, as `alwaysFits` says).
            guard target.modifiers.count == 2 else { return target.modifiers.isEmpty }
            guard target.modifiers[1] >= 0 else { return false }
            let digits = ["smallint": 5, "integer": 10, "bigint": 19][source.base] ?? Int.max
            return target.modifiers[0] - target.modifiers[1] >= digits
        case ("numeric", "numeric"):
            guard target.modifiers.count == 2 else { return target.modifiers.isEmpty }
            guard source.modifiers.count == 2 else { return false }
            return target.modifiers[1] >= source.modifiers[1]
                && target.modifiers[0] - target.modifiers[1] >= source.modifiers[0] - source.modifiers[1]
        default:
            return false
        }
    }

    /// A `format_type` spelling split into its name and type modifiers:
    /// `character varying(20)` is ("character varying", [20]), `numeric(18,4)` is
    /// ("numeric", [18, 4]). A qualified or quoted name (a user type) keeps its text and
    /// matches nothing above.
    struct Spelling {
        var base: String
        var modifiers: [Int] = []

        init(_ text: String) {
            guard text.hasSuffix(")"), let open = text.firstIndex(of: "(") else {
                base = text
                return
            }
            base = String(text[..<open])
            let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
            let numbers = inside.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if numbers.contains(nil) { base = text } else { modifiers = numbers.compactMap { $0 } }
        }
    }
}
