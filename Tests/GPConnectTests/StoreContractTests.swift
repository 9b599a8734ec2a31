import Foundation
import GPConnect
import GPConnectSQLite
import GPConnectSeed
import Testing

/// The behaviour every store backend must share. Runs against SQLite here; a PostgreSQL adapter
/// runs the same functions.
enum StoreContract {
    static func conditionalPatientWrites(_ stores: Stores) async throws {
        let patient = PatientRecord(
            id: "900", nhsNumber: NHSNumber("9651258500")!, name: PersonName(family: "REA", given: ["Clive"]), gender: "male",
            birthDate: "1951-03-10", version: "1")
        try await stores.patients.savePatient(patient, practice: "B82617", expectedVersion: nil)
        // The same id, or the same NHS number under another id, cannot be inserted twice.
        await #expect(throws: StoreError.conflict) {
            try await stores.patients.savePatient(patient, practice: "B82617", expectedVersion: nil)
        }
        var other = patient
        other.id = "901"
        await #expect(throws: StoreError.conflict) {
            try await stores.patients.savePatient(other, practice: "B82617", expectedVersion: nil)
        }
        // Another practice may hold the same person.
        try await stores.patients.savePatient(other, practice: "A20047", expectedVersion: nil)
        // An update must name the version it read.
        var updated = patient
        updated.version = "2"
        await #expect(throws: StoreError.conflict) {
            try await stores.patients.savePatient(updated, practice: "B82617", expectedVersion: "7")
        }
        try await stores.patients.savePatient(updated, practice: "B82617", expectedVersion: "1")
        let stored = try await stores.patients.patient(practice: "B82617", id: "900")
        #expect(stored?.version == "2")
        await #expect(throws: StoreError.conflict) {
            try await stores.patients.savePatient(updated, practice: "B82617", expectedVersion: "1")
        }
    }

    static func patientIDsAreUniqueUnderConcurrency(_ stores: Stores) async throws {
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await stores.patients.nextPatientID(practice: "B82617") } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { (Int($0) ?? 0) > 21 }, "new ids never reuse the seeded ones")
    }

    static func auditChainSurvivesConcurrentAppends(_ stores: Stores) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await stores.audit.append(
                        AuditEvent(
                            traceID: "t\(index)", practice: "B82617", interaction: nil, method: "GET", path: "/", status: 200,
                            spineCode: nil,
                            consumerASID: nil, requester: nil, patient: nil))
                }
            }
            try await group.waitForAll()
        }
        let entries = try await stores.audit.entries(after: 0, limit: 100)
        #expect(entries.count == 40)
        #expect(entries.map(\.sequence) == Array(1...40))
        #expect(AuditEntry.firstBroken(entries, previousHash: AuditEntry.genesisHash) == nil)
    }
}

@Suite("SQLite stores")
struct SQLiteStoreTests {
    func withStores(_ body: (Stores) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-store-\(UUID().uuidString)/db.sqlite").path
        let database = try await GPConnectSQLiteDatabase.open(path: path)
        let (stores, demographics) = Stores.sqlite(database)
        try await ReferenceData.seed(stores: stores, demographics: demographics)
        do {
            try await body(stores)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    @Test func conditionalPatientWrites() async throws { try await withStores(StoreContract.conditionalPatientWrites) }
    @Test func patientIDsAreUniqueUnderConcurrency() async throws {
        try await withStores(StoreContract.patientIDsAreUniqueUnderConcurrency)
    }
    @Test func auditChainSurvivesConcurrentAppends() async throws {
        try await withStores(StoreContract.auditChainSurvivesConcurrentAppends)
    }

    @Test func seedLoadsTheReferenceDataSetAndIsRepeatable() async throws {
        try await withStores { stores in
            let practice = try await stores.directory.practice(ods: "B82617")
            #expect(practice?.asid == "918999198738")
            let patients = try await stores.patients.patients(practice: "B82617", nhsNumber: NHSNumber("9690937286")!)
            #expect(patients.first?.id == "2")
            let location = try await stores.directory.location(practice: "B82617", id: "8")
            #expect(location?.siteCode == "Z33432")
            let pooled = try await stores.demographics.lookup(nhsNumber: NHSNumber("9651260246")!)
            #expect(pooled?.name.family == "BRUCE")
            let notOnPDS = try await stores.demographics.lookup(nhsNumber: NHSNumber("9476718943")!)
            #expect(notOnPDS == nil, "patient14 is not on PDS")
        }
    }

    @Test func migrationsApplyToAnEmptyDatabaseOnceAndAreRecorded() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-migrate-\(UUID().uuidString)/db.sqlite").path
        let database = try await GPConnectSQLiteDatabase.open(path: path)
        let pending = try await SQLiteMigrations.migrate(database)
        #expect(pending.isEmpty, "open already applied every migration")
        await database.close()
        let reopened = try await GPConnectSQLiteDatabase.open(path: path)
        let again = try await SQLiteMigrations.migrate(reopened)
        #expect(again.isEmpty)
        await reopened.close()
    }
}
