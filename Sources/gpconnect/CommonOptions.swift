import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectMESH
import GPConnectServer
import GPConnectTLS
import Logging

/// Options shared by the commands that open the database. Each flag falls back to an
/// environment variable, then to the configuration file, then to the built-in default.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file (env GPCONNECT_CONFIG).")
    var config: String?

    @Option(name: .long, help: "SQLite database file (env GPCONNECT_DATABASE; default data/gpconnect.sqlite).")
    var database: String?

    /// The configuration file: `{"host": …, "port": …, "database": …, "practices": […], "logLevel": …,
    /// "versions": {"foundations": "1.5.0", …, "careRecord": "0.7.4"}, "softwareName": …, "softwareVersion": …,
    /// "publicBaseURL": "https://…", "documents": {"deceasedAccessDays": 28, "retrievalLimitBytes": 5242880},
    /// "careRecord": {"deceasedAccessDays": 28, "defaultPeriodMonths": {"ENC": 12}, "emergencyCodes": […]},
    /// "tls": {"certificate": …, "key": …, "clientCA": …, "clientFQDN": …, "crl": …},
    /// "limits": {"headerReadTimeout": 20, "idleTimeout": 60, "bodyReadTimeout": 60, "maximumConnections": 2048,
    /// "maximumURILength": 8192, "maximumHeaderBytes": 32768, "rateLimitPerSecond": 0, "rateLimitBurst": 0}}`.
    struct File: Decodable {
        struct Documents: Decodable {
            var deceasedAccessDays: Int?
            var retrievalLimitBytes: Int?
        }

        var publicBaseURL: String?
        var documents: Documents?
        var host: String?
        var port: Int?
        var database: String?
        var practices: [String]?
        var logLevel: String?
        var versions: [String: String]?
        var softwareName: String?
        var softwareVersion: String?
        var tls: TLSServerOptions.File?
        /// Send Document's MESH receiver (`url`, `sharedKey`, `pollSeconds`, `maxMessageBytes`, `mailboxes`).
        var mesh: MESHSettings?
        var limits: ServerLimits?
        var careRecord: CareRecord?

        /// Access Record HTML settings.
        struct CareRecord: Decodable {
            var deceasedAccessDays: Int?
            var defaultPeriodMonths: [String: Int]?
            var emergencyCodes: [String]?
        }
    }

    func file() throws -> File {
        guard let path = config ?? ProcessInfo.processInfo.environment["GPCONNECT_CONFIG"] else { return File() }
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("Cannot read configuration file \(path): \(error)")
        }
    }

    func serverConfiguration(host: String? = nil, port: Int? = nil, practices: [String] = [], logLevel: String? = nil) throws
        -> ServerConfiguration
    {
        let environment = ProcessInfo.processInfo.environment
        let file = try file()
        var configuration = ServerConfiguration()
        configuration.host = host ?? environment["GPCONNECT_HOST"] ?? file.host ?? configuration.host
        if let port = port ?? environment["GPCONNECT_PORT"].flatMap(Int.init) ?? file.port { configuration.port = port }
        configuration.databasePath = database ?? environment["GPCONNECT_DATABASE"] ?? file.database ?? configuration.databasePath
        let practiceList =
            practices.isEmpty
            ? (environment["GPCONNECT_PRACTICES"].map { $0.split(separator: ",").map(String.init) } ?? file.practices ?? [])
            : practices
        configuration.practices = practiceList
        if let level = logLevel ?? environment["GPCONNECT_LOG_LEVEL"] ?? file.logLevel {
            guard let parsed = Logger.Level(rawValue: level) else { throw ValidationError("Unknown log level \(level)") }
            configuration.logLevel = parsed
        }
        for (name, version) in file.versions ?? [:] {
            guard let capability = Capability(rawValue: name) else { throw ValidationError("Unknown capability \(name) in versions") }
            configuration.identity.versions[capability] = version
            if capability == .careRecord { configuration.identity.careRecord.conformanceVersion = version }
        }
        if let careRecord = file.careRecord {
            if let days = careRecord.deceasedAccessDays { configuration.identity.careRecord.deceasedAccessDays = days }
            for (code, months) in careRecord.defaultPeriodMonths ?? [:] {
                guard let section = CareRecordSection(rawValue: code) else { throw ValidationError("Unknown care record section \(code)") }
                configuration.identity.careRecord.defaultPeriodMonths[section] = months
            }
            if let codes = careRecord.emergencyCodes { configuration.identity.careRecord.emergencyCodes = Set(codes) }
        }
        if let base = environment["GPCONNECT_PUBLIC_BASE_URL"] ?? file.publicBaseURL {
            configuration.publicBaseURL = try Self.baseURL(base)
        }
        if let days = file.documents?.deceasedAccessDays {
            guard days >= 0 else { throw ValidationError("documents.deceasedAccessDays cannot be negative") }
            configuration.documents.deceasedAccessDays = days
        }
        if let limit = file.documents?.retrievalLimitBytes {
            guard limit > 0 else { throw ValidationError("documents.retrievalLimitBytes must be positive") }
            configuration.documents.retrievalLimit = limit
        }
        if let name = file.softwareName { configuration.identity.softwareName = name }
        if let version = file.softwareVersion { configuration.identity.softwareVersion = version }
        return configuration
    }

    /// A public base URL: `http(s)://host[:port]`, without a path or a trailing slash.
    static func baseURL(_ text: String) throws -> String {
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
            url.path.isEmpty, url.query == nil
        else { throw ValidationError("The public base URL must be http(s)://host[:port], without a path: \(text)") }
        return base
    }
}
