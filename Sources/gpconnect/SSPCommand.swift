import ArgumentParser
import GPConnectClient
import GPConnectSSP
import GPConnectTLS
import Hummingbird
import Logging

/// `gpconnect ssp`: a Spine Secure Proxy emulator in front of one or more providers.
struct SSPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssp",
        abstract: "Run a Spine Secure Proxy emulator: consumers call https://{ssp}/{provider service root}/{FHIR request}.")

    @Option(name: .long, help: "SDS-like directory file (JSON: practices with endpoints, consumers).") var directory: String
    @Option(name: .long, help: "Address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "Port to listen on.") var port = 9443
    @OptionGroup var tls: ServerTLSFlags
    @Option(name: .long, help: "PEM CA certificate(s) providers' certificates must chain to (default: the system's).")
    var tlsProviderCa: String?
    @Option(name: .long, help: "Seconds one forwarded exchange may take, bodies included.") var timeout = 300
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func run() async throws {
        guard let server = try tls.options(file: nil) else {
            throw ValidationError("The SSP speaks only TLS: --tls-certificate, --tls-key and --tls-client-ca are required")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("Unknown log level \(logLevel)") }
        let directory: SSPDirectory
        do {
            directory = try SSPDirectory.load(self.directory)
        } catch {
            throw ValidationError("Cannot read the directory file \(self.directory): \(error)")
        }
        // Towards providers the proxy presents its own certificate (the one it serves with).
        let upstream = TLSClientOptions(certificate: server.certificate, key: server.key, trustedCA: tlsProviderCa)
        let app = try buildSSP(
            configuration: SSPConfiguration(
                host: host, port: port, directory: directory, tls: server, upstream: upstream, timeout: .seconds(timeout),
                logLevel: level))
        try await app.runService()
    }
}
