@testable import FKBackfill
import Foundation
import PostgresClient
import Testing

/// Every statement a load, a validation and the set-based check build for the annuity
/// example, written out in golden files under `Golden/`, so a reviewer sees each SQL
/// change as a diff. `FKB_UPDATE_GOLDEN=1 make unit` rewrites them after a deliberate
/// change; the test then fails once, saying so.
@Suite struct GoldenSQLTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// The annuity schema of examples/annuity/schema.sql, in memory (schema `s`).
    static var annuity: Schema {
        var schema = Schema()
        schema.table("年金计划", col("年金计划号", "character varying(20)", notNull: true), col("计划全称", "character varying(200)"),
                     col("计划类型", "character varying(20)"), col("客户名称", "character varying(200)"),
                     col("主拓代码", "character varying(10)"), col("主拓机构", "character varying(100)"),
                     col("管理资格", "character varying(100)"), col("tags", "jsonb", default: "'[]'::jsonb"))
        schema.table("组合计划", col("组合代码", "character varying(20)", notNull: true), col("年金计划号", "character varying(20)", notNull: true),
                     col("组合名称", "character varying(200)"), col("组合类型", "character varying(50)"), col("运作开始日", "date"))
        schema.table("产品线", col("产品线代码", "character varying(20)", notNull: true), col("产品线", "character varying(100)"),
                     col("产品类别", "character varying(50)"))
        schema.table("组织架构", col("机构代码", "character varying(10)", notNull: true), col("机构", "character varying(100)"))
        schema.table("规模明细", col("id", "bigint", notNull: true, identity: .always), col("月度", "date", notNull: true),
                     col("业务类型", "character varying(50)"), col("计划类型", "character varying(20)"),
                     col("计划代码", "character varying(20)", notNull: true), col("计划名称", "character varying(200)"),
                     col("组合代码", "character varying(20)"), col("组合名称", "character varying(200)"),
                     col("期末资产规模", "numeric(18,4)"), col("机构代码", "character varying(10)"), col("机构名称", "character varying(100)"),
                     col("产品线代码", "character varying(20)"))
        schema.fk("fk_组合计划_年金计划", "组合计划", ["年金计划号"], "年金计划", ["年金计划号"])
        schema.fk("fk_规模明细_年金计划", "规模明细", ["计划代码"], "年金计划", ["年金计划号"])
        schema.fk("fk_规模明细_组合计划", "规模明细", ["组合代码"], "组合计划", ["组合代码"])
        schema.fk("fk_规模明细_组织架构", "规模明细", ["机构代码"], "组织架构", ["机构代码"])
        schema.fk("fk_规模明细_产品线", "规模明细", ["产品线代码"], "产品线", ["产品线代码"])
        return schema
    }

    static let rulesText = """
        blank:
          markers: ['(空白)']
          on_blank: "null"
        tables:
          年金计划:
            columns:
              计划全称: { from: 计划名称, pick: first }
              主拓代码: { from: 机构代码, pick: { max_by: 期末资产规模 } }
              管理资格: { from: 业务类型, pick: concat_distinct, separator: "+" }
              tags: { sql: "jsonb_build_array(to_char(min(\\"月度\\"), 'YYMM') || '新建')", json_append: true }
            mark:
              计划类型: 待补充
          组合计划:
            columns:
              组合名称: { from: 组合名称, pick: first }
              运作开始日: { from: 月度, pick: min }
          产品线:
            columns:
              产品线: { template: "{产品线代码}（待补充）" }
              产品类别: { value: 年金 }
        """

    static let staged = ["月度", "业务类型", "计划类型", "计划代码", "计划名称", "组合代码", "组合名称", "期末资产规模", "机构代码", "机构名称", "产品线代码"]

    /// Each statement as `--print-sql` shows it: text, `;`, then its bound values.
    static func show(_ title: String, _ statement: SQL?) -> String {
        guard let statement else { return "" }
        let (text, parameters) = statement.rendered()
        var output = "-- \(title)\n\(text);\n"
        for (index, value) in parameters.enumerated() { output += "--   $\(index + 1) = \(value.map { "'\($0)'" } ?? "NULL")\n" }
        return output + "\n"
    }

    func check(_ name: String, _ text: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["FKB_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("rewrote \(name): review the diff and run again")
            return
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        if golden != text {
            let old = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let new = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = Array(zip(old, new)).firstIndex { $0.0 != $0.1 } ?? min(old.count, new.count)
            let expected = first < old.count ? String(old[first]) : "<end>"
            let got = first < new.count ? String(new[first]) : "<end>"
            Issue.record("\(name) differs from line \(first + 1): expected \(expected), got \(got); FKB_UPDATE_GOLDEN=1 make unit rewrites it")
        }
    }

    @Test func theAnnuityLoadStatements() throws {
        var plan = try Self.annuity.plan(root: "规模明细", staged: Self.staged, rules: rules(Self.rulesText))
        // 月度 NOT NULL in the target and every child (Preparation.replaceNotNull reads it):
        // plain equality, which hashes; 业务类型 nullable: NULL matches NULL.
        plan.replaceNotNull = ["月度"]
        let sql = LoadStatements(plan: plan)
        var text = Self.show("stage", sql.createStage()) + Self.show("copy", sql.copyStage(CSVOptions()))
        text += Self.show("constants", sql.createConstants()) + Self.show("bind constants", sql.insertConstants())
        for column in plan.blankColumns { text += Self.show("blank \(column.name) to NULL", sql.nullBlank(column)) }
        text += Self.show("blank keys, one pass", sql.blankKeys(
            nulled: plan.blankColumns.filter { !$0.notNull },
            rejected: plan.blankColumns.filter(\.notNull).map { ($0, "blank key in \($0.name) (NOT NULL)") }))
        text += Self.show("stage statistics for --replace-by", sql.analyzeStage(columns: ["月度", "业务类型", "月度"]))
        for statement in sql.sizeStage() { text += Self.show("stage size, otherwise", statement) }
        text += Self.show("staged keys, one pass", sql.createSeen())
        for parent in plan.parents {
            let name = parent.table.name.name
            let keys = sql.sourceSelects(for: parent, available: Set(plan.parents.map(\.index)), rows: false)
            guard !keys.isEmpty else { continue }
            text += Self.show("\(name): keys", sql.createKeys(parent, sources: keys))
            text += Self.show("\(name): counts", sql.counts(parent))
            text += Self.show("\(name): the second session's keys are these", sql.sameKeys(parent, "pg_temp.fkb_keys_theirs"))
            if sql.needsRefs(parent) {
                let rows = sql.sourceSelects(for: parent, available: Set(plan.parents.map(\.index)), rows: true)
                text += Self.show("\(name): rows behind new keys", sql.createRefs(parent, sources: rows))
            }
            text += Self.show("\(name): values", sql.createValues(parent))
            text += Self.show("\(name): NOT NULL derivations", sql.nullDerivations(parent))
            text += Self.show("\(name): new rows", sql.createNewRows(parent))
            text += Self.show("\(name): insert, under the user's path", sql.insertNewRows(parent))
            text += Self.show("\(name): inserted", sql.insertedRowsReport(parent, samples: 5))
            text += Self.show("\(name): keys not stored as asked", sql.changedKeys(parent, samples: 5))
        }
        text += Self.show("replace", sql.deleteReplaced(["月度", "业务类型"]))
        let fkCheck = FKCheck(plan: plan, catalog: Self.annuity.catalog(root: "规模明细"), sql: sql)
        text += Self.show("stored keys", fkCheck.createStored())
        text += Self.show("insert facts, stored keys read back", fkCheck.insertReturning(ordered: false, grouped: true))
        for fk in fkCheck.checkedKeys {
            text += Self.show("lock and verify \(fk.name)", fkCheck.verify(fk, samples: 5))
        }
        try check("annuity-load.sql", text)
    }

    @Test func theAnnuityValidationAndTextStagingStatements() throws {
        let plan = try Self.annuity.plan(root: "规模明细", staged: Self.staged, rules: rules(Self.rulesText))
        let load = LoadStatements(plan: plan)
        let staging = TextStaging(plan: plan)
        let validation = ValidationStatements(plan: plan, load: load)
        var text = Self.show("raw", staging.createRaw()) + Self.show("typed stage", staging.createStage())
        text += Self.show("copy raw", staging.copyRaw(CSVOptions())) + Self.show("cast all", staging.castAll())
        for function in staging.createCastChecks() { text += Self.show("cast check", function) }
        text += Self.show("cast checked", staging.castChecked())
        for fk in plan.stagedKeys {
            text += Self.show("\(fk.name): counts", validation.foreignKeyCounts(fk))
            text += Self.show("\(fk.name): samples", validation.samples(fk, keys: 5, rows: 5))
        }
        let inPlace = InPlaceStatements(plan: plan, load: load, source: "pg_temp.fkb_query")
        text += Self.show("in place: counts", inPlace.counts(notNull: plan.stagedColumns.filter(\.notNull), matchFull: []))
        for fk in plan.stagedKeys { text += Self.show("in place: \(fk.name)", inPlace.foreignKey(fk, samples: 5)) }
        try check("annuity-validate.sql", text)
    }
}
