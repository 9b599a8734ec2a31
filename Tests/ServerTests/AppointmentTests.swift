import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectSQL
import GPConnectServer
import GPConnectStorage
import GPConnectTestSupport
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@Suite("Book, read and retrieve appointments")
struct AppointmentTests {
    @Test(arguments: [FHIRFormat.json, .xml])
    func bookingAFreeSlotCreatesTheAppointmentWithProviderData(format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let reply = try await client.book(patientID: "1", format: format)
            #expect(reply.status == 201, "\(reply.text)")
            let appointment = try #require(reply.resource)
            let id = try #require(appointment["id"]?.string)
            #expect(appointment.at("meta.profile")?.string == Profile.appointment)
            #expect(reply.headers[.eTag] == "W/\"1\"")
            #expect(reply.headers[.location] == "/B82617/STU3/1/gpconnect/fhir/Appointment/\(id)/_history/1")
            #expect(appointment["status"]?.string == "booked")
            let urls = appointment["extension"]?.items.compactMap { $0["url"]?.string } ?? []
            #expect(urls.contains(ExtensionURL.bookingOrganisation))
            #expect(urls.contains(ExtensionURL.deliveryChannel), "the provider fills the delivery channel from the slot")
            #expect(urls.contains(ExtensionURL.practitionerRole), "the provider fills the practitioner role from the schedule")
            #expect(appointment.at("serviceCategory.text")?.string?.isEmpty == false)
            #expect(appointment.at("serviceType.text")?.string == "General medical practice")
            #expect(appointment.at("contained.identifier.value")?.string == "B82617")
            #expect(appointment.at("contained.name")?.string == "Test Suite Validator")
            #expect(appointment["comment"] == nil)
            #expect(appointment["reason"] == nil && appointment["specialty"] == nil)
            let actors = appointment["participant"]?.items.compactMap { $0.at("actor.reference")?.string } ?? []
            #expect(actors.contains("Patient/1"))
            #expect(actors.contains { $0.hasPrefix("Location/") })
            #expect(actors.contains { $0.hasPrefix("Practitioner/") })

            // The slot is now taken, the appointment reads back the same, with its ETag.
            let read = try await client.request(.readAppointment, "Appointment/\(id)")
            #expect(read.status == 200)
            #expect(read.headers[.eTag] == "W/\"1\"")
            #expect(read.resource?["description"]?.string == "Default Description")
            let slotID = appointment.at("slot.reference")?.string ?? ""
            let search = try await client.freeSlots()
            #expect(!search.entries.contains { "Slot/" + ($0["id"]?.string ?? "") == slotID })
        }
    }

    @Test func bookingWithTheJWTFromAnotherOrganisationKeepsTheBookingOrganisation() async throws {
        try await TestServer.run { client in
            let reply = try await client.book(headers: { headers in
                headers[.authorization] =
                    "Bearer "
                    + Client.token(for: .bookAppointment) { claims in
                        claims["requesting_organization"] = [
                            "resourceType": "Organization", "name": "Other",
                            "identifier": [["system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "X12345"]],
                        ]
                    }
            })
            #expect(reply.status == 201)
            #expect(reply.resource?.at("contained.identifier.value")?.string == "B82617")
        }
    }

    @Test func preferMinimalReturnsNoBody() async throws {
        try await TestServer.run { client in
            let reply = try await client.book(headers: { $0[HTTPField.Name("Prefer")!] = "return=minimal" })
            #expect(reply.status == 201)
            #expect(reply.bytes.isEmpty)
            #expect(reply.contentType == nil)
            #expect(reply.headers[.location] != nil)
        }
    }

    @Test func bookingTheSameSlotTwiceIsDuplicateRejected() async throws {
        try await TestServer.run { client in
            let first = try await client.book(patientID: "1")
            #expect(first.status == 201)
            let slot = try #require(first.resource?.at("slot.reference")?.string)
            let again = try await client.book(patientID: "2") { body in
                body["slot"] = [["reference": .string(slot)]]
                body["start"] = first.resource?["start"]
                body["end"] = first.resource?["end"]
            }
            #expect(again.status == 409)
            #expect(again.spineCode == "DUPLICATE_REJECTED")
        }
    }

    /// Many consumers racing for one slot: exactly one booking, the rest 409, one appointment stored.
    @Test(arguments: 1...3)
    func concurrentBookingsOfOneSlotSucceedExactlyOnce(round: Int) async throws {
        try await TestServer.run { client in
            let search = try await client.freeSlots()
            let slot = try #require(search.entries.first { $0["resourceType"]?.string == "Slot" })
            let schedule = search.entries.first { "Schedule/" + ($0["id"]?.string ?? "") == slot.at("schedule.reference")?.string }
            let bodies = (1...16).map { index in
                FHIRJSON.encodeString(
                    Client.bookingBody(slot: slot, schedule: schedule, patientID: String([1, 2, 3, 4, 5, 6, 7, 8][index % 8])))
            }
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for body in bodies {
                    group.addTask {
                        try await client.viaPool(.bookAppointment, "Appointment", body: body)
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1, "round \(round)")
            #expect(statuses.filter { $0.0 == 409 && $0.1 == "DUPLICATE_REJECTED" }.count == 15, "round \(round)")
            var booked = 0
            for patient in 1...8 {
                let list = try await client.request(
                    .searchPatientAppointments,
                    "Patient/\(patient)/Appointment?start=ge\(UKTime.day(Date()))&start=le\(UKTime.day(UKTime.day(offset: 14, from: Date())))"
                )
                booked += list.entries.filter { $0.at("slot.reference")?.string == "Slot/" + (slot["id"]?.string ?? "") }.count
            }
            #expect(booked == 1)
        }
    }

    @Test(
        arguments: [
            (
                "no patient participant", 422, "INVALID_RESOURCE",
                { @Sendable (b: inout FHIRObject) in
                    b["participant"] = .array(
                        (b["participant"]?.items ?? []).filter { $0.at("actor.reference")?.string?.hasPrefix("Patient") != true })
                }
            ),
            (
                "no location participant", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["participant"] = .array(
                        (b["participant"]?.items ?? []).filter { $0.at("actor.reference")?.string?.hasPrefix("Location") != true })
                }
            ),
            ("no participants", 422, "INVALID_RESOURCE", { @Sendable b in b["participant"] = nil }),
            (
                "participant without status", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["participant"] = .array(
                        (b["participant"]?.items ?? []).map { participant in
                            var object = participant.object ?? FHIRObject()
                            object["status"] = nil
                            return .object(object)
                        })
                }
            ),
            ("unknown element", 422, "INVALID_RESOURCE", { @Sendable b in b["invalidField"] = "Assurance Testing" }),
            ("slot Slot/hello", 422, "INVALID_RESOURCE", { @Sendable b in b["slot"] = [["reference": "Slot/hello"]] }),
            ("slot Slot/45555555##", 422, "INVALID_RESOURCE", { @Sendable b in b["slot"] = [["reference": "Slot/45555555##"]] }),
            (
                "absolute slot", 422, "INVALID_RESOURCE",
                { @Sendable b in b["slot"] = [["reference": "https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/Slot/#12345"]]
                }
            ),
            ("no start", 422, "INVALID_RESOURCE", { @Sendable b in b["start"] = nil }),
            ("no end", 422, "INVALID_RESOURCE", { @Sendable b in b["end"] = nil }),
            ("no status", 422, "INVALID_RESOURCE", { @Sendable b in b["status"] = nil }),
            ("no slot", 422, "INVALID_RESOURCE", { @Sendable b in b["slot"] = nil }),
            (
                "identifier without value", 422, "INVALID_RESOURCE",
                { @Sendable b in b["identifier"] = [["system": "https://fhir.nhs.uk/Id/gpconnect-appointment-identifier"]] }
            ),
            ("reason", 422, "INVALID_RESOURCE", { @Sendable b in b["reason"] = [["text": "Medical consultation with outpatient"]] }),
            (
                "specialty", 422, "INVALID_RESOURCE",
                { @Sendable b in b["specialty"] = [["coding": [["system": "http://snomed.info/sct", "code": "394802001"]]]] }
            ),
            (
                "booking organisation without name", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    var org = b["contained"]?.items.first?.object ?? FHIRObject()
                    org["name"] = nil
                    b["contained"] = [.object(org)]
                }
            ),
            (
                "booking organisation without telecom", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    var org = b["contained"]?.items.first?.object ?? FHIRObject()
                    org["telecom"] = nil
                    b["contained"] = [.object(org)]
                }
            ),
            (
                "absolute booking organisation reference", 422, "INVALID_RESOURCE",
                { @Sendable b in
                    b["extension"] = [
                        [
                            "url": .string(ExtensionURL.bookingOrganisation),
                            "valueReference": ["reference": "https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/#1"],
                        ]
                    ]
                }
            ),
            ("cancellation reason", 422, "INVALID_RESOURCE", { @Sendable b in b.add("extension", Client.cancellation("double booked")) }),
            ("start not the slot's", 422, "INVALID_RESOURCE", { @Sendable b in b["start"] = "2031-01-01T09:00:00+00:00" }),
            ("status pending", 422, "INVALID_RESOURCE", { @Sendable b in b["status"] = "pending" }),
            (
                "unknown patient", 422, "REFERENCE_NOT_FOUND",
                { @Sendable b in
                    b["participant"] = [
                        ["actor": ["reference": "Patient/999"], "status": "accepted"],
                        ["actor": ["reference": "Location/16"], "status": "accepted"],
                    ]
                }
            ),
            ("no profile", 422, "INVALID_RESOURCE", { @Sendable b in b["meta"] = nil }),
        ] as [(String, Int, String, @Sendable (inout FHIRObject) -> Void)])
    func invalidBookingsAreRefused(name: String, status: Int, code: String, edit: @Sendable (inout FHIRObject) -> Void) async throws {
        try await TestServer.run { client in
            let reply = try await client.book(edit: edit)
            #expect(reply.status == status, "\(name): \(reply.text)")
            #expect(reply.spineCode == code, "\(name)")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test func bookingBodiesThatAreNotAppointmentsAreRefused() async throws {
        try await TestServer.run { client in
            let empty = try await client.request(.bookAppointment, "Appointment", body: #"{"resourceType":"Appointment"}"#)
            #expect(empty.status == 422)
            #expect(empty.spineCode == "INVALID_RESOURCE")
            let wrongType = try await client.request(.bookAppointment, "Appointment", body: #"{"resourceType":"InvalidResourceType"}"#)
            #expect(wrongType.status == 422)
            let broken = try await client.request(.bookAppointment, "Appointment", body: #"{"resourceType":"Appointment","#)
            #expect(broken.status == 400)
            #expect(broken.spineCode == "BAD_REQUEST")
        }
    }

    @Test(arguments: ["Invalid4321", "8888888888", "555555"])
    func readOfUnknownAppointmentIsNoRecordFound(id: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readAppointment, "Appointment/\(id)")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "NO_RECORD_FOUND")
            #expect(reply.contentType?.hasPrefix("application/fhir+json") == true)
        }
        try await TestServer.run { client in
            let reply = try await client.request(.readAppointment, "Appointment/")
            #expect(reply.status == 404)
        }
    }

    @Test func retrieveListsAPatientsAppointmentsInTheWindow() async throws {
        try await TestServer.run { client in
            for index in 0..<3 { #expect(try await client.book(patientID: "5", index: index).status == 201) }
            let today = UKTime.day(Date())
            let later = UKTime.day(UKTime.day(offset: 14, from: Date()))
            let reply = try await client.request(.searchPatientAppointments, "Patient/5/Appointment?start=ge\(today)&start=le\(later)")
            #expect(reply.status == 200)
            #expect(reply.resource?["type"]?.string == "searchset")
            #expect(reply.entries.count == 3)
            #expect(reply.entries.allSatisfy { $0["resourceType"]?.string == "Appointment" })
            let none = try await client.request(.searchPatientAppointments, "Patient/20/Appointment?start=ge\(today)&start=le\(today)")
            #expect(none.status == 200)
            #expect(none.entries.isEmpty)
            let ignoringSort = try await client.request(
                .searchPatientAppointments, "Patient/5/Appointment?start=ge2030-03-03&start=le2030-03-30&_sort=date")
            #expect(ignoringSort.status == 200)
        }
    }

    @Test(arguments: [
        "start=ge2030-03-03", "start=le2030-03-03", "start=2010-02-03&start=2010-03-03", "start=ge2010-02-03&start=le2030-03-03",
        "start=ge2030-03-03&start=le2030-01-01", "start=ge2030-03-03&start=lt2030-03-30", "start=ge2030-03-03&start=ge2030-03-30",
        "start=ge2030-03&start=le2030-03-30", "start=ge2030-03-03&start=le2030-03-30T10%3A00%3A00",
        "start=eqs2030-03-03&start=le2030-03-30", "",
    ])
    func invalidRetrieveWindowsAreInvalidParameter(query: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchPatientAppointments, "Patient/5/Appointment" + (query.isEmpty ? "" : "?" + query))
            #expect(reply.status == 422, "\(query)")
            #expect(reply.spineCode == "INVALID_PARAMETER", "\(query)")
        }
    }

    @Test(arguments: ["null", "dd", "9"])
    func retrieveForUnknownPatientIsPatientNotFound(id: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchPatientAppointments, "Patient/\(id)/Appointment?start=ge2030-03-30&start=le2030-04-30")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "PATIENT_NOT_FOUND")
        }
    }
}

