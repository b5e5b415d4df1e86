@testable import FKBackfill
import Testing

/// What read-only validate takes for a trigger that keeps every new parent row out
/// (Validator+ParentDroppedRows.swift): sure only where nothing in the body decides.
@Suite struct ParentDroppedRowsTests {
    @Test(arguments: [
        ("BEGIN RETURN NULL; END", true),
        ("BEGIN INSERT INTO audit VALUES (NEW.code); RETURN NULL; END", true),
        ("BEGIN -- IF NEW.code = 'x' THEN\n RETURN NULL; END", true),
        ("BEGIN RAISE NOTICE 'if %', NEW.code; RETURN NULL; END", true),
        ("BEGIN IF NEW.name IS NULL THEN RETURN NULL; END IF; RETURN NEW; END", false),
        ("BEGIN RETURN NEW; END", false),
        ("BEGIN PERFORM 1; RETURN NEW; RETURN NULL; END", false),
        ("BEGIN CASE WHEN NEW.x THEN RETURN NULL; END CASE; END", false),
        ("BEGIN BEGIN RETURN NULL; EXCEPTION WHEN others THEN RETURN NEW; END; END", false),
        ("BEGIN EXECUTE 'SELECT 1'; RETURN NULL; END", false),
        ("BEGIN FOR r IN SELECT 1 LOOP END LOOP; RETURN NULL; END", false),
    ])
    func aBodyThatReturnsNullForEveryRow(_ body: String, _ always: Bool) {
        #expect(Validator.alwaysReturnsNull(body) == always, "\(body)")
    }

    /// The condition of a body that only skips rows under it, cut from the source as
    /// written; nil for any other shape.
    @Test(arguments: [
        (" BEGIN IF NEW.name IS NULL THEN RETURN NULL; END IF; RETURN NEW; END ", "NEW.name IS NULL"),
        ("begin\n  if new.code = 'THEN; x' or NEW.\"Kind\" <> 'a' then\n    return null;\n  end if;\n  return new;\nend;", "new.code = 'THEN; x' or NEW.\"Kind\" <> 'a'"),
        ("BEGIN IF NEW.name IS NULL /* then */ THEN RETURN NULL; END IF; RETURN NEW; END", "NEW.name IS NULL"),
        ("BEGIN IF NEW.name IS NULL THEN RETURN NULL; END IF; NEW.x := 1; RETURN NEW; END", nil),
        ("BEGIN IF NEW.name IS NULL THEN RETURN NEW; END IF; RETURN NULL; END", nil),
        ("BEGIN IF EXISTS (SELECT 1 FROM t) THEN RETURN NULL; END IF; RETURN NEW; END", nil),
        ("DECLARE n int; BEGIN IF n > 1 THEN RETURN NULL; END IF; RETURN NEW; END", nil),
        ("BEGIN IF a THEN RETURN NULL; ELSIF b THEN RETURN NULL; END IF; RETURN NEW; END", nil),
        ("BEGIN RETURN NULL; END", nil),
    ] as [(String, String?)])
    func aBodyThatSkipsRowsUnderOneCondition(_ body: String, _ condition: String?) {
        #expect(Validator.skipCondition(body) == condition, "\(body)")
    }
}
