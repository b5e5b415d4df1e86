@testable import FKBackfill
import Testing

/// The names a trigger body calls, read as PostgreSQL reads them, for the lookup on the
/// trigger's path (`Validator.callsWritingCode`, ReadOnlyTriggerSafeTests).
@Suite struct TriggerCallsTests {
    typealias Name = TriggerCalls.FunctionName

    @Test func qualifiedAndQuotedNamesAreKeptAsWritten() {
        let calls = TriggerCalls.read("""
            BEGIN NEW.a := Stamp_Of(now()); NEW.b := audit.Purge ( NEW.id ); NEW.c := "Odd"."Fn""X"(1);
            -- gone(1) in a comment
            NEW.d := 'quoted(1)'; INSERT INTO log.Entries VALUES (NEW.id); RETURN NEW; END
            """, searchPath: nil)
        #expect(calls.functions.isSuperset(of: [Name(name: "stamp_of"), Name(name: "now"), Name(schema: "audit", name: "purge"),
                                                Name(schema: "Odd", name: "Fn\"X")]))
        #expect(!calls.functions.contains { ["gone", "quoted", "odd"].contains($0.name) }, "\(calls.functions)")
        #expect(!calls.functions.contains(Name(name: "purge")))
        #expect(calls.inserts == ["log.Entries"])
    }

    @Test func theFunctionsOwnSearchPathIsTaken() {
        #expect(TriggerCalls.searchPath(config: ["work_mem=4MB", "search_path=audit, pg_catalog"]) == "audit, pg_catalog")
        #expect(TriggerCalls.searchPath(config: ["work_mem=4MB"]) == nil)
        #expect(TriggerCalls.searchPath(config: []) == nil)
    }
}
