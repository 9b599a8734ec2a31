import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectStorage

/// `gpconnect inbox …`: the practice workflow of documents received by Send Document, and the
/// messages refused, with their reasons.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "Documents received over MESH awaiting review, and refused messages.",
        subcommands: [List.self, Show.self, MarkReviewed.self, Failures.self])

    static func time(_ date: Date) -> String { ISO8601.instant(date) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Received documents awaiting review (--all: reviewed too).")
        @OptionGroup var options: DocumentsCommand.PracticeOptions
        @Flag(name: .long, help: "Include reviewed documents.") var all = false

        func run() async throws {
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            let items = try await storage.stores.messaging.workflowItems(practice: practice.ods, includeReviewed: all)
            if items.isEmpty { print("No received documents\(all ? "" : " awaiting review").") }
            for item in items {
                let state = item.reviewed.map { "reviewed \(InboxCommand.time($0))" } ?? "awaiting review"
                print("\(item.documentID)  \(InboxCommand.time(item.received))  \(state)  from \(item.sender)\n    \(item.subject)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One received document: its workflow item and filed details.")
        @OptionGroup var options: DocumentsCommand.PracticeOptions
        @Argument(help: "The document id (from `inbox list`).") var document: String

        func run() async throws {
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            guard let item = try await storage.stores.messaging.workflowItem(practice: practice.ods, documentID: document) else {
                throw ValidationError("No received document \(document)")
            }
            print("Document:  \(item.documentID)")
            print("Subject:   \(item.subject)")
            print("From:      \(item.sender)")
            print("Received:  \(InboxCommand.time(item.received)) (MESH message \(item.meshID))")
            print(
                "Review:    \(item.reviewed.map { "reviewed \(InboxCommand.time($0)) by \(item.reviewedBy ?? "")" } ?? "awaiting review")")
            if let record = try await storage.stores.documents.document(practice: practice.ods, id: document) {
                print("Type:      \(record.typeText ?? record.type?.display ?? "")")
                print("File:      \(record.content.contentType), \(record.content.size) bytes")
            }
        }
    }

    struct MarkReviewed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mark-reviewed", abstract: "Mark a received document reviewed.")
        @OptionGroup var options: DocumentsCommand.PracticeOptions
        @Argument(help: "The document id.") var document: String
        @Option(name: .long, help: "Who reviewed it (default: $USER).") var user: String?

        func run() async throws {
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            let who = user ?? ProcessInfo.processInfo.environment["USER"] ?? "practice"
            guard try await storage.stores.messaging.markReviewed(practice: practice.ods, documentID: document, by: who, at: Date()) else {
                throw ValidationError("No received document \(document) awaiting review")
            }
            print("\(document) marked reviewed.")
        }
    }

    struct Failures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages refused or duplicated, and MESH reports, with their reasons.")
        @OptionGroup var options: DocumentsCommand.PracticeOptions
        @Option(name: .long, help: "How many (newest first).") var limit = 50

        func run() async throws {
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            let messages = try await storage.stores.messaging.messages(
                practice: practice.ods, outcomes: [.rejected, .duplicate, .report], limit: limit)
            if messages.isEmpty { print("No refused messages.") }
            for message in messages {
                print(
                    "\(message.meshID)  \(InboxCommand.time(message.received))  \(message.outcome?.rawValue ?? "")  from \(message.from ?? "?")  \(message.state.rawValue)\n    \(message.reason ?? "")"
                )
            }
        }
    }
}
