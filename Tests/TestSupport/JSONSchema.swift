import Foundation

/// A JSON Schema under docs/schemas/, checked against real output in the tests.
///
/// A small validator instead of a package: the schemas use a handful of keywords, and
/// the validator refuses any other, so a schema can never lean on a keyword that is
/// silently not checked. With `closed` (the tests' default) an object schema without
/// `additionalProperties` also refuses fields it does not name: output that grew a field
/// must grow its schema too, while the published schemas stay open for readers.
public struct JSONSchema {
    public let name: String
    let root: JSONValue

    /// `docs/schemas/NAME.schema.json`.
    public init(_ name: String) throws {
        self.name = name
        let url = TestDatabase.repositoryRoot.appendingPathComponent("docs/schemas/\(name).schema.json")
        root = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
    }

    /// What is wrong with `json`, one "path: problem" line each; empty when it conforms.
    public func problems(_ json: String, closed: Bool = true) -> [String] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
            return ["$: not JSON: \(json.prefix(200))"]
        }
        var problems: [String] = []
        check(value, against: root, at: "$", closed: closed, into: &problems)
        return problems
    }

    static let keywords: Set<String> = [
        "$schema", "title", "description", "$defs", "$ref", "type", "properties", "required",
        "additionalProperties", "items", "enum", "const", "minimum", "minLength", "minItems",
    ]

    func check(_ value: JSONValue, against schema: JSONValue, at path: String, closed: Bool, into problems: inout [String]) {
        guard case .object(let rules) = schema else { return problems.append("\(path): schema is not an object") }
        for keyword in rules.keys where !Self.keywords.contains(keyword) {
            problems.append("\(path): the schema uses \(keyword), which this validator does not check")
        }
        if case .string(let reference)? = rules["$ref"] {
            guard let target = resolve(reference) else { return problems.append("\(path): cannot resolve \(reference)") }
            check(value, against: target, at: path, closed: closed, into: &problems)
        }
        if let type = rules["type"] {
            let allowed: [String] = switch type {
            case .string(let one): [one]
            case .array(let many): many.compactMap { if case .string(let name) = $0 { name } else { nil } }
            default: []
            }
            if !allowed.contains(where: value.isOfType) {
                problems.append("\(path): \(value.typeName), expected \(allowed.joined(separator: " or "))")
                return
            }
        }
        if case .array(let values)? = rules["enum"], !values.contains(value) {
            problems.append("\(path): \(value) is not one of \(values)")
        }
        if let constant = rules["const"], constant != value {
            problems.append("\(path): \(value), expected \(constant)")
        }
        if let minimum = rules["minimum"]?.number, let number = value.number, number < minimum {
            problems.append("\(path): \(number) is below \(minimum)")
        }
        if case .int(let length)? = rules["minLength"], case .string(let text) = value, text.count < length {
            problems.append("\(path): shorter than \(length)")
        }
        if case .array(let items) = value {
            if case .int(let count)? = rules["minItems"], items.count < count {
                problems.append("\(path): fewer than \(count) items")
            }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() {
                    check(item, against: itemSchema, at: "\(path)[\(index)]", closed: closed, into: &problems)
                }
            }
        }
        if case .object(let fields) = value {
            if case .array(let required)? = rules["required"] {
                for case .string(let key) in required where fields[key] == nil {
                    problems.append("\(path): no \(key)")
                }
            }
            let properties: [String: JSONValue] = if case .object(let named)? = rules["properties"] { named } else { [:] }
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let fieldSchema = properties[key] {
                    check(field, against: fieldSchema, at: "\(path).\(key)", closed: closed, into: &problems)
                } else if let extra = rules["additionalProperties"] {
                    if extra == .bool(false) {
                        problems.append("\(path): unexpected field \(key)")
                    } else if case .object = extra {
                        check(field, against: extra, at: "\(path).\(key)", closed: closed, into: &problems)
                    }
                } else if closed && rules["properties"] != nil {
                    problems.append("\(path): field \(key) is not in the schema")
                }
            }
        }
    }

    /// `#/$defs/NAME`, the only references the schemas use.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/$defs/"), case .object(let top) = root, case .object(let defs)? = top["$defs"] else { return nil }
        return defs[String(reference.dropFirst("#/$defs/".count))]
    }
}

/// A JSON document as the schema sees it: booleans are not numbers, 1 is an integer.
public indirect enum JSONValue: Decodable, Equatable, CustomStringConvertible, Sendable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    func isOfType(_ name: String) -> Bool {
        name == typeName || (name == "number" && typeName == "integer")
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.keys.sorted().joined(separator: ", ") + "}"
        }
    }
}
