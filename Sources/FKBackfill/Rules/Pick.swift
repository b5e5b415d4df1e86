/// How `from:` reduces the staged rows of one key to one value.
public enum Pick: Sendable, Equatable {
    /// The first non-NULL value in input order.
    case first
    /// The last non-NULL value in input order.
    case last
    /// The smallest value.
    case min
    /// The largest value.
    case max
    /// The most frequent non-NULL value; ties to the smallest.
    case mostFrequent
    /// The value on the row with the largest value of this input column (blank values skipped).
    case maxBy(String)
    /// The value on the row with the smallest value of this input column (blank values skipped).
    case minBy(String)
    /// Distinct values joined with `separator`, sorted or in first-appearance order.
    case concatDistinct(separator: String, sorted: Bool)
    /// How many distinct non-NULL values.
    case countDistinct
    /// The sum.
    case sum

    /// The name the rules file uses (`max_by`, `concat_distinct`, …).
    public var name: String {
        switch self {
        case .first: "first"
        case .last: "last"
        case .min: "min"
        case .max: "max"
        case .mostFrequent: "most_frequent"
        case .maxBy: "max_by"
        case .minBy: "min_by"
        case .concatDistinct: "concat_distinct"
        case .countDistinct: "count_distinct"
        case .sum: "sum"
        }
    }

    /// The staged column a pick orders by, besides the one it picks.
    var orderColumn: String? {
        switch self {
        case .maxBy(let column), .minBy(let column): column
        default: nil
        }
    }
}
