import Foundation

/// Stable JSON: sorted keys, pretty-printed, UTF-8 names left as they are.
func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding plain structs of strings, numbers and arrays cannot fail.
    let data = try! encoder.encode(value)
    return String(decoding: data, as: UTF8.self) + "\n"
}
