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

/// kill -9 under load: the built `gpconnect` binary serves 8 concurrent booking clients, is killed
/// with SIGKILL mid-load, and restarted on the same database; every booking it acknowledged with
/// 201 must be there, booked, with its slot no longer free, and the audit chain must verify.
@Suite("Crash: kill -9 under booking load", .serialized, .enabled(if: AlonePass.active, AlonePass.reason))
struct CrashTests {
    /// The `gpconnect` executable `swift build` put beside the test bundle.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gpconnect").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gpconnect").path
    }

    static func start(database: String, port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", String(port), "--database", database, "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // Ready, and answered by this process: a server left on the port by an earlier run
            // would answer too, while ours exits unable to bind.
            guard process.isRunning else { throw CrashTestError.serverDidNotStart }
            if let probe = try? await RawConnection.get(port: port, "/health/ready", within: 2), probe.status == 200 { return process }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        throw CrashTestError.serverDidNotStart
    }

    enum CrashTestError: Error { case serverDidNotStart }

    final class Acknowledged: Sendable {
        let list = Mutex<[Booked]>([])
    }

    struct Booked: Sendable {
        var appointment: String
        var slot: String
    }

    static func run(database: String, port: Int) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build gpconnect first (swift build)")
        let server = try await start(database: database, port: port)
        let endpoint = ProviderEndpoint(ods: "B82617", baseURL: "http://127.0.0.1:\(port)", asid: "918999198738")
        let gp = GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: "200000000359", timeout: .seconds(30), retries: 0)
        let found = try await gp.searchFreeSlots(
            endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 13, from: Date()), bookingODS: "B82617")
        let slots = found.summaries
        #expect(slots.count >= 40)
        let organisation = GPConnectClient.BookingOrganisation(ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: "urgent-care")
        let acknowledged = Acknowledged()
        let patients = ["2", "3", "4", "5", "6", "7", "8", "9"]
        let pid = server.processIdentifier
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (worker, patient) in patients.enumerated() {
                let mine = slots.enumerated().filter { $0.offset % patients.count == worker }.map(\.element)
                group.addTask {
                    for slot in mine {
                        do {
                            let booked = try await gp.book(
                                endpoint, slot: slot, patientID: patient, description: "Crash test", bookedBy: organisation)
                            if let id = booked.appointment["id"]?.string {
                                acknowledged.list.withLock { $0.append(Booked(appointment: id, slot: slot.id)) }
                            }
                        } catch GPConnectClientError.refused {
                            continue  // a refusal (e.g. a clash for the patient) is an answer, not an acknowledgement
                        } catch {
                            return  // the server is gone
                        }
                    }
                }
            }
            group.addTask {
                // Kill once the load is under way: at least 12 bookings acknowledged, or after 20 s.
                let deadline = Date().addingTimeInterval(20)
                while acknowledged.list.withLock({ $0.count }) < 12, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                kill(pid, SIGKILL)
            }
            try await group.waitForAll()
        }
        server.waitUntilExit()
        #expect(server.terminationReason == .uncaughtSignal)
        let booked = acknowledged.list.withLock { $0 }
        print("crash: \(booked.count) bookings acknowledged before kill -9 of \(slots.count) slots offered")
        #expect(booked.count >= 12)

        let restarted = try await start(database: database, port: port)
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

        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: binary)
        verify.arguments = ["audit", "--verify", "--database", database]
        let output = Pipe()
        verify.standardOutput = output
        verify.standardError = output
        try verify.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 0, "\(text)")
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
