import Foundation
import GPConnect
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// A SQLite database file opened for a server: one writer connection behind a lock (SQLite
/// allows one writer at a time) and a few reader connections that run beside it in WAL mode.
///
/// Every write runs in `BEGIN IMMEDIATE … COMMIT`, so writers in other processes on the same file
/// queue on SQLite's own lock (with a busy timeout) rather than interleaving.
public final class GPConnectSQLiteDatabase: Sendable {
    let writer: SQLiteConnection
    let readers: [SQLiteConnection]
    let writeLock = AsyncLock()
    let nextReader = Atomic<Int>(0)
    public let path: String

    /// Opens (creating if needed) the database file and applies pending migrations.
    public static func open(path: String, readers: Int = 2, logger: Logger = Logger(label: "gpconnect.sqlite")) async throws
        -> GPConnectSQLiteDatabase
    {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        try await configure(writer)
        _ = try await writer.query("PRAGMA journal_mode = WAL")
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<max(1, readers) {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            try await configure(reader)
            readerConnections.append(reader)
        }
        let database = GPConnectSQLiteDatabase(path: path, writer: writer, readers: readerConnections)
        try await SQLiteMigrations.migrate(database)
        return database
    }

    static func configure(_ connection: SQLiteConnection) async throws {
        _ = try await connection.query("PRAGMA busy_timeout = 10000")
        // WAL with synchronous=NORMAL: a committed transaction survives a killed process.
        _ = try await connection.query("PRAGMA synchronous = NORMAL")
        _ = try await connection.query("PRAGMA foreign_keys = ON")
    }

    init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.path = path
        self.writer = writer
        self.readers = readers
    }

    public func close() async {
        try? await writer.close()
        for reader in readers { try? await reader.close() }
    }

    /// Runs a read-only query on one of the reader connections.
    func read(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await readers[index % readers.count].query(sql, binds)
    }

    /// Runs `body` in a write transaction on the writer connection.
    func write<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            _ = try await writer.query("BEGIN IMMEDIATE")
            do {
                let result = try await body(writer)
                _ = try await writer.query("COMMIT")
                return result
            } catch {
                _ = try? await writer.query("ROLLBACK")
                throw error
            }
        }
    }
}

/// Numbered migrations shipped as SQL files, applied in order and recorded in `schema_migrations`.
public enum SQLiteMigrations {
    /// `(version, name, sql)` of every migration in the bundle, in order.
    public static func all() throws -> [(Int, String, String)] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        return try files.compactMap { file in
            guard let version = Int(file.prefix { $0.isNumber }) else { return nil }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return (version, file, sql)
        }
    }

    /// Applies pending migrations. Returns the names of those applied.
    @discardableResult
    public static func migrate(_ database: GPConnectSQLiteDatabase) async throws -> [String] {
        try await database.write { connection in
            _ = try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            let applied = Set(
                try await connection.query("SELECT version FROM schema_migrations").compactMap { $0.column("version")?.integer })
            var names: [String] = []
            for (version, name, sql) in try all() where !applied.contains(version) {
                for statement in statements(sql) { _ = try await connection.query(statement) }
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(version), .text(name), .text(ISO8601.instant(Date()))])
                names.append(name)
            }
            return names
        }
    }

    /// Splits a migration file into statements (no statement in our migrations contains `;`
    /// inside a literal).
    static func statements(_ sql: String) -> [String] {
        let withoutComments = sql.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(
            separator: "\n")
        return withoutComments.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
