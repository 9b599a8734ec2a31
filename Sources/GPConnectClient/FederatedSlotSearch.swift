import FHIR
public import Foundation
import GPConnectContract
import Synchronization

/// Appointment capacity across federated practices: searches several providers at once for free
/// slots and merges them into one time-ordered view. One slow or failing practice never holds up
/// the others: each search has its own deadline and its own outcome.
public struct FederatedSlotSearch: Sendable {
    public let client: GPConnectClient
    /// Each practice's deadline.
    public var deadline: Duration

    public init(client: GPConnectClient, deadline: Duration = .seconds(5)) {
        self.client = client
        self.deadline = deadline
    }

    /// What one practice answered.
    public enum Outcome: Sendable, Equatable {
        case slots(Int)
        case none
        case refused(status: Int, code: String?)
        case unreachable
        case timedOut

        public var summary: String {
            switch self {
            case .slots(let count): "\(count) free slot\(count == 1 ? "" : "s")"
            case .none: "no free slots"
            case .refused(let status, let code): "refused: HTTP \(status)\(code.map { " \($0)" } ?? "")"
            case .unreachable: "unreachable"
            case .timedOut: "timed out"
            }
        }
    }

    /// One free slot, flattened for display and booking.
    public struct Slot: Sendable, Equatable {
        public var ods: String
        public var practice: String
        public var slotID: String
        public var start: Date
        public var end: Date
        public var startText: String
        public var deliveryChannel: String?
        public var serviceType: String?
        public var practitioner: String?
        public var location: String?
        public var locationID: String?
        public var practitionerRole: String?
    }

    public struct Result: Sendable {
        /// Every practice's outcome, in the order the practices were given.
        public var outcomes: [(endpoint: ProviderEndpoint, outcome: Outcome)]
        /// All slots, earliest first.
        public var slots: [Slot]
    }

    /// Searches every endpoint concurrently. `progress` is called as each practice finishes.
    public func search(
        _ endpoints: [ProviderEndpoint], from: Date, to: Date, bookingODS: String? = nil, organizationType: String? = nil,
        progress: @escaping @Sendable (ProviderEndpoint, Outcome) -> Void = { _, _ in }
    ) async -> Result {
        let perPractice = await withTaskGroup(of: (Int, Outcome, [Slot]).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    let (outcome, slots) = await searchOne(
                        endpoint, from: from, to: to, bookingODS: bookingODS, organizationType: organizationType)
                    progress(endpoint, outcome)
                    return (index, outcome, slots)
                }
            }
            var results: [(Int, Outcome, [Slot])] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        let slots = perPractice.flatMap(\.2).sorted { ($0.start, $0.ods, $0.slotID) < ($1.start, $1.ods, $1.slotID) }
        return Result(outcomes: perPractice.map { (endpoints[$0.0], $0.1) }, slots: slots)
    }

    func searchOne(_ endpoint: ProviderEndpoint, from: Date, to: Date, bookingODS: String?, organizationType: String?) async -> (
        Outcome, [Slot]
    ) {
        var configured = self.client
        // The request's own timeout ends a little before the hard deadline, so a connection that
        // was refused until then is reported as unreachable rather than as slow.
        configured.timeout = deadline * 0.9
        configured.retries = 0  // the deadline is the budget; a retry would overrun it
        let client = configured
        do {
            let found = try await withDeadline(deadline) {
                try await client.searchFreeSlots(endpoint, from: from, to: to, bookingODS: bookingODS, organizationType: organizationType)
            }
            let practiceName = endpoint.name ?? found.organizations.first?["name"]?.string ?? endpoint.ods
            let slots = found.summaries.compactMap { slot -> Slot? in
                guard let startText = slot.start, let start = UKTime.parse(startText)?.date, let end = slot.end.flatMap(UKTime.parse)?.date
                else { return nil }
                return Slot(
                    ods: endpoint.ods, practice: practiceName, slotID: slot.id, start: start, end: end, startText: startText,
                    deliveryChannel: slot.deliveryChannel, serviceType: slot.serviceType, practitioner: slot.practitionerName,
                    location: slot.locationName, locationID: slot.locationID, practitionerRole: slot.practitionerRole)
            }
            return (slots.isEmpty ? .none : .slots(slots.count), slots)
        } catch let error as GPConnectClientError {
            switch error {
            case .refused(let status, let code, _): return (.refused(status: status, code: code), [])
            case .timedOut: return (.timedOut, [])
            case .unreachable, .invalidResponse: return (.unreachable, [])
            }
        } catch {
            return (.timedOut, [])
        }
    }

    /// Runs `body`, giving up with ``GPConnectClientError/timedOut`` when `deadline` passes first.
    /// The deadline is hard: the caller resumes at once and the late request is cancelled, rather
    /// than waited for.
    func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = DeadlineRace<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                request: Task { do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) } },
                timer: Task {
                    try? await Task.sleep(for: deadline)
                    race.finish(.failure(GPConnectClientError.timedOut))
                })
        }
    }
}

/// The first of a request and its timer to finish resumes the caller and cancels the other.
final class DeadlineRace<T: Sendable>: Sendable {
    struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var early: Swift.Result<T, any Error>?
    }

    let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, request: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Swift.Result<T, any Error>? in
            state.tasks = [request, timer]
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(with: early)
            request.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Swift.Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard let continuation = state.continuation else {
                if state.early == nil, state.tasks.isEmpty { state.early = result }
                return (nil, [])
            }
            state.continuation = nil
            return (continuation, state.tasks)
        }
        continuation?.resume(with: result)
        for task in tasks { task.cancel() }
    }
}

/// A directory of federated practices (standing in for the Spine Directory Service): a JSON
/// array of ``ProviderEndpoint``.
public enum ProviderDirectory {
    public static func load(_ path: String) throws -> [ProviderEndpoint] {
        try JSONDecoder().decode([ProviderEndpoint].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