@Suite("Two servers on one database")
struct SharedDatabaseTests {
    /// Two provider instances (own connections, own caches) on one database file, consumers racing
    /// for one slot through both: still exactly one booking.
    @Test func bookingsRacingThroughTwoInstancesSucceedOnce() async throws {
        let path = try await TestServer.freshDatabase()
        let first = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: path, logLevel: .error))
        let second = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: path, logLevel: .error))
        try await first.test(.live) { one in
            try await second.test(.live) { two in
                let clients = [Client(client: one, databasePath: path), Client(client: two, databasePath: path)]
                let search = try await clients[0].freeSlots()
                let slot = try #require(search.entries.first { $0["resourceType"]?.string == "Slot" })
                let body = FHIRJSON.encodeString(Client.bookingBody(slot: slot, schedule: nil, patientID: "4", locationID: "16"))
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<16 {
                        group.addTask { try await clients[index % 2].viaPool(.bookAppointment, "Appointment", body: body).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 201 }.count == 1)
                #expect(statuses.filter { $0 == 409 }.count == 15)
                // Both instances see the booking, and the audit chain written by both is intact.
                let other = try await clients[1].freeSlots()
                #expect(!other.entries.contains { $0["id"] == slot["id"] })
            }
        }
        let database = try await openDatabase(path)
        let entries = try await SQLAuditStore(database: database).entries(after: 0, limit: 10_000)
        await database.close()
        #expect(entries.count >= 18)
        #expect(AuditEntry.firstBroken(entries, previousHash: AuditEntry.genesisHash) == nil)
    }
}

