import Foundation
public import GPConnect
import GPConnectContract
import Synchronization

/// ``AuditStore`` on SQLite.
///
/// Appends are group-committed: events that arrive while a batch is being written wait for the
/// next batch, and each batch reads the chain head and inserts its entries in one
/// `BEGIN IMMEDIATE` transaction. Every caller resumes only after its entry is committed, so
/// nothing is answered unaudited, and concurrent appends (even from other processes) cannot fork
/// the chain.
public final class SQLAuditStore: AuditStore, Sendable {
    let database: any SQLDatabase
    let queue = Mutex(Queue())
    /// Entries per transaction at most (SQLite allows 32766 bound variables; 10 per entry).
    static let maximumBatch = 500

    struct Queue {
        var pending: [(AuditEvent, CheckedContinuation<AuditEntry, any Error>)] = []
        var flushing = false
    }

    /// Told the size of each batch committed (the `/metrics` histogram of audit batch sizes).
    let batchCommitted: (@Sendable (Int) -> Void)?

    public init(database: any SQLDatabase, batchCommitted: (@Sendable (Int) -> Void)? = nil) {
        self.database = database
        self.batchCommitted = batchCommitted
    }

    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        try await withCheckedThrowingContinuation { continuation in
            let startFlushing = queue.withLock { queue in
                queue.pending.append((event, continuation))
                if queue.flushing { return false }
                queue.flushing = true
                return true
            }
            if startFlushing { Task { await self.flush() } }
        }
    }

    func flush() async {
        while true {
            let batch = queue.withLock { queue in
                let batch = Array(queue.pending.prefix(Self.maximumBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let entries = try await write(batch.map(\.0))
                batchCommitted?(entries.count)
                for (entry, waiter) in zip(entries, batch.map(\.1)) { waiter.resume(returning: entry) }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
    }

    func write(_ events: [AuditEvent]) async throws -> [AuditEntry] {
        try await database.write { connection in
            if database.dialect == .postgres {
                // Appenders in other processes wait here: the chain head is read and extended by one at a time.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(727274)")
            }
            let head = try await connection.query("SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1")
            var sequence = (head.first?.integer("sequence")).map { Int64($0) } ?? 0
            var previous = head.first?.text("hash") ?? AuditEntry.genesisHash
            var entries: [AuditEntry] = []
            var binds: [SQLValue] = []
            for event in events {
                sequence += 1
                let body = event.canonicalBytes
                let hash = AuditEntry.chainHash(previousHash: previous, sequence: sequence, canonicalEvent: body)
                binds += [
                    .integer(Int(sequence)), .text(event.time), event.traceID.map { .text($0) } ?? .null,
                    event.practice.map { .text($0) } ?? .null, event.interaction.map { .text($0) } ?? .null,
                    .integer(event.status), event.spineCode.map { .text($0) } ?? .null,
                    .text(String(decoding: body, as: UTF8.self)), .text(previous), .text(hash),
                ]
                entries.append(AuditEntry(sequence: sequence, event: event, previousHash: previous, hash: hash))
                previous = hash
            }
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: events.count).joined(separator: ", ")
            _ = try await connection.query(
                "INSERT INTO audit_events (sequence, time, trace_id, practice, interaction, status, spine_code, event, previous_hash, hash) VALUES "
                    + rows, binds)
            return entries
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await database.read(
            "SELECT sequence, event, previous_hash, hash FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [.integer(Int(sequence)), .integer(limit)]
        ).map { row in
            AuditEntry(
                sequence: Int64(row.integer("sequence") ?? 0),
                event: try RecordCoding.decode(AuditEvent.self, row, column: "event"),
                previousHash: row.text("previous_hash") ?? "", hash: row.text("hash") ?? "")
        }
    }
}

extension Stores {
    /// All stores on one SQL database, and the demographics store (for seeding).
    /// `auditBatchCommitted` is told the size of each audit batch committed.
    public static func sql(
        _ database: any SQLDatabase, auditBatchCommitted: (@Sendable (Int) -> Void)? = nil
    ) -> (Stores, SQLDemographicsStore) {
        let demographics = SQLDemographicsStore(database: database)
        let diary = SQLDiaryStore(database: database)
        return (
            Stores(
                directory: SQLDirectoryStore(database: database), patients: SQLPatientStore(database: database),
                demographics: demographics, audit: SQLAuditStore(database: database, batchCommitted: auditBatchCommitted), diary: diary,
                appointments: diary,
                clinical: SQLClinicalRecordStore(database: database), documents: SQLDocumentStore(database: database),
                tasks: SQLTaskStore(database: database),
                messaging: SQLMessagingStore(database: database)),
            demographics
        )
    }
}
