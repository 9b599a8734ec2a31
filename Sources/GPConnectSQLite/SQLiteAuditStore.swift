import Foundation
import GPConnect
import SQLiteNIO

/// ``AuditStore`` on SQLite. The append reads the chain head and inserts the next entry in one
/// `BEGIN IMMEDIATE` transaction, so concurrent appends (even from other processes) cannot fork
/// the chain.
public struct SQLiteAuditStore: AuditStore {
    let database: GPConnectSQLiteDatabase

    public init(database: GPConnectSQLiteDatabase) { self.database = database }

    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        let body = String(decoding: event.canonicalBytes, as: UTF8.self)
        return try await database.write { connection in
            let head = try await connection.query("SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1")
            let sequence = (head.first?.column("sequence")?.integer).map { Int64($0) + 1 } ?? 1
            let previous = head.first?.column("hash")?.string ?? AuditEntry.genesisHash
            let hash = AuditEntry.chainHash(previousHash: previous, sequence: sequence, event: event)
            _ = try await connection.query(
                """
                INSERT INTO audit_events (sequence, time, trace_id, practice, interaction, status, spine_code, event, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(Int(sequence)), .text(event.time), event.traceID.map { .text($0) } ?? .null,
                    event.practice.map { .text($0) } ?? .null, event.interaction.map { .text($0) } ?? .null,
                    .integer(event.status), event.spineCode.map { .text($0) } ?? .null, .text(body), .text(previous), .text(hash),
                ])
            return AuditEntry(sequence: sequence, event: event, previousHash: previous, hash: hash)
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await database.read(
            "SELECT sequence, event, previous_hash, hash FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [.integer(Int(sequence)), .integer(limit)]
        ).map { row in
            AuditEntry(
                sequence: Int64(row.column("sequence")?.integer ?? 0),
                event: try RecordCoding.decode(AuditEvent.self, row, column: "event"),
                previousHash: row.column("previous_hash")?.string ?? "", hash: row.column("hash")?.string ?? "")
        }
    }
}

extension Stores {
    /// All stores on one SQLite database.
    public static func sqlite(_ database: GPConnectSQLiteDatabase) -> (Stores, SQLiteDemographicsStore) {
        let demographics = SQLiteDemographicsStore(database: database)
        return (
            Stores(
                directory: SQLiteDirectoryStore(database: database), patients: SQLitePatientStore(database: database),
                demographics: demographics, audit: SQLiteAuditStore(database: database)),
            demographics
        )
    }
}
