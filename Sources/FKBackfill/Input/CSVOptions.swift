/// How the CSV input is written.
public struct CSVOptions: Sendable, Equatable {
    public var delimiter: Character = ","
    public var quote: Character = "\""
    /// The text that stands for NULL; an unquoted empty field by default, as in COPY.
    public var null = ""
    /// The first line names the columns. Without it, the file has every insertable
    /// column of the target, in table order.
    public var header = true

    public init() {}
}
