import Foundation
import GPConnect
import GPConnectContract
import Hummingbird

/// Counts every answered request by interaction, status and Spine code, and times it per
/// interaction. The outermost middleware: it sees the answer ``GPConnectMiddleware`` rendered
/// and what the pipeline learnt (the interaction, the Spine code of a refusal). `/metrics`
/// itself is not counted.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = GPConnectRequestContext

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/metrics" else { return try await next(request, context) }
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only what GPConnectMiddleware could not render gets here; Hummingbird answers it.
            record(context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, started: started)
            throw error
        }
        record(context: context, status: response.status.code, started: started)
        return response
    }

    private func record(context: Context, status: Int, started: ContinuousClock.Instant) {
        let facts = context.exchange.facts
        metrics.request(
            interaction: facts.interaction?.rawValue ?? "none", status: status, spineCode: facts.spineCode,
            duration: ContinuousClock.now - started)
    }
}

/// The audit store with each append timed and counted into ``ServerMetrics``.
struct MeasuredAuditStore: AuditStore {
    let base: any AuditStore
    let metrics: ServerMetrics

    func append(_ event: AuditEvent) async throws -> AuditEntry {
        let started = ContinuousClock.now
        do {
            let entry = try await base.append(event)
            metrics.auditAppend(duration: ContinuousClock.now - started, failed: false)
            return entry
        } catch {
            metrics.auditAppend(duration: ContinuousClock.now - started, failed: true)
            throw error
        }
    }

    func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await base.entries(after: sequence, limit: limit)
    }
}

/// The diary store with each slot-release run (``DiaryStore/addSlots(_:practice:)``, which only the
/// daily release calls) counted and timed into ``ServerMetrics``; everything else passes through.
struct MeasuredDiaryStore: DiaryStore {
    let base: any DiaryStore
    let metrics: ServerMetrics

    func addSlots(_ slots: [SlotRecord], practice: String) async throws -> Int {
        let started = ContinuousClock.now
        do {
            let added = try await base.addSlots(slots, practice: practice)
            metrics.slotRelease(added: added, duration: ContinuousClock.now - started, failed: false)
            return added
        } catch {
            metrics.slotRelease(added: 0, duration: ContinuousClock.now - started, failed: true)
            throw error
        }
    }

    func schedules(practice: String) async throws -> [ScheduleRecord] { try await base.schedules(practice: practice) }
    func schedule(practice: String, id: String) async throws -> ScheduleRecord? { try await base.schedule(practice: practice, id: id) }
    func saveSchedule(_ schedule: ScheduleRecord, practice: String) async throws {
        try await base.saveSchedule(schedule, practice: practice)
    }
    func freeSlots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await base.freeSlots(practice: practice, from: from, to: to)
    }
    func slots(practice: String, from: Date, to: Date) async throws -> [SlotRecord] {
        try await base.slots(practice: practice, from: from, to: to)
    }
    func slots(practice: String, ids: [String]) async throws -> [SlotRecord] { try await base.slots(practice: practice, ids: ids) }
    func latestSlotStart(practice: String) async throws -> Date? { try await base.latestSlotStart(practice: practice) }
    func blockFreeSlots(practice: String, scheduleID: String, from: Date, to: Date) async throws -> Int {
        try await base.blockFreeSlots(practice: practice, scheduleID: scheduleID, from: from, to: to)
    }
}
