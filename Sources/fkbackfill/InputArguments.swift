import ArgumentParser
import FKBackfill

/// Where the rows come from, for `load`, `backfill` and `validate`.
struct InputArguments: ParsableArguments {
    @Option(help: ArgumentHelp("CSV file; - reads standard input.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("A table or view already in the database.", valueName: "table"))
    var source: String?

    @Option(help: ArgumentHelp("A query whose result is the input.", valueName: "sql"))
    var query: String?

    @Option(help: "CSV field delimiter (one character).")
    var delimiter: String = ","

    @Option(help: "CSV quote character (one character).")
    var quote: String = "\""

    @Option(help: "CSV text that stands for NULL (default: an unquoted empty field).")
    var null: String = ""

    @Flag(inversion: .prefixedNo, help: "The first CSV line names the columns (default). Without it, the file has every insertable column of the target, in table order.")
    var header = true

    func validate() throws {
        if [csv, source, query].compactMap({ $0 }).count > 1 {
            throw ValidationError("give one input: --csv FILE, --source TABLE or --query SQL")
        }
        if delimiter.count != 1 { throw ValidationError("--delimiter must be one character, got '\(delimiter)'") }
        if quote.count != 1 { throw ValidationError("--quote must be one character, got '\(quote)'") }
    }

    /// The input given, or nil.
    var input: InputSource? {
        if let csv {
            var options = CSVOptions()
            options.delimiter = delimiter.first!
            options.quote = quote.first!
            options.null = null
            options.header = header
            return .csv(path: csv, options: options)
        }
        if let source { return .table(source) }
        if let query { return .query(query) }
        return nil
    }
}
