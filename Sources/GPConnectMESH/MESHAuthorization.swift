import Crypto
public import Foundation

/// A mailbox this system signs in to, and the environment's shared key: what an `NHSMESH`
/// authorization token is made from (MESH API, "Authentication": `NHSMESH
/// {mailbox}:{nonce}:{nonce_count}:{timestamp}:{HMAC-SHA256(shared key, mailbox:nonce:nonce_count:password:timestamp)}`,
/// timestamp `yyyyMMddHHmm` UTC).
public struct MESHMailbox: Sendable, Hashable, Codable {
    public var id: String
    public var password: String

    public init(id: String, password: String) {
        self.id = id
        self.password = password
    }
}

public enum MESHAuthorization {
    /// A fresh token: a new nonce every request (MESH refuses a nonce it has seen), count 1.
    public static func token(mailbox: MESHMailbox, sharedKey: String, now: Date = Date(), nonce: String = UUID().uuidString)
        -> String
    {
        let timestamp = Self.timestamp(now)
        let nonceCount = "1"
        let message = "\(mailbox.id):\(nonce):\(nonceCount):\(mailbox.password):\(timestamp)"
        let code = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(sharedKey.utf8)))
        let hex = code.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
        return "NHSMESH \(mailbox.id):\(nonce):\(nonceCount):\(timestamp):\(hex)"
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))\(two(parts.hour))\(two(parts.minute))"
    }
}
