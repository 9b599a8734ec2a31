import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import GPConnectPostgres
import GPConnectSQL
import GPConnectTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The database stops taking writes under a running server: a full disk (SQLite on a small
/// tmpfs, filled by another file) and a database turned read-only (PostgreSQL with
/// `default_transaction_read_only`, as after a fail-over to a standby). Every request is answered
/// with an OperationOutcome — a write `500 INTERNAL_SERVER_ERROR`, and so is a read, since nothing
/// is answered unaudited — the process stays up, nothing acknowledged before is lost, and the
/// server recovers by itself when writes are possible again.
@Suite("Storage failures: disk full, read-only database", .serialized, .enabled(if: AlonePass.active, AlonePass.reason))
struct StorageFailureTests {
    /// A tmpfs can be mounted here (root, or CAP_SYS_ADMIN in a container): the disk-full test needs one.
    static let canMount: Bool = {
        guard let directory = try? Disk.makeDirectory() else { return false }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard Disk.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", directory]) == 0 else { return false }
        return Disk.run("/bin/umount", [directory]) == 0
    }()

    enum Disk {
        static func makeDirectory() throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-test-disk-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        @discardableResult
        static func run(_ tool: String, _ arguments: [String]) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return -1 }
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Writes zeros to `path` until the file system says it is full.
        static func fill(_ path: String) -> Int {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard descriptor >= 0 else { return 0 }
            defer { close(descriptor) }
            let block = [UInt8](repeating: 0, count: 64 * 1024)
            var written = 0
            while true {
                let count = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                written += count
            }
            // The last partial pages, a byte at a time.
            var byte: UInt8 = 0
            while write(descriptor, &byte, 1) == 1 { written += 1 }
            return written
        }
    }

    static let organisation = GPConnectClient.BookingOrganisation(
        ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: "urgent-care")

    enum Booking: Sendable, Equatable {
        case booked(appointment: String, slot: String)
        case refused(status: Int, code: String?)
    }

    static func book(_ gp: GPConnectClient, _ endpoint: ProviderEndpoint, _ slot: SlotSummary, patient: String) async throws -> Booking {
        do {
            let booked = try await gp.book(endpoint, slot: slot, patientID: patient, description: "Storage test", bookedBy: organisation)
            return .booked(appointment: booked.appointment["id"]?.string ?? "", slot: slot.id)
        } catch {
            guard let refusal = SpawnedServer.refusal(error) else { throw error }
            return .refused(status: refusal.status, code: refusal.code)
        }
    }

    /// Books while writes fail, then after they work again; checks the answers, the process, and
    /// that every acknowledged booking survives a restart with the chain intact.
    static func exercise(
        database: String, port: Int, breakWrites: () async throws -> Void, restoreWrites: () async throws -> Void
    ) async throws {
        let gp = SpawnedServer.client()
        let endpoint = SpawnedServer.endpoint(port)
        var server = try await SpawnedServer.start(database: database, port: port)
        defer { if server.isRunning { server.terminate() } }
        let slots = try await gp.searchFreeSlots(
            endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 13, from: Date()), bookingODS: "B82617"
        ).summaries
        #expect(slots.count >= 20)
        var acknowledged: [(appointment: String, slot: String)] = []
        var next = slots.makeIterator()
        let patients = ["2", "3", "4", "5", "6", "7", "8", "9"]
        func bookNext() async throws -> Booking? {
            guard let slot = next.next() else { return nil }
            let result = try await book(gp, endpoint, slot, patient: patients[acknowledged.count % patients.count])
            if case .booked(let appointment, let slot) = result { acknowledged.append((appointment, slot)) }
            return result
        }
        for _ in 0..<3 {
            let booked = try await bookNext()
            guard case .booked = booked else {
                Issue.record("booking before the failure: \(String(describing: booked))")
                return
            }
        }

        try await breakWrites()
        // SQLite may still have room in pages it holds; the first booking that needs more is refused.
        var refusal: Booking?
        for _ in 0..<12 {
            guard let result = try await bookNext() else { break }
            if case .refused = result {
                refusal = result
                break
            }
        }
        #expect(refusal == .refused(status: 500, code: "INTERNAL_SERVER_ERROR"), "a booking while writes fail")
        // A read is refused too: its audit entry cannot be written, and nothing is answered unaudited.
        do {
            _ = try await gp.readPatient(endpoint, id: "2")
            Issue.record("a read was answered while its audit entry could not be written")
        } catch {
            let refused = SpawnedServer.refusal(error)
            #expect(refused?.status == 500 && refused?.code == "INTERNAL_SERVER_ERROR", "\(error)")
        }
        let live = try await RawConnection.get(port: port, "/health")
        #expect(live.status == 200, "the process is alive")
        #expect(server.isRunning)

        try await restoreWrites()
        // Recovered without a restart (PostgreSQL's pool may need a moment to replace its connections).
        var recovered: Booking?
        for _ in 0..<10 {
            recovered = try await bookNext()
            if case .booked = recovered { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        guard case .booked = recovered else {
            Issue.record("no recovery once writes work again: \(String(describing: recovered))")
            return
        }

        server.terminate()
        server.waitUntilExit()
        server = try await SpawnedServer.start(database: database, port: port)
        let free = Set(
            try await gp.searchFreeSlots(
                endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 13, from: Date()), bookingODS: "B82617"
            ).summaries.map(\.id))
        for entry in acknowledged {
            let appointment = try await gp.readAppointment(endpoint, id: entry.appointment)
            #expect(appointment["status"]?.string == "booked", "appointment \(entry.appointment) lost")
            #expect(!free.contains(entry.slot), "slot \(entry.slot) free again")
        }
        server.terminate()
        server.waitUntilExit()
        try await SpawnedServer.verifyAudit(database: database)
    }

    @Test(.enabled(if: StorageFailureTests.canMount, "mounting a tmpfs needs root or CAP_SYS_ADMIN"))
    func sqliteOnAFullDiskRefusesWritesAndRecovers() async throws {
        let mountPoint = try Disk.makeDirectory()
        let template = try await TestServer.freshDatabase()
        let size = (try FileManager.default.attributesOfItem(atPath: template)[.size] as? Int) ?? 0
        #expect(Disk.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size + 24 * 1024 * 1024)", "tmpfs", mountPoint]) == 0)
        defer {
            Disk.run("/bin/umount", ["-l", mountPoint])
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let database = mountPoint + "/gpconnect.sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: database)
        let filler = mountPoint + "/filler"
        try await Self.exercise(
            database: database, port: 9276,
            breakWrites: { #expect(Disk.fill(filler) > 0) },
            restoreWrites: { try FileManager.default.removeItem(atPath: filler) })
    }

    @Test(.enabled(if: TestPostgres.available))
    func postgresTurnedReadOnlyRefusesWritesAndRecovers() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        let name = try #require(URL(string: url)?.path.dropFirst()).description
        await database.close()
        let admin = try await GPConnectPostgresDatabase.open(url: try #require(TestPostgres.adminURL))
        /// Sets the database's default and ends its sessions, so every new connection of the server's pool has it.
        func readOnly(_ on: Bool) async throws {
            _ = try await admin.read("ALTER DATABASE \"\(name)\" SET default_transaction_read_only = \(on ? "on" : "off")", [])
            _ = try await admin.read(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [.text(name)])
            // Let the sessions end and the server's pool see its connections close before the next
            // request: a request handed a pooled connection in the instant PostgreSQL kills it could
            // wait on it unanswered (seen 2 times in 20 runs with postgres-nio 1.33.2; the test is of
            // the read-only database, not of that race).
            for _ in 0..<50 {
                let left = try await admin.read(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [.text(name)])
                if left.first?.integer("n") == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        do {
            try await Self.exercise(
                database: url, port: 9277, breakWrites: { try await readOnly(true) }, restoreWrites: { try await readOnly(false) })
        } catch {
            try? await readOnly(false)
            await admin.close()
            throw error
        }
        await admin.close()
        try await TestPostgres.dropDatabase(url: url)
    }
}
