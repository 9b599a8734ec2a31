import Foundation
import GPConnect
import GPConnectContract
public import GPConnectSQL
public import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// A SQLite database file opened for a server: one writer connection behind a lock (SQLite
/// allows one writer at a time) and a few reader connections that run beside it in WAL mode.
///
/// Every write runs in `BEGIN IMMEDIATE … COMMIT`, so writers in other processes on the same file
/// queue on SQLite's own lock (with a busy timeout) rather than interleaving.
public final class GPConnectSQLiteDatabase: SQLDatabase {
    public var dialect: SQLDialect { .sqlite }
    let writer: SQLiteConnection
    let readers: [SQLiteConnection]
    let writeLock = AsyncLock()
    let nextReader = Atomic<Int>(0)
    let pool: NIOThreadPool
    public let path: String

    /// Opens (creating if needed) the database file and applies pending migrations.
    public static func open(path: String, readers: Int = 2, logger: Logger = Logger(label: "gpconnect.sqlite")) async throws
        -> GPConnectSQLiteDatabase
    {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Every connection opened is closed again if opening fails half way (sqlite-nio asserts
        // that connections are closed before they are released).
        // Each database has its own threads: a connection waiting on SQLite's file lock (another
        // process writing) blocks only this database, never every SQLite user in the process.
        let pool = NIOThreadPool(numberOfThreads: max(1, readers) + 1)
        pool.start()
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool, logger: logger, on: loop)
            opened.append(writer)
            try await configure(writer)
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            var readerConnections: [SQLiteConnection] = []
            for _ in 0..<max(1, readers) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool, logger: logger, on: loop)
                opened.append(reader)
                try await configure(reader)
                readerConnections.append(reader)
            }
            let database = GPConnectSQLiteDatabase(path: path, writer: writer, readers: readerConnections, pool: pool)
            try await SQLiteMigrations.migrate(database)
            return database
        } catch {
            for connection in opened { try? await connection.close() }
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    static func configure(_ connection: SQLiteConnection) async throws {
        _ = try await connection.query("PRAGMA busy_timeout = 30000")
        // WAL with synchronous=NORMAL: a committed transaction survives a killed process.
        _ = try await connection.query("PRAGMA synchronous = NORMAL")
        _ = try await connection.query("PRAGMA foreign_keys = ON")
        // Reads map the file instead of copying pages through pread, and keep more pages per
        // connection: a structured record reads every row of a patient's record (measured: the
        // long synthetic record went from pread-bound to memory-bound).
        _ = try await connection.query("PRAGMA mmap_size = 268435456")
        _ = try await connection.query("PRAGMA cache_size = -32768")
    }

    init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection], pool: NIOThreadPool) {
        self.path = path
        self.writer = writer
        self.readers = readers
        self.pool = pool
    }

    public func close() async {
        // Detached, so that a cancelled caller (a service group shutting down) still closes
        // every connection; closing the last one checkpoints the WAL into the database file.
        let connections = [writer] + readers
        let pool = self.pool
        await Task.detached {
            for connection in connections {
                do {
                    try await connection.close()
                } catch {
                    // Already closed: nothing left to do.
                }
            }
            try? await pool.shutdownGracefully()
        }.value
    }

    /// Runs a read-only query on one of the reader connections.
    public func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await readers[index % readers.count].query(sql, binds.map(\.sqlite)).map(SQLRow.init)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer connection.
    public func write<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            _ = try await writer.query("BEGIN IMMEDIATE")
            do {
                let result = try await body(Connection(connection: writer))
                _ = try await writer.query("COMMIT")
                return result
            } catch {
                _ = try? await writer.query("ROLLBACK")
                throw error
            }
        }
    }

    struct Connection: SQLConnection {
        let connection: SQLiteConnection

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await connection.query(sql, binds.map(\.sqlite)).map(SQLRow.init)
        }
    }
}

extension SQLValue {
    var sqlite: SQLiteData {
        switch self {
        case .text(let text): .text(text)
        case .integer(let number): .integer(number)
        case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
        case .null: .null
        }
    }
}

extension SQLRow {
    init(_ row: SQLiteRow) {
        var values: [String: SQLValue] = [:]
        for column in row.columns {
            switch column.data {
            case .text(let text): values[column.name] = .text(text)
            case .integer(let number): values[column.name] = .integer(number)
            case .float(let number): values[column.name] = .integer(Int(number))
            case .blob(let buffer): values[column.name] = .blob(Array(buffer.readableBytesView))
            case .null: values[column.name] = .null
            }
        }
        self.init(values)
    }
}

/// The migrations applied to a SQLite database.
public enum SQLiteMigrations {
    public static func all() throws -> [SQLMigrations.Migration] { try SQLMigrations.bundled() }

    /// Applies pending migrations. Returns the names of those applied.
    @discardableResult
    public static func migrate(_ database: GPConnectSQLiteDatabase) async throws -> [String] {
        try await SQLMigrations.migrate(database, migrations: all())
    }
}
