public import FHIR
public import Foundation
public import GPConnectContract

/// One call per task interaction (this project's extension: docs/tasks.md).
extension GPConnectClient {
    /// Sends a task to the patient's practice (`POST Task`); returns the created Task.
    public func sendTask(_ endpoint: ProviderEndpoint, _ submission: TaskSubmission) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.createTask, to: endpoint, path: "Task", body: submission.fhir), "Task")
    }

    public func readTask(_ endpoint: ProviderEndpoint, id: String) async throws(GPConnectClientError) -> FHIRElement {
        try Self.resource(try await send(.readTask, to: endpoint, path: "Task/\(id)"), "Task")
    }

    /// The tasks this consumer's organisation sent the practice, optionally only some statuses and
    /// only those changed since an instant (to poll for outcomes).
    public func searchTasks(
        _ endpoint: ProviderEndpoint, statuses: [TaskStatus] = [], changedSince: Date? = nil
    ) async throws(GPConnectClientError) -> [FHIRElement] {
        var query: [(String, String)] = [("requester", consumer.organizationODS)]
        if !statuses.isEmpty { query.append(("status", statuses.map(\.rawValue).joined(separator: ","))) }
        if let changedSince { query.append(("_lastUpdated", "ge" + ISO8601.instant(changedSince))) }
        return try Self.entries(try await send(.searchTasks, to: endpoint, path: "Task", query: query), "Task")
    }

    /// Cancels a task (as read) before it is started, with `If-Match` on its version.
    public func cancelTask(_ endpoint: ProviderEndpoint, task: FHIRElement, reason: String) async throws(GPConnectClientError)
        -> FHIRElement
    {
        guard let id = task["id"]?.string else { throw .invalidResponse("the task has no id") }
        let body = TaskCancellation(task: task.object ?? FHIRObject(), reason: reason).fhir
        let version = task["meta"]?["versionId"]?.string
        let response = try await send(
            .cancelTask, to: endpoint, path: "Task/\(id)", body: body, headers: version.map { [("If-Match", "W/\"\($0)\"")] } ?? [])
        return try Self.resource(response, "Task")
    }
}

/// The outcomes of the tasks a consumer sent, across federated practices: each practice is asked
/// at once, each with its own deadline, as ``FederatedSlotSearch`` does for slots.
public struct FederatedTaskSearch: Sendable {
    public let client: GPConnectClient
    public var deadline: Duration

    public init(client: GPConnectClient, deadline: Duration = .seconds(5)) {
        self.client = client
        self.deadline = deadline
    }

    public struct Result: Sendable {
        /// Every practice's outcome, in the order the practices were given.
        public var outcomes: [(endpoint: ProviderEndpoint, outcome: FederatedSlotSearch.Outcome)]
        /// Every task, most recently changed first.
        public var tasks: [TaskSummary]
    }

    public func search(_ endpoints: [ProviderEndpoint], statuses: [TaskStatus] = [], changedSince: Date? = nil) async -> Result {
        var configured = client
        configured.timeout = deadline * 0.9
        configured.retries = 0
        let each = configured
        let race = FederatedSlotSearch(client: client, deadline: deadline)
        let perPractice = await withTaskGroup(of: (Int, FederatedSlotSearch.Outcome, [TaskSummary]).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do {
                        let tasks = try await race.withDeadline(deadline) {
                            try await each.searchTasks(endpoint, statuses: statuses, changedSince: changedSince)
                        }
                        return (index, tasks.isEmpty ? .none : .slots(tasks.count), tasks.map { TaskSummary($0, practice: endpoint.ods) })
                    } catch let error as GPConnectClientError {
                        switch error {
                        case .refused(let status, let code, _): return (index, .refused(status: status, code: code), [])
                        case .timedOut: return (index, .timedOut, [])
                        case .unreachable, .invalidResponse: return (index, .unreachable, [])
                        }
                    } catch {
                        return (index, .timedOut, [])
                    }
                }
            }
            var results: [(Int, FederatedSlotSearch.Outcome, [TaskSummary])] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        let tasks = perPractice.flatMap(\.2).sorted { ($0.lastModified ?? "", $0.practice) > ($1.lastModified ?? "", $1.practice) }
        return Result(outcomes: perPractice.map { (endpoints[$0.0], $0.1) }, tasks: tasks)
    }
}
