import ArgumentParser
import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Synchronization

extension ConsumerCommand {
    /// `gpconnect consumer documents <nhs-number>`: the patient's documents as a table.
    struct Documents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "documents", abstract: "List a patient's documents (Access Document).")
        @OptionGroup var options: Options
        @Argument(help: "NHS number.") var nhsNumber: String
        @Option(name: .long, help: "Created on or after (yyyy-mm-dd).") var from: String?
        @Option(name: .long, help: "Created on or before (yyyy-mm-dd).") var to: String?
        @Option(name: .long, help: "ODS code of the authoring organisation.") var author: String?
        @Option(name: .long, help: "A keyword in the description or type.") var keyword: String?

        func run() async throws {
            for date in [from, to].compactMap({ $0 }) where !FHIRDate.isDate(date) { throw ValidationError("Dates are yyyy-mm-dd") }
            let search = DocumentSearch(createdFrom: from, createdTo: to, authorODSCode: author, description: keyword)
            let list = try await ConsumerCommand.run { () async throws(GPConnectClientError) -> GPConnectClient.DocumentList? in
                guard let patient = try await options.client.findDocumentsPatient(options.endpoint, nhsNumber: nhsNumber).first,
                    let id = patient["id"]?.string
                else { return nil }
                return try await options.client.searchDocuments(options.endpoint, patientID: id, search: search)
            }
            guard let list else { return print("No patient with that NHS number whose documents \(options.ods) can share.") }
            if options.raw(list.resources) { return }
            guard !list.documents.isEmpty else { return print("No documents.") }
            ConsumerCommand.table(
                ["date", "type", "description", "author", "format", "size", "binary"],
                list.documents.map { document in
                    [
                        document.date.map { String($0.prefix(10)) } ?? "-", document.type ?? "-", document.description ?? "-",
                        document.authors.joined(separator: ", "), document.contentType ?? "-",
                        document.size.map(ConsumerCommand.size) ?? "-",
                        document.url.map { String($0.split(separator: "/").last ?? "") } ?? "(\(document.unavailableReason ?? "no file"))",
                    ]
                })
        }
    }

    /// `gpconnect consumer document <binary> --out FILE`: saves one document.
    struct Document: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "document", abstract: "Download a document (its Binary id, or the URL a DocumentReference gives).")
        @OptionGroup var options: Options
        @Argument(help: "Binary id or absolute Binary URL.") var binary: String
        @Option(name: .long, help: "File to write.") var out: String
        @Flag(name: .long, help: "Migrate (GP2GP): no size limit.") var migrate = false
        @Flag(name: .long, help: "With --migrate: include confidential documents (sends conf/R).") var sensitive = false

        func run() async throws {
            let url =
                binary.hasPrefix("http://") || binary.hasPrefix("https://")
                ? binary : options.endpoint.serviceRoot(.documents) + "/Binary/" + binary
            let started = Date()
            let showProgress = isatty(STDERR_FILENO) != 0
            let last = Mutex(Date.distantPast)
            let downloaded = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.downloadDocument(
                    options.endpoint, url: url, to: URL(fileURLWithPath: out), migrating: migrate,
                    confidentiality: sensitive ? "conf/R" : nil
                ) { received, total in
                    guard showProgress else { return }
                    let now = Date()
                    let due = last.withLock { previous -> Bool in
                        guard now.timeIntervalSince(previous) > 0.2 else { return false }
                        previous = now
                        return true
                    }
                    guard due else { return }
                    let percent = total.map { " \(received * 100 / max($0, 1))%" } ?? ""
                    FileHandle.standardError.write(Data("\r\(ConsumerCommand.size(received))\(percent)   ".utf8))
                }
            }
            if showProgress { FileHandle.standardError.write(Data("\r".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            print(
                "Saved \(out): \(downloaded.contentType ?? "unknown type"), \(ConsumerCommand.size(downloaded.size))"
                    + String(format: " in %.1f s", seconds))
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
    }
}
