import AsyncHTTPClient
import CoreMetrics
import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectMESH
import GPConnectServer
import GPConnectStorage
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// Every suite that uses the sandbox, one at a time: they share its mailboxes.
@Suite("MESH sandbox", .serialized, .enabled(if: TestMESH.available, TestMESH.notConfigured))
struct MESHSuites {}

/// The real MESH sandbox named by `GPCONNECT_TEST_MESH` (`scripts/mesh-sandbox.sh start`;
/// `.ci/run` starts one) with the shared key `GPCONNECT_TEST_MESH_SHARED_KEY`. Tests that need it
/// are disabled, visibly, when it is not set.
enum TestMESH {
    static let url = ProcessInfo.processInfo.environment["GPCONNECT_TEST_MESH"]
    static let sharedKey = ProcessInfo.processInfo.environment["GPCONNECT_TEST_MESH_SHARED_KEY"] ?? "TestKey"
    static var available: Bool { url != nil }
    static let notConfigured: Comment = "GPCONNECT_TEST_MESH is not set (export GPCONNECT_TEST_MESH=$(scripts/mesh-sandbox.sh start))"

    /// The practice B82617's mailbox and an out-of-hours sender's (directories the script creates).
    static let practice = MESHMailbox(id: "X26OT181TEST", password: "password")
    static let sender = MESHMailbox(id: "X26OT182TEST", password: "password")
    static let senderODS = "Y01234"

    static func withClient(chunkSize: Int = MESHClient.defaultChunkSize, _ body: (MESHClient) async throws -> Void) async throws {
        let http = try MESHSettings(url: url ?? "", sharedKey: sharedKey).makeHTTPClient()
        do {
            try await body(MESHClient(url: url ?? "", sharedKey: sharedKey, httpClient: http, chunkSize: chunkSize))
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// Acknowledges whatever is in a mailbox, so a test starts from an empty inbox.
    static func drain(_ client: MESHClient, _ mailbox: MESHMailbox) async throws {
        for id in try await client.inbox(mailbox) { try await client.acknowledge(mailbox, messageID: id) }
    }

    static func settings(maxMessageBytes: Int = MESHSettings.defaultMaxMessageBytes, pollSeconds: Double = 0.2) -> MESHSettings {
        MESHSettings(
            url: url ?? "", sharedKey: sharedKey, pollSeconds: pollSeconds, maxMessageBytes: maxMessageBytes,
            mailboxes: [Client.practice: practice])
    }

    /// A minimal PDF.
    static let pdf = Array("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)

    /// A report for patient2 (SKELLY, 1925-04-21) of the reference data set.
    static func report(
        nhsNumber: String = Docs.patient2, family: String = "SKELLY", birthDate: String = "1925-04-21", attachment: [UInt8] = pdf
    ) -> ConsultationReportBuilder {
        ConsultationReportBuilder(
            senderMailbox: sender.id, senderODS: senderODS, senderName: "Vale Out of Hours", nhsNumber: NHSNumber(nhsNumber)!,
            family: family, given: ["Horace"], birthDate: birthDate, practitionerSDSUserID: "G13579135", practitionerFamily: "Jones",
            attachment: attachment)
    }

    /// A receiver on the server's own database (the same use cases `gpconnect serve` runs).
    static func withReceiver(
        _ server: Client, settings: MESHSettings = TestMESH.settings(), metrics: ServerMetrics? = nil,
        _ body: (MESHReceiver, MESHClient, Stores) async throws -> Void
    ) async throws {
        let storage = try await Storage.open(server.databasePath)
        let http = try settings.makeHTTPClient()
        let client = MESHClient(url: settings.url, sharedKey: settings.sharedKey, httpClient: http, chunkSize: 64 * 1024)
        var logger = Logger(label: "mesh-test")
        logger.logLevel = .error
        let receiver = MESHReceiver(
            client: client, settings: settings, stores: storage.stores, documents: Documents(stores: storage.stores), logger: logger,
            metrics: metrics?.factory ?? NOOPMetricsHandler.instance)
        do {
            try await drain(client, practice)
            try await drain(client, sender)
            try await body(receiver, client, storage.stores)
        } catch {
            try? await http.shutdown()
            await storage.close()
            throw error
        }
        try await http.shutdown()
        await storage.close()
    }

    /// Sends bytes as a report from the sender mailbox to the practice.
    @discardableResult
    static func send(
        _ client: MESHClient, _ content: [UInt8], localID: String? = TestMESH.senderODS, compress: Bool = false,
        workflow: String = ITK3.reportWorkflow
    ) async throws -> String {
        try await client.send(
            sender,
            MESHOutgoing(
                to: practice.id, workflowID: workflow, subject: "Consultation report for Horace SKELLY", localID: localID,
                contentType: "application/fhir+json", content: content, compress: compress))
    }

    /// Puts a MESH non-delivery report for `original` into the practice's inbox (the sandbox's
    /// testing-only admin endpoint).
    static func sandboxReport(linkedTo original: String) async throws {
        var request = HTTPClientRequest(url: (url ?? "") + "/messageexchange/admin/report")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: FHIRElement = [
            "mailbox_id": .string(practice.id), "code": "14", "description": "Message not collected by recipient after 5 days",
            "workflow_id": .string(ITK3.ackWorkflow), "linked_message_id": .string(original),
        ]
        request.body = .bytes(ByteBuffer(bytes: FHIRJSON.encode(body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 200)
    }

    /// The acknowledgements in the sender's inbox, parsed (and acknowledged).
    static func acks(_ client: MESHClient) async throws -> [ITKResponse] {
        var responses: [ITKResponse] = []
        for id in try await client.inbox(sender) {
            let message = try await client.download(sender, messageID: id)
            #expect(message.workflowID == ITK3.ackWorkflow)
            responses.append(try ITKResponse.parse(bytes: message.content))
            try await client.acknowledge(sender, messageID: id)
        }
        return responses.sorted { $0.kind.rawValue > $1.kind.rawValue }  // infrastructure, then business
    }
}
