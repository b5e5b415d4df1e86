import ArgumentParser
import FKBackfill

/// Where the rows come from, for `load`, `backfill` and `validate`.
struct InputArguments: ParsableArguments {
    @Option(help: ArgumentHelp("CSV file; - reads standard input.", valueName: "file"), completion: .file())
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

    @Flag var headerLine: HeaderLine = .header

    /// `--header` and `--no-header`, each with its own help (an inverted `Bool` flag
    /// gives both the one text, and the man page said `--no-header` names the columns).
    enum HeaderLine: EnumerableFlag {
        case header, noHeader

        static func help(for value: HeaderLine) -> ArgumentHelp? {
            switch value {
            case .header: "The first CSV line names the columns (default)."
            case .noHeader: "The file has no header line: its fields are every insertable column of the target, in table order."
            }
        }
    }

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
            // validate() made both exactly one character.
            options.delimiter = delimiter.first ?? ","
            options.quote = quote.first ?? "\""
            options.null = null
            options.header = headerLine == .header
            return .csv(path: csv, options: options)
        }
        if let source { return .table(source) }
        if let query { return .query(query) }
        return nil
    }
}
