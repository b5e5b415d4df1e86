import CLibPQ
import Foundation

/// What the user passed to `--db`, kept only to open a connection and never printed.
///
/// Messages about connecting go through `redact`, so a password given in a URI or a
/// `password=` pair cannot leak into logs or errors, whatever libpq echoes back.
public struct ConnectionString: Sendable {
    /// Raw text for `PQconnectdb`; empty means "use PG* variables, .pgpass, service files".
    let text: String

    /// Wraps user text as is, unparsed; nil or empty means libpq's defaults (`PG*` variables, `.pgpass`, service file).
    public init(_ text: String?) {
        self.text = text ?? ""
    }

    /// Why this text is not a connection string libpq reads as the user meant, or nil.
    ///
    /// libpq takes a text without `=` that is not a URI as a bare database name, so
    /// `--db "not a conninfo"` would try a database of that name and fail with a message
    /// about a socket path. A bare name is kept (`--db mydb`, as psql takes it); text
    /// with spaces, or with `=` that libpq cannot parse as `key=value` pairs, is refused
    /// here, naming the problem. The message never holds the text (it may hold a password).
    public var problem: String? {
        guard !text.isEmpty else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://") { return nil }
        if text.contains("=") {
            var errorMessage: UnsafeMutablePointer<CChar>?
            if let options = PQconninfoParse(text, &errorMessage) {
                PQconninfoFree(options)
                return nil
            }
            let detail = errorMessage.map { message in
                defer { PQfreemem(message) }
                return redact(String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return "the connection string is not valid key=value pairs" + (detail.map { ": \($0)" } ?? "")
        }
        if text.contains(where: \.isWhitespace) {
            return "the connection string is neither a URI (postgresql://…) nor key=value pairs, "
                + "and a database name with spaces is not what was meant"
        }
        return nil
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
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "********")
        }
        return Self.scrubPasswordShapes(text)
    }

    /// What in this string could be a password, longest first: the one libpq parses out,
    /// and, because libpq echoes pieces of a string it could not parse
    /// (`invalid percent-encoded token: "S3cret%PW9"`, a host name `PW9@host`, a port
    /// `S3cret`), everything between the first `:` and the last `@` of the user part,
    /// percent-decoded too, and its pieces split at `@ / : %`.
    var secrets: [String] {
        var found: [String] = []
        if let password { found.append(password) }
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
            let candidate = String(rest[rest.index(after: colon)..<at])
            found.append(candidate)
            if let decoded = candidate.removingPercentEncoding { found.append(decoded) }
            found += candidate.split(whereSeparator: { "@/:%".contains($0) }).map(String.init).filter { $0.count >= 3 }
        }
        // `password=…` in a key=value string or a URI's query, up to the next separator.
        var search = Substring(text)
        while let range = search.range(of: "password=") {
            let value = search[range.upperBound...].prefix { $0 != "&" && $0 != " " && $0 != "'" && $0 != "\"" }
            if !value.isEmpty {
                found.append(String(value))
                if let decoded = String(value).removingPercentEncoding { found.append(decoded) }
                found += value.split(whereSeparator: { "@/:%".contains($0) }).map(String.init).filter { $0.count >= 3 }
            }
            search = search[range.upperBound...]
        }
        var seen = Set<String>()
        return found.filter { !$0.isEmpty && seen.insert($0).inserted }.sorted { $0.count > $1.count }
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
