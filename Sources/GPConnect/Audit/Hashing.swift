import Crypto

/// SHA-256 as lower-case hex, for the audit hash chain and stable derived ids (swift-crypto).
public enum Hashing {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        let digest = SHA256.hash(data: bytes)
        // Written straight into the string's storage: this runs for every audited request.
        return String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
