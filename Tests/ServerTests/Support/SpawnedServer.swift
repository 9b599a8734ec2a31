import Foundation
import GPConnectClient
import GPConnectContract
import Testing

/// The built `gpconnect` binary run as a child process, for the tests that kill it, fill its disk
/// or restart it; and the consumer they talk to it with.
enum SpawnedServer {
    /// The `gpconnect` executable `swift build` put beside the test bundle.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gpconnect").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gpconnect").path
    }

    enum Failure: Error { case serverDidNotStart }

    /// `gpconnect serve` on `database`, returned once `/health/ready` answers 200.
    /// `GPCONNECT_TEST_SERVER_LOG=FILE` appends its log, at debug level, to FILE.
    static func start(database: String, port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var level = "error"
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if let path = ProcessInfo.processInfo.environment["GPCONNECT_TEST_SERVER_LOG"] {
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            if let log = FileHandle(forWritingAtPath: path) {
                log.seekToEndOfFile()
                level = "debug"
                process.standardOutput = log
                process.standardError = log
            }
        }
        process.arguments = ["serve", "--port", String(port), "--database", database, "--log-level", level]
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // Ready, and answered by this process: a server left on the port by an earlier run
            // would answer too, while ours exits unable to bind.
            guard process.isRunning else { throw Failure.serverDidNotStart }
            if let probe = try? await RawConnection.get(port: port, "/health/ready", within: 2), probe.status == 200 { return process }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        throw Failure.serverDidNotStart
    }

    /// `gpconnect audit --verify` on the database: the hash chain is whole.
    static func verifyAudit(database: String) async throws {
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: binary)
        verify.arguments = ["audit", "--verify", "--database", database]
        let output = Pipe()
        verify.standardOutput = output
        verify.standardError = output
        try verify.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0, "\(text)")
    }

    /// The reference practice B82617 on the spawned server.
    static func endpoint(_ port: Int) -> ProviderEndpoint {
        ProviderEndpoint(ods: "B82617", baseURL: "http://127.0.0.1:\(port)", asid: "918999198738")
    }

    /// A consumer that does not retry, so each call is one answer (or the server gone).
    static func client() -> GPConnectClient {
        GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: "200000000359", timeout: .seconds(30), retries: 0)
    }

    /// The status and Spine code of a provider's refusal; nil for any other failure.
    static func refusal(_ error: any Error) -> (status: Int, code: String?)? {
        guard case .refused(let status, let code, _) = error as? GPConnectClientError else { return nil }
        return (status, code)
    }
}
