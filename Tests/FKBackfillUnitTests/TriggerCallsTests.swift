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

    /// Quoted text and comments read as PostgreSQL's scanner reads them, each hiding the
    /// others (hostile review 23: `'--'` or `$q$it's$q$` hid a call later on the line).
    @Test func quotingHidesNoCall() {
        let bodies = [
            "s := '--'; n := purge_old(new.id);",
            "s := '/*'; n := purge_old(new.id); s := '*/';",
            "s := $q$it's$q$; n := purge_old(new.id); s := 'x';",
            "s := E'it\\'s'; n := purge_old(new.id); s := 'x';",
            "DECLARE \"s--\" text; BEGIN n := purge_old(new.id);",
            "/* outer /* inner */ still(1) */ n := purge_old(new.id);",
        ]
        for body in bodies {
            let calls = TriggerCalls.read(body, searchPath: nil)
            #expect(calls.functions.contains(Name(name: "purge_old")), "\(body): \(calls.functions)")
            #expect(!calls.functions.contains(Name(name: "still")), "\(body)")
        }
        #expect(TriggerCalls.read("x := $1 + f($2); y := $$g(1)$$;", searchPath: nil).functions == [Name(name: "f")])
    }

    /// Names of letters beyond ASCII, folded as PostgreSQL folds them (ASCII only).
    @Test func namesBeyondASCII() {
        let calls = TriggerCalls.read("n := purge_ält(new.id); m := LÖSCHE(1); NEW.größe := 1; INSERT INTO protokoll_ä VALUES (1);", searchPath: nil)
        #expect(calls.functions.isSuperset(of: [Name(name: "purge_ält"), Name(name: "lÖsche")]), "\(calls.functions)")
        #expect(calls.inserts == ["protokoll_ä"])
        #expect(ParentColumnFacts.assignedColumns("NEW.größe := 1; NEW.\"a--b\" := 2; x := '--'; NEW.c := 3;") == ["größe", "a--b", "c"])
    }

    /// Operators, as PostgreSQL's scanner splits them, and qualified ones.
    @Test func operatorsAreRead() {
        let calls = TriggerCalls.read("n := new.id ### 0; m := a OPERATOR(app.@@) b; k := x=-1; s := '&&';", searchPath: nil)
        #expect(calls.operators.isSuperset(of: [Name(name: "###"), Name(schema: "app", name: "@@"), Name(name: "=")]))
        #expect(calls.operators.contains(Name(name: "=-")) && !calls.operators.contains(Name(name: "&&")), "\(calls.operators)")
    }
}
