// Loads one month of facts into a table, backfilling every parent row it lacks, in one
// transaction. Usage: embed-load TABLE FILE.csv (connects as psql would, via PG* variables).
import FKBackfill
import Foundation
import PostgresClient

let arguments = CommandLine.arguments
guard arguments.count == 3 else { print("usage: embed-load TABLE FILE.csv"); exit(2) }
do {
    let loader = Loader(connection: try Connection())
    var options = LoadOptions()
    options.rules = try RulesParser.parse("blank:\n  on_blank: \"null\"\n", file: "inline rules")
    let input = InputSource.csv(path: arguments[2], options: CSVOptions())
    let report = try loader.run(table: arguments[1], input: input, options: options)
    let parents = report.parents.map { "\($0.table.display) +\($0.inserted)" }.joined(separator: ", ")
    print("inserted \(report.inserted) rows (\(report.fkCheck.rawValue) check); new parents: \(parents)")
} catch let error as FKBackfillError {
    print("not loaded (\(error.kind)): \(error.message)")
    exit(1)
}
