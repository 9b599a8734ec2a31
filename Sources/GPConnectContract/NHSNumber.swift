/// A 10-digit NHS number that passes the modulus 11 check.
public struct NHSNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    /// Validates format and check digit.
    public init?(_ text: String) {
        guard Self.isValid(text) else { return nil }
        value = text
    }

    public var description: String { value }

    /// Ten ASCII digits whose last is the modulus 11 check digit of the first nine
    /// (weights 10…2; a check value of 10 is never valid, 11 means 0).
    public static func isValid(_ text: String) -> Bool {
        let digits = text.utf8.map { Int($0) - 48 }
        guard digits.count == 10, digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        var sum = 0
        for (index, digit) in digits.prefix(9).enumerated() { sum += digit * (10 - index) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        return check != 10 && check == digits[9]
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard Self.isValid(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid NHS number"))
        }
        value = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
