import AsyncHTTPClient
import Foundation
import GPConnectClient
import GPConnectServer
import GPConnectTLS
import NIOCore
import NIOSSL
import Synchronization

/// Certificates made by `scripts/dev-certificates.sh` once per test run, in a temporary folder.
enum TestCertificates {
    static let made = Mutex<String?>(nil)

    static func directory() throws -> String {
        try made.withLock { made in
            if let made { return made }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-certs-\(UUID().uuidString)").path
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/dev-certificates.sh").path
            let result = try Shell.run("/bin/bash", [script, directory])
            guard result.status == 0 else { throw Shell.Failure(description: "dev-certificates.sh failed: \(result.output)") }
            made = directory
            return directory
        }
    }

    static func path(_ name: String) throws -> String { try directory() + "/" + name }

    /// The provider's TLS: client certificates from the dev CA, optionally only the SSP's, with the CRL.
    static func provider(clientFQDN: String? = nil, crl: Bool = true) throws -> TLSServerOptions {
        TLSServerOptions(
            certificate: try path("provider.pem"), key: try path("provider.key"), clientCA: try path("ca.pem"), clientFQDN: clientFQDN,
            crl: crl ? try path("crl.pem") : nil)
    }

    /// A client presenting `name`.pem (or nothing) and trusting the dev CA.
    static func client(_ name: String?) throws -> TLSClientOptions {
        TLSClientOptions(
            certificate: try name.map { try path("\($0).pem") }, key: try name.map { try path("\($0).key") }, trustedCA: try path("ca.pem"))
    }

    @discardableResult
    /// Runs `body` with an HTTP client presenting `name`'s certificate, at most `maximumVersion`.
    static func withHTTPClient<T>(
        _ name: String?, minimumVersion: TLSVersion = .tlsv12, maximumVersion: TLSVersion = .tlsv13,
        _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        var tls = try client(name).tlsConfiguration()
        tls.maximumTLSVersion = maximumVersion
        tls.minimumTLSVersion = minimumVersion
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(30)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let value = try await body(http)
            try await http.shutdown()
            return value
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// Runs a command and collects its output (stdout and stderr together).
enum Shell {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
