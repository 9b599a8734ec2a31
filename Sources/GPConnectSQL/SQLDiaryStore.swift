public import Foundation
public import GPConnect
import GPConnectContract

/// ``DiaryStore`` and ``AppointmentStore`` on SQLite.
///
/// Booking flips every slot from `free` to `busy` with `UPDATE … WHERE status = 'free'` and
/// stores the appointment in the same `BEGIN IMMEDIATE` transaction; if fewer slots changed than
/// were asked for, the transaction rolls back and the booking is a conflict.
public struct SQLDiaryStore: DiaryStore, AppointmentStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    // MARK: Schedules

    public func schedules(practice: String) async throws -> [ScheduleRecord] {
        try await database.read(
            "SELECT record FROM schedules WHERE practice = ? ORDER BY COALESCE(\(IDSequence.numericID), 0), id", [.text(practice)]
        )
        .map { try RecordCoding.decode(ScheduleRecord.self, $0) }
    }

    public func schedule(practice: String, id: String) async throws -> ScheduleRecord? {
        try await database.read("SELECT record FROM schedules WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(ScheduleRecord.self, $0) }
    }

    public func saveSchedule(_ schedule: ScheduleRecord, practice: String) async throws {
        try await database.upsert(
            "schedules", key: [("practice", .text(practice)), ("id", .text(schedule.id))],
            columns: [("record", try RecordCoding.encode(schedule))])
    }

    // MARK: Slots

    public func addSlots(_ slots: [SlotRecord], practice: String) async throws -> Int {
        var added = 0
        for chunk in stride(from: 0, to: slots.count, by: 200).map({ Array(slots[$0..<min($0 + 200, slots.count)]) }) {
            var binds: [SQLValue] = []
            for slot in chunk {
                binds += [
                    .text(practice), .text(slot.id), .text(slot.scheduleID), .integer(Int(slot.start.timeIntervalSince1970)),
                    .integer(Int(slot.end.timeIntervalSince1970)), .text(slot.status.rawValue), .integer(Int(slot.version) ?? 1),
                    .text(slot.deliveryChannel), .integer(slot.bookable ? 1 : 0),
                    .text(slot.restriction.organizationTypes.joined(separator: ",")),
                    .text(slot.restriction.odsCodes.joined(separator: ",")), .text(slot.serviceType),
                ]
            }
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            let rows = try await database.write { connection in
                try await connection.query(
                    "INSERT INTO slots (practice, id, schedule_id, start_time, end_time, status, version, delivery_channel, bookable, "
                        + "restricted_types, restricted_ods, service_type) VALUES \(values) ON CONFLICT (practice, id) DO NOTHING RETURNING id",
                    binds)
            }
            added += rows.count
        }
        return added
    }

    static let slotColumns =
        "id, schedule_id, start_time, end_time, status, version, delivery_channel, bookable, restricted_types, restricted_ods, service_type"

    func slot(_ row: SQLRow) throws -> SlotRecord {
        func text(_ name: String) throws -> String {
            guard let value = row.text(name) else { throw StoreError.corrupt("slot row has no \(name)") }
            return value
        }
        func list(_ name: String) throws -> [String] { try text(name).split(separator: ",").map(String.init) }
        guard let start = row.integer("start_time"), let end = row.integer("end_time"),
            let status = SlotRecord.Status(rawValue: try text("status"))
        else { throw StoreError.corrupt("slot row") }
        return SlotRecord(
            id: try text("id"), scheduleID: try text("schedule_id"), start: Date(timeIntervalSince1970: TimeInterval(start)),
            end: Date(timeIntervalSince1970: TimeInterval(end)), status: status, deliveryChannel: try text("delivery_channel"),
            bookable: row.integer("bookable") == 1,
            restriction: BookingRestriction(organizationTypes: try list("restricted_types"), odsCodes: try list("restricted_ods")),
            serviceType: try text("service_type"), version: String(row.integer("version") ?? 1))
    }

    public func freeSlots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await database.read(
            "SELECT \(Self.slotColumns) FROM slots WHERE practice = ? AND status = 'free' AND start_time >= ? AND end_time <= ? ORDER BY start_time, id",
            [.text(practice), .integer(Int(from.timeIntervalSince1970)), .integer(Int(to.timeIntervalSince1970))]
        ).map(slot)
    }

    public func slots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await database.read(
            "SELECT \(Self.slotColumns) FROM slots WHERE practice = ? AND start_time >= ? AND start_time < ? ORDER BY start_time, id",
            [.text(practice), .integer(Int(from.timeIntervalSince1970)), .integer(Int(to.timeIntervalSince1970))]
        ).map(slot)
    }

    public func latestSlotStart(practice: String) async throws -> Date? {
        try await database.read("SELECT MAX(start_time) AS latest FROM slots WHERE practice = ?", [.text(practice)])
            .first?.integer("latest").map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    public func slots(practice: String, ids: [String]) async throws -> [SlotRecord] {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return try await database.read(
            "SELECT \(Self.slotColumns) FROM slots WHERE practice = ? AND id IN (\(marks)) ORDER BY start_time, id",
            [.text(practice)] + ids.map { .text($0) }
        ).map(slot)
    }

    public func blockFreeSlots(practice: String, scheduleID: String, from: Date, to: Date) async throws -> Int {
        try await database.write { connection in
            try await connection.query(
                """
                UPDATE slots SET status = 'busy-unavailable', version = version + 1
                WHERE practice = ? AND schedule_id = ? AND status = 'free' AND start_time >= ? AND start_time < ? RETURNING id
                """,
                [.text(practice), .text(scheduleID), .integer(Int(from.timeIntervalSince1970)), .integer(Int(to.timeIntervalSince1970))]
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

    public func book(_ appointment: AppointmentRecord, practice: String) async throws -> AppointmentRecord {
        let slotIDs = appointment.slotIDs
        return try await database.write { connection in
            let marks = Array(repeating: "?", count: slotIDs.count).joined(separator: ", ")
            let taken = try await connection.query(
                "UPDATE slots SET status = 'busy', version = version + 1 WHERE practice = ? AND status = 'free' AND id IN (\(marks)) RETURNING id",
                [.text(practice)] + slotIDs.map { .text($0) })
            guard taken.count == Set(slotIDs).count else { throw StoreError.conflict }
            var booked = appointment
            booked.id = try await IDSequence.next("appointment", table: "appointments", practice: practice, connection: connection)
            let inserted = try await connection.query(
                """
                INSERT INTO appointments (practice, id, patient_id, start_utc, status, version, record) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING RETURNING id
                """,
                [
                    .text(practice), .text(booked.id), .text(booked.patientID), .text(UKTime.storageKey(booked.start)),
                    .text(booked.status.rawValue), .text(booked.version), try RecordCoding.encode(booked),
                ])
            guard !inserted.isEmpty else { throw StoreError.conflict }
            return booked
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
}
