import GPConnectPostgres
import GPConnectSQL
import GPConnectSQLite
import Logging

/// Opens the database a configuration names: a `postgres://` URL selects PostgreSQL (several
/// instances sharing load), anything else is a SQLite file (created on first use). Either way the
/// schema is migrated before it is returned.
public func openDatabase(_ location: String, logger: Logger = Logger(label: "gpconnect.database")) async throws -> any SQLDatabase {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
        return try await GPConnectPostgresDatabase.open(url: location, logger: logger)
    }
    return try await GPConnectSQLiteDatabase.open(path: location, logger: logger)
}
