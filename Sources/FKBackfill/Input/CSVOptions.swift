/// How the CSV input is written.
public struct CSVOptions: Sendable, Equatable {
    /// The field separator: one single-byte (ASCII) character, as COPY requires.
    public var delimiter: Character = ","
    /// The quoting character, doubled inside a quoted field: one single-byte (ASCII) character, as COPY requires.
    public var quote: Character = "\""
    /// The text that stands for NULL; an unquoted empty field by default, as in COPY.
    public var null = ""
    /// The first line names the columns. Without it, the file has every insertable
    /// column of the target, in table order.
    public var header = true

    /// COPY's CSV defaults: comma, double quote, unquoted empty field as NULL, with a header line.
    public init() {}
}
