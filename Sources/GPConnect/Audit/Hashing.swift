import Crypto

/// SHA-256 as lower-case hex, for the audit hash chain and stable derived ids (swift-crypto).
public enum Hashing {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
