import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Hummingbird

extension Hub {
    /// Tasks: send one to the patient's registered practice (this project's Tasks extension), and
    /// follow the outcome of every task the hub sent, asking every practice at once.
    func registerTasks(on router: Router<HubRequestContext>) {
        router.get("/tasks") { [self] _, context in
            let session = try context.signedIn()
            return try await tasksPage(session, data: [:])
        }
        router.post("/tasks") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            var data: [String: Any] = ["description": form["description"] ?? "", "note": form["note"] ?? "", "nhs": form["nhs"] ?? ""]
            guard let nhsNumber = Self.nhsNumber(form["nhs"]) else {
                data["error"] = "Enter a valid 10-digit NHS number (spaces are allowed)."
                return try await tasksPage(session, data: data, status: .badRequest)
            }
            guard let type = form["type"].flatMap(TaskType.init(rawValue:)), let description = form["description"] else {
                data["error"] = "Choose what kind of task it is and describe what the practice should do."
                return try await tasksPage(session, data: data, status: .badRequest)
            }
            let priority = form["priority"].flatMap(TaskPriority.init(rawValue:)) ?? .routine
            var due: Date?
            if let text = form["due"] {
                guard let parsed = UKTime.parse(text), !parsed.hasTime, parsed.date >= UKTime.startOfDay(Date()) else {
                    data["error"] = "The due date is yyyy-mm-dd, today or later."
                    return try await tasksPage(session, data: data, status: .badRequest)
                }
                due = UKTime.day(offset: 1, from: parsed.date).addingTimeInterval(-1)
            }
            let client = client(for: session.user)
            let practice: ProviderEndpoint
            do {
                practice = try await registeredPractice(nhsNumber, chosen: form["ods"], client: client)
            } catch let error as HubError {
                data["error"] = error.message
                return try await tasksPage(session, data: data, status: error.status)
            }
            let submission = TaskSubmission(
                ownerODS: practice.ods, nhsNumber: nhsNumber, type: type, priority: priority, description: description, due: due,
                note: form["note"])
            do {
                let task = TaskSummary(try await client.sendTask(practice, submission), practice: practice.ods)
                try await store.recordTask(
                    HubSentTask(
                        at: Date(), username: session.user.username, ods: practice.ods, taskID: task.id ?? "?", description: description))
                await log(session, "send task", ods: practice.ods, nhsNumber: nhsNumber, outcome: "Task/\(task.id ?? "?")")
                return try await tasksPage(
                    session, data: ["notice": "Task/\(task.id ?? "?") sent to \(practice.ods) \(practice.name ?? "")."])
            } catch let error as GPConnectClientError {
                await log(session, "send task", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                data["error"] = "The task was not sent: " + Self.message(error, at: practice)
                return try await tasksPage(session, data: data, status: .badGateway)
            }
        }
    }

    func tasksPage(_ session: HubSession, data: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        var data = data
        let result = await FederatedTaskSearch(client: client(for: session.user), deadline: configuration.deadline).search(
            directory.practices)
        let sent = try await store.sentTasks()
        let byID = Dictionary(result.tasks.map { ("\($0.practice)/\($0.id ?? "")", $0) }, uniquingKeysWith: { first, _ in first })
        data["types"] = TaskType.allCases.map { ["value": $0.rawValue, "display": $0.display] }
        data["priorities"] = TaskPriority.allCases.map { ["value": $0.rawValue] }
        data["practices"] = practiceOptions(nil)
        data["outcomes"] = result.outcomes.map { endpoint, outcome in
            [
                "ods": endpoint.ods, "name": endpoint.name ?? endpoint.ods, "outcome": Self.taskOutcome(outcome),
                "outcomeClass": Capacity.outcomeClass(outcome),
            ]
        }
        data["sent"] = sent.map { task -> [String: Any] in
            let current = byID["\(task.ods)/\(task.taskID)"]
            return Self.present([
                "at": UKTime.format(task.at).prefix(16).replacingOccurrences(of: "T", with: " "), "by": task.username, "ods": task.ods,
                "id": task.taskID, "description": task.description, "status": current?.status ?? "not found at the practice",
                "reason": current?.statusReason, "output": current?.output, "updated": current?.lastModified,
            ])
        }
        data["hasSent"] = !sent.isEmpty
        return views.page("tasks", title: "Tasks", data, session: session, section: "/tasks", status: status)
    }

    static func taskOutcome(_ outcome: FederatedSlotSearch.Outcome) -> String {
        switch outcome {
        case .slots(let count): "\(count) task\(count == 1 ? "" : "s")"
        case .none: "no tasks"
        default: Capacity.outcomeText(outcome)
        }
    }
}
