public import CoreMetrics
import Foundation
public import GPConnect
public import GPConnectContract
import GPConnectPostgres
public import GPConnectSQL
import GPConnectSQLite
import GPConnectSeed
public import Logging

/// The composition root of storage: opens the database a location names, migrates it, seeds an
/// empty one when asked, and hands out the domain's ports. The server and the command line reach
/// storage only through this type; neither imports a SQL target.
///
/// A `postgres://` (or `postgresql://`) URL selects PostgreSQL (several instances sharing load);
/// anything else is a SQLite file, created on first use.
public struct Storage: Sendable {
    /// Every port the GP Connect services need.
    public let stores: Stores
    /// The demographics store behind `stores.demographics`, for seeding and the command line.
    public let demographics: any DemographicsStore
    /// `SQLite file data/gpconnect.sqlite` or `PostgreSQL database`; never the URL (it can carry a password).
    public let description: String
    let database: any SQLDatabase

    /// Opens, and migrates, the database at `location`; with `metrics`, every read and write is counted and timed.
    public static func open(
        _ location: String, logger: Logger = Logger(label: "gpconnect.database"), metrics: (any MetricsFactory)? = nil
    ) async throws -> Storage {
        let opened = try await openDatabase(location, logger: logger)
        let database: any SQLDatabase = metrics.map { MeasuredSQLDatabase(base: opened, factory: $0) } ?? opened
        var batches: (@Sendable (Int) -> Void)?
        if let metrics {
            batches = { size in Recorder(label: "gpconnect_audit_append_batch_size", factory: metrics).record(size) }
        }
        let (stores, demographics) = Stores.sql(database, auditBatchCommitted: batches)
        let description = database.dialect == .postgres ? "PostgreSQL database" : location
        return Storage(stores: stores, demographics: demographics, description: description, database: database)
    }

    /// Loads the reference data set when the database holds no practice yet.
    ///
    /// - Returns: a summary of what was seeded, or nil when the database already held practices.
    public func seedIfEmpty() async throws -> String? {
        guard try await stores.directory.practices().isEmpty else { return nil }
        return try await seedReferenceData()
    }

    /// Loads the reference data set (existing patients are kept).
    public func seedReferenceData() async throws -> String {
        "\(try await ReferenceData.seed(stores: stores, demographics: demographics))"
    }

    /// Registers the synthetic long-record patient at a practice; returns how many clinical items it holds.
    public func seedLongRecord(practice: Practice, consultations: Int) async throws -> Int {
        let items = try await SyntheticRecord.seed(stores: stores, practice: practice, consultations: consultations)
        // On PDS too, as a registered patient is: Access Record HTML traces the patient before showing a record.
        if let person = SyntheticRecord.demographics { try await demographics.saveDemographics(person) }
        return items
    }

    /// Files `count` small documents for the synthetic long-record patient (the documents search
    /// benchmark); returns how many.
    public func seedLongRecordDocuments(practice: Practice, count: Int) async throws -> Int {
        guard let number = NHSNumber(SyntheticRecord.nhsNumber) else { return 0 }
        return try await SyntheticDocuments.seed(stores: stores, practice: practice, nhsNumber: number, count: count)
    }

    /// Files one PDF of at least `size` bytes for a patient (the retrieve and migrate benchmarks).
    public func seedLargeDocument(practice: Practice, nhsNumber: NHSNumber, size: Int, description: String) async throws
        -> DocumentRecord
    {
        try await SyntheticDocuments.seedLarge(
            stores: stores, practice: practice, nhsNumber: nhsNumber, size: size, description: description)
    }

    /// The NHS number of the synthetic long-record patient (``seedLongRecord(practice:consultations:)``).
    public static var longRecordNHSNumber: String { SyntheticRecord.nhsNumber }

    /// The migrations applied, in order.
    public func schemaVersions() async throws -> [(version: Int, name: String)] {
        try await database.read("SELECT version, name FROM schema_migrations ORDER BY version").map {
            ($0.integer("version") ?? 0, $0.text("name") ?? "")
        }
    }

    public func close() async { await database.close() }
}

/// Opens the SQL database a location names (see ``Storage``), migrated. For the store adapters'
/// own tests; everything else goes through ``Storage/open(_:logger:)``.
public func openDatabase(_ location: String, logger: Logger = Logger(label: "gpconnect.database")) async throws -> any SQLDatabase {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
        return try await GPConnectPostgresDatabase.open(url: location, logger: logger)
    }
    return try await GPConnectSQLiteDatabase.open(path: location, logger: logger)
}
