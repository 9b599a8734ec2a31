import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes

/// Access Document requests as the pack's StructuredDocuments steps make them.
enum Docs {
    static let patient2 = "9690937286"
    static let patient3 = "9690937294"
    static let patient4 = "9690937308"
    static let root = Client.root(Client.practice, .documents)

    /// The mandatory includes (pack: StructuredDocumentsSteps, "I set the required parameters for a
    /// Documents Search call"), then `extra`.
    static func query(_ extra: [(String, String)] = []) -> String {
        ConsumerRequest.query(DocumentSearch().queryItems.map { ($0.name, $0.value) } + extra)
    }
}

extension Client {
    /// D2: `GET Patient?identifier=…` on the documents root.
    func documentsPatient(_ nhsNumber: String, format: FHIRFormat = .json) async throws -> Reply {
        try await request(
            .searchDocumentsPatient,
            "Patient?"
                + ConsumerRequest.query([("identifier", IdentifierSystem.nhsNumber + "|" + nhsNumber), ("_format", format.rawValue)]))
    }

    /// The patient's logical id on the documents root.
    func documentsPatientID(_ nhsNumber: String) async throws -> String? {
        try await documentsPatient(nhsNumber).resources("Patient").first?["id"]?.string
    }

    /// D3 with the mandatory includes and `extra`.
    func documents(patientID: String, _ extra: [(String, String)] = [], format: FHIRFormat = .json, token: String? = nil) async throws
        -> Reply
    {
        try await request(
            .searchDocuments, "Patient/\(patientID)/DocumentReference?" + Docs.query(extra + [("_format", format.rawValue)]),
            headers: { headers in if let token { headers[.authorization] = "Bearer " + token } })
    }

    /// D4 or D5 of a Binary by id (or the absolute URL a DocumentReference gives).
    func binary(_ idOrURL: String, migrating: Bool = false, scope: String? = nil, format: FHIRFormat = .json) async throws -> Reply {
        let interaction: Interaction = migrating ? .migrateBinary : .readBinary
        let id = idOrURL.split(separator: "/").last.map(String.init) ?? idOrURL
        let token = Client.token(for: interaction) { claims in
            if let scope { claims["requested_scope"] = .string(scope) }
        }
        return try await request(
            interaction, "Binary/\(id)?_format=\(format.rawValue)", headers: { $0[.authorization] = "Bearer " + token })
    }
}

extension Reply {
    var documentReferences: [FHIRElement] { resources("DocumentReference") }

    /// The decoded bytes of a Binary.
    var binaryContent: [UInt8]? {
        guard let text = resource?["content"]?.string, let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }
}

extension FHIRElement {
    var attachment: FHIRElement? { self["content"]?.items.first?["attachment"] }
}
