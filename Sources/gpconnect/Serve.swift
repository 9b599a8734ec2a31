import ArgumentParser
import GPConnect
import GPConnectContract
import GPConnectServer
import Hummingbird

/// `gpconnect serve`: run the provider.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the provider (creates, migrates and seeds the database on first start).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var tls: ServerTLSFlags
    @OptionGroup var mesh: MESHFlags
    @OptionGroup var limits: LimitFlags
    @OptionGroup var logging: LogFormatFlags

    @Option(name: .long, help: "Address to listen on (env GPCONNECT_HOST; default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (env GPCONNECT_PORT; default 8080).")
    var port: Int?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "ODS codes of the practices to serve (env GPCONNECT_PRACTICES, comma-separated; default all).")
    var practices: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env GPCONNECT_LOG_LEVEL).")
    var logLevel: String?

    @Option(
        name: .long,
        help:
            "Scheme and host consumers reach this server at, for document URLs behind a proxy (env GPCONNECT_PUBLIC_BASE_URL; default: the request's Host)."
    )
    var publicBaseURL: String?

    @Flag(name: .long, help: "Also serve the federation hub on the demo practices (prints its URL and a demo sign-in).")
    var hub = false

    @Option(name: .long, help: "With --hub: the hub's port.")
    var hubPort = 9100

    func run() async throws {
        try logging.bootstrap()
        var configuration = try common.serverConfiguration(host: host, port: port, practices: practices, logLevel: logLevel)
        if let publicBaseURL { configuration.publicBaseURL = try CommonOptions.baseURL(publicBaseURL) }
        configuration.tls = try tls.options(file: common.file().tls)
        configuration.mesh = try mesh.settings(file: common.file().mesh)
        configuration.limits = try limits.limits(file: common.file().limits)
        configuration.operationsLayer = !limits.withoutOperationsLayer
        let app = try await buildApplication(configuration: configuration)
        if hub { return try await ServeHub.run(provider: app, configuration: configuration, hubPort: hubPort) }
        try await app.runService()
    }
}
