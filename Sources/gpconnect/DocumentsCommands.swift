import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage

/// `gpconnect documents …`: a practice's documents as practice staff file and find them — the
/// same use case Send Document files through.
struct DocumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "File, list and show the documents in patients' records.",
        subcommands: [Add.self, List.self, Show.self])

    struct PracticeOptions: ParsableArguments {
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "ODS code of the practice.")
        var practice = "B82617"

        func open() async throws -> (Storage, Practice) {
            let storage = try await Storage.open(try common.serverConfiguration().databasePath)
            guard let found = try await storage.stores.directory.practice(ods: practice) else {
                await storage.close()
                throw ValidationError("No practice \(practice) in this database")
            }
            return (storage, found)
        }
    }

    static func nhsNumber(_ text: String) throws -> NHSNumber {
        guard let number = NHSNumber(text.replacingOccurrences(of: " ", with: "")) else {
            throw ValidationError("\(text) is not a valid NHS number")
        }
        return number
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "File a document in a registered patient's record.")
        @OptionGroup var options: PracticeOptions
        @Option(name: .long, help: "The patient's NHS number.") var nhsNumber: String
        @Option(name: .long, help: "The file to file (PDF, Word, RTF, ODT, text, HTML, TIFF, JPEG, PNG).") var file: String
        @Option(name: .long, help: "MIME type (default: from the file's extension).") var contentType: String?
        @Option(name: .long, help: "SNOMED CT code from the record composition type refset (1127551000000109).") var type: String?
        @Option(name: .long, help: "Display of the --type code.") var typeDisplay: String?
        @Option(name: .long, help: "The type in words, when no code fits.") var typeText: String?
        @Option(name: .long, help: "A human-readable title.") var description: String?
        @Option(name: .long, help: "When it was written (yyyy-mm-dd or a FHIR dateTime; default: not known).") var created: String?
        @Option(name: .long, help: "ODS code of the authoring organisation (default: this practice).") var authorOds: String?
        @Option(name: .long, help: "SDS user id of an authoring practitioner.") var authorSds: String?
        @Option(name: .long, help: "Logical id of the consultation (Encounter) it belongs to.") var encounter: String?
        @Option(name: .long, parsing: .singleValue, help: "A record item it relates to (Condition/…, repeatable).") var related: [String] =
            []
        @Flag(name: .long, help: "Confidential: never shared except by GP2GP migration with conf/R.") var confidential = false
        @Flag(name: .long, help: "Mark it reviewed (default: awaiting review).") var reviewed = false

        func run() async throws {
            let nhs = try DocumentsCommand.nhsNumber(nhsNumber)
            let url = URL(fileURLWithPath: file)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard let size = (attributes[.size] as? NSNumber)?.intValue else { throw ValidationError("Cannot read the size of \(file)") }
            let mime = contentType ?? DocumentFormat.byExtension[url.pathExtension.lowercased()]
            guard let mime, DocumentFormat.isSupported(mime) else {
                throw ValidationError(
                    "\(file) is not in a supported format; give --content-type for one of: "
                        + Set(DocumentFormat.byExtension.values).sorted().joined(separator: ", "))
            }
            if let created, FHIRDate(created, dateTime: true) == nil { throw ValidationError("--created is yyyy-mm-dd or a FHIR dateTime") }
            guard type == nil || typeText == nil || typeDisplay != nil else {
                throw ValidationError("Give --type with --type-display, or --type-text")
            }
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            let stores = storage.stores
            var organizations: [String] = [practice.organizationID]
            if let authorOds {
                guard let organization = try await stores.directory.organizations(practice: practice.ods, odsCode: authorOds).first else {
                    throw ValidationError("No organisation \(authorOds) in \(practice.ods)'s directory")
                }
                organizations = [organization.id]
            }
            var practitioners: [String] = []
            if let authorSds {
                guard let practitioner = try await stores.directory.practitioners(practice: practice.ods, sdsUserID: authorSds).first else {
                    throw ValidationError("No practitioner \(authorSds) in \(practice.ods)'s directory")
                }
                practitioners = [practitioner.id]
            }
            let filing = DocumentFiling(
                nhsNumber: nhs, contentType: mime, size: size,
                type: type.map { Code(system: "http://snomed.info/sct", code: $0, display: typeDisplay) }, typeText: typeText,
                description: description, created: created, authorOrganizationIDs: organizations, authorPractitionerIDs: practitioners,
                encounterID: encounter, related: related, confidentiality: confidential ? .confidential : .none, reviewed: reviewed,
                fileName: url.lastPathComponent)
            let started = Date()
            do {
                let document = try await Documents(stores: stores).file(
                    filing, content: FileChunks(url: url), practice: practice, now: Date())
                let seconds = Date().timeIntervalSince(started)
                print(
                    "Filed document \(document.id) (Binary \(document.content.binaryID ?? "-")): \(mime), \(size) bytes"
                        + String(format: " in %.2f s", seconds))
            } catch let error as GPConnectError {
                throw ValidationError(error.diagnostics ?? error.code.rawValue)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a patient's documents, newest first.")
        @OptionGroup var options: PracticeOptions
        @Option(name: .long, help: "The patient's NHS number.") var nhsNumber: String

        func run() async throws {
            let nhs = try DocumentsCommand.nhsNumber(nhsNumber)
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            let documents = try await Documents(stores: storage.stores).list(nhsNumber: nhs, practice: practice)
            print("id\tcreated\tindexed\ttype\tdescription\tformat\tsize\tstate")
            for document in documents {
                print(
                    [
                        document.id, document.created.map { String($0.prefix(10)) } ?? "-", String(document.indexed.prefix(10)),
                        document.type?.display ?? document.typeText ?? "-", document.description ?? "-", document.content.contentType,
                        DocumentsCommand.size(document.content.size), DocumentsCommand.state(document),
                    ].joined(separator: "\t"))
            }
            if documents.isEmpty { print("(no documents)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one document's details.")
        @OptionGroup var options: PracticeOptions
        @Argument(help: "The document's id.") var id: String

        func run() async throws {
            let (storage, practice) = try await options.open()
            defer { Task { await storage.close() } }
            guard let document = try await Documents(stores: storage.stores).document(id: id, practice: practice) else {
                throw ValidationError("No document \(id) at \(practice.ods)")
            }
            let rows: [(String, String?)] = [
                ("id", document.id), ("version", document.version), ("patient", document.patientID),
                ("type", document.type.map { "\($0.code) \($0.display ?? "")" } ?? document.typeText),
                ("description", document.description), ("created", document.created), ("indexed", document.indexed),
                (
                    "authors",
                    (document.authorOrganizationIDs.map { "Organization/\($0)" }
                        + document.authorPractitionerIDs.map { "Practitioner/\($0)" }).joined(separator: ", ")
                ),
                ("custodian", document.custodianOrganizationID.map { "Organization/\($0)" }),
                ("consultation", document.encounterID.map { "Encounter/\($0)" }), ("related", document.related.joined(separator: ", ")),
                ("format", document.content.contentType), ("size", DocumentsCommand.size(document.content.size)),
                ("binary", document.content.binaryID ?? "(file not held)"), ("state", DocumentsCommand.state(document)),
                ("identifier", document.identifier), ("master identifier", document.masterIdentifier),
            ]
            for (name, value) in rows { print("\(name):\t\(value.flatMap { $0.isEmpty ? nil : $0 } ?? "-")") }
        }
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
    }

    static func state(_ document: DocumentRecord) -> String {
        var parts = [document.reviewed ? "reviewed" : "awaiting review"]
        if document.confidentiality != .none { parts.append(document.confidentiality.rawValue) }
        if document.content.binaryID == nil { parts.append("file not held") }
        return parts.joined(separator: ", ")
    }
}

/// A file read 1 MiB at a time, so that filing a large document never holds it whole.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let error: (any Error)?

        mutating func next() async throws -> [UInt8]? {
            if let error { throw error }
            guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try handle?.close()
                return nil
            }
            return [UInt8](data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: url), error: nil)
        } catch {
            return AsyncIterator(handle: nil, error: error)
        }
    }
}
