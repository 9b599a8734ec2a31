import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectMESH
import GPConnectStorage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension MESHSuites {
    /// `gpconnect serve` with its MESH receiver as a child process, killed with SIGKILL while it works
    /// through a batch of reports, then started again: no report lost, none filed twice, every one
    /// answered and acknowledged on MESH.
    @Suite("Send Document across kill -9", .enabled(if: AlonePass.active, AlonePass.reason))
    struct SendDocumentCrashTests {
        static var binary: String { SpawnedServer.binary }

        static func serve(database: String, port: Int) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "serve", "--database", database, "--port", "\(port)", "--log-level", "error", "--mesh-url", TestMESH.url ?? "",
                "--mesh-shared-key", TestMESH.sharedKey, "--mesh-poll-seconds", "0.1",
                "--mesh-mailbox", "\(Client.practice)=\(TestMESH.practice.id):\(TestMESH.practice.password)",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }

        @Test(
            "Reports survive kill -9 at any point: each is filed once and answered",
            .enabled(if: FileManager.default.isExecutableFile(atPath: SendDocumentCrashTests.binary), "build gpconnect first (swift build)")
        )
        func killNine() async throws {
            let database = try await TestServer.freshDatabase()
            let count = 16
            var reports: [ConsultationReportBuilder] = []
            try await TestMESH.withClient { client in
                try await TestMESH.drain(client, TestMESH.practice)
                try await TestMESH.drain(client, TestMESH.sender)
                for _ in 0..<count {
                    let report = TestMESH.report()
                    reports.append(report)
                    try await TestMESH.send(client, FHIRJSON.encode(report.fhir))
                }
                // Kill the receiver each time it has just finished a report (the inbox shrank), so the
                // kill lands while the reports behind it are being stored, filed or answered.
                var remaining = count
                var killsMidBatch = 0
                for _ in 0..<6 where remaining > 1 {
                    let process = try Self.serve(database: database, port: 8711)
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline, try await client.inbox(TestMESH.practice).count >= remaining {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    let left = try await client.inbox(TestMESH.practice).count
                    if left > 0, left < remaining { killsMidBatch += 1 }
                    remaining = left
                }
                #expect(killsMidBatch >= 1, "killed while reports were still in flight")
                // Then let it finish.
                let process = try Self.serve(database: database, port: 8711)
                let deadline = ContinuousClock.now + .seconds(60)
                var acks: [ITKResponse] = []
                while ContinuousClock.now < deadline, acks.filter({ $0.kind == .business }).count < count {
                    acks += try await TestMESH.acks(client)
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await Task.sleep(for: .milliseconds(500))
                acks += try await TestMESH.acks(client)
                // The receiver's polls are on the server's /metrics.
                let scrape = try await RawConnection.get(port: 8711, "/metrics")
                #expect(scrape.status == 200)
                #expect(scrape.text.contains(#"gpconnect_mesh_polls_total{outcome="ok"}"#), "MESH polls on /metrics")
                process.terminate()
                process.waitUntilExit()

                let business = Dictionary(grouping: acks.filter { $0.kind == .business }, by: \.acknowledgedMessageID)
                #expect(Set(business.keys) == Set(reports.map(\.messageHeaderID)), "every report answered")
                #expect(business.values.allSatisfy { $0.allSatisfy { $0.code == .patientKnown } })
                #expect(try await client.inbox(TestMESH.practice).isEmpty, "every report acknowledged on MESH")
            }
            let storage = try await Storage.open(database)
            let practice = try #require(try await storage.stores.directory.practice(ods: Client.practice))
            let filed = try await Documents(stores: storage.stores).list(nhsNumber: NHSNumber(Docs.patient2)!, practice: practice)
                .filter { $0.id.hasPrefix("sd-") }
            let items = try await storage.stores.messaging.workflowItems(practice: Client.practice, includeReviewed: true)
            await storage.close()
            #expect(filed.count == count, "each report filed exactly once")
            #expect(items.count == count)
        }
    }
}
