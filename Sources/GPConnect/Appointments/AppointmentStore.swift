public import Foundation

/// A practice's appointments.
public protocol AppointmentStore: Sendable {
    func appointment(practice: String, id: String) async throws -> AppointmentRecord?
    /// A patient's appointments starting inside `from..<to`, ordered by start.
    func appointments(practice: String, patientID: String, from: Date, to: Date) async throws -> [AppointmentRecord]
    /// Appointments starting inside `from..<to` (for practice staff).
    func appointments(practice: String, from: Date, to: Date) async throws -> [AppointmentRecord]

    /// Books atomically: the appointment gets the practice's next id, every slot goes from free
    /// to busy and the appointment is stored — or nothing changes.
    ///
    /// - Returns: the stored appointment, with its id.
    /// - Throws: ``StoreError/conflict`` when any slot is no longer free. This is what makes two
    ///   bookings of one slot impossible, in one process or across many.
    func book(_ appointment: AppointmentRecord, practice: String) async throws -> AppointmentRecord

    /// Replaces an appointment only if its stored version is still `expectedVersion`; when it
    /// is being cancelled its slots are freed in the same transaction.
    ///
    /// - Throws: ``StoreError/conflict`` when the version moved on.
    func update(_ appointment: AppointmentRecord, practice: String, expectedVersion: String) async throws
}
