public import AsyncHTTPClient
public import GPConnectClient
import NIOCore

/// How a deployment reaches MESH (the `mesh` object of `gpconnect serve`'s configuration file, or
/// its flags and environment variables): the MESH URL and the environment's shared key, the
/// poll interval (seconds in tests, minutes in production), the largest inbound message, and a
/// mailbox per practice (ODS code → mailbox id and password).
public struct MESHSettings: Sendable, Codable, Equatable {
    public var url: String
    public var sharedKey: String
    public var pollSeconds: Double
    public var maxMessageBytes: Int
    public var mailboxes: [String: MESHMailbox]
    /// Client certificate and trusted CA for MESH's mutual TLS; nil: plain HTTP (the sandbox) or the system's roots.
    public var tls: TLSClientOptions?

    public static let defaultMaxMessageBytes = 100 * 1024 * 1024

    public init(
        url: String, sharedKey: String, pollSeconds: Double = 300, maxMessageBytes: Int = MESHSettings.defaultMaxMessageBytes,
        mailboxes: [String: MESHMailbox] = [:], tls: TLSClientOptions? = nil
    ) {
        self.url = url
        self.sharedKey = sharedKey
        self.pollSeconds = pollSeconds
        self.maxMessageBytes = maxMessageBytes
        self.mailboxes = mailboxes
        self.tls = tls
    }

    enum CodingKeys: String, CodingKey {
        case url, sharedKey, pollSeconds, maxMessageBytes, mailboxes, tls
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        sharedKey = try container.decode(String.self, forKey: .sharedKey)
        pollSeconds = try container.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 300
        maxMessageBytes = try container.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? Self.defaultMaxMessageBytes
        mailboxes = try container.decodeIfPresent([String: MESHMailbox].self, forKey: .mailboxes) ?? [:]
        tls = try container.decodeIfPresent(TLSClientOptions.self, forKey: .tls)
    }

    /// An HTTP client for MESH, TLS as configured (a plain `http://` URL ignores it). The caller shuts it down.
    public func makeHTTPClient() throws -> HTTPClient {
        try (tls ?? TLSClientOptions()).makeHTTPClient(connectTimeout: .seconds(10))
    }
}
