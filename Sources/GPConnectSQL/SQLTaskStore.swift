import Foundation
public import GPConnect
import GPConnectContract

/// ``TaskStore`` in SQL. A change is `UPDATE … WHERE version = ?`: of two racing on one task,
/// exactly one changes a row and the other is a conflict, in one process or several.
public struct SQLTaskStore: TaskStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public func task(practice: String, id: String) async throws -> TaskRecord? {
        try await database.read("SELECT record FROM tasks WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(TaskRecord.self, $0) }
    }

    public func tasks(practice: String, matching filter: TaskFilter) async throws -> [TaskRecord] {
        var sql = "SELECT record FROM tasks WHERE practice = ?"
        var binds: [SQLValue] = [.text(practice)]
        if let requester = filter.requesterODS {
            sql += " AND requester_ods = ?"
            binds.append(.text(requester))
        }
        if !filter.statuses.isEmpty {
            sql += " AND status IN (\(Array(repeating: "?", count: filter.statuses.count).joined(separator: ", ")))"
            binds += filter.statuses.map { .text($0.rawValue) }
        }
        if let from = filter.modifiedFrom {
            sql += " AND last_modified >= ?"
            binds.append(.integer(Int(from.timeIntervalSince1970.rounded(.up))))
        }
        if let before = filter.modifiedBefore {
            sql += " AND last_modified < ?"
            binds.append(.integer(Int(before.timeIntervalSince1970.rounded(.up))))
        }
        sql += " ORDER BY last_modified, COALESCE(\(IDSequence.numericID), 0), id"
        return try await database.read(sql, binds).map { try RecordCoding.decode(TaskRecord.self, $0) }
    }

    static func columns(_ task: TaskRecord) -> [SQLValue] {
        [
            .text(task.requester.organizationODS), .text(task.patientID), .text(task.status.rawValue),
            .integer(Int(task.lastModified.timeIntervalSince1970)),
        ]
    }

    public func create(_ task: TaskRecord, practice: String) async throws -> TaskRecord {
        try await database.write { connection in
            var created = task
            created.id = try await IDSequence.next("task", table: "tasks", practice: practice, connection: connection)
            let inserted = try await connection.query(
                """
                INSERT INTO tasks (practice, id, requester_ods, patient_id, status, last_modified, version, record)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id
                """,
                [.text(practice), .text(created.id)] + Self.columns(created) + [.text(created.version), try RecordCoding.encode(created)])
            guard !inserted.isEmpty else { throw StoreError.conflict }
            return created
        }
    }

    public func update(_ task: TaskRecord, practice: String, expectedVersion: String) async throws {
        let record = try RecordCoding.encode(task)
        try await database.write { connection in
            let updated = try await connection.query(
                """
                UPDATE tasks SET requester_ods = ?, patient_id = ?, status = ?, last_modified = ?, version = ?, record = ?
                WHERE practice = ? AND id = ? AND version = ? RETURNING id
                """,
                Self.columns(task) + [.text(task.version), record, .text(practice), .text(task.id), .text(expectedVersion)])
            guard !updated.isEmpty else { throw StoreError.conflict }
        }
    }
}
