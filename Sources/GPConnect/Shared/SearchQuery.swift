public import GPConnectContract

/// The decoded query string of a request, in order, with the GP Connect rules for parameters: a known
/// parameter sent twice or with the wrong case is a `400 BAD_REQUEST` (pack: PatientSearch.feature,
/// "System should error if multiple parameters valid or invalid are sent", "The identifier parameter
/// should be rejected if the case is incorrect"); unknown parameters are ignored (GP Connect 1.6.2,
/// development_general_api_guidance, "Inter-version compatibility").
public struct SearchQuery: Sendable, Equatable {
    public var items: [(name: String, value: String)]

    public init(_ items: [(name: String, value: String)]) { self.items = items }

    public static func == (lhs: SearchQuery, rhs: SearchQuery) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Parses `a=b&c=d`, decoding `%XX` and `+` (form encoding, as .NET's `WebUtility.UrlEncode` sends).
    public init(query: String?) {
        var items: [(String, String)] = []
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            items.append((name, value))
        }
        self.items = items
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The values of a parameter, refusing a differently-cased name.
    public func values(_ name: String) throws(GPConnectError) -> [String] {
        for item in items where item.name != name && item.name.lowercased() == name.lowercased() {
            throw .badRequest("Parameter names are case-sensitive: \(item.name) is not \(name)")
        }
        return items.filter { $0.name == name }.map(\.value)
    }

    /// The value of a parameter that may appear at most once.
    public func single(_ name: String) throws(GPConnectError) -> String? {
        let values = try values(name)
        guard values.count <= 1 else { throw .badRequest("Parameter \(name) must not be repeated") }
        return values.first
    }

    /// A mandatory parameter that appears exactly once.
    public func required(_ name: String) throws(GPConnectError) -> String {
        guard let value = try single(name) else { throw .badRequest("Parameter \(name) is required") }
        return value
    }

    /// A token parameter `system|value` with both parts present.
    ///
    /// - Throws: `422 INVALID_PARAMETER` when the system or value is missing.
    public func token(_ name: String) throws(GPConnectError) -> (system: String, value: String) {
        let raw = try required(name)
        guard let bar = raw.firstIndex(of: "|") else {
            throw .invalidParameter("Parameter \(name) must be system|value")
        }
        let system = String(raw[..<bar])
        let value = String(raw[raw.index(after: bar)...])
        guard !system.isEmpty else { throw .invalidParameter("Parameter \(name) has no identifier system") }
        guard !value.isEmpty else { throw .invalidParameter("Parameter \(name) has no identifier value") }
        return (system, value)
    }
}
