@testable import FKBackfill
import Testing

/// DEFAULTs never asked of the server by `NullDefaults`: constants and the clock, as
/// `pg_get_expr` prints them; anything else (a setting, a function) is evaluated.
@Suite struct NullDefaultsTests {
    @Test(arguments: [
        ("0", true), ("'open'::text", true), ("'it''s'::character varying", true), ("(-1)", true), ("1.5", true),
        ("true", true), ("now()", true), ("CURRENT_TIMESTAMP", true), ("CURRENT_DATE", true), ("'{}'::text[]", true),
        ("'x'::character varying(20)", true),
        ("current_setting('app.uid'::text, true)", false), ("nullif(1, 1)", false), ("public.uid()", false),
        ("'a'::text || NULL::text", false), ("NULL::text", false),
    ])
    func aConstantOrTheClockIsNeverNull(_ expression: String, _ never: Bool) {
        #expect(NullDefaults.neverNull(expression) == never, "\(expression)")
    }
}
