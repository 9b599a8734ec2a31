import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import GPConnectServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The consumer client against our provider over real HTTP: every interaction, success and
/// refusal, JSON and XML.
@Suite("Consumer client")
struct ConsumerClientTests {
    static func endpoint(_ client: Client, ods: String = "B82617", asid: String = "918999198738") throws -> ProviderEndpoint {
        let port = try #require(client.client.port)
        return ProviderEndpoint(ods: ods, baseURL: "http://127.0.0.1:\(port)", asid: asid)
    }

    static func consumer(_ format: FHIRFormat = .json) -> GPConnectClient {
        // A long timeout: the whole suite runs in parallel on two cores.
        GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: "200000000359", format: format, timeout: .seconds(60),
            retries: 0)
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func foundationsCallsReturnTheModel(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try Self.endpoint(server)
            let gp = Self.consumer(format)
            #expect(try await gp.capabilityStatement(endpoint)["fhirVersion"]?.string == "3.0.1")
            #expect(try await gp.capabilityStatement(endpoint, capability: .structured)["resourceType"]?.string == "CapabilityStatement")
            let patients = try await gp.findPatient(endpoint, nhsNumber: "9690937286")
            #expect(patients.map { $0["id"]?.string } == ["2"])
            #expect(try await gp.findPatient(endpoint, nhsNumber: "9690938533").isEmpty)
            #expect(try await gp.readPatient(endpoint, id: "2")["birthDate"]?.string == "1925-04-21")
            #expect(try await gp.findPractitioner(endpoint, sdsUserID: "G22345655").first?["id"]?.string == "2")
            #expect(try await gp.readPractitioner(endpoint, id: "1")["resourceType"]?.string == "Practitioner")
            #expect(try await gp.findOrganization(endpoint, odsCode: "B82617").count == 1)
            #expect(try await gp.readOrganization(endpoint, id: "7")["name"]?.string == "COXWOLD SURGERY")
            #expect(try await gp.readLocation(endpoint, id: "16")["name"]?.string?.isEmpty == false)
            let patient: FHIRElement = [
                "resourceType": "Patient", "meta": ["profile": [.string(Profile.patient)]],
                "identifier": [["system": .string(IdentifierSystem.nhsNumber), "value": "9651258500"]],
                "name": [["use": "official", "family": "REA", "given": ["Clive"]]], "gender": "male", "birthDate": "1951-03-10",
            ]
            let registered = try await gp.registerPatient(endpoint, patient: patient)
            #expect(registered.at("identifier.value")?.string == "9651258500")
            await #expect(
                throws: GPConnectClientError.refused(
                    status: 409, code: "DUPLICATE_REJECTED", diagnostics: "The patient is already registered at this practice")
            ) {
                try await gp.registerPatient(endpoint, patient: patient)
            }
        }
    }

    @Test func refusalsCarryTheSpineCode() async throws {
        try await TestServer.run { server in
            let endpoint = try Self.endpoint(server)
            let gp = Self.consumer()
            do {
                _ = try await gp.readPatient(endpoint, id: "unknown")
                Issue.record("expected a refusal")
            } catch let error as GPConnectClientError {
                #expect(error.spineCode == .patientNotFound)
            }
            do {
                _ = try await gp.findPatient(endpoint, nhsNumber: "1234567891")
                Issue.record("expected a refusal")
            } catch let error as GPConnectClientError {
                #expect(error.spineCode == .invalidNHSNumber)
            }
            let wrongASID = ProviderEndpoint(ods: "B82617", baseURL: endpoint.baseURL, asid: "1")
            do {
                _ = try await gp.capabilityStatement(wrongASID)
                Issue.record("expected a refusal")
            } catch let error as GPConnectClientError {
                #expect(
                    error == .refused(status: 400, code: "BAD_REQUEST", diagnostics: "Ssp-To does not match the ASID of practice B82617"))
            }
            do {
                _ = try await gp.structuredRecord(endpoint, nhsNumber: "9690938533", areas: [.allergies])
                Issue.record("expected a refusal")
            } catch let error as GPConnectClientError {
                guard case .refused(let status, let code, _) = error else { throw error }
                #expect(status == 404 && code == "PATIENT_NOT_FOUND")
            }
        }
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func structuredRecordThroughTheClient(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try Self.endpoint(server)
            let gp = Self.consumer(format)
            let bundle = try await gp.structuredRecord(
                endpoint, nhsNumber: "9690937286", areas: [.allergies, .medication, .problems, .consultations])
            #expect(bundle["type"]?.string == "collection")
            let resources = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }
            let titles = resources.filter { $0["resourceType"]?.string == "List" }.compactMap { $0["title"]?.string }
            for title in [
                "Allergies and adverse reactions", "Ended allergies", "Medications and medical devices", "Problems",
                "List of consultations",
            ] {
                #expect(titles.contains(title), "\(title)")
            }
            #expect(resources.contains { $0["resourceType"]?.string == "MedicationStatement" })
            // Migration: without sensitive information (conf/N) the confidential repeat stays behind;
            // with it (conf/R) it comes, labelled.
            let plain = try await gp.migrateStructuredRecord(endpoint, nhsNumber: "9690937286", includeSensitive: false)
            let full = try await gp.migrateStructuredRecord(endpoint, nhsNumber: "9690937286", includeSensitive: true)
            func ids(_ bundle: FHIRElement) -> Set<String> {
                Set((bundle["entry"]?.items ?? []).compactMap { $0["resource"]?["id"]?.string })
            }
            #expect(!ids(plain).contains("s2-3") && ids(full).contains("s2-3"))
        }
    }

    @Test(arguments: [FHIRFormat.json, .xml])
    func appointmentLifecycleThroughTheClient(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try Self.endpoint(server)
            let gp = Self.consumer(format)
            let found = try await gp.searchFreeSlots(
                endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 3, from: Date()), bookingODS: "B82617")
            let slot = try #require(found.slots.first)
            #expect(found.schedule(of: slot) != nil)
            #expect(found.practitioner(of: slot) != nil)
            let location = try #require(found.location(of: slot)?["id"]?.string)
            let organisation = GPConnectClient.BookingOrganisation(
                ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: "urgent-care")
            let booked = try await gp.book(
                endpoint, slot: slot, locationID: location, patientID: "4", description: "Review", bookedBy: organisation)
            #expect(booked.etag == "W/\"1\"")
            let id = try #require(booked.appointment["id"]?.string)
            await #expect(throws: GPConnectClientError.self) {
                try await gp.book(endpoint, slot: slot, locationID: location, patientID: "5", description: "Again", bookedBy: organisation)
            }
            let list = try await gp.patientAppointments(
                endpoint, patientID: "4", from: Date(), through: UKTime.day(offset: 14, from: Date()))
            #expect(list.map { $0["id"]?.string } == [id])
            let amended = try await gp.amend(
                endpoint, appointment: try await gp.readAppointment(endpoint, id: id), comment: "Bring medication")
            #expect(amended["comment"]?.string == "Bring medication")
            // An amendment based on the old version is refused: If-Match carries the version read.
            await #expect(
                throws: GPConnectClientError.refused(
                    status: 409, code: "FHIR_CONSTRAINT_VIOLATION",
                    diagnostics: "If-Match does not match the current version of the appointment")
            ) {
                try await gp.amend(endpoint, appointment: booked.appointment, comment: "stale")
            }
            let cancelled = try await gp.cancel(endpoint, appointment: amended, reason: "Recovered")
            #expect(cancelled["status"]?.string == "cancelled")
        }
    }
}

