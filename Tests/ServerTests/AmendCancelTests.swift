import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectSQL
import GPConnectServer
import GPConnectStorage
import HTTPTypes
import Testing

@Suite("Amend and cancel appointments")
struct AmendCancelTests {
    func booked(_ client: Client) async throws -> FHIRElement {
        let reply = try await client.book(patientID: "3")
        return try #require(reply.status == 201 ? reply.resource : nil)
    }

    @Test func amendingDescriptionAndCommentBumpsTheVersion() async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let reply = try await client.change(.amendAppointment, appointment, ifMatch: "W/\"1\"") { body in
                body["description"] = "customDescription"
                body["comment"] = "customComment"
            }
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.resource?["description"]?.string == "customDescription")
            #expect(reply.resource?["comment"]?.string == "customComment")
            #expect(reply.resource?.at("meta.versionId")?.string == "2")
            #expect(reply.headers[.eTag] == "W/\"2\"")
            // The server's own representation sent back unchanged is accepted too.
            let unchanged = try await client.change(.amendAppointment, try #require(reply.resource)) { _ in }
            #expect(unchanged.status == 200)
            let withoutServiceFields = try await client.change(.amendAppointment, try #require(unchanged.resource)) { body in
                body["serviceCategory"] = nil
                body["serviceType"] = nil
            }
            #expect(withoutServiceFields.status == 200)
            #expect(withoutServiceFields.resource?.at("serviceType.text")?.string == "General medical practice")
        }
    }

    @Test(
        arguments: [
            ("priority", { @Sendable (b: inout FHIRObject) in b["priority"] = .number("1") }),
            ("status noshow", { @Sendable b in b["status"] = "noshow" }),
            ("cancellation reason while booked", { @Sendable b in b.add("extension", Client.cancellation("double booked")) }),
            ("start", { @Sendable b in b["start"] = "2031-01-01T09:00:00+00:00" }),
            (
                "absolute booking organisation",
                { @Sendable b in
                    b["extension"] = [
                        [
                            "url": .string(ExtensionURL.bookingOrganisation),
                            "valueReference": ["reference": "https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/#1"],
                        ]
                    ]
                }
            ),
            ("another participant", { @Sendable b in b.add("participant", ["actor": ["reference": "Patient/2"], "status": "declined"]) }),
            ("resource type", { @Sendable b in b["resourceType"] = "InvalidResourceType" }),
        ] as [(String, @Sendable (inout FHIRObject) -> Void)])
    func amendingAnythingElseIsInvalidResource(name: String, edit: @Sendable (inout FHIRObject) -> Void) async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let reply = try await client.change(.amendAppointment, appointment, edit: edit)
            #expect(reply.status == 422, "\(name): \(reply.text)")
            #expect(reply.spineCode == "INVALID_RESOURCE", "\(name)")
        }
    }

    @Test func staleIfMatchIsAConflict() async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let amend = try await client.change(.amendAppointment, appointment, ifMatch: "W/\"invalidEtag\"") { $0["comment"] = "x" }
            #expect(amend.status == 409)
            #expect(amend.spineCode == "FHIR_CONSTRAINT_VIOLATION")
            let cancel = try await client.change(.cancelAppointment, appointment, ifMatch: "W/\"invalidEtag\"") { body in
                body["status"] = "cancelled"
                body.add("extension", Client.cancellation("double booked"))
            }
            #expect(cancel.status == 409)
            #expect(cancel.spineCode == "FHIR_CONSTRAINT_VIOLATION")
        }
    }

    /// Two amendments of one version at the same moment: one wins, the others are told to re-read.
    @Test func racingAmendmentsOfOneVersionSucceedOnce() async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var body = appointment.object ?? FHIRObject()
                        body["comment"] = .string("edit \(index)")
                        return try await client.viaPool(
                            .amendAppointment, "Appointment/\(appointment["id"]?.string ?? "")", body: FHIRJSON.encodeString(.object(body)),
                            ifMatch: "W/\"1\""
                        ).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 7)
        }
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func cancellingFreesTheSlotAndKeepsEverythingElse(format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let reply = try await client.change(.cancelAppointment, appointment, ifMatch: "W/\"1\"", query: "?_format=\(format.rawValue)") {
                body in
                body["status"] = "cancelled"
                body.add("extension", Client.cancellation("Test cancellation reason 1"))
            }
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.contentType == format.contentType)
            let cancelled = try #require(reply.resource)
            #expect(cancelled["status"]?.string == "cancelled")
            #expect(cancelled.at("meta.versionId")?.string == "2")
            let extensions = cancelled["extension"]?.items ?? []
            #expect(
                extensions.first { $0["url"]?.string == ExtensionURL.cancellationReason }?["valueString"]?.string
                    == "Test cancellation reason 1")
            #expect(extensions.count == (appointment["extension"]?.items.count ?? 0) + 1)
            for field in ["description", "start", "end", "slot", "participant", "created"] {
                #expect(cancelled[field]?.items == appointment[field]?.items, "\(field)")
            }
            // The slot is offered again, and the cancelled appointment cannot be amended.
            let slot = appointment.at("slot.reference")?.string ?? ""
            let search = try await client.freeSlots()
            #expect(search.entries.contains { "Slot/" + ($0["id"]?.string ?? "") == slot })
            let amend = try await client.change(.amendAppointment, cancelled) { $0["comment"] = "late" }
            #expect(amend.status == 422)
            #expect(amend.spineCode == "INVALID_RESOURCE")
            let again = try await client.change(.cancelAppointment, cancelled) { _ in }
            #expect(again.status == 422)
        }
    }

    @Test(
        arguments: [
            (
                "comment", 422, "INVALID_RESOURCE",
                { @Sendable (b: inout FHIRObject) in
                    b["status"] = "cancelled"; b.add("extension", Client.cancellation("x")); b["comment"] = "RANDOM COMMENT"
                }
            ),
            (
                "description", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["status"] = "cancelled"; b.add("extension", Client.cancellation("x")); b["description"] = "RANDOM DESCRIPTION"
                }
            ),
            (
                "appointment type", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["status"] = "cancelled"; b.add("extension", Client.cancellation("x"));
                    b["appointmentType"] = ["text": "RANDOM TYPE TEXT"]
                }
            ),
            (
                "participants", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["status"] = "cancelled"; b.add("extension", Client.cancellation("x"))
                    b.add("participant", ["actor": ["reference": "location/2"], "status": "declined"])
                }
            ),
            (
                "bad extension url", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["status"] = "cancelled"
                    b.add(
                        "extension",
                        [
                            "url": "http://fhir.nhs.uk/StructuraeDefinition/extension-gpconnect-appointment-cancellation-reason-1-010",
                            "valueString": "Too busy",
                        ])
                }
            ),
            (
                "empty reason", 422, "INVALID_PARAMETER",
                { @Sendable b in
                    b["status"] = "cancelled"; b.add("extension", Client.cancellation(""))
                }
            ),
            ("no reason", 422, "INVALID_PARAMETER", { @Sendable b in b["status"] = "cancelled" }),
            ("status not cancelled", 422, "INVALID_RESOURCE", { @Sendable b in b.add("extension", Client.cancellation("x")) }),
        ] as [(String, Int, String, @Sendable (inout FHIRObject) -> Void)])
    func invalidCancellationsAreRefused(name: String, status: Int, code: String, edit: @Sendable (inout FHIRObject) -> Void) async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            let reply = try await client.change(.cancelAppointment, appointment, edit: edit)
            #expect(reply.status == status, "\(name): \(reply.text)")
            #expect(reply.spineCode == code, "\(name)")
        }
    }

    @Test func changesAreRecordedWithProvenance() async throws {
        try await TestServer.run { client in
            let appointment = try await booked(client)
            _ = try await client.change(.amendAppointment, appointment) { $0["comment"] = "c" }
            let read = try await client.request(.readAppointment, "Appointment/\(appointment["id"]?.string ?? "")")
            _ = try await client.change(.cancelAppointment, try #require(read.resource)) { body in
                body["status"] = "cancelled"
                body.add("extension", Client.cancellation("double booked"))
            }
            let database = try await openDatabase(client.databasePath)
            let stored = try await SQLDiaryStore(database: database).appointment(practice: "B82617", id: appointment["id"]?.string ?? "")
            await database.close()
            #expect(stored?.provenance.map(\.action) == ["booked", "amended", "cancelled"])
            #expect(
                stored?.provenance.allSatisfy {
                    $0.sdsUserID == "GCASDS0001" && $0.organizationODS == "GPCA0001" && $0.bookingOrganizationODS == "B82617"
                } == true)
        }
    }
}
