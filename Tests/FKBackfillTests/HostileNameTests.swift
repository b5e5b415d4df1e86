import FKBackfill
import Foundation
import PostgresClient
import Testing
import TestSupport

/// Names and data that would break a tool that builds SQL by pasting text: every one
/// goes through quoteIdentifier or a bound parameter, so they load like any other.
@Suite struct HostileNameTests {
    static let names = [
        "\"; DROP TABLE x; --",
        "quote\"inside",
        "back\\slash",
        "new\nline",
        "раrent",  // Cyrillic 'р' and 'а': looks like "parent"
        String(repeating: "长", count: 20),  // 60 bytes: with "_c" still under the 63 PostgreSQL keeps
    ]

    /// A YAML double-quoted scalar.
    func yamlString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// A CSV field, quoted.
    func field(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    @Test(arguments: names)
    func hostileTableColumnAndRuleNamesLoadNormally(name: String) throws {
        let db = try TestDatabase()
        let parent = quoteIdentifier(name)
        let child = quoteIdentifier(name + "_c")
        let column = quoteIdentifier(name + "_k")
        try db.run("""
            CREATE TABLE x (id int);
            CREATE TABLE \(parent) (\(quoteIdentifier("code")) text PRIMARY KEY, \(quoteIdentifier(name)) text NOT NULL);
            CREATE TABLE \(child) (\(column) text REFERENCES \(parent), note text);
            """)
        let qualifiedChild = quoteQualified(schema: db.schema, name: name + "_c")
        let csv = "\(field(name + "_k")),note\n\(field("'); DROP TABLE x; --")),\(field("a\\\"b\nc"))\n"
        // The parent's NOT NULL column, named like the table, gets a constant through a rule.
        let yaml = "tables:\n  \(yamlString(quoteQualified(schema: db.schema, name: name))):\n    columns:\n"
            + "      \(yamlString(name)): { value: \(yamlString("'; DELETE FROM x; --")) }\n"
        let rules = try RulesParser.parse(yaml, file: "rules.yaml")
        let report = try db.load(qualifiedChild, csv: csv) { $0.rules = rules }
        #expect(report.inserted == 1)
        #expect(try db.values("SELECT \(quoteIdentifier("code")), \(quoteIdentifier(name)) FROM \(parent)")
            == [["'); DROP TABLE x; --", "'; DELETE FROM x; --"]])
        #expect(try db.values("SELECT note FROM \(child)") == [["a\\\"b\nc"]])
        #expect(try db.count("x") == 0)  // still there
        // The same names through fks, graph, audit and validate.
        let catalog = try CatalogReader.read(table: qualifiedChild, on: db.connection)
        #expect(catalog.foreignKeys.first?.referencedTable.name == name)
        _ = GraphReport(graph: DependencyGraph(catalog: catalog)).render(.dot)
        let audit = try Auditor(connection: db.connection).run(.table(qualifiedChild), rules: rules)
        #expect(audit.foreignKeys.first?.status == .rule)
        var options = ValidateOptions()
        options.rules = rules
        let validation = try Validator(connection: db.connection).run(
            table: qualifiedChild, input: .csv(path: try db.csvFile(csv), options: CSVOptions()), options: options)
        #expect(validation.wouldLoad)
    }

    @Test func hostileConnectionStringsNeverLeakOrInject() throws {
        for text in ["host=127.0.0.1 port=1 password='x; DROP TABLE y' connect_timeout=1",
                     "postgresql://u:p%40ss%22word@127.0.0.1:1/db?connect_timeout=1"] {
            let error = try #require(throws: PostgresError.self) { try Connection(ConnectionString(text)) }
            #expect(!error.message.contains("DROP TABLE"))
            #expect(!error.message.contains("p@ss"))
        }
    }
}
