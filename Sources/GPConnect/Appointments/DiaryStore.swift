public import Foundation
import GPConnectContract

/// A practice's diary: schedules and their slots.
public protocol DiaryStore: Sendable {
    func schedules(practice: String) async throws -> [ScheduleRecord]
    func schedule(practice: String, id: String) async throws -> ScheduleRecord?
    func saveSchedule(_ schedule: ScheduleRecord, practice: String) async throws

    /// Adds slots that do not exist yet (same id: left as it is). Returns how many were added.
    @discardableResult
    func addSlots(_ slots: [SlotRecord], practice: String) async throws -> Int
    /// Free slots lying wholly inside `from..<to`, ordered by start.
    func freeSlots(practice: String, from: Date, to: Date) async throws -> [SlotRecord]
    /// Every slot starting inside `from..<to`, ordered by start (for practice staff).
    func slots(practice: String, from: Date, to: Date) async throws -> [SlotRecord]
    func slots(practice: String, ids: [String]) async throws -> [SlotRecord]
    /// The start of the practice's latest slot, if it has any.
    func latestSlotStart(practice: String) async throws -> Date?
    /// Marks free slots of a schedule starting inside `from..<to` as blocked. Returns how many.
    @discardableResult
    func blockFreeSlots(practice: String, scheduleID: String, from: Date, to: Date) async throws -> Int
}
