import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectContract
import NIOCore
import NIOHTTP1

/// Tasks between federated practices (this project's own interactions): creating a task, a
/// requester polling for its tasks' outcomes, and the owning practice's inbox search, with the
/// practice holding 10,000 tasks from 100 requesting organisations.
extension Benchmark {
    static let heldTasks = 10_000
    static let taskRequesters = 100

    static let taskScenarioNames = [
        "Task create (command)", "Task search: a requester's tasks", "Task search: changed since the last poll",
        "Task inbox search",
    ]

    /// The requesting organisations the held tasks come from: `Y90001`…
    static func requester(_ index: Int) -> ConsumerIdentity {
        var identity = BenchRequests.consumer
        identity.organizationODS = "Y9" + String(format: "%04d", index % taskRequesters + 1)
        return identity
    }

    static func submission(_ index: Int) -> FHIRElement {
        let types = TaskType.allCases
        let priorities = TaskPriority.allCases
        return TaskSubmission(
            ownerODS: BenchReference.practiceODS, nhsNumber: BenchReference.patient2NHSNumber, type: types[index % types.count],
            priority: priorities[index % priorities.count], description: "Benchmark task \(index)",
            due: Date().addingTimeInterval(Double(index % 14 + 1) * 86_400), note: "Seen at the hub"
        ).fhir
    }

    func tasks(_ requests: BenchRequests, client: HTTPClient) async throws -> [BenchScenario] {
        try await Self.holdTasks(requests, client: client, workers: concurrency)
        let createURL = requests.url(.createTask)
        let createHeaders = BenchRequests.headers(.createTask, audience: createURL)
        let body = FHIRJSON.encodeString(Self.submission(0))
        let polled = ISO8601.instant(Date().addingTimeInterval(1))
        let first = Self.requester(0)
        let open = "requested,received,accepted,in-progress"
        var practice = BenchRequests.consumer
        practice.organizationODS = BenchReference.practiceODS
        func search(_ name: String, _ query: [(String, String)], as consumer: ConsumerIdentity) -> BenchScenario {
            let url = requests.url(.searchTasks, query: query)
            let headers = BenchRequests.headers(.searchTasks, audience: url, consumer: consumer)
            return BenchScenario(name: name) { client, _ in
                var request = HTTPClientRequest(url: url)
                request.headers = headers
                return try await BenchRequests.timed(.ok) {
                    let response = try await client.execute(request, timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 256 << 20)
                    return response.status
                }
            }
        }
        return [
            BenchScenario(name: Self.taskScenarioNames[0]) { client, _ in
                var request = HTTPClientRequest(url: createURL)
                request.method = .POST
                request.headers = createHeaders
                request.body = .bytes(ByteBuffer(string: body))
                return try await BenchRequests.timed(.created) {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return response.status
                }
            },
            search(
                Self.taskScenarioNames[1] + " (\(Self.heldTasks / Self.taskRequesters) of \(Self.heldTasks))",
                [("requester", first.organizationODS), ("status", open)], as: first),
            search(
                Self.taskScenarioNames[2] + " (0 of \(Self.heldTasks))",
                [("requester", first.organizationODS), ("_lastUpdated", "ge" + polled)], as: first),
            search(Self.taskScenarioNames[3] + " (owner, every open task of \(Self.heldTasks))", [("status", open)], as: practice),
        ]
    }

    /// Creates the held tasks through the API, `workers` at a time.
    static func holdTasks(_ requests: BenchRequests, client: HTTPClient, workers: Int) async throws {
        let url = requests.url(.createTask)
        let headers = (0..<taskRequesters).map { BenchRequests.headers(.createTask, audience: url, consumer: requester($0)) }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<max(1, workers) {
                group.addTask {
                    for index in stride(from: worker, to: heldTasks, by: max(1, workers)) {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers = headers[index % taskRequesters]
                        request.headers.replaceOrAdd(name: "Prefer", value: "return=minimal")
                        request.body = .bytes(ByteBuffer(string: FHIRJSON.encodeString(submission(index))))
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        guard response.status == .created else {
                            throw BenchmarkError("Creating a held task answered \(response.status.code)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        print(
            "Held tasks: \(heldTasks) from \(taskRequesters) requesting organisations, created in \(Int((ContinuousClock.now - started).seconds)) s"
        )
    }
}
