import FHIR
import GPConnect
import GPConnectContract
import GPConnectSQL
import GPConnectServer
import GPConnectStorage
import HTTPTypes
import Testing

@Suite("Audit trail")
struct AuditTrailTests {
    func entries(_ client: Client) async throws -> [AuditEntry] {
        let database = try await openDatabase(client.databasePath)
        let entries = try await SQLAuditStore(database: database).entries(after: 0, limit: 1000)
        await database.close()
        return entries
    }

    @Test func everyRequestAcceptedOrRefusedIsRecordedWithProvenance() async throws {
        try await TestServer.run { client in
            _ = try await client.request(.readPatient, "Patient/2") { $0[HTTPField.Name(HeaderName.traceID)!] = "trace-ok" }
            _ = try await client.request(.readPatient, "Patient/404") { $0[HTTPField.Name(HeaderName.traceID)!] = "trace-missing" }
            _ = try await client.request(.readPatient, "Patient/2") {
                $0[HTTPField.Name(HeaderName.traceID)!] = "trace-jwt"
                $0[.authorization] = "Bearer nonsense"
            }
            _ = try await client.raw("/nowhere", headers: [HTTPField.Name(HeaderName.traceID)!: "trace-unrouted"])
            let entries = try await entries(client)
            #expect(entries.map(\.sequence) == Array(1...Int64(entries.count)))
            #expect(AuditEntry.firstBroken(entries, previousHash: AuditEntry.genesisHash) == nil)

            let ok = try #require(entries.first { $0.event.traceID == "trace-ok" })
            #expect(ok.event.status == 200)
            #expect(ok.event.spineCode == nil)
            #expect(ok.event.interaction == Interaction.readPatient.id)
            #expect(ok.event.practice == "B82617")
            #expect(ok.event.patient == "9690937286")
            #expect(ok.event.requester?.sdsUserID == "GCASDS0001")
            #expect(ok.event.requester?.roleProfileID == "112233445566")
            #expect(ok.event.requester?.organizationODS == "GPCA0001")
            #expect(ok.event.requester?.deviceID == "Client")
            #expect(ok.event.consumerASID == Client.consumerASID)

            let missing = try #require(entries.first { $0.event.traceID == "trace-missing" })
            #expect(missing.event.status == 404)
            #expect(missing.event.spineCode == "PATIENT_NOT_FOUND")
            #expect(missing.event.patient == "Patient/404")

            let refused = try #require(entries.first { $0.event.traceID == "trace-jwt" })
            #expect(refused.event.spineCode == "BAD_REQUEST")
            #expect(refused.event.requester == nil)

            let unrouted = try #require(entries.first { $0.event.traceID == "trace-unrouted" })
            #expect(unrouted.event.status == 404)
            #expect(unrouted.event.interaction == nil)
        }
    }

    @Test func queryStringsAreNotRecordedSoNHSNumbersStayOutOfPaths() async throws {
        try await TestServer.run { client in
            _ = try await client.request(.searchPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286")
            let entry = try #require(try await entries(client).last)
            #expect(entry.event.path == "/B82617/STU3/1/gpconnect/fhir/Patient")
        }
    }

    @Test func tamperingWithAnEntryBreaksTheChain() async throws {
        try await TestServer.run { client in
            for _ in 0..<3 { _ = try await client.request(.readMetadata, "metadata") }
            var entries = try await entries(client)
            #expect(AuditEntry.firstBroken(entries) == nil)
            entries[1].event.status = 500
            #expect(AuditEntry.firstBroken(entries) == entries[1].sequence)
        }
    }
}
