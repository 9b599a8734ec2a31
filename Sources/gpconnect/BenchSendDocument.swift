import ArgumentParser
import AsyncHTTPClient
import Foundation
import GPConnectBench
import GPConnectContract
import GPConnectMESH
import GPConnectServer
import Hummingbird
import Logging

/// `gpconnect bench-send-document`: Send Document end to end through a MESH (the sandbox): an
/// in-process provider with its MESH receiver on a fresh seeded database, a burst of reports for
/// the reports-per-second figure, then single reports for send → business-ack latency.
struct BenchSendDocument: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-send-document", abstract: "Reports per second and send → business-ack latency through MESH.")

    @Option(name: .long, help: "MESH URL (env GPCONNECT_TEST_MESH; scripts/mesh-sandbox.sh start).") var meshURL: String?
    @Option(name: .long, help: "MESH shared key.") var meshSharedKey = "TestKey"
    @Option(name: .long, help: "The practice's (receiver's) mailbox.") var practiceMailbox = "X26OT183TEST"
    @Option(name: .long, help: "The sender's mailbox.") var senderMailbox = "X26OT184TEST"
    @Option(name: .long, help: "Mailbox password.") var password = "password"
    @Option(name: .long, help: "Receiver poll interval, seconds.") var pollSeconds = 1.0
    @Option(name: .long, help: "Reports in the burst.") var burst = 50
    @Option(name: .long, help: "Single reports timed send → business ack.") var singles = 10
    @Option(name: .long, help: "Port for the in-process server.") var port = 8721

    func run() async throws {
        guard let url = meshURL ?? ProcessInfo.processInfo.environment["GPCONNECT_TEST_MESH"] else {
            throw ValidationError("Give --mesh-url (scripts/mesh-sandbox.sh start)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-bench-mesh-\(UUID().uuidString)")
        var configuration = ServerConfiguration(port: port, databasePath: directory.appendingPathComponent("bench.sqlite").path)
        configuration.logLevel = .warning
        configuration.mesh = MESHSettings(
            url: url, sharedKey: meshSharedKey, pollSeconds: pollSeconds,
            mailboxes: ["B82617": MESHMailbox(id: practiceMailbox, password: password)])
        let http = try MESHSettings(url: url, sharedKey: meshSharedKey).makeHTTPClient()
        let client = MESHClient(url: url, sharedKey: meshSharedKey, httpClient: http)
        for id in try await client.inbox(MESHMailbox(id: practiceMailbox, password: password)) {
            try await client.acknowledge(MESHMailbox(id: practiceMailbox, password: password), messageID: id)
        }
        let app = try await buildApplication(configuration: configuration)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        try await Task.sleep(for: .milliseconds(500))
        let sender = senderMailbox
        let pdf =
            Array("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8) + Array(repeating: 0x20, count: 20_000)
        let benchmark = SendDocumentBenchmark(client: client, sender: MESHMailbox(id: sender, password: password), to: practiceMailbox) {
            ConsultationReportBuilder(
                senderMailbox: sender, senderODS: "Y01234", senderName: "Bench OOH", nhsNumber: NHSNumber("9690937286")!,
                family: "SKELLY", given: ["Horace"], birthDate: "1925-04-21", practitionerSDSUserID: "G13579135",
                practitionerFamily: "Bench", attachment: pdf)
        }
        do {
            let result = try await benchmark.run(burst: burst, singles: singles)
            print("Send Document through MESH (\(url)), receiver poll \(pollSeconds) s, 20 KB PDF")
            print(
                String(
                    format: "burst of %d reports: %.2f s, %.2f reports/s (send → filed → both acks)", result.burst, result.burstSeconds,
                    result.reportsPerSecond))
            print(
                String(
                    format: "single reports (%d): send → business ack p50 %.3f s, p95 %.3f s, max %.3f s", result.latencies.count,
                    result.percentile(0.5), result.percentile(0.95), result.latencies.max() ?? 0))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
