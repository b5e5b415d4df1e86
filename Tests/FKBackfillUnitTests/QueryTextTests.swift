@testable import FKBackfill
import Testing

/// A `--query`'s tail as the cursor's subquery needs it: trailing blanks, semicolons and
/// comments off, what quotes hold kept (hostile review 8: `SELECT …; -- the month`).
@Suite struct QueryTextTests {
    @Test(arguments: [
        ("SELECT 1", "SELECT 1"),
        ("SELECT 1;", "SELECT 1"),
        ("SELECT 1 ;\n  ", "SELECT 1"),
        ("SELECT id FROM src; -- the month", "SELECT id FROM src"),
        ("SELECT id FROM src -- the month", "SELECT id FROM src"),
        ("SELECT 1 /* a /* nested */ b */ ; -- c\n", "SELECT 1"),
        ("SELECT '--x;' AS v;", "SELECT '--x;' AS v"),
        ("SELECT 'it''s -- not' AS v -- yes", "SELECT 'it''s -- not' AS v"),
        ("SELECT E'a\\' -- b' AS v; -- c", "SELECT E'a\\' -- b' AS v"),
        ("SELECT \"a--b\" FROM t;", "SELECT \"a--b\" FROM t"),
        ("SELECT $q$ -- ; $q$ AS v;", "SELECT $q$ -- ; $q$ AS v"),
        ("SELECT $$;$$;", "SELECT $$;$$"),
        ("SELECT a$b FROM t -- x", "SELECT a$b FROM t"),
        ("SELECT 1 -- one\n-- two\n;", "SELECT 1"),
        ("SELECT $・$--$・$ AS v FROM src", "SELECT $・$--$・$ AS v FROM src"),
        ("SELECT a FROM t WHERE a LIKE 'a\\_%' ESCAPE'\\'; -- a_ only", "SELECT a FROM t WHERE a LIKE 'a\\_%' ESCAPE'\\'"),
    ])
    func theTailIsTrimmed(_ query: String, _ expected: String) {
        #expect(QueryText.trimmed(query) == expected)
    }
}
