import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectSQL
import GPConnectSQLite
import GPConnectSeed
import GPConnectTestSupport
import Testing

/// The behaviour every store backend must share. Runs against SQLite here; a PostgreSQL adapter
/// runs the same functions.
enum StoreContract {
    /// Twenty concurrent bookings of one slot through the store: exactly one is stored.
    static func bookingsOfOneSlotSucceedOnce(_ stores: Stores) async throws {
        try await Diary(stores: stores).release(practice: "B82617", now: Date())
        let slot = try #require(
            try await stores.diary.freeSlots(practice: "B82617", from: Date(), to: Date().addingTimeInterval(3 * 86_400)).first)
        let organization = BookingOrganization(ods: "B82617", name: "Test", telecom: [ContactPoint(system: "phone", value: "1")], type: nil)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let appointment = AppointmentRecord(
                        id: "", patientID: String(index % 8 + 1), locationID: "16", practitionerID: "1", scheduleID: slot.scheduleID,
                        slotIDs: [slot.id], start: slot.start, end: slot.end, created: "2026-01-01T00:00:00+00:00", description: "race",
                        comment: nil, bookingOrganization: organization, deliveryChannel: slot.deliveryChannel,
                        practitionerRole: Code(system: CodeSystemURL.sdsJobRoleName, code: "R0260"), serviceCategory: nil,
                        serviceType: slot.serviceType, provenance: [])
                    do {
                        _ = try await stores.appointments.book(appointment, practice: "B82617")
                        return true
                    } catch StoreError.conflict {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let stored = try await stores.appointments.appointments(practice: "B82617", from: slot.start, to: slot.end)
        #expect(stored.count == 1)
        let after = try await stores.diary.slots(practice: "B82617", ids: [slot.id])
        #expect(after.first?.status == .busy)
    }

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

extension StoreContract {
    /// The seeded clinical record reads back item for item; record state and area switches round-trip.
    static func clinicalRecordRoundTrips(_ stores: Stores) async throws {
        let items = try await stores.clinical.items(practice: "B82617", patientID: "2")
        #expect(items.count > 50)
        #expect(Set(items.map(\.kind)) == Set(ClinicalItem.Kind.allCases), "patient2's record holds every kind of item")
        #expect(items.map(\.id) == items.map(\.id).sorted(), "items come back in a stable order")
        let withheld = items.filter { $0.confidentiality != .none }.map(\.id).sorted()
        #expect(withheld == ["i2-3", "o2-3", "p2-3", "s2-3"])
        let statement = try #require(items.first { $0.id == "s2-2" })
        #expect(try statement.resource()["basedOn"]?.items.first?["reference"]?.string == "MedicationRequest/p2-2")
        #expect(statement.references.contains("Medication/m2-2"))
        // The index is the same items without bodies; bodies come by id.
        let index = try await stores.clinical.itemIndex(practice: "B82617", patientID: "2")
        #expect(index.map(\.id) == items.map(\.id) && index.allSatisfy { $0.body == .deferred })
        #expect(index.map(\.references) == items.map(\.references))
        let bodies = try await stores.clinical.bodies(practice: "B82617", patientID: "2", ids: ["s2-2", "a2-1", "no-such-item"])
        #expect(Set(bodies.keys) == ["s2-2", "a2-1"])
        #expect(bodies["s2-2"] == statement.json)
        #expect(try await stores.clinical.bodies(practice: "B82617", patientID: "3", ids: ["s2-2"]).isEmpty, "bodies are per patient")
        await #expect(throws: StoreError.self) { try await stores.clinical.save([index[0]], practice: "B82617") }
        #expect(try await stores.clinical.items(practice: "B82617", patientID: "1").isEmpty)
        #expect(try await stores.clinical.items(practice: "A20047", patientID: "2").isEmpty, "records are per practice")

        let transit = try await stores.clinical.recordState(practice: "B82617", patientID: "13")
        #expect(transit.inTransitSince != nil)
        #expect(try await stores.clinical.recordState(practice: "B82617", patientID: "2") == ClinicalRecordState())

        var changed = statement
        changed.status = "completed"
        try await stores.clinical.save([changed], practice: "B82617")
        let reread = try await stores.clinical.items(practice: "B82617", patientID: "2")
        #expect(reread.count == items.count, "saving an item replaces it")
        #expect(reread.first { $0.id == "s2-2" }?.status == "completed")

        try await stores.clinical.setDisabledAreas([.immunisations, .referrals], practice: "B82617")
        #expect(try await stores.clinical.disabledAreas(practice: "B82617") == [.immunisations, .referrals])
        try await stores.clinical.setDisabledAreas([.diary], practice: "B82617")
        #expect(try await stores.clinical.disabledAreas(practice: "B82617") == [.diary])
        #expect(try await stores.clinical.disabledAreas(practice: "A20047").isEmpty)
    }
}

@Suite("SQLite stores")
struct SQLiteStoreTests {
    func withStores(_ body: (Stores) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-store-\(UUID().uuidString)/db.sqlite").path
        let database = try await GPConnectSQLiteDatabase.open(path: path)
        try await Self.seeded(database, body)
    }

    static func seeded(_ database: any SQLDatabase, _ body: (Stores) async throws -> Void) async throws {
        let (stores, demographics) = Stores.sql(database)
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

    @Test func clinicalRecordRoundTrips() async throws { try await withStores(StoreContract.clinicalRecordRoundTrips) }

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

/// The same contract on PostgreSQL.
@Suite("PostgreSQL stores", .enabled(if: TestPostgres.available, "needs GPCONNECT_TEST_POSTGRES"))
struct PostgresStoreTests {
    func withStores(_ body: (Stores) async throws -> Void) async throws {
        let (database, _) = try await TestPostgres.freshDatabase()
        try await SQLiteStoreTests.seeded(database, body)
    }

    @Test func conditionalPatientWrites() async throws { try await withStores(StoreContract.conditionalPatientWrites) }
    @Test func patientIDsAreUniqueUnderConcurrency() async throws {
        try await withStores(StoreContract.patientIDsAreUniqueUnderConcurrency)
    }
    @Test func auditChainSurvivesConcurrentAppends() async throws {
        try await withStores(StoreContract.auditChainSurvivesConcurrentAppends)
    }
    @Test func bookingsOfOneSlotSucceedOnceUnderConcurrency() async throws {
        try await withStores(StoreContract.bookingsOfOneSlotSucceedOnce)
    }
    @Test func clinicalRecordRoundTrips() async throws { try await withStores(StoreContract.clinicalRecordRoundTrips) }

    @Test func migrationsAreRecordedAndNotReapplied() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        let versions = try await database.read("SELECT version FROM schema_migrations ORDER BY version").compactMap {
            $0.integer("version")
        }
        #expect(versions == [1, 2, 3])
        await database.close()
        let again = try await GPConnectPostgresDatabase.open(url: url)
        let count = try await again.read("SELECT COUNT(*) AS n FROM schema_migrations").first?.integer("n")
        #expect(count == 3)
        await again.close()
    }
}
