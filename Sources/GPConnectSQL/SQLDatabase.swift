/// A value bound to, or read from, a SQL statement: text and integers, and the bytes of documents.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case blob([UInt8])
    case null
}

/// One result row, by column name.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]

    public init(_ values: [String: SQLValue]) { self.values = values }

    public func text(_ column: String) -> String? {
        switch values[column] {
        case .text(let text)?: text
        case .integer(let number)?: String(number)
        default: nil
        }
    }

    public func blob(_ column: String) -> [UInt8]? {
        if case .blob(let bytes)? = values[column] { return bytes }
        return nil
    }

    public func integer(_ column: String) -> Int? {
        switch values[column] {
        case .integer(let number)?: number
        case .text(let text)?: Int(text)
        default: nil
        }
    }
}

/// The SQL dialects the stores run on. Statements are written once, with `?` placeholders;
/// the few places where the dialects differ ask ``SQLDatabase/dialect``.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// A connection inside a transaction.
public protocol SQLConnection: Sendable {
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLConnection {
    public func query(_ sql: String) async throws -> [SQLRow] { try await query(sql, []) }
}

/// What the SQL stores need from a database backend (SQLite, PostgreSQL).
///
/// Every write runs in a transaction that makes the checks and changes inside it atomic with
/// respect to every other writer, in this process and in others: SQLite by `BEGIN IMMEDIATE`
/// (one writer at a time), PostgreSQL by row locks on the rows the statements touch plus an
/// advisory lock where a whole table is the unit (the audit chain head).
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs a read-only statement outside any write transaction.
    func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs `body` in a write transaction: committed if it returns, rolled back if it throws.
    func write<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T
    func close() async
}

extension SQLDatabase {
    public func read(_ sql: String) async throws -> [SQLRow] { try await read(sql, []) }
}
