@testable import FKBackfill
import Testing

/// `AssignmentFit`: which assignment casts cannot fail, so that the standby names only
/// the derived values an insert may refuse (a varchar(20) into a varchar(50) is not one).
@Suite struct AssignmentFitTests {
    @Test(arguments: [
        ("character varying(20)", "character varying(50)"), ("character varying(20)", "character varying(20)"),
        ("character varying(20)", "text"), ("character(6)", "character varying(6)"), ("text", "character varying"),
        ("character varying(3)", "character(3)"), ("smallint", "integer"), ("integer", "bigint"), ("bigint", "numeric"),
        ("integer", "numeric(12,2)"), ("numeric(18,4)", "numeric"), ("numeric(10,2)", "numeric(12,3)"), ("real", "double precision"),
        ("bigint", "bigint"),
    ])
    func widenings(from: String, to: String) {
        #expect(AssignmentFit.alwaysFits(from: from, to: to), "\(from) → \(to)")
    }

    @Test(arguments: [
        ("character varying(50)", "character varying(20)"), ("text", "character varying(20)"), ("character varying", "character varying(8)"),
        ("character varying(20)", "character(10)"), ("integer", "smallint"), ("bigint", "integer"), ("numeric", "numeric(10,2)"),
        ("numeric(10,3)", "numeric(12,2)"), ("numeric(12,2)", "numeric(11,2)"), ("integer", "numeric(10,2)"), ("date", "timestamp without time zone"),
        ("text", "date"), ("double precision", "real"), ("character varying(20)[]", "character varying(50)[]"), ("s.code", "s.other"),
        ("integer", "s.int_domain"), ("smallint", "numeric(5,-2)"), ("integer", "numeric(8,-2)"),
    ])
    func castsAnInsertMayRefuse(from: String, to: String) {
        #expect(!AssignmentFit.alwaysFits(from: from, to: to), "\(from) → \(to)")
    }
}
