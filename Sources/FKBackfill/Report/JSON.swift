import Foundation

/// Each `--format json` document's `schemaVersion`: the major version of its shape,
/// raised only by a change that can break a reader (docs/json-output.md says which), in
/// step with its JSON Schema under docs/schemas/. Adding a field does not raise it.
public enum SchemaVersion {
    /// `fks --format json`. 2: a table is `{"display", "schema", "name"}`, not a string.
    public static let foreignKeys = 2
    /// `graph --format json`.
    public static let graph = 1
    /// The load and backfill report (`--format json`, `--report`). 2: tables as objects.
    public static let loadReport = 2
    /// `validate --format json`. 2: tables as objects.
    public static let validation = 2
    /// `audit --format json`.
    public static let audit = 1
    /// The `--log-format json` lines (written by the executable).
    public static let logLine = 1
}

/// An optional that is written as `null` when absent: synthesized `Encodable` leaves a
/// nil optional out, but the documented shape (and its schema) always has the field.
struct NullOr<Value: Encodable>: Encodable {
    var value: Value?

    init(_ value: Value?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// Stable JSON: sorted keys, pretty-printed, UTF-8 names left as they are.
func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // The reports are structs of strings, integers, booleans, arrays and string-keyed
    // dictionaries; the one value JSONEncoder refuses in them is a non-finite Double,
    // written as a string here. So encoding does not fail; were a later field to make it
    // fail, the document says so and breaks its schema (the tests check every document
    // against it) rather than the program trapping.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    do {
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    } catch {
        return "{\"encodingError\": \(encodeJSON("\(error)"))}\n"
    }
}
