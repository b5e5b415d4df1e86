import RegexBuilder
import Foundation

/// What one PL/pgSQL trigger function's body calls by name and INSERTs into, and the
/// `search_path` those names resolve on when the trigger runs: the function's own
/// `SET search_path` if it has one, the user's otherwise (nil). Read from the source, not
/// run (`ParentColumnFacts`), for `Validator.callsWritingCode`, which must look a called
/// name up where PostgreSQL would: a VOLATILE function of the same name in a schema the
/// trigger never sees (another application's, a concurrent test's) writes nothing here.
struct TriggerCalls: Hashable, Sendable {
    /// A function name as the body writes it: `schema` only when qualified there.
    /// Unquoted parts are lower-cased, quoted ones kept, as PostgreSQL folds them.
    struct FunctionName: Hashable, Sendable, Comparable {
        var schema: String?
        var name: String

        static func < (lhs: FunctionName, rhs: FunctionName) -> Bool {
            (lhs.schema ?? "", lhs.name) < (rhs.schema ?? "", rhs.name)
        }
    }

    /// The function's own `SET search_path` value; nil: the user's path applies.
    var searchPath: String?
    var functions: Set<FunctionName> = []
    /// The operators it uses (`new.id ### 0`, `OPERATOR(app.###)`): an operator's function
    /// is called as a named one is (hostile review 23: a user's operator deleting the
    /// clashing row went unseen).
    var operators: Set<FunctionName> = []
    /// The tables it INSERTs into, as written (`to_regclass` reads them on `searchPath`).
    var inserts: Set<String> = []

    /// The `search_path=` setting of a function's `proconfig` entries, if any.
    static func searchPath(config: [String?]) -> String? {
        config.compactMap { $0 }.last { $0.hasPrefix("search_path=") }.map { String($0.dropFirst("search_path=".count)) }
    }

    /// The names a PL/pgSQL body calls as functions (`name(`, `schema.name(`, either part
    /// quoted or not, letters beyond ASCII too) and the tables it INSERTs into, comments
    /// and string constants set aside as PostgreSQL's scanner reads them (`PLpgSQLText`).
    /// Keywords followed by a parenthesis (`IF (`, `VALUES (`) are read as names too: a
    /// function of the user's by such a name is looked up like any other, which can only
    /// leave more unchecked.
    static func read(_ source: String, searchPath: String?) -> TriggerCalls {
        let code = PLpgSQLText.code(source)
        var calls = TriggerCalls(searchPath: searchPath)
        let name = PLpgSQLText.identifier
        let called = Regex { Optionally { Capture { name }; /\s*\.\s*/ }; Capture { name }; /\s*\(/ }
        for match in code.matches(of: called) {
            calls.functions.insert(FunctionName(schema: match.output.1.map(PLpgSQLText.folded), name: PLpgSQLText.folded(match.output.2)))
        }
        // Operators: runs of `scan.l`'s operator characters; one that ends in + or - and
        // has none of ~!@#%^&|`? is also read without them, as PostgreSQL splits `=-1`.
        for match in code.matches(of: /[+\-*\/<>=~!@#%^&|`?]+/) {
            let token = String(match.output)
            calls.operators.insert(FunctionName(name: token))
            if !token.contains(where: { "~!@#%^&|`?".contains($0) }) {
                let trimmed = String(token.reversed().drop { $0 == "+" || $0 == "-" }.reversed())
                if !trimmed.isEmpty { calls.operators.insert(FunctionName(name: trimmed)) }
            }
        }
        let qualifiedOperator = Regex {
            /(?i)\boperator\s*\(\s*/; Capture { name }; /\s*\.\s*/; Capture { /[+\-*\/<>=~!@#%^&|`?]+/ }; /\s*\)/
        }
        for match in code.matches(of: qualifiedOperator) {
            calls.operators.insert(FunctionName(schema: PLpgSQLText.folded(match.output.1), name: String(match.output.2)))
        }
        let inserted = Regex { /(?i)\binsert\s+into\s+/; Capture { name; Optionally { /\s*\.\s*/; name } } }
        calls.inserts = Set(code.matches(of: inserted).map { String($0.output.1) })
        return calls
    }
}
