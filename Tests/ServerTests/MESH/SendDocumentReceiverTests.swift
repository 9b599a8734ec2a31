import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectMESH
import GPConnectServer
import Testing

extension MESHSuites {
    /// Send Document's receiver against a real mesh-sandbox and a real server (its SQLite database,
    /// its Access Document routes): every validation and acknowledgement path.
    @Suite("Send Document receiver")
    struct SendDocumentReceiverTests {
        static func codes(_ acks: [ITKResponse]) -> [String] { acks.map(\.code.rawValue) }

        @Test("A JSON report for a registered patient is filed, acknowledged 20013 + 30001, and served by Access Document")
        func filedAndServed() async throws {
            let metrics = ServerMetrics()
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server, metrics: metrics) { receiver, client, stores in
                    let report = TestMESH.report()
                    let meshID = try await TestMESH.send(client, FHIRJSON.encode(report.fhir))
                    #expect(await receiver.pollOnce() == 1)
                    // On the server's own registry, so on its /metrics.
                    let text = metrics.exposition
                    #expect(OperationsTests.sample(text, "gpconnect_mesh_polls_total", [#"outcome="ok""#]) == 1)
                    #expect(
                        OperationsTests.sample(
                            text, "gpconnect_mesh_messages_processed_total", [#"outcome="filed""#, #"itk_code="30001""#])
                            == 1)
                    #expect(
                        OperationsTests.sample(text, "gpconnect_mesh_acks_sent_total", [#"kind="infrastructure""#, #"itk_code="20013""#])
                            == 1)
                    #expect(
                        OperationsTests.sample(text, "gpconnect_mesh_acks_sent_total", [#"kind="business""#, #"itk_code="30001""#]) == 1)
                    #expect(OperationsTests.sample(text, "gpconnect_mesh_message_seconds_count") == 1)
                    let acks = try await TestMESH.acks(client)
                    #expect(Self.codes(acks) == ["20013", "30001"])
                    #expect(
                        acks.allSatisfy {
                            $0.acknowledgedMessageID == report.messageHeaderID && $0.senderReference == report.senderReference
                        })
                    #expect(acks.map(\.kind) == [.infrastructure, .business])
                    #expect(try await client.inbox(TestMESH.practice).isEmpty, "acknowledged on MESH")

                    let stored = try #require(try await stores.messaging.message(practice: Client.practice, meshID: meshID))
                    #expect(stored.state == .done && stored.outcome == .filed)
                    let documentID = try #require(stored.documentID)
                    let items = try await stores.messaging.workflowItems(practice: Client.practice, includeReviewed: false)
                    #expect(items.map(\.documentID) == [documentID])
                    #expect(items.first?.subject == "Consultation report for Horace SKELLY")

                    // D3: the patient's documents include the report; D4: its Binary is the PDF sent.
                    let patientID = try #require(try await server.documentsPatientID(Docs.patient2))
                    let search = try await server.documents(patientID: patientID)
                    #expect(search.status == 200)
                    let filed = try #require(search.documentReferences.first { $0["id"]?.string == documentID })
                    #expect(filed["type"]?["coding"]?.items.first?["code"]?.string == "371531000")
                    let url = try #require(filed["content"]?.items.first?["attachment"]?["url"]?.string)
                    let binary = try await server.binary(url)
                    #expect(binary.status == 200)
                    #expect(binary.binaryContent == TestMESH.pdf)
                }
            }
        }

        @Test("An XML report, gzipped and sent in chunks, is filed the same way")
        func xmlChunkedGzip() async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server) { receiver, client, stores in
                    var pdf = TestMESH.pdf
                    for index in 0..<200_000 { pdf.append(UInt8(truncatingIfNeeded: index &* 7)) }
                    let report = TestMESH.report(attachment: pdf)
                    let chunked = MESHClient(
                        url: TestMESH.url ?? "", sharedKey: TestMESH.sharedKey, httpClient: client.http, chunkSize: 50_000)
                    try await TestMESH.send(chunked, FHIRXML.encode(report.fhir), compress: true)
                    #expect(await receiver.pollOnce() == 1)
                    #expect(Self.codes(try await TestMESH.acks(client)) == ["20013", "30001"])
                    let documents = try await Documents(stores: stores).list(
                        nhsNumber: report.nhsNumber, practice: try #require(try await stores.directory.practice(ods: Client.practice)))
                    #expect(documents.contains { $0.content.size == pdf.count })
                }
            }
        }

