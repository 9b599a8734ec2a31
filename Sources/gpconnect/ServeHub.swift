import ArgumentParser
import Foundation
import GPConnectClient
import GPConnectHub
import GPConnectServer
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `gpconnect serve --hub`: the provider and the federation hub in one process, the hub's
/// directory being the provider's own two reference practices.
enum ServeHub {
    static func run(provider: some ApplicationProtocol, configuration: ServerConfiguration, hubPort: Int) async throws {
        guard configuration.tls == nil else {
            throw ValidationError(
                "--hub serves the demo over plain HTTP; with TLS, run `gpconnect hub --directory …` with client certificates.")
        }
        let base = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(configuration.port)"
        let directory = HubDirectory(practices: [
            ProviderEndpoint(ods: "B82617", name: "COXWOLD SURGERY", baseURL: base, asid: "918999198738"),
            ProviderEndpoint(ods: "A20047", name: "Dr Legg's Surgery", baseURL: base, asid: "918999198739"),
        ])
        let database = URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().appendingPathComponent("hub.sqlite")
            .path
        var signIn = "sign in with a user added by `gpconnect hub users add <username> --hub-database \(database) …`"
        if try await HubUsers.list(databasePath: database).isEmpty {
            let password = (0..<4).map { _ in String(format: "%04x", UInt16.random(in: 0...UInt16.max)) }.joined(separator: "-")
            try await HubUsers.add(
                databasePath: database,
                user: HubUser(username: "demo", displayName: "Demo Receptionist", sdsUserID: "GCASDS0001", roleProfileID: "112233445566"),
                password: password)
            signIn = "sign in as demo / \(password) (created now; kept in \(database))"
        }
        let hub = try await buildHubApplication(
            configuration: HubConfiguration(host: configuration.host, port: hubPort, databasePath: database, directory: directory))
        // Unbuffered: the line is there at once even when standard output is a file.
        FileHandle.standardOutput.write(
            Data("Federation hub on the demo practices: http://\(configuration.host):\(hubPort)/ – \(signIn)\n".utf8))
        let group = ServiceGroup(
            services: [provider, hub], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "gpconnect.serve"))
        try await group.run()
    }
}
