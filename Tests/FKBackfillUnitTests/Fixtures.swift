@testable import FKBackfill
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// In-memory schemas for the unit tests: tables and foreign keys written out by hand,
/// so the planner and the renderers run without a database. Every table lives in
/// schema `s`.
struct Schema {
    var tables: [TableName: Table] = [:]
    var keys: [ForeignKey] = []

    static func name(_ table: String) -> TableName { TableName(schema: "s", name: table) }

    /// Adds a table; columns in table order.
    mutating func table(_ name: String, _ columns: Column...) { table(name, columns) }

    mutating func table(_ name: String, _ columns: [Column]) {
        tables[Self.name(name)] = Table(name: Self.name(name), oid: UInt32(tables.count + 1), kind: .ordinary, columns: columns)
    }

    /// Adds an FK `name` from `from(columns)` to `to(referenced)`.
    mutating func fk(
        _ name: String, _ from: String, _ columns: [String], _ to: String, _ referenced: [String],
        match: ForeignKey.Match = .simple, deferrable: Bool = false, declared: Bool = false
    ) {
        keys.append(ForeignKey(
            name: name, table: Self.name(from), columns: columns, referencedTable: Self.name(to),
            referencedColumns: referenced, match: match, deferrable: deferrable, declared: declared))
    }

    func catalog(root: String) -> Catalog {
        Catalog(root: Self.name(root), tables: tables, foreignKeys: keys)
    }

    /// Plans a load of `root` from input columns `staged`.
    func plan(root: String, staged: [String], rules: Rules = .none, mode: BackfillMode = .insertMissing) throws -> LoadPlan {
        let catalog = catalog(root: root)
        return try LoadPlanner.plan(
            catalog: catalog, graph: DependencyGraph(catalog: catalog), stagedColumns: staged, rules: rules, mode: mode)
    }
}

/// A column; nullable text unless told otherwise.
func col(
    _ name: String, _ type: String = "text", notNull: Bool = false, default expression: String? = nil,
    identity: Column.Identity? = nil, generated: String? = nil
) -> Column {
    Column(name: name, type: type, notNull: notNull, defaultExpression: expression, identity: identity, generatedExpression: generated)
}

/// Parses a rules file and resolves its table names to schema `s`, as `RulesValidator`
/// would against a database.
func rules(_ yaml: String) throws -> Rules {
    var rules = try RulesParser.parse(yaml, file: "rules.yaml")
    for index in rules.tables.indices { rules.tables[index].resolved = Schema.name(rules.tables[index].name) }
    return rules
}

extension LoadPlan {
    /// The source of `column` in parent `table`, or nil when either is absent.
    func source(_ table: String, _ column: String) -> ColumnSource? {
        parent(Schema.name(table))?.columns.first { $0.column.name == column }?.source
    }
}

/// A JSON document decoded for field checks (other fields may be added to outputs).
func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// A JUnit document parsed by a real XML parser, for checks by element and attribute.
struct JUnitDocument {
    let root: XMLElement

    init(_ xml: String) throws {
        root = try #require(try XMLDocument(xmlString: xml).rootElement())
    }

    var suites: [XMLElement] { root.elements(forName: "testsuite") }

    func attribute(_ element: XMLElement, _ name: String) -> String? { element.attribute(forName: name)?.stringValue }

    /// Every test case of every suite, in order.
    var cases: [XMLElement] { suites.flatMap { $0.elements(forName: "testcase") } }

    func testCase(_ name: String) -> XMLElement? { cases.first { attribute($0, "name") == name } }
}