        @Test(
            "Each refusal is answered with its ITK code, kept with its reason, and does not block the next message",
            arguments: [
                ("unreadable", "10009"), ("wrong event", "20006"), ("unknown patient", "30002"), ("left the practice", "30003"),
                ("demographics mismatch", "30002"), ("unsupported attachment", "20005"), ("sender mismatch", "20003"),
                ("missing patient", "20009"),
            ])
        func refusals(_ scenario: String, _ code: String) async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server) { receiver, client, stores in
                    var report = TestMESH.report()
                    var localID: String? = TestMESH.senderODS
                    var body: [UInt8]
                    switch scenario {
                    case "unreadable": body = Array("this is not FHIR".utf8)
                    case "wrong event":
                        body = Array(FHIRJSON.encodeString(report.fhir).replacingOccurrences(of: "\"ITK007C\"", with: "\"ITK999X\"").utf8)
                    case "unknown patient":
                        report = TestMESH.report(nhsNumber: "9690938002")
                        body = FHIRJSON.encode(report.fhir)
                    case "left the practice":
                        report = TestMESH.report(nhsNumber: "9690938142", family: "BUCK", birthDate: "1999-04-13")
                        body = FHIRJSON.encode(report.fhir)
                    case "demographics mismatch":
                        report = TestMESH.report(birthDate: "1925-04-22")
                        body = FHIRJSON.encode(report.fhir)
                    case "unsupported attachment":
                        report.contentType = "application/zip"
                        body = FHIRJSON.encode(report.fhir)
                    case "sender mismatch":
                        localID = "Z99999"
                        body = FHIRJSON.encode(report.fhir)
                    default:
                        body = Array(
                            FHIRJSON.encodeString(report.fhir).replacingOccurrences(
                                of: "\"resourceType\":\"Patient\"", with: "\"resourceType\":\"Person\""
                            )
                            .utf8)
                    }
                    let bad = try await TestMESH.send(client, body, localID: localID)
                    let good = TestMESH.report()
                    try await TestMESH.send(client, FHIRJSON.encode(good.fhir))
                    #expect(await receiver.pollOnce() == 2)
                    let acks = try await TestMESH.acks(client)
                    let forBad = acks.filter { $0.acknowledgedMessageID != good.messageHeaderID }
                    #expect(forBad.contains { $0.code.rawValue == code && !$0.code.isPositive }, "\(scenario): \(Self.codes(forBad))")
                    #expect(forBad.allSatisfy { $0.diagnostics?.contains(Docs.patient2) != true }, "no patient data in diagnostics")
                    #expect(Self.codes(acks.filter { $0.acknowledgedMessageID == good.messageHeaderID }) == ["20013", "30001"])
                    let kept = try #require(try await stores.messaging.message(practice: Client.practice, meshID: bad))
                    #expect(kept.outcome == .rejected && kept.state == .done)
                    #expect(kept.responseCode == code)
                    #expect(kept.reason?.isEmpty == false)
                    let failures = try await stores.messaging.messages(practice: Client.practice, outcomes: [.rejected], limit: 10)
                    #expect(failures.map(\.meshID) == [bad])
                    #expect(try await client.inbox(TestMESH.practice).isEmpty)
                }
            }
        }

        @Test("A message over maxMessageBytes is refused 20015 before it is parsed")
        func tooLarge() async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server, settings: TestMESH.settings(maxMessageBytes: 2000)) { receiver, client, stores in
                    let meshID = try await TestMESH.send(
                        client, FHIRJSON.encode(TestMESH.report(attachment: Array(repeating: 0x25, count: 10_000)).fhir))
                    #expect(await receiver.pollOnce() == 1)
                    let acks = try await TestMESH.acks(client)
                    #expect(Self.codes(acks) == ["20015"])
                    #expect(acks.first?.acknowledgedMessageID == meshID, "the MESH id: nothing was parsed")
                    #expect(try await stores.messaging.message(practice: Client.practice, meshID: meshID)?.outcome == .rejected)
                }
            }
        }

        @Test("The same report under two MESH ids is filed once; the copy is answered 20007")
        func duplicate() async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server) { receiver, client, stores in
                    let report = TestMESH.report()
                    let body = FHIRJSON.encode(report.fhir)
                    let first = try await TestMESH.send(client, body)
                    #expect(await receiver.pollOnce() == 1)
                    let second = try await TestMESH.send(client, body)
                    #expect(first != second)
                    #expect(await receiver.pollOnce() == 1)
                    let codes = Self.codes(try await TestMESH.acks(client))
                    #expect(codes.count == 3)
                    #expect(Set(codes) == ["20013", "20007", "30001"])
                    #expect(try await stores.messaging.message(practice: Client.practice, meshID: second)?.outcome == .duplicate)
                    let practice = try #require(try await stores.directory.practice(ods: Client.practice))
                    let filed = try await Documents(stores: stores).list(nhsNumber: report.nhsNumber, practice: practice)
                        .filter { $0.id.hasPrefix("sd-") }
                    #expect(filed.count == 1)
                    #expect(try await stores.messaging.workflowItems(practice: Client.practice, includeReviewed: false).count == 1)
                }
            }
        }

        @Test("A stored message is finished after a restart, with nothing filed twice")
        func resumesAfterCrash() async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server) { receiver, client, stores in
                    let report = TestMESH.report()
                    let meshID = try await TestMESH.send(client, FHIRJSON.encode(report.fhir))
                    let practice = try #require(try await stores.directory.practice(ods: Client.practice))
                    // As if killed after processing (filed) but before the acks went out and MESH was acknowledged.
                    let collected = try await receiver.collect(meshID, practice: practice, mailbox: TestMESH.practice, now: Date())
                    let processed = try await SendDocuments(stores: stores, documents: Documents(stores: stores)).process(
                        collected, content: try #require(try await stores.messaging.content(practice: Client.practice, meshID: meshID)),
                        practice: practice, receiverMailbox: TestMESH.practice.id, now: Date())
                    #expect(processed.outcome == .filed)
                    // …and killed before that state was saved: the stored row is still `received`, so the
                    // next run processes it again.
                    #expect(await receiver.pollOnce() == 1)
                    #expect(Self.codes(try await TestMESH.acks(client)) == ["20013", "30001"])
                    let filed = try await Documents(stores: stores).list(nhsNumber: report.nhsNumber, practice: practice).filter {
                        $0.id.hasPrefix("sd-")
                    }
                    #expect(filed.count == 1)
                    #expect(try await client.inbox(TestMESH.practice).isEmpty)
                }
            }
        }

        @Test("A MESH non-delivery report is logged, kept and acknowledged")
        func report() async throws {
            try await TestServer.run { server in
                try await TestMESH.withReceiver(server) { receiver, client, stores in
                    // The sandbox's admin API puts a non-delivery report in a mailbox.
                    let original = try await client.send(
                        TestMESH.practice, MESHOutgoing(to: TestMESH.sender.id, workflowID: ITK3.ackWorkflow, content: Array("ack".utf8)))
                    try await TestMESH.sandboxReport(linkedTo: original)
                    #expect(await receiver.pollOnce() >= 1)
                    let reports = try await stores.messaging.messages(practice: Client.practice, outcomes: [.report], limit: 10)
                    #expect(reports.count == 1)
                    #expect(reports.first?.reason?.contains(original) == true)
                    #expect(try await client.inbox(TestMESH.practice).isEmpty)
                    try await TestMESH.drain(client, TestMESH.sender)
                }
            }
        }
    }
}
