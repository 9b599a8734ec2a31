import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage

/// `gpconnect tasks …`: the practice works the tasks federated practices sent it — the provider is
/// the GP system here. Every change goes through the same use cases (and version guard) as the
/// API, and is recorded in the task's history with the user and the time.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Work the tasks other practices sent this one.",
        subcommands: [List.self, Show.self, Accept.self, Reject.self, Start.self, Complete.self, Note.self])

    struct PracticeOptions: ParsableArguments {
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "ODS code of the practice.") var practice = "B82617"
        @Option(name: .long, help: "SDS user id of the member of staff.") var user = "G13579135"
        @Option(name: .long, help: "Name of the member of staff, as the history and notes show it.") var name: String?

        func open() async throws -> (Storage, Practice) {
            let storage = try await Storage.open(try common.serverConfiguration().databasePath)
            guard let record = try await storage.stores.directory.practice(ods: practice) else {
                await storage.close()
                throw ValidationError("No practice \(practice) in this database")
            }
            return (storage, record)
        }

        func caller(_ practice: Practice) -> Caller {
            var requester = Requester()
            requester.userID = user
            requester.sdsUserID = user
            requester.name = name ?? user
            requester.organizationODS = practice.ods
            requester.organizationName = practice.name
            return Caller(channel: .practice(user: user), requester: requester, traceID: UUID().uuidString.lowercased())
        }

        /// Runs one use case on the practice's tasks, turning a refusal into one clear line.
        func run(_ body: (TaskManagement, Practice, Caller) async throws -> Void) async throws {
            let (storage, practice) = try await open()
            do {
                try await body(TaskManagement(stores: storage.stores), practice, caller(practice))
            } catch let error as GPConnectError {
                await storage.close()
                FileHandle.standardError.write(Data("gpconnect: \(error.diagnostics ?? error.description)\n".utf8))
                throw ExitCode(1)
            } catch {
                await storage.close()
                throw error
            }
            await storage.close()
        }
    }

    static func line(_ task: TaskRecord, now: Date) -> [String] {
        [
            task.id, task.isOverdue(now: now) ? "OVERDUE" : task.status.rawValue, task.priority.rawValue,
            task.due.map(UKTime.format).map { String($0.prefix(16)) } ?? "-", task.type.rawValue, "Patient/\(task.patientID)",
            task.requester.organizationODS, String(task.description.prefix(50)),
        ]
    }

    static func print(_ task: TaskRecord, now: Date) {
        Swift.print("Task/\(task.id) version \(task.version): \(task.status.rawValue), \(task.priority.rawValue)")
        Swift.print("  type:        \(task.type.display) (SNOMED CT \(task.type.snomedCode))")
        Swift.print("  patient:     Patient/\(task.patientID)")
        Swift.print("  from:        \(task.requester.userName ?? task.requester.sdsUserID ?? "-") at \(task.requester.organizationODS)")
        Swift.print("  authored:    \(UKTime.format(task.authoredOn))")
        if let due = task.due { Swift.print("  due by:      \(UKTime.format(due))\(task.isOverdue(now: now) ? " (overdue)" : "")") }
        if let origin = task.origin { Swift.print("  came from:   \(origin)") }
        Swift.print("  description: \(task.description)")
        if let reason = task.statusReason { Swift.print("  reason:      \(reason)") }
        if let output = task.output { Swift.print("  outcome:     \(output)") }
        for note in task.notes {
            Swift.print("  note \(UKTime.format(note.time)) \(note.author) (\(note.organizationODS ?? "-")): \(note.text)")
        }
        for entry in task.history {
            Swift.print(
                "  history \(UKTime.format(entry.time)) \(entry.action) by \(entry.name ?? entry.sdsUserID ?? "-") (\(entry.organizationODS ?? "-"))"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The inbox: open tasks, overdue first, then by priority and due date.")
        @OptionGroup var options: PracticeOptions

        func run() async throws {
            try await options.run { tasks, practice, _ in
                let now = Date()
                let inbox = try await tasks.inbox(practice: practice, now: now)
                ConsumerCommand.table(
                    ["task", "status", "priority", "due", "type", "patient", "from", "description"],
                    inbox.map { TasksCommand.line($0, now: now) })
                Swift.print("\(inbox.count) open task\(inbox.count == 1 ? "" : "s")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a task with its notes and history (a new task becomes received).")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String

        func run() async throws {
            try await options.run { tasks, practice, caller in
                var task = try await tasks.task(id: id, practice: practice, caller: caller)
                if task.status == .requested {
                    task = try await tasks.advance(id: id, to: .received, practice: practice, caller: caller, now: Date())
                }
                TasksCommand.print(task, now: Date())
            }
        }
    }

    /// A subcommand that moves a task to one status.
    static func advance(_ options: PracticeOptions, id: String, to status: TaskStatus, reason: String? = nil, output: String? = nil)
        async throws
    {
        try await options.run { tasks, practice, caller in
            let task = try await tasks.advance(
                id: id, to: status, reason: reason, output: output, practice: practice, caller: caller, now: Date())
            Swift.print("Task/\(task.id) is \(task.status.rawValue) (version \(task.version))")
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a task.")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String
        func run() async throws { try await TasksCommand.advance(options, id: id, to: .accepted) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a task, saying why.")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String
        @Option(name: .long, help: "Why the practice will not do it.") var reason: String
        func run() async throws { try await TasksCommand.advance(options, id: id, to: .rejected, reason: reason) }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start an accepted task (it can no longer be cancelled).")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String
        func run() async throws { try await TasksCommand.advance(options, id: id, to: .inProgress) }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Complete a started task, or mark it failed.")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String
        @Option(name: .long, help: "What was done (the task's output) or, with --failed, why it could not be.") var note: String?
        @Flag(name: .long, help: "The task could not be done.") var failed = false
        func run() async throws {
            try await TasksCommand.advance(options, id: id, to: failed ? .failed : .completed, reason: failed ? note : nil, output: note)
        }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a task.")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "Task id.") var id: String
        @Argument(help: "The note.") var text: String
        func run() async throws {
            try await options.run { tasks, practice, caller in
                let task = try await tasks.addNote(id: id, text: text, practice: practice, caller: caller, now: Date())
                Swift.print("Task/\(task.id) has \(task.notes.count) note\(task.notes.count == 1 ? "" : "s") (version \(task.version))")
            }
        }
    }
}
