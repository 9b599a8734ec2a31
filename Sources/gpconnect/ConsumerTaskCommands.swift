import ArgumentParser
import FHIR
import Foundation
import GPConnectClient
import GPConnectContract

/// `gpconnect consumer task …`: send tasks to patients' practices, follow their outcomes across a
/// federation, cancel them before they are started.
struct ConsumerTaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Send tasks to federated practices and see their outcomes.",
        subcommands: [Send.self, List.self, Cancel.self])

    /// Here `--organization` is the practice the task goes to (the owner); `--from` is who sends it.
    struct Options: ParsableArguments {
        @Option(name: .long, help: "ODS code of the receiving practice.") var organization = "B82617"
        @Option(name: .long, help: "Directory file (a JSON array of {ods, name, baseURL, asid}) to find the practice in.")
        var directory: String?
        @Option(name: .long, help: "Provider base URL, when no directory is given.") var url = "http://127.0.0.1:8080"
        @Option(name: .long, help: "The practice's ASID (Ssp-To), when no directory is given.") var asid = "918999198738"
        @Option(name: .long, help: "This consumer system's ASID (Ssp-From).") var consumerASID = "200000000359"
        @Option(name: .long, help: "ODS code of the requesting (sending) organisation.") var from = "A20047"
        @Option(name: .long, help: "SDS user id of the requesting user.") var user = "GCASDS0001"
        @Flag(name: .long, help: "Print the raw FHIR JSON (send, cancel).") var json = false

        var client: GPConnectClient {
            GPConnectClient(consumer: ConsumerIdentity(organizationODS: from, sdsUserID: user), consumerASID: consumerASID)
        }

        func endpoint() throws -> ProviderEndpoint {
            guard let directory else { return ProviderEndpoint(ods: organization, baseURL: url, asid: asid) }
            guard let found = try ProviderDirectory.load(directory).first(where: { $0.ods == organization }) else {
                throw ValidationError("\(organization) is not in \(directory)")
            }
            return found
        }

        func show(_ task: FHIRElement) {
            if json { return print(FHIRJSON.encodeString(task)) }
            let summary = TaskSummary(task)
            print(
                "Task/\(summary.id ?? "?") at \(summary.practice): \(summary.status ?? "-") (version \(summary.version ?? "-"))"
                    + (summary.statusReason.map { ", reason: \($0)" } ?? "") + (summary.output.map { ", outcome: \($0)" } ?? ""))
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a task about a patient to their practice.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "The patient's NHS number.") var nhsNumber: String
        @Option(name: .long, help: "Task type: \(TaskType.allCases.map(\.rawValue).joined(separator: ", ")).") var type: String
        @Option(name: .long, help: "Priority: routine, urgent, asap.") var priority = "routine"
        @Option(name: .long, help: "Due by (yyyy-mm-dd, or a date-time with an offset).") var due: String?
        @Option(name: .long, help: "What the practice is asked to do.") var description: String
        @Option(name: .long, help: "A note for the practice.") var note: String?
        @Option(name: .long, help: "The appointment (Appointment/…) or consultation (Encounter/…) it came from.") var origin: String?

        func run() async throws {
            guard let taskType = TaskType(rawValue: type) else { throw ValidationError("Unknown task type \(type)") }
            guard let taskPriority = TaskPriority(rawValue: priority) else { throw ValidationError("Unknown priority \(priority)") }
            var dueDate: Date?
            if let due {
                guard let parsed = UKTime.parse(due) else { throw ValidationError("--due is yyyy-mm-dd or a date-time with an offset") }
                dueDate = parsed.hasTime ? parsed.date : UKTime.day(offset: 1, from: parsed.date).addingTimeInterval(-1)
            }
            let submission = TaskSubmission(
                ownerODS: options.organization, nhsNumber: nhsNumber, type: taskType, priority: taskPriority, description: description,
                due: dueDate, note: note, origin: origin)
            let endpoint = try options.endpoint()
            let task = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.sendTask(endpoint, submission)
            }
            options.show(task)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The tasks this organisation sent, with their outcomes: from one practice, or (--sent) every practice in a directory."
        )
        @OptionGroup var options: Options
        @Flag(name: .long, help: "Every practice in --directory.") var sent = false
        @Option(name: .long, help: "Only these statuses (comma-separated).") var status: String?
        @Option(name: .long, help: "Only tasks changed since (yyyy-mm-dd or a date-time).") var since: String?
        @Option(name: .long, help: "Seconds each practice has to answer.") var deadline: Double = 5

        func run() async throws {
            let statuses = try (status?.split(separator: ",") ?? []).map { text in
                guard let parsed = TaskStatus(rawValue: String(text)) else { throw ValidationError("Unknown status \(text)") }
                return parsed
            }
            let changedSince = try since.map { text in
                guard let parsed = UKTime.parse(text) else { throw ValidationError("--since is yyyy-mm-dd or a date-time") }
                return parsed.date
            }
            let endpoints: [ProviderEndpoint]
            if sent {
                guard let directory = options.directory else { throw ValidationError("--sent needs --directory") }
                endpoints = try ProviderDirectory.load(directory)
            } else {
                endpoints = [try options.endpoint()]
            }
            let search = FederatedTaskSearch(client: options.client, deadline: .milliseconds(Int(deadline * 1000)))
            let result = await search.search(endpoints, statuses: statuses, changedSince: changedSince)
            for (endpoint, outcome) in result.outcomes {
                if case .refused = outcome { FileHandle.standardError.write(Data("\(endpoint.ods): \(outcome.summary)\n".utf8)) }
                if case .unreachable = outcome { FileHandle.standardError.write(Data("\(endpoint.ods): \(outcome.summary)\n".utf8)) }
                if case .timedOut = outcome { FileHandle.standardError.write(Data("\(endpoint.ods): \(outcome.summary)\n".utf8)) }
            }
            ConsumerCommand.table(
                ["practice", "task", "status", "priority", "type", "due", "changed", "outcome"],
                result.tasks.map { task in
                    [
                        task.practice, task.id ?? "-", task.status ?? "-", task.priority ?? "-", task.type ?? "-", task.due ?? "-",
                        task.lastModified ?? "-", task.output ?? task.statusReason ?? "-",
                    ]
                })
            print(
                "\(result.tasks.count) task\(result.tasks.count == 1 ? "" : "s") from \(options.from) across \(endpoints.count) practice\(endpoints.count == 1 ? "" : "s")"
            )
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a task that has not been started.")
        @OptionGroup var options: Options
        @Argument(help: "Task id.") var id: String
        @Option(name: .long, help: "Why it is cancelled.") var reason: String

        func run() async throws {
            let endpoint = try options.endpoint()
            let task = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                let current = try await options.client.readTask(endpoint, id: id)
                return try await options.client.cancelTask(endpoint, task: current, reason: reason)
            }
            options.show(task)
        }
    }
}
