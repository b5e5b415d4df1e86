@testable import FKBackfill
import Testing

/// Every problem `RulesParser` reports under `columns:`: sources, picks and flags.
@Suite struct RulesParserColumnErrorTests {
    /// The problems of one table `t` whose columns are `columns` (indented under it).
    static func problems(columns: String) throws -> [String] {
        let body = columns.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
        return try RulesParserErrorTests.problems("tables:\n  t:\n    columns:\n" + body + "\n")
    }

    @Test func columnsMustBeAMapping() throws {
        #expect(try RulesParserErrorTests.problems("tables:\n  t:\n    columns: [a]\n") == [
            "r.yaml:3:14: columns of t must be a mapping of column names to rules",
        ])
        #expect(try Self.problems(columns: "\"\": { from: x }") == ["r.yaml:4:7: a column name must be a string"])
    }

    @Test func aScalarRuleMustBeDefaultOrNull() throws {
        #expect(try Self.problems(columns: "a: x") == [
            "r.yaml:4:10: the rule of a must be a mapping such as { from: COLUMN } or { value: CONSTANT }, or default or null",
        ])
        #expect(try Self.problems(columns: "a: [x]") == ["r.yaml:4:10: the rule of a must be a mapping such as { from: COLUMN }"])
    }

    /// Yams refuses duplicate keys before the parser sees them, so the parser's own
    /// "has two rules" / "appears twice" checks are not reached; the YAML error names the key.
    @Test func twoRulesForOneColumnOrTwoEntriesForOneTable() throws {
        let column = try Self.problems(columns: "a: default\na: null")
        #expect(column.count == 1)
        #expect(column[0].hasPrefix("r.yaml:"))
        #expect(column[0].contains("not valid YAML: Parser: expected all keys to be unique"))
        #expect(column[0].contains("duplicated key(s): 'a'"))
        let table = try RulesParserErrorTests.problems("tables:\n  t:\n  t:\n")
        #expect(table.count == 1)
        #expect(table[0].contains("duplicated key(s): 't'"))
    }

    @Test func twoSourcesForOneColumn() throws {
        #expect(try Self.problems(columns: "a: { value: 1, sql: max(x), from: y }") == [
            "r.yaml:4:22: column a has two sources: value and sql (keep one)",
            "r.yaml:4:35: column a has two sources: value and from (keep one)",
        ])
    }

    @Test func noSource() throws {
        #expect(try Self.problems(columns: "a: { pick: max }") == [
            "r.yaml:4:7: column a has no source (give one of from, value, template, sql, default, null)",
        ])
    }

    @Test func eachSourceChecksItsValue() throws {
        #expect(try Self.problems(columns: "a: { from: '' }") == [
            "r.yaml:4:18: from takes a staged column name",
            "r.yaml:4:7: column a has no source (give one of from, value, template, sql, default, null)",
        ])
        #expect(try Self.problems(columns: "a: { value: [1] }").first == "r.yaml:4:19: value takes a constant")
        #expect(try Self.problems(columns: "a: { template: { x: y } }").first
            == "r.yaml:4:22: template takes a string such as \"{计划代码}_新建\"")
        #expect(try Self.problems(columns: "a: { sql: '' }").first == "r.yaml:4:17: sql takes an aggregate SQL expression")
    }

    @Test func flagsMustBeBooleans() throws {
        #expect(try Self.problems(columns: "a: { from: x, sorted: maybe, json_append: 2 }") == [
            "r.yaml:4:29: sorted must be true or false",
            "r.yaml:4:49: json_append must be true or false",
        ])
    }

    @Test func unknownKeysInARuleSuggestOrListTheSources() throws {
        #expect(try Self.problems(columns: "a: { form: x }\nb: { from: x, zzz: 1 }") == [
            "r.yaml:4:12: unknown key form in the rule of a (did you mean from?)",
            "r.yaml:4:7: column a has no source (give one of from, value, template, sql, default, null)",
            "r.yaml:5:21: unknown key zzz in the rule of b (a column takes one of from, value, template, sql, default, null)",
        ])
    }

    @Test func pickGoesWithFrom() throws {
        #expect(try Self.problems(columns: "a: { value: 1, pick: max }") == ["r.yaml:4:28: pick goes with from"])
    }

    @Test func unknownPicksSuggestOrListThePicks() throws {
        #expect(try Self.problems(columns: "a: { from: x, pick: mostfrequent }") == [
            "r.yaml:4:27: unknown pick mostfrequent (did you mean most_frequent?)",
        ])
        #expect(try Self.problems(columns: "a: { from: x, pick: average }") == [
            "r.yaml:4:27: unknown pick average (picks are first, last, min, max, most_frequent, max_by, min_by, "
                + "concat_distinct, count_distinct, sum)",
        ])
    }

    @Test func maxByAndMinByNeedAColumn() throws {
        #expect(try Self.problems(columns: "a: { from: x, pick: max_by }") == [
            "r.yaml:4:27: max_by needs a column: pick: { max_by: COLUMN }",
        ])
        #expect(try Self.problems(columns: "a: { from: x, pick: { min_by: ~ } }") == [
            "r.yaml:4:37: min_by needs a column: pick: { min_by: COLUMN }",
        ])
    }

    @Test func onlyMaxByAndMinByTakeAColumn() throws {
        #expect(try Self.problems(columns: "a: { from: x, pick: { max_bi: y } }") == [
            "r.yaml:4:29: only max_by and min_by take a column (did you mean max_by?)",
        ])
        #expect(try Self.problems(columns: "a: { from: x, pick: { max_by: y, min_by: z } }") == [
            "r.yaml:4:27: pick takes one of first, last, min, max, most_frequent, max_by, min_by, concat_distinct, "
                + "count_distinct, sum",
        ])
    }
}
