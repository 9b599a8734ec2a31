import FHIR
import Foundation
import GPConnectContract
import GPConnectSQL
import GPConnectSQLite
import GPConnectServer
import HTTPTypes
import Logging
import Synchronization
import Testing

/// `/metrics`, liveness and readiness, and the JSON-lines log format.
@Suite("Operations: metrics, health, logs")
struct OperationsTests {
    /// The value of the first sample line of `name` whose labels include every one of `labels`.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else { continue }
            return Double(value)
        }
        return nil
    }

    @Test func metricsCountRequestsByInteractionStatusAndSpineCodeWithoutPatientData() async throws {
        try await TestServer.run { client in
            #expect(try await client.request(.readMetadata, "metadata").status == 200)
            let search = try await client.request(
                .searchPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286")
            #expect(search.status == 200)
            let unknown = try await client.request(.readMetadata, "metadata", ods: "Z99999")
            #expect(unknown.status == 404)
            let reply = try await client.raw("/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = reply.text
            #expect(
                Self.sample(text, "gpconnect_requests_total", [#"interaction="readMetadata""#, #"status="200""#, #"spine_code="none""#])
                    == 1)
            #expect(Self.sample(text, "gpconnect_requests_total", [#"interaction="searchPatient""#, #"status="200""#]) == 1)
            #expect(
                Self.sample(text, "gpconnect_requests_total", [#"status="404""#, #"spine_code="ORGANISATION_NOT_FOUND""#]) == 1)
            #expect(Self.sample(text, "gpconnect_request_duration_seconds_count", [#"interaction="readMetadata""#]) == 1)
            #expect((Self.sample(text, "gpconnect_audit_append_duration_seconds_count", [#"outcome="ok""#]) ?? 0) >= 3)
            #expect((Self.sample(text, "gpconnect_db_operations_total", [#"operation="write""#, #"outcome="ok""#]) ?? 0) >= 3)
            #expect((Self.sample(text, "gpconnect_db_operations_total", [#"operation="read""#]) ?? 0) >= 1)
            #expect(Self.sample(text, "gpconnect_db_writes_in_flight") == 0)
            #expect((Self.sample(text, "gpconnect_open_connections") ?? 0) >= 1)
            #expect(!text.contains("9690937286"))
            #expect(!text.contains("B82617"))
        }
    }

    @Test func auditBatchesAndSlotReleaseRunsAreMeasured() async throws {
        // An empty database: the server seeds it and releases each practice's slots as it starts.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestServer.run(configure: { $0.databasePath = directory.appendingPathComponent("empty.sqlite").path }) { client in
            #expect(try await client.request(.readMetadata, "metadata").status == 200)
            let text = try await client.raw("/metrics").text
            // Both reference practices released at start-up, each adding its slots.
            #expect(Self.sample(text, "gpconnect_slot_release_runs_total", [#"outcome="ok""#]) == 2)
            #expect((Self.sample(text, "gpconnect_slot_release_slots_total") ?? 0) >= 40)
            #expect(Self.sample(text, "gpconnect_slot_release_duration_seconds_count") == 2)
            // Every audited request went out in a committed batch of at least one entry.
            let batches = try #require(Self.sample(text, "gpconnect_audit_append_batch_size_count"))
            let entries = try #require(Self.sample(text, "gpconnect_audit_append_batch_size_sum"))
            #expect(batches >= 1 && entries >= batches)
        }
    }

    @Test func readinessNeedsTheDatabaseAndEveryMigrationWhileLivenessNeedsOnlyTheProcess() async throws {
        try await TestServer.run { client in
            let ready = try await client.raw("/health/ready")
            #expect(ready.status == 200)
            #expect(ready.text == #"{"status":"ready"}"#)
            let database = try await GPConnectSQLiteDatabase.open(path: client.databasePath)
            _ = try await database.write { try await $0.query("DELETE FROM schema_migrations WHERE version = 1") }
            await database.close()
            let notReady = try await client.raw("/health/ready")
            #expect(notReady.status == 503)
            #expect(notReady.text.contains("migrations not applied: 1"))
            #expect(notReady.headers[.cacheControl] == "no-store")
            #expect(try await client.raw("/health").status == 200)
        }
    }

    @Test func jsonLinesCarryTheTraceIDAndEscapeEveryValue() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "gpconnect") { JSONLinesLogHandler(label: $0) { line in lines.withLock { $0.append(line) } } }
        logger.logLevel = .info
        logger.info("refused", metadata: ["trace": "7f1d0f4e-7a43", "code": "BAD_REQUEST", "note": "a \"quoted\"\nline"])
        let line = try #require(lines.withLock { $0.first })
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["trace"] == "7f1d0f4e-7a43")
        #expect(object["message"] == "refused")
        #expect(object["level"] == "info")
        #expect(object["note"] == "a \"quoted\"\nline")
        #expect(object["time"] != nil)
    }
}
