@testable import FKBackfill
import Testing

/// What `SQLNames.scan` reads from an expression's text: functions, operators, other
/// names; nothing from literals, comments or parameters.
@Suite struct SQLNamesTests {
    func names(_ text: String) -> [String] {
        SQLNames.scan(text).map { name in
            let kind = switch name.kind { case .function: "f"; case .operator: "o"; case .relation: "r" }
            return "\(kind):\(name.schema.map { "\($0)." } ?? "")\(name.name)"
        }
    }

    @Test func functionsOperatorsAndNames() {
        #expect(names("jsonb_build_array(to_char(min(\"month\"), 'YYMM') || 'new')")
            == ["f:jsonb_build_array", "f:to_char", "f:min", "r:month"])
        #expect(names("My.F (x) + \"Odd\"\"Schema\" . \"G\"(1) OPERATOR(evil.===) y") == ["f:my.f", "r:x", "f:Odd\"Schema.G", "o:evil.===", "r:y"])
        #expect(names("OPERATOR(pg_catalog.+)") == ["o:pg_catalog.+"])
        #expect(names("CAST(a AS myschema.dom)::other.t") == ["f:cast", "r:a", "r:as", "r:myschema.dom", "r:other.t"])
    }

    @Test func literalsCommentsAndParametersHoldNone() {
        #expect(names("'evil.f(1)' || E'it''s \\' evil.g(' || $tag$ evil.h() $tag$ || $$x()$$") == [])
        #expect(names("-- evil.f()\n/* evil.g() */ $1 + $12 + 1.5e3") == [])
        #expect(names("x'ff' || b'01' || e'\\n'") == [])
    }
}