@Suite("Federated slot search")
struct FederatedSearchTests {
    /// A "provider" that accepts connections and never answers.
    static func silentProvider() async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func everyPracticeGetsItsOwnOutcomeAndSlotsAreMergedInOrder() async throws {
        try await TestServer.run { server in
            let slow = try await Self.silentProvider()
            do {
                let base = try ConsumerClientTests.endpoint(server).baseURL
                let endpoints = [
                    ProviderEndpoint(ods: "B82617", name: "Coxwold", baseURL: base, asid: "918999198738"),
                    ProviderEndpoint(ods: "A20047", name: "Dr Legg's", baseURL: base, asid: "918999198739"),
                    ProviderEndpoint(ods: "B82617", name: "Wrong ASID", baseURL: base, asid: "123"),
                    ProviderEndpoint(ods: "Z00001", name: "Unreachable", baseURL: "http://127.0.0.1:9", asid: "1"),
                    ProviderEndpoint(ods: "Z00002", name: "Slow", baseURL: "http://127.0.0.1:\(slow.localAddress?.port ?? 0)", asid: "2"),
                ]
                // Generous: the real practices must answer in time even while the whole suite runs in
                // parallel on two cores; the silent one never answers at all.
                let search = FederatedSlotSearch(client: ConsumerClientTests.consumer(), deadline: .seconds(20))
                let seen = ProgressLog()
                let started = ContinuousClock.now
                let result = await search.search(
                    endpoints, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 2, from: Date())
                ) { endpoint, outcome in seen.add(endpoint.name ?? "", outcome) }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(35), "the silent practice does not hold up the search (it would never answer)")
                let outcomes = result.outcomes.map(\.outcome)
                guard case .slots(let coxwold) = outcomes[0], case .slots(let legg) = outcomes[1] else {
                    Issue.record("expected slots from both practices: \(outcomes)")
                    return
                }
                #expect(outcomes[2] == .refused(status: 400, code: "BAD_REQUEST"))
                #expect(outcomes[3] == .unreachable)
                #expect(outcomes[4] == .timedOut)
                #expect(result.slots.count == coxwold + legg)
                #expect(result.slots.map(\.start) == result.slots.map(\.start).sorted())
                #expect(Set(result.slots.map(\.ods)) == ["B82617", "A20047"])
                #expect(seen.count == 5)
            }
            try await slow.close()
        }
    }
}

final class ProgressLog: Sendable {
    let entries = Mutex<[(String, FederatedSlotSearch.Outcome)]>([])
    func add(_ name: String, _ outcome: FederatedSlotSearch.Outcome) { entries.withLock { $0.append((name, outcome)) } }
    var count: Int { entries.withLock { $0.count } }
}

/// A non-Swift consumer works too: PyPI's fhirpy, with the Spine headers, searches a patient and
/// a day's free slots.
@Suite("Independent consumer (fhirpy)")
struct IndependentConsumerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fhirpy_consumer.py").path

    @Test func fhirpyFindsAPatientAndFreeSlots() async throws {
        try await TestServer.run { server in
            let base = try ConsumerClientTests.endpoint(server).serviceRoot(.foundations)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.script, base]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // Read while it runs; wait without blocking the server's threads.
            let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let text = String(decoding: data, as: UTF8.self)
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains(#""patients": ["2"]"#), "\(text)")
            #expect(text.contains(#""patientFamily": "SKELLY""#), "\(text)")
        }
    }
}
