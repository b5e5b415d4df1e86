import CLibPQ
import Foundation

/// What the user passed to `--db`, kept only to open a connection and never printed.
///
/// Messages about connecting go through `redact`, so a password given in a URI or a
/// `password=` pair cannot leak into logs or errors, whatever libpq echoes back.
public struct ConnectionString: Sendable {
    /// Raw text for `PQconnectdb`; empty means "use PG* variables, .pgpass, service files".
    let text: String

    public init(_ text: String?) {
        self.text = text ?? ""
    }

    /// The password this string carries, if libpq can parse one out of it.
    var password: String? {
        guard !text.isEmpty else { return nil }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                let password = String(cString: value)
                return password.isEmpty ? nil : password
            }
            option = option.advanced(by: 1)
        }
        return nil
    }

    /// Removes anything that could be a password from a message about this connection.
    public func redact(_ message: String) -> String {
        var text = message
        if let password, !password.isEmpty {
            text = text.replacingOccurrences(of: password, with: "********")
        }
        return Self.scrubPasswordShapes(text)
    }

    /// Masks `password=…` pairs and the `:secret@` part of URIs, in case the
    /// string could not be parsed and its password is unknown.
    static func scrubPasswordShapes(_ message: String) -> String {
        var output = ""
        var rest = Substring(message)
        while let range = rest.range(of: "password=") {
            output += rest[..<range.upperBound] + "********"
            rest = rest[range.upperBound...].drop { $0 != " " && $0 != "\"" && $0 != "'" }
        }
        output += rest
        // postgresql://user:secret@host → postgresql://user:********@host
        var result = ""
        var remaining = Substring(output)
        while let scheme = remaining.range(of: "://") {
            result += remaining[..<scheme.upperBound]
            remaining = remaining[scheme.upperBound...]
            let authorityEnd = remaining.firstIndex { $0 == "/" || $0 == " " || $0 == "?" } ?? remaining.endIndex
            let authority = remaining[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result += authority[...colon] + "********" + authority[at...]
                remaining = remaining[authorityEnd...]
            }
        }
        return result + remaining
    }
}
