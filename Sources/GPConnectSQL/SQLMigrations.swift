public import Foundation
import GPConnect
import GPConnectContract

/// Numbered migrations shipped as SQL files (`NNN_name.sql`), applied in order and recorded in
/// `schema_migrations`. One set serves both dialects: the files use only types and statements
/// SQLite and PostgreSQL both accept (`TEXT`, `INTEGER`, `BIGINT`, composite keys, indexes).
public enum SQLMigrations {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// The migrations shipped with this module.
    public static func bundled() throws -> [Migration] { try load(from: Bundle.module) }

    /// The migrations in a bundle's `Migrations` folder, in order.
    public static func load(from bundle: Bundle) throws -> [Migration] {
        guard let directory = bundle.url(forResource: "Migrations", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try files.compactMap { file in
            guard let version = Int(file.prefix { $0.isNumber }) else { return nil }
            return Migration(
                version: version, name: file, sql: try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        }
    }

    /// Applies the migrations not yet recorded, in one transaction. Returns the names applied.
    @discardableResult
    public static func migrate(_ database: any SQLDatabase, migrations: [Migration]) async throws -> [String] {
        try await database.write { connection in
            if database.dialect == .postgres {
                // Two instances starting at once: one migrates, the other waits and finds nothing to do.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(727273)")
            }
            _ = try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            let applied = Set(try await connection.query("SELECT version FROM schema_migrations").compactMap { $0.integer("version") })
            var names: [String] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in statements(migration.sql) { _ = try await connection.query(statement) }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(migration.version), .text(migration.name), .text(ISO8601.instant(Date()))])
                names.append(migration.name)
            }
            return names
        }
    }

    /// Splits a migration file into statements (no statement in our migrations contains `;`
    /// inside a literal).
    static func statements(_ sql: String) -> [String] {
        let withoutComments = sql.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n")
        return withoutComments.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
