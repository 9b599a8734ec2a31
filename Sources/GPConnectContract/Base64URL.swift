import Foundation

enum Base64URL {
    /// Decodes base64url with or without padding; nil for anything else.
    ///
    /// Unpadded text (what JWTs carry) is decoded straight from its UTF-8 bytes, taking either
    /// alphabet (`-_` or `+/`); this runs on every request's audit token, where the former
    /// `replacingOccurrences` + `Data(base64Encoded:)` round trip was a measurable share of a
    /// Patient read. Padded text keeps the strict Foundation path: only well-placed padding.
    static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = text.utf8
        guard !utf8.contains(UInt8(ascii: "=")) else {
            let base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            return Data(base64Encoded: base64).map(Array.init)
        }
        guard utf8.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in utf8 {
            let value = sextets[Int(byte)]
            guard value != invalid else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    static let invalid: UInt8 = 0xFF

    /// The 6-bit value of each byte in either base64 alphabet, ``invalid`` for any other byte.
    static let sextets: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
