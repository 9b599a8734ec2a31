import Foundation
import GPConnect
import SQLiteNIO

/// ``DiaryStore`` and ``AppointmentStore`` on SQLite.
///
/// Booking flips every slot from `free` to `busy` with `UPDATE … WHERE status = 'free'` and
/// stores the appointment in the same `BEGIN IMMEDIATE` transaction; if fewer slots changed than
/// were asked for, the transaction rolls back and the booking is a conflict.
public struct SQLiteDiaryStore: DiaryStore, AppointmentStore {
    let database: GPConnectSQLiteDatabase

    public init(database: GPConnectSQLiteDatabase) { self.database = database }

    // MARK: Schedules

    public func schedules(practice: String) async throws -> [ScheduleRecord] {
        try await database.read("SELECT record FROM schedules WHERE practice = ? ORDER BY CAST(id AS INTEGER), id", [.text(practice)])
            .map { try RecordCoding.decode(ScheduleRecord.self, $0) }
    }

    public func schedule(practice: String, id: String) async throws -> ScheduleRecord? {
        try await database.read("SELECT record FROM schedules WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(ScheduleRecord.self, $0) }
    }

    public func saveSchedule(_ schedule: ScheduleRecord, practice: String) async throws {
        let record = try RecordCoding.encode(schedule)
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO schedules (practice, id, record) VALUES (?, ?, ?) ON CONFLICT (practice, id) DO UPDATE SET record = excluded.record",
                [.text(practice), .text(schedule.id), record])
        }
    }

    // MARK: Slots

    public func addSlots(_ slots: [SlotRecord], practice: String) async throws -> Int {
        var added = 0
        for chunk in stride(from: 0, to: slots.count, by: 200).map({ Array(slots[$0..<min($0 + 200, slots.count)]) }) {
            var binds: [SQLiteData] = []
            for slot in chunk {
                binds += [
                    .text(practice), .text(slot.id), .text(slot.scheduleID), .text(UKTime.storageKey(slot.start)),
                    .text(UKTime.storageKey(slot.end)), .text(slot.status.rawValue), .integer(Int(slot.version) ?? 1),
                    try RecordCoding.encode(slot),
                ]
            }
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            let rows = try await database.write { connection in
                try await connection.query(
                    "INSERT INTO slots (practice, id, schedule_id, start_utc, end_utc, status, version, record) VALUES \(values) "
                        + "ON CONFLICT (practice, id) DO NOTHING RETURNING id", binds)
            }
            added += rows.count
        }
        return added
    }

    /// The stored record carries the status and version columns, which are the truth.
    func slot(_ row: SQLiteRow) throws -> SlotRecord {
        var slot = try RecordCoding.decode(SlotRecord.self, row)
        if let status = row.column("status")?.string.flatMap(SlotRecord.Status.init(rawValue:)) { slot.status = status }
        if let version = row.column("version")?.integer { slot.version = String(version) }
        return slot
    }

    public func freeSlots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await database.read(
            "SELECT record, status, version FROM slots WHERE practice = ? AND status = 'free' AND start_utc >= ? AND end_utc <= ? ORDER BY start_utc, id",
            [.text(practice), .text(UKTime.storageKey(from)), .text(UKTime.storageKey(to))]
        ).map(slot)
    }

    public func slots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await database.read(
            "SELECT record, status, version FROM slots WHERE practice = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc, id",
            [.text(practice), .text(UKTime.storageKey(from)), .text(UKTime.storageKey(to))]
        ).map(slot)
    }

    public func slots(practice: String, ids: [String]) async throws -> [SlotRecord] {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return try await database.read(
            "SELECT record, status, version FROM slots WHERE practice = ? AND id IN (\(marks)) ORDER BY start_utc, id",
            [.text(practice)] + ids.map { .text($0) }
        ).map(slot)
    }

    public func blockFreeSlots(practice: String, scheduleID: String, from: Date, to: Date) async throws -> Int {
        try await database.write { connection in
            try await connection.query(
                """
                UPDATE slots SET status = 'busy-unavailable', version = version + 1
                WHERE practice = ? AND schedule_id = ? AND status = 'free' AND start_utc >= ? AND start_utc < ? RETURNING id
                """,
                [.text(practice), .text(scheduleID), .text(UKTime.storageKey(from)), .text(UKTime.storageKey(to))]
            ).count
        }
    }

    // MARK: Appointments

    public func appointment(practice: String, id: String) async throws -> AppointmentRecord? {
        try await database.read("SELECT record FROM appointments WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(AppointmentRecord.self, $0) }
    }

    public func appointments(practice: String, patientID: String, from: Date, to: Date) async throws -> [AppointmentRecord] {
        try await database.read(
            "SELECT record FROM appointments WHERE practice = ? AND patient_id = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc, id",
            [.text(practice), .text(patientID), .text(UKTime.storageKey(from)), .text(UKTime.storageKey(to))]
        ).map { try RecordCoding.decode(AppointmentRecord.self, $0) }
    }

    public func appointments(practice: String, from: Date, to: Date) async throws -> [AppointmentRecord] {
        try await database.read(
            "SELECT record FROM appointments WHERE practice = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc, id",
            [.text(practice), .text(UKTime.storageKey(from)), .text(UKTime.storageKey(to))]
        ).map { try RecordCoding.decode(AppointmentRecord.self, $0) }
    }

    public func book(_ appointment: AppointmentRecord, practice: String) async throws {
        let record = try RecordCoding.encode(appointment)
        let slotIDs = appointment.slotIDs
        try await database.write { connection in
            let marks = Array(repeating: "?", count: slotIDs.count).joined(separator: ", ")
            let taken = try await connection.query(
                "UPDATE slots SET status = 'busy', version = version + 1 WHERE practice = ? AND status = 'free' AND id IN (\(marks)) RETURNING id",
                [.text(practice)] + slotIDs.map { .text($0) })
            guard taken.count == Set(slotIDs).count else { throw StoreError.conflict }
            let inserted = try await connection.query(
                """
                INSERT INTO appointments (practice, id, patient_id, start_utc, status, version, record) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING RETURNING id
                """,
                [
                    .text(practice), .text(appointment.id), .text(appointment.patientID), .text(UKTime.storageKey(appointment.start)),
                    .text(appointment.status.rawValue), .text(appointment.version), record,
                ])
            guard !inserted.isEmpty else { throw StoreError.conflict }
        }
    }

    public func update(_ appointment: AppointmentRecord, practice: String, expectedVersion: String) async throws {
        let record = try RecordCoding.encode(appointment)
        try await database.write { connection in
            let updated = try await connection.query(
                """
                UPDATE appointments SET status = ?, version = ?, record = ?
                WHERE practice = ? AND id = ? AND version = ? RETURNING id
                """,
                [
                    .text(appointment.status.rawValue), .text(appointment.version), record, .text(practice), .text(appointment.id),
                    .text(expectedVersion),
                ])
            guard !updated.isEmpty else { throw StoreError.conflict }
            if appointment.status == .cancelled, !appointment.slotIDs.isEmpty {
                let marks = Array(repeating: "?", count: appointment.slotIDs.count).joined(separator: ", ")
                _ = try await connection.query(
                    "UPDATE slots SET status = 'free', version = version + 1 WHERE practice = ? AND status = 'busy' AND id IN (\(marks))",
                    [.text(practice)] + appointment.slotIDs.map { .text($0) })
            }
        }
    }

    public func nextAppointmentID(practice: String) async throws -> String {
        try await database.write { connection in
            _ = try await connection.query(
                """
                INSERT INTO id_sequences (practice, kind, next)
                SELECT ?, 'appointment', COALESCE(MAX(CAST(id AS INTEGER)), 0) + 1 FROM appointments WHERE practice = ?
                ON CONFLICT (practice, kind) DO NOTHING
                """, [.text(practice), .text(practice)])
            let rows = try await connection.query(
                "UPDATE id_sequences SET next = next + 1 WHERE practice = ? AND kind = 'appointment' RETURNING next - 1 AS id",
                [.text(practice)])
            guard let id = rows.first?.column("id")?.integer else { throw StoreError.corrupt("id sequence") }
            return String(id)
        }
    }
}
