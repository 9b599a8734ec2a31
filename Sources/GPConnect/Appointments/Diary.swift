public import Foundation
import GPConnectContract
import Synchronization

/// Keeps every practice's slots released on a rolling window: each schedule's sessions are
/// turned into slots from today to `releaseDays` ahead, so a server started on any day has
/// bookable slots for the coming weeks, as the pack's slot tests need (pack: Data/Test Suite
/// Prerequisites.xlsx, "Slots" sheet).
public final class Diary: Sendable {
    let stores: Stores
    /// The last local day each practice was released on, so the work runs once a day.
    let releasedOn = Mutex<[String: String]>([:])

    public init(stores: Stores) { self.stores = stores }

    /// Releases slots if not yet done today. Cheap when already done.
    public func releaseIfNeeded(practice: String, now: Date) async throws {
        let today = UKTime.day(now)
        if releasedOn.withLock({ $0[practice] == today }) { return }
        // Another instance (or an earlier run today) may have released the window already: its
        // last day then already has slots.
        let horizon = try await stores.diary.schedules(practice: practice).map(\.releaseDays).max() ?? 0
        let lastDay = UKTime.day(offset: horizon, from: now)
        if let latest = try await stores.diary.latestSlotStart(practice: practice), latest >= lastDay {
            releasedOn.withLock { $0[practice] = today }
            return
        }
        try await release(practice: practice, now: now)
        releasedOn.withLock { $0[practice] = today }
    }

    /// Generates the slots of every schedule of the practice for today (those still ahead) and the
    /// next `releaseDays` days. Existing slots, booked or not, are left alone.
    @discardableResult
    public func release(practice: String, now: Date) async throws -> Int {
        var slots: [SlotRecord] = []
        for schedule in try await stores.diary.schedules(practice: practice) {
            slots += Self.slots(for: schedule, now: now)
        }
        return try await stores.diary.addSlots(slots, practice: practice)
    }

    /// The slots a schedule's sessions produce from today to its release horizon.
    public static func slots(for schedule: ScheduleRecord, now: Date) -> [SlotRecord] {
        var slots: [SlotRecord] = []
        for offset in 0...max(0, schedule.releaseDays) {
            let day = UKTime.day(offset: offset, from: now)
            let dayText = UKTime.day(day)
            if let first = schedule.planningHorizonStart, dayText < first { continue }
            if let last = schedule.planningHorizonEnd, dayText > last { continue }
            let weekday = UKTime.weekday(day)
            for session in schedule.sessions {
                if !session.weekdays.isEmpty, !session.weekdays.contains(weekday) { continue }
                if let from = session.fromDay, offset < from { continue }
                if let to = session.toDay, offset > to { continue }
                slots += Self.slots(for: schedule, session: session, on: day, after: now)
            }
        }
        return slots
    }

    /// The slots one session makes on one day, those starting after `now` only.
    public static func slots(for schedule: ScheduleRecord, session: SessionTemplate, on day: Date, after now: Date) -> [SlotRecord] {
        guard var start = UKTime.at(session.start, on: day), let end = UKTime.at(session.end, on: day), session.slotMinutes > 0 else {
            return []
        }
        var slots: [SlotRecord] = []
        let length = TimeInterval(session.slotMinutes * 60)
        while start.addingTimeInterval(length) <= end {
            if start > now {
                slots.append(
                    SlotRecord(
                        id: "\(schedule.id)-\(compact(start))", scheduleID: schedule.id, start: start,
                        end: start.addingTimeInterval(length),
                        deliveryChannel: session.deliveryChannel, bookable: session.bookable, restriction: session.restriction,
                        serviceType: schedule.serviceType))
            }
            start = start.addingTimeInterval(length)
        }
        return slots
    }

    /// `202611230940` in local time: stable slot ids.
    static func compact(_ date: Date) -> String {
        UKTime.format(date).prefix(16).filter(\.isNumber)
    }
}
