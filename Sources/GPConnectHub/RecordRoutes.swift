import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Hummingbird
import NIOCore

extension Hub {
    /// The clinical areas the record page asks for, in the order a clinician reads them.
    static let recordAreas: [GPConnectClient.ClinicalArea] = [
        .allergies, .medication, .problems, .consultations, .investigations, .immunisations,
    ]

    /// The record: the structured record from the patient's registered practice, rendered for a
    /// clinician, the patient's documents with a download link each, and the Access Record HTML
    /// views where the practice offers them.
    func registerRecord(on router: Router<HubRequestContext>) {
        router.get("/record") { [self] _, context in
            views.page("record", title: "Record", ["practices": practiceOptions(nil)], session: try context.signedIn(), section: "/record")
        }
        router.post("/record") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            guard let nhsNumber = Self.nhsNumber(form["nhs"]) else {
                return views.page(
                    "record", title: "Record",
                    [
                        "error": "Enter a valid 10-digit NHS number (spaces are allowed).", "nhs": form["nhs"] ?? "",
                        "practices": practiceOptions(form["ods"]),
                    ],
                    session: session, section: "/record", status: .badRequest)
            }
            let client = client(for: session.user)
            let practice = try await registeredPractice(nhsNumber, chosen: form["ods"], client: client)
            var data: [String: Any] = [
                "nhs": nhsNumber, "practices": practiceOptions(practice.ods), "ods": practice.ods,
                "practice": practice.name ?? practice.ods,
            ]
            data["sections"] = CareRecordSection.allCases.map { ["code": $0.code, "title": $0.title] }
            if let code = form["section"] {
                guard let section = CareRecordSection(rawValue: code) else {
                    throw HubError(.badRequest, "Choose one of the record's views.")
                }
                do throws(GPConnectClientError) {
                    let view = try await client.careRecord(practice, nhsNumber: nhsNumber, section: section).view
                    data["html"] = Self.render(view)
                    data["htmlTitle"] = view.sectionTitle ?? section.title
                    await log(session, "view record HTML \(section.code)", ods: practice.ods, nhsNumber: nhsNumber, outcome: "shown")
                } catch {
                    await log(
                        session, "view record HTML \(section.code)", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                    data["htmlError"] = Self.htmlRefusal(error, at: practice)
                }
                return views.page("record", title: "Record", data, session: session, section: "/record")
            }
            do throws(GPConnectClientError) {
                let bundle = try await client.structuredRecord(practice, nhsNumber: nhsNumber, areas: Self.recordAreas)
                let patient = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }.first { $0["resourceType"]?.string == "Patient" }
                if let patient { data["patient"] = Self.patientData(PatientSummary(patient)) }
                let summary = StructuredRecordSummary(bundle)
                data["lists"] = summary.lists.map { list -> [String: Any] in
                    [
                        "title": list.title ?? "List", "count": list.items.count,
                        "listWarnings": list.warnings.isEmpty ? false as Any : list.warnings.joined(separator: ", ") as Any,
                        "items": list.items.map {
                            ["date": $0.date.map { String($0.prefix(10)) } ?? "", "text": $0.display ?? $0.text ?? "?"]
                        },
                        "empty": list.items.isEmpty,
                    ]
                }
                data["warnings"] = summary.warnings.filter { !$0.isEmpty }
                await log(session, "view structured record", ods: practice.ods, nhsNumber: nhsNumber, outcome: "shown")
            } catch {
                await log(session, "view structured record", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                data["recordError"] = Self.message(error, at: practice)
            }
            data["documents"] = await documents(nhsNumber, at: practice, client: client, session: session)
            return views.page("record", title: "Record", data, session: session, section: "/record")
        }
        router.get("/document/:ods/:binary") { [self] _, context in
            let session = try context.signedIn()
            let practice = try practice(context.parameters.get("ods"))
            guard let binary = context.parameters.get("binary"), binary.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
            else {
                throw HubError(.badRequest, "That is not a document of the record.")
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
            let downloaded: GPConnectClient.DownloadedDocument
            do throws(GPConnectClientError) {
                downloaded = try await client(for: session.user).downloadDocument(
                    practice, url: practice.serviceRoot(.documents) + "/Binary/" + binary, to: file)
            } catch {
                await log(session, "download document", ods: practice.ods, nhsNumber: nil, outcome: Self.short(error))
                throw HubError(.badGateway, "The document could not be fetched: " + Self.message(error, at: practice))
            }
            await log(session, "download document", ods: practice.ods, nhsNumber: nil, outcome: "Binary/\(binary)")
            let data = (try? Data(contentsOf: file)) ?? Data()
            try? FileManager.default.removeItem(at: file)
            let type = downloaded.contentType ?? "application/octet-stream"
            let ext = type.contains("pdf") ? "pdf" : type.contains("rtf") ? "rtf" : type.contains("html") ? "html" : "bin"
            return Response(
                status: .ok,
                headers: [.contentType: type, .contentDisposition: "attachment; filename=\"document-\(binary).\(ext)\""],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func practiceOptions(_ chosen: String?) -> [[String: Any]] {
        [["ods": "", "name": "Where the patient is registered", "selected": chosen == nil]]
            + directory.practices.map { ["ods": $0.ods, "name": "\($0.ods) \($0.name ?? "")", "selected": $0.ods == chosen] }
    }

    /// The practice chosen, or else the first of the federation where the patient is registered.
    func registeredPractice(_ nhsNumber: String, chosen: String?, client: GPConnectClient) async throws -> ProviderEndpoint {
        if let chosen { return try practice(chosen) }
        if let found = await firstRegisteredPractice(nhsNumber, client: client) { return found }
        throw HubError(.notFound, "No practice of the federation has that patient registered. Choose a practice to ask.")
    }

    /// The first practice of the federation where the patient is registered (not temporarily).
    /// Apart from ``registeredPractice(_:chosen:client:)``: Swift 6.3's release build crashes
    /// (LLVM CoroSplit) when this loop of typed-throws calls sits in a throwing function.
    func firstRegisteredPractice(_ nhsNumber: String, client: GPConnectClient) async -> ProviderEndpoint? {
        for practice in directory.practices {
            if let patient = try? await client.findPatient(practice, nhsNumber: nhsNumber).first.map(PatientSummary.init),
                patient.registrationType?.localizedCaseInsensitiveContains("temporary") != true
            {
                return practice
            }
        }
        return nil
    }

    func documents(_ nhsNumber: String, at practice: ProviderEndpoint, client: GPConnectClient, session: HubSession) async -> [String: Any]
    {
        do throws(GPConnectClientError) {
            guard let patientID = try await client.findDocumentsPatient(practice, nhsNumber: nhsNumber).first?["id"]?.string else {
                return ["message": "No documents: the practice has no such patient."]
            }
            let found = try await client.searchDocuments(practice, patientID: patientID)
            let root = practice.serviceRoot(.documents) + "/Binary/"
            return [
                "items": found.documents.map { document -> [String: Any] in
                    let binary = document.url.flatMap { $0.hasPrefix(root) ? String($0.dropFirst(root.count)) : nil }
                    return Self.present([
                        "date": document.date.map { String($0.prefix(10)) } ?? "", "type": document.type ?? "Document",
                        "description": document.description ?? "", "authors": document.authors.joined(separator: ", "),
                        "size": document.size.map(Self.bytes),
                        "link": binary.map { "/document/\(practice.ods)/\($0)" }, "unavailable": document.unavailableReason ?? "",
                    ])
                },
                "none": found.documents.isEmpty,
            ]
        } catch {
            return ["message": "Documents could not be listed: " + Self.message(error, at: practice)]
        }
    }

    /// A template's values without the absent ones (an empty string would count as present).
    static func present(_ values: [String: Any?]) -> [String: Any] { values.compactMapValues { $0 } }

    static func bytes(_ count: Int) -> String {
        count < 1024 ? "\(count) bytes" : count < 1 << 20 ? "\(count / 1024) KB" : String(format: "%.1f MB", Double(count) / 1_048_576)
    }

    static func htmlRefusal(_ error: GPConnectClientError, at practice: ProviderEndpoint) -> String {
        if case .refused(let status, _, _) = error, status == 404 || status == 501 || status == 405 {
            return "\(practice.name ?? practice.ods) does not offer this view (Access Record HTML): " + message(error, at: practice)
        }
        return message(error, at: practice)
    }

    /// A care record view, written afresh from what was read (every value escaped).
    static func render(_ view: CareRecordSummary) -> String {
        var html = ""
        for block in view.blocks {
            switch block {
            case .heading(let level, let text):
                let level = min(max(level + 1, 3), 5)
                html += "<h\(level)>\(escapeHTML(text))</h\(level)>"
            case .banner(let kind, let text): html += "<p class=\"banner-\(escapeHTML(kind))\">\(escapeHTML(text))</p>"
            case .paragraph(let text): html += "<p>\(escapeHTML(text))</p>"
            case .table(_, let columns, let rows):
                html +=
                    "<div class=\"scroll\"><table><thead><tr>" + columns.map { "<th scope=\"col\">\(escapeHTML($0))</th>" }.joined()
                    + "</tr></thead><tbody>"
                for row in rows {
                    if row.count == 1, columns.count > 1 {
                        html += "<tr><th colspan=\"\(columns.count)\" scope=\"rowgroup\">\(escapeHTML(row[0]))</th></tr>"
                    } else {
                        html += "<tr>" + row.map { "<td>\(escapeHTML($0))</td>" }.joined() + "</tr>"
                    }
                }
                html += "</tbody></table></div>"
            }
        }
        return html
    }
}
