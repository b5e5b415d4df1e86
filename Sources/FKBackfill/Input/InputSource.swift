/// Where the fact rows come from.
public enum InputSource: Sendable {
    /// A CSV file, `-` for standard input, streamed through COPY.
    case csv(path: String, options: CSVOptions)
    /// A table or view already in the database (a staging table).
    case table(String)
    /// A query whose result is the input.
    case query(String)

    /// How messages name the input.
    public var label: String {
        switch self {
        case .csv(let path, _): path == "-" ? "<stdin>" : path
        case .table(let name): name
        case .query: "<query>"
        }
    }
}
