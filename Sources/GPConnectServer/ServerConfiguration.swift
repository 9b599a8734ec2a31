public import GPConnect
import GPConnectContract
public import GPConnectMESH
public import GPConnectTLS
public import Logging

/// Everything `buildApplication(configuration:)` needs. Filled from flags, environment and an
/// optional configuration file by the `gpconnect` command.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// SQLite database file, or a `postgres://user:password@host:port/database` URL; created (SQLite),
    /// migrated and seeded on first start.
    public var databasePath: String
    /// Load the reference data set when the database holds no practice yet.
    public var seedWhenEmpty: Bool
    /// Practices to serve (ODS codes); empty means every practice in the database.
    public var practices: [String]
    public var identity: ProviderIdentity
    public var logLevel: Logger.Level
    /// Largest request body accepted.
    public var maximumBodySize: Int
    /// The scheme and host consumers reach this server at (`https://gp.example.nhs.uk`), for the
    /// absolute URLs responses carry (Binaries, Bundle entries); nil: `http://` and the request's `Host`.
    public var publicBaseURL: String?
    /// Access Document: the deceased access period, the retrieval limit.
    public var documents: DocumentSettings
    /// TLS with client certificates required; nil serves plain HTTP (the embedded demo default,
    /// or behind a terminator).
    public var tls: TLSServerOptions?
    /// Send Document over MESH: the receiver polls these mailboxes; nil runs no receiver.
    public var mesh: MESHSettings?
    /// Timeouts, connection cap, URL and header sizes, per-ASID rate limit.
    public var limits = ServerLimits()
    /// The connection guards, rate limit and metrics together; off only to measure what they cost
    /// (`gpconnect serve --without-operations-layer`, a hidden flag for `gpconnect bench` comparisons).
    public var operationsLayer = true

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "data/gpconnect.sqlite",
        seedWhenEmpty: Bool = true, practices: [String] = [], identity: ProviderIdentity = ProviderIdentity(),
        logLevel: Logger.Level = .info, maximumBodySize: Int = 1 << 20, documents: DocumentSettings = DocumentSettings(),
        tls: TLSServerOptions? = nil
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.seedWhenEmpty = seedWhenEmpty
        self.practices = practices
        self.identity = identity
        self.logLevel = logLevel
        self.maximumBodySize = maximumBodySize
        self.documents = documents
        self.tls = tls
    }
}
