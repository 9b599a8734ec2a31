import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import GPConnectPostgres
import GPConnectTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 under load: the built `gpconnect` binary serves 8 concurrent booking (or registering)
/// clients, is killed with SIGKILL mid-load, and restarted on the same database; every booking it
/// acknowledged with 201 must be there, booked, with its slot no longer free, every registration it
/// acknowledged must be found, one in flight must be either whole or absent, and the audit chain
/// must verify.
@Suite("Crash: kill -9 under booking and registration load", .serialized, .enabled(if: AlonePass.active, AlonePass.reason))
struct CrashTests {
    final class Acknowledged: Sendable {
        let list = Mutex<[Booked]>([])
    }

    struct Booked: Sendable {
        var appointment: String
        var slot: String
    }

    static func run(database: String, port: Int) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: SpawnedServer.binary), "build gpconnect first (swift build)")
        let server = try await SpawnedServer.start(database: database, port: port)
        let endpoint = SpawnedServer.endpoint(port)
        let gp = SpawnedServer.client()
        let found = try await gp.searchFreeSlots(
            endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 13, from: Date()), bookingODS: "B82617")
        let slots = found.summaries
        #expect(slots.count >= 40)
        let organisation = GPConnectClient.BookingOrganisation(ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: "urgent-care")
        let acknowledged = Acknowledged()
        let patients = ["2", "3", "4", "5", "6", "7", "8", "9"]
        try await loadAndKill(server, items: Array(slots.enumerated()), acknowledged: { acknowledged.list.withLock { $0.count } }) {
            offset, slot in
            let booked = try await gp.book(
                endpoint, slot: slot, patientID: patients[offset % patients.count], description: "Crash test", bookedBy: organisation)
            if let id = booked.appointment["id"]?.string {
                acknowledged.list.withLock { $0.append(Booked(appointment: id, slot: slot.id)) }
            }
        }
        let booked = acknowledged.list.withLock { $0 }
        print("crash: \(booked.count) bookings acknowledged before kill -9 of \(slots.count) slots offered")
        #expect(booked.count >= 12)

        let restarted = try await SpawnedServer.start(database: database, port: port)
        defer { restarted.terminate() }
        let free = try await gp.searchFreeSlots(
            endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 13, from: Date()), bookingODS: "B82617")
        let freeIDs = Set(free.summaries.map(\.id))
        for entry in booked {
            let appointment = try await gp.readAppointment(endpoint, id: entry.appointment)
            #expect(appointment["status"]?.string == "booked", "appointment \(entry.appointment) lost")
            #expect(!freeIDs.contains(entry.slot), "slot \(entry.slot) of appointment \(entry.appointment) is free again")
        }
        restarted.terminate()
        restarted.waitUntilExit()
        try await SpawnedServer.verifyAudit(database: database)
    }

    /// Eight clients work through `items` (client i takes every eighth) until the server is gone; it is
    /// killed with SIGKILL once `acknowledged()` reaches 12, or after 20 s, and reaped. A refusal is an
    /// answer, not an acknowledgement: that client goes on to its next item.
    static func loadAndKill<Item: Sendable>(
        _ server: Process, items: [Item], acknowledged: @escaping @Sendable () -> Int,
        attempt: @escaping @Sendable (Item) async throws -> Void
    ) async throws {
        let pid = server.processIdentifier
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                let mine = items.enumerated().filter { $0.offset % 8 == worker }.map(\.element)
                group.addTask {
                    for item in mine {
                        do {
                            try await attempt(item)
                        } catch GPConnectClientError.refused {
                            continue  // e.g. a clash for the patient
                        } catch {
                            return  // the server is gone
                        }
                    }
                }
            }
            group.addTask {
                let deadline = Date().addingTimeInterval(20)
                while acknowledged() < 12, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                kill(pid, SIGKILL)
            }
            try await group.waitForAll()
        }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)
    }

    /// A person PDS knows and the practice has not registered: what a registration needs.
    struct Person: Sendable {
        var nhsNumber: String
        var family: String
        var given: String
        var birthDate: String
    }

    /// The reference data set's PDS people who can be registered at B82617 (traceable, not
    /// sensitive, superseded or deceased, not registered there already).
    static func registrablePeople() throws -> [Person] {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GPConnectSeed/Data")
        let registered = Set(
            try FHIRJSON.decode(Array(try Data(contentsOf: data.appendingPathComponent("patients-B82617.json")))).items.compactMap {
                $0["nhsNumber"]?.string
            })
        return try FHIRJSON.decode(Array(try Data(contentsOf: data.appendingPathComponent("demographics.json")))).items.compactMap {
            person in
            guard person["sensitive"]?.bool == false, person["superseded"]?.bool == false, person["deceased"] == nil,
                let number = person["nhsNumber"]?.string, !registered.contains(number),
                let family = person["name"]?["family"]?.string, let given = person["name"]?["given"]?.items.first?.string,
                let birthDate = person["birthDate"]?.string
            else { return nil }
            return Person(nhsNumber: number, family: family, given: given, birthDate: birthDate)
        }
    }

    final class Registered: Sendable {
        let list = Mutex<[(nhsNumber: String, id: String)]>([])
    }

    static func runRegistrations(database: String, port: Int) async throws {
        let people = try registrablePeople()
        #expect(people.count >= 100)
        let server = try await SpawnedServer.start(database: database, port: port)
        let endpoint = SpawnedServer.endpoint(port)
        let gp = SpawnedServer.client()
        let registered = Registered()
        @Sendable func patient(_ person: Person) -> FHIRElement {
            RegisterPatientTests.body(
                nhsNumber: person.nhsNumber, family: person.family, given: person.given, gender: nil, birthDate: person.birthDate
            )["parameter"]?.items.first?["resource"] ?? [:]
        }
        try await loadAndKill(server, items: people, acknowledged: { registered.list.withLock { $0.count } }) { person in
            let resource = try await gp.registerPatient(endpoint, patient: patient(person))
            if let id = resource["id"]?.string { registered.list.withLock { $0.append((person.nhsNumber, id)) } }
        }
        let acknowledged = registered.list.withLock { $0 }
        print("crash: \(acknowledged.count) registrations acknowledged before kill -9 of \(people.count) offered")
        #expect(acknowledged.count >= 12)
        #expect(acknowledged.count < people.count, "killed before the load finished")

        let restarted = try await SpawnedServer.start(database: database, port: port)
        defer { restarted.terminate() }
        for entry in acknowledged {
            let found = try await gp.findPatient(endpoint, nhsNumber: entry.nhsNumber)
            #expect(found.map { $0["id"]?.string } == [entry.id], "registration of patient \(entry.id) lost")
        }
        // The registrations in flight at the kill left nothing half-done: registering everyone
        // again is a 409 for each one stored and a success for each one not.
        let done = Set(acknowledged.map(\.nhsNumber))
        for person in people where !done.contains(person.nhsNumber) {
            do {
                _ = try await gp.registerPatient(endpoint, patient: patient(person))
            } catch {
                let refused = SpawnedServer.refusal(error)
                #expect(refused?.status == 409 && refused?.code == "DUPLICATE_REJECTED", "\(error)")
            }
        }
        restarted.terminate()
        restarted.waitUntilExit()
        try await SpawnedServer.verifyAudit(database: database)
    }

    @Test func sqliteKeepsEveryAcknowledgedRegistrationAcrossKill9() async throws {
        try await Self.runRegistrations(database: try await TestServer.freshDatabase(), port: 9273)
    }

    @Test(.enabled(if: TestPostgres.available))
    func postgresKeepsEveryAcknowledgedRegistrationAcrossKill9() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        try await Self.runRegistrations(database: url, port: 9274)
        try await TestPostgres.dropDatabase(url: url)
    }

    @Test func sqliteKeepsEveryAcknowledgedBookingAcrossKill9() async throws {
        try await Self.run(database: try await TestServer.freshDatabase(), port: 9271)
    }

    @Test(.enabled(if: TestPostgres.available))
    func postgresKeepsEveryAcknowledgedBookingAcrossKill9() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        try await Self.run(database: url, port: 9272)
        try await TestPostgres.dropDatabase(url: url)
    }
}
