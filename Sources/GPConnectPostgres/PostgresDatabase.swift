import Foundation
import GPConnect
import GPConnectContract
public import GPConnectSQL
public import Logging
import NIOCore
import PostgresNIO

/// A PostgreSQL database for several provider instances sharing load: a connection pool, each
/// write a `BEGIN … COMMIT` transaction on one pooled connection.
public final class GPConnectPostgresDatabase: SQLDatabase {
    public var dialect: SQLDialect { .postgres }
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger

    /// Connects to `postgres://user:password@host:port/database` and applies pending migrations.
    public static func open(url: String, logger: Logger = Logger(label: "gpconnect.postgres")) async throws -> GPConnectPostgresDatabase {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else { throw StoreError.corrupt("database URL must be postgres://user:password@host:port/database") }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: components.path.isEmpty ? nil : String(components.path.dropFirst()), tls: .disable)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let database = GPConnectPostgresDatabase(client: client, runner: Task { await client.run() }, logger: logger)
        do {
            try await SQLMigrations.migrate(database, migrations: SQLMigrations.bundled())
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    init(client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    public func close() async {
        let runner = self.runner
        await Task.detached {
            runner.cancel()
            _ = await runner.value
        }.value
    }

    public func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await Self.rows(client.query(Self.query(sql, binds), logger: logger))
    }

    public func write<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            _ = try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(Connection(connection: connection, logger: logger))
                _ = try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    struct Connection: SQLConnection {
        let connection: PostgresConnection
        let logger: Logger

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            do {
                return try await GPConnectPostgresDatabase.rows(
                    connection.query(GPConnectPostgresDatabase.query(sql, binds), logger: logger))
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40001" || error.serverInfo?[.sqlState] == "40P01" {
                // Serialization failure or deadlock: the transaction lost a race.
                throw StoreError.conflict
            }
        }
    }

    /// `?` placeholders become `$1`, `$2`, … (no statement of ours has `?` inside a literal).
    static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var text = ""
        text.reserveCapacity(sql.utf8.count + binds.count * 2)
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                text += "$\(index)"
            } else {
                text.append(character)
            }
        }
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let value): bindings.append(value)
            case .integer(let value): bindings.append(value)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func rows(_ sequence: PostgresRowSequence) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        for try await row in sequence {
            var values: [String: SQLValue] = [:]
            for cell in row {
                guard cell.bytes != nil else {
                    values[cell.columnName] = .null
                    continue
                }
                switch cell.dataType {
                case .int2, .int4, .int8, .numeric: values[cell.columnName] = .integer(try cell.decode(Int.self))
                case .bool: values[cell.columnName] = .integer(try cell.decode(Bool.self) ? 1 : 0)
                case .bytea: values[cell.columnName] = .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
                default: values[cell.columnName] = (try? cell.decode(String.self)).map { .text($0) } ?? .null
                }
            }
            rows.append(SQLRow(values))
        }
        return rows
    }
}
