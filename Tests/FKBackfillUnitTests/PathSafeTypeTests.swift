@testable import FKBackfill
import Testing

/// Type names as `format_type` prints them, qualified where the path could change them.
@Suite struct PathSafeTypeTests {
    @Test(arguments: [
        ("text", "pg_catalog.text"), ("date", "pg_catalog.date"), ("jsonb[]", "pg_catalog.jsonb[]"), ("bpchar", "pg_catalog.bpchar"),
        ("\"char\"", "pg_catalog.\"char\""), ("integer", "integer"), ("numeric(18,4)", "numeric(18,4)"),
        ("character varying(3)", "character varying(3)"), ("character varying", "character varying"),
        ("timestamp with time zone", "timestamp with time zone"), ("bigint[]", "bigint[]"), ("public.citext", "public.citext"),
        ("\"My Schema\".\"My Type\"", "\"My Schema\".\"My Type\""), ("boolean", "boolean"), ("interval", "interval"),
    ])
    func bareNamesOfPgCatalogAreQualified(_ formatted: String, _ expected: String) {
        #expect(PathSafeType.text(formatted) == expected)
    }
}