/// The same race on PostgreSQL: two provider instances on one database, as when several
/// processes share load.
@Suite("Two servers on one PostgreSQL database", .enabled(if: TestPostgres.available, "needs GPCONNECT_TEST_POSTGRES"))
struct PostgresSharedDatabaseTests {
    @Test func bookingsAndRegistrationsRacingThroughTwoInstancesSucceedOnce() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        let first = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
        let second = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
        try await first.test(.live) { one in
            try await second.test(.live) { two in
                let clients = [Client(client: one, databasePath: url), Client(client: two, databasePath: url)]
                let search = try await clients[0].freeSlots()
                let slot = try #require(search.entries.first { $0["resourceType"]?.string == "Slot" })
                let body = FHIRJSON.encodeString(Client.bookingBody(slot: slot, schedule: nil, patientID: "4", locationID: "16"))
                let registration = FHIRJSON.encodeString(RegisterPatientTests.body())
                let (bookings, registrations) = try await withThrowingTaskGroup(of: (Bool, Int).self) { group in
                    for index in 0..<16 {
                        group.addTask { (true, try await clients[index % 2].viaPool(.bookAppointment, "Appointment", body: body).status) }
                        group.addTask {
                            (
                                false,
                                try await clients[index % 2].request(.registerPatient, "Patient/$gpc.registerpatient", body: registration)
                                    .status
                            )
                        }
                    }
                    return try await group.reduce(into: ([Int](), [Int]())) { result, outcome in
                        if outcome.0 { result.0.append(outcome.1) } else { result.1.append(outcome.1) }
                    }
                }
                #expect(bookings.filter { $0 == 201 }.count == 1)
                #expect(bookings.filter { $0 == 409 }.count == 15)
                #expect(registrations.filter { $0 == 200 }.count == 1)
                #expect(registrations.filter { $0 == 409 }.count == 15)
                let read = try await clients[1].request(.readPatient, "Patient/2")
                #expect(read.status == 200)
            }
        }
        let check = try await openDatabase(url)
        let entries = try await SQLAuditStore(database: check).entries(after: 0, limit: 10_000)
        await check.close()
        #expect(entries.count >= 34)
        #expect(AuditEntry.firstBroken(entries, previousHash: AuditEntry.genesisHash) == nil)
        try? await TestPostgres.dropDatabase(url: url)
    }
}
