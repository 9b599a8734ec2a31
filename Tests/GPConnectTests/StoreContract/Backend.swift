import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectSQL
import GPConnectSQLite
import GPConnectSeed
import GPConnectTestSupport
import Testing

/// A storage backend the store contract runs on. The ports of `Stores` are implemented once in
/// SQL (`GPConnectSQL`) over a `SQLDatabase` seam; every contract test takes a `Backend` and
/// must pass on each adapter alike.
///
/// Contract tests take `Backend.configured` as arguments: SQLite always, PostgreSQL when
/// `GPCONNECT_TEST_POSTGRES` names a server. When it does not, ``BackendTests`` shows the
/// PostgreSQL backend as skipped, and every parameterised test reports one test case instead of two.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    var isConfigured: Bool {
        switch self {
        case .sqlite: true
        case .postgres: TestPostgres.available
        }
    }

    /// The backends this test run can reach.
    static let configured: [Backend] = allCases.filter(\.isConfigured)

    static let notConfiguredComment: Comment =
        "GPCONNECT_TEST_POSTGRES is not set: the store contract ran on SQLite only, PostgreSQL is skipped"

    /// A fresh, migrated, empty database of this backend: a new file in a new temporary
    /// directory, or a new PostgreSQL database.
    func freshDatabase() async throws -> FreshDatabase {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-contract-\(UUID().uuidString)")
            let path = directory.appendingPathComponent("db.sqlite").path
            return FreshDatabase(backend: self, location: path, first: try await GPConnectSQLiteDatabase.open(path: path))
        case .postgres:
            guard TestPostgres.available else { throw StoreError.corrupt("GPCONNECT_TEST_POSTGRES is not set") }
            let (database, url) = try await TestPostgres.freshDatabase()
            return FreshDatabase(backend: self, location: url, first: database)
        }
    }

    /// Runs `body` on `instances` provider instances sharing one fresh database, each with its
    /// own handle (its own connections and its own stores), as several processes would be.
    /// With `seeded`, the reference data set is loaded first. The database is closed and deleted
    /// afterwards, whether `body` throws or not.
    func withInstances(
        _ instances: Int, seeded: Bool = false, _ body: ([(stores: Stores, demographics: SQLDemographicsStore)]) async throws -> Void
    ) async throws {
        let fresh = try await freshDatabase()
        var databases: [any SQLDatabase] = [fresh.first]
        do {
            for _ in 1..<max(1, instances) { databases.append(try await fresh.openAnother()) }
            let all = databases.map { Stores.sql($0) }
            if seeded { try await ReferenceData.seed(stores: all[0].0, demographics: all[0].1) }
            try await body(all.map { (stores: $0.0, demographics: $0.1) })
        } catch {
            for database in databases { await database.close() }
            await fresh.remove()
            throw error
        }
        for database in databases { await database.close() }
        await fresh.remove()
    }

    /// Runs `body` on the stores of a fresh database (see ``withInstances(_:seeded:_:)``).
    func withStores(seeded: Bool = false, _ body: (Stores) async throws -> Void) async throws {
        try await withInstances(1, seeded: seeded) { try await body($0[0].stores) }
    }
}

/// A database made for one test, and how to open it again and delete it.
struct FreshDatabase {
    let backend: Backend
    /// The SQLite file's path or the PostgreSQL database's URL.
    let location: String
    let first: any SQLDatabase

    func openAnother() async throws -> any SQLDatabase {
        switch backend {
        case .sqlite: try await GPConnectSQLiteDatabase.open(path: location)
        case .postgres: try await GPConnectPostgresDatabase.open(url: location)
        }
    }

    /// Deletes the database; call once every handle on it is closed.
    func remove() async {
        switch backend {
        case .sqlite:
            try? FileManager.default.removeItem(at: URL(fileURLWithPath: location).deletingLastPathComponent())
        case .postgres:
            try? await TestPostgres.dropDatabase(url: location)
        }
    }
}

@Suite("Store backends")
struct BackendTests {
    /// Shows PostgreSQL as skipped when the run cannot reach one, so that a green run on SQLite
    /// alone never reads as a green run on both.
    @Test("The PostgreSQL backend is configured for the store contract", .enabled(if: TestPostgres.available, Backend.notConfiguredComment))
    func postgresIsConfigured() {
        #expect(Backend.configured == Backend.allCases)
    }

    @Test(arguments: Backend.configured)
    func migrationsApplyOnceAreRecordedAndAreNotReappliedOnReopen(_ backend: Backend) async throws {
        let bundled = try SQLMigrations.bundled()
        #expect(!bundled.isEmpty)
        let fresh = try await backend.freshDatabase()
        let versions = try await fresh.first.read("SELECT version FROM schema_migrations ORDER BY version").compactMap {
            $0.integer("version")
        }
        await fresh.first.close()
        #expect(versions == bundled.map(\.version).sorted(), "opening applied and recorded every bundled migration")
        let reopened = try await fresh.openAnother()
        let again = try await SQLMigrations.migrate(reopened, migrations: bundled)
        let count = try await reopened.read("SELECT COUNT(*) AS n FROM schema_migrations").first?.integer("n")
        await reopened.close()
        await fresh.remove()
        #expect(again.isEmpty, "nothing is left to apply")
        #expect(count == bundled.count)
    }

    @Test(arguments: Backend.configured)
    func aFreshDatabaseIsEmpty(_ backend: Backend) async throws {
        try await backend.withStores { stores async throws in
            #expect(try await stores.directory.practices().isEmpty)
            #expect(try await stores.audit.entries(after: 0, limit: 10).isEmpty)
            #expect(try await stores.diary.schedules(practice: Fixture.practice).isEmpty)
            #expect(try await stores.diary.latestSlotStart(practice: Fixture.practice) == nil)
        }
    }

    /// The reference data set is loaded through the store protocols, so every backend holds the
    /// same practices, patients and PDS pool; seeding again changes nothing.
    @Test(arguments: Backend.configured)
    func seedLoadsTheReferenceDataSetAndIsRepeatable(_ backend: Backend) async throws {
        try await backend.withInstances(1, seeded: true) { instances in
            let (stores, demographics) = instances[0]
            let practice = try await stores.directory.practice(ods: "B82617")
            #expect(practice?.asid == "918999198738")
            let patients = try await stores.patients.patients(practice: "B82617", nhsNumber: NHSNumber("9690937286")!)
            #expect(patients.map(\.id) == ["2"])
            let location = try await stores.directory.location(practice: "B82617", id: "8")
            #expect(location?.siteCode == "Z33432")
            let pooled = try await stores.demographics.lookup(nhsNumber: NHSNumber("9651260246")!)
            #expect(pooled?.name.family == "BRUCE")
            let notOnPDS = try await stores.demographics.lookup(nhsNumber: NHSNumber("9476718943")!)
            #expect(notOnPDS == nil, "patient14 is not on PDS")
            let items = try await stores.clinical.items(practice: "B82617", patientID: "2")

            let again = try await ReferenceData.seed(stores: stores, demographics: demographics)
            #expect(again.patients == 0, "patients are written only if absent")
            #expect(again.clinicalItems == 0, "a patient's clinical record is seeded once")
            #expect(try await stores.clinical.items(practice: "B82617", patientID: "2") == items)
            #expect(try await stores.directory.practices().map(\.ods) == ["A20047", "B82617"])
        }
    }
}
