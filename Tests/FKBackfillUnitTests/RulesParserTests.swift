@testable import FKBackfill
import Foundation
import Testing

/// What `RulesParser` reads from a valid rules file: every source, pick, flag and
/// shorthand, with the places messages will point at.
@Suite struct RulesParserTests {
    func parse(_ yaml: String) throws -> Rules { try RulesParser.parse(yaml, file: "r.yaml") }

    func column(_ rules: Rules, _ table: String, _ column: String) -> ColumnRule? {
        rules.tables.first { $0.name == table }?.column(column)
    }

    @Test func anEmptyFileOrEmptySectionsMeanNoRules() throws {
        for text in ["", "# only a comment\n", "tables:\nforeign_keys:\nrelations:\nblank:\n", "tables: ~\n"] {
            let rules = try parse(text)
            #expect(rules.tables.isEmpty && rules.foreignKeys.isEmpty && rules.relations.isEmpty, "\(text)")
            #expect(rules.blank.markers.isEmpty && rules.blank.onBlank == .keep, "\(text)")
            #expect(rules.file == "r.yaml")
        }
    }

    @Test func everySourceKind() throws {
        let rules = try parse("""
            tables:
              mapping.计划:
                columns:
                  a: { from: 计划名称 }
                  b: { value: 12 }
                  c: { template: "{计划代码}_新建" }
                  d: { sql: "max(x)" }
                  e: default
                  f: null
                  g: ~
                  h:
                  i: { default: true }
                  j: { null: true }
            """)
        #expect(rules.tables.map(\.name) == ["mapping.计划"])
        let expected: [(String, ColumnRule.Source)] = [
            ("a", .from(column: "计划名称", pick: .mostFrequent)), ("b", .value("12")), ("c", .template("{计划代码}_新建")),
            ("d", .sql("max(x)")), ("e", .databaseDefault), ("f", .null), ("g", .null), ("h", .null),
            ("i", .databaseDefault), ("j", .null),
        ]
        #expect(rules.tables[0].columns.map(\.column) == expected.map(\.0))
        for (name, source) in expected { #expect(column(rules, "mapping.计划", name)?.source == source, "\(name)") }
    }

    @Test func everyPickByName() throws {
        let picks: [(String, Pick)] = [
            ("first", .first), ("last", .last), ("min", .min), ("max", .max), ("most_frequent", .mostFrequent),
            ("count_distinct", .countDistinct), ("sum", .sum), ("{ max_by: 月度 }", .maxBy("月度")),
            ("{ min_by: seen }", .minBy("seen")), ("concat_distinct", .concatDistinct(separator: ",", sorted: true)),
        ]
        for (text, pick) in picks {
            let rules = try parse("tables:\n  t:\n    columns:\n      c: { from: x, pick: \(text) }\n")
            #expect(column(rules, "t", "c")?.source == .from(column: "x", pick: pick), "\(text)")
            #expect(Pick.allNames.contains(pick.name))
        }
    }

    @Test func concatDistinctTakesSeparatorAndSortedInAnyOrder() throws {
        let rules = try parse("""
            tables:
              t:
                columns:
                  a: { separator: "; ", sorted: no, from: x, pick: concat_distinct }
                  b: { from: x, pick: concat_distinct, sorted: Yes }
            """)
        #expect(column(rules, "t", "a")?.source == .from(column: "x", pick: .concatDistinct(separator: "; ", sorted: false)))
        #expect(column(rules, "t", "b")?.source == .from(column: "x", pick: .concatDistinct(separator: ",", sorted: true)))
    }

    @Test func jsonAppendAndBooleanSpellings() throws {
        let rules = try parse("""
            tables:
              t:
                columns:
                  a: { from: x, json_append: true }
                  b: { from: x, json_append: off }
                  c: { from: x }
            """)
        #expect(column(rules, "t", "a")?.jsonAppend == true)
        #expect(column(rules, "t", "b")?.jsonAppend == false)
        #expect(column(rules, "t", "c")?.jsonAppend == false)
        for (text, value) in [("true", true), ("YES", true), ("on", true), ("False", false), ("no", false), ("OFF", false)] {
            let fk = try parse("foreign_keys:\n  k: { skip: \(text) }\n").foreignKeys[0]
            #expect(fk.skip == value, "\(text)")
        }
    }

    @Test func tableModesMarksAndLocations() throws {
        let rules = try parse("""
            tables:
              a:
                mode: fill_null_only
                mark:
                  _source: auto
                  _n: 3
              b:
              c: { mode: fail }
            """)
        #expect(rules.tables.map(\.name) == ["a", "b", "c"])
        #expect(rules.tables.map(\.mode) == [.fillNullOnly, nil, .fail])
        #expect(rules.tables[0].marks.map(\.column) == ["_source", "_n"])
        #expect(rules.tables[0].marks.map(\.value) == ["auto", "3"])
        #expect(rules.tables[0].marks[1].location.description == "r.yaml:6:7")
        #expect(rules.tables.map(\.location.description) == ["r.yaml:2:3", "r.yaml:7:3", "r.yaml:8:3"])
        #expect(rules.tables.allSatisfy { $0.resolved == nil })
    }

    @Test func columnRulesPointAtTheirKey() throws {
        let rules = try parse("tables:\n  t:\n    columns:\n      名称:   { from: x }\n")
        #expect(column(rules, "t", "名称")?.location == SourceLocation(file: "r.yaml", line: 4, column: 7))
    }

    @Test func blankMarkersAndEveryOnBlank() throws {
        let list = try parse("blank:\n  markers: ['(空白)', '-', 0]\n  on_blank: reject\n").blank
        #expect(list.markers == ["(空白)", "-", "0"])
        #expect(list.onBlank == .reject)
        #expect(list.location?.description == "r.yaml:2:3")
        let single = try parse("blank:\n  markers: N/A\n  on_blank: ~\n").blank
        #expect(single.markers == ["N/A"])
        #expect(single.onBlank == .null)
        #expect(try parse("blank:\n  on_blank: null\n").blank.onBlank == .null)
        #expect(try parse("blank:\n  on_blank: keep\n").blank.onBlank == .keep)
    }

    @Test func foreignKeyRules() throws {
        let rules = try parse("""
            foreign_keys:
              fk_a: { skip: true }
              计划代码 -> mapping.年金计划: { on_missing: reject }
              fk_c:
                on_missing: fail
                skip: false
            """)
        #expect(rules.foreignKeys.map(\.name) == ["fk_a", "计划代码 -> mapping.年金计划", "fk_c"])
        #expect(rules.foreignKeys.map(\.key) == rules.foreignKeys.map(\.name))
        #expect(rules.foreignKeys.map(\.skip) == [true, false, false])
        #expect(rules.foreignKeys.map(\.onMissing) == [nil, .reject, .fail])
        #expect(rules.foreignKeys.map(\.location.line) == [2, 3, 4])
        #expect(rules.foreignKeys.allSatisfy { $0.resolvedTable == nil })
    }

    @Test func relationsWithQuotedAndCompositeColumns() throws {
        let rules = try parse("""
            relations:
              - from: business.规模明细 (计划代码)
                to: mapping.年金计划 (年金计划号)
              - { from: 's.fact ("Year", code )', to: "s.plan(year,code)" }
            """)
        #expect(rules.relations.count == 2)
        let first = rules.relations[0]
        #expect(first.fromTable == "business.规模明细")
        #expect(first.fromColumns == ["计划代码"])
        #expect(first.toTable == "mapping.年金计划")
        #expect(first.toColumns == ["年金计划号"])
        #expect(first.name == "计划代码 -> mapping.年金计划")
        #expect(first.location.description == "r.yaml:2:5")
        let second = rules.relations[1]
        #expect(second.fromColumns == ["Year", "code"])
        #expect(second.toTable == "s.plan")
        #expect(second.toColumns == ["year", "code"])
        #expect(second.name == "Year,code -> s.plan")
    }

    @Test func rulesLookUpTablesAndForeignKeysAsResolved() throws {
        var rules = try parse("tables:\n  plan: { mode: skip }\nforeign_keys:\n  fk: { skip: true }\n")
        let plan = TableName(schema: "s", name: "plan")
        #expect(rules.table(plan) == nil)
        rules.tables[0].resolved = plan
        #expect(rules.table(plan)?.mode == .skip)
        let fk = ForeignKey(name: "fk", table: TableName(schema: "s", name: "fact"), columns: ["p"],
                            referencedTable: plan, referencedColumns: ["code"])
        #expect(rules.foreignKey(fk)?.skip == true)
        rules.foreignKeys[0].resolvedTable = TableName(schema: "s", name: "other")
        #expect(rules.foreignKey(fk) == nil)
        rules.foreignKeys[0].resolvedTable = fk.table
        #expect(rules.foreignKey(fk) != nil)
    }

    @Test func loadReadsAFileAndNamesItInMessages() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fkb-unit-\(UUID().uuidString).yaml").path
        try "tables:\n  t: { mode: nope }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: FKBackfillError.self) { _ = try RulesParser.load(path: path) }
        #expect(error.kind == .rulesProblems)
        #expect(error.details == ["\(path):2:14: mode must be insert_missing, fill_null_only, skip or fail, not 'nope'"])
        let missing = try #require(throws: FKBackfillError.self) { _ = try RulesParser.load(path: path + ".gone") }
        #expect(missing.kind == .rulesFileUnreadable)
        #expect(missing.message == "cannot read rules file \(path).gone")
        #expect(missing.category == .usage)
    }
}

extension Pick {
    static let allNames = RulesParser.pickNames
}
