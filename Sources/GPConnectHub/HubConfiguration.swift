public import Foundation
public import GPConnectClient
public import Logging

/// How a hub runs: where it listens, its own database, the federation's practices and who the
/// hub is to them.
public struct HubConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The hub's own database (users, sessions, access log, tasks sent).
    public var databasePath: String
    public var directory: HubDirectory
    /// `Secure` on the session cookie (the hub is served over TLS or behind a TLS proxy).
    public var secureCookies: Bool
    /// A session ends after this long without a request.
    public var sessionLifetime: TimeInterval
    /// Each practice's deadline for a federated search.
    public var deadline: Duration
    public var logLevel: Logger.Level
    /// bcrypt's cost for new password hashes (tests use a low one).
    public var bcryptCost: UInt8

    public init(
        host: String = "127.0.0.1", port: Int = 9100, databasePath: String = "data/hub.sqlite", directory: HubDirectory,
        secureCookies: Bool = false, sessionLifetime: TimeInterval = 30 * 60, deadline: Duration = .seconds(5),
        logLevel: Logger.Level = .info, bcryptCost: UInt8 = 12
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.directory = directory
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.deadline = deadline
        self.logLevel = logLevel
        self.bcryptCost = bcryptCost
    }
}

/// The federation as the hub sees it: the directory of `gpconnect consumer federated-slots` (a
/// JSON array of practices), or an object with that array as `practices` and the hub's own
/// identity as `consumer`.
public struct HubDirectory: Sendable, Codable, Equatable {
    /// Who the hub is: its ASID (`Ssp-From`) and the organisation that books.
    public struct Consumer: Sendable, Codable, Equatable {
        public var asid: String
        public var ods: String
        public var name: String
        public var telephone: String
        /// The booking organisation's type (`gp-practice`, `urgent-care`), if any.
        public var type: String?

        public init(
            asid: String = "200000000359", ods: String = "GPCA0001", name: String = "Federation hub", telephone: String = "0300 000 0000",
            type: String? = nil
        ) {
            self.asid = asid
            self.ods = ods
            self.name = name
            self.telephone = telephone
            self.type = type
        }
    }

    public var consumer: Consumer
    public var practices: [ProviderEndpoint]

    public init(consumer: Consumer = Consumer(), practices: [ProviderEndpoint]) {
        self.consumer = consumer
        self.practices = practices
    }

    public static func load(_ path: String) throws -> HubDirectory {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if let practices = try? JSONDecoder().decode([ProviderEndpoint].self, from: data) { return HubDirectory(practices: practices) }
        return try JSONDecoder().decode(HubDirectory.self, from: data)
    }

    public func practice(_ ods: String) -> ProviderEndpoint? { practices.first { $0.ods == ods } }
}
