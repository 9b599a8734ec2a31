import Foundation
import GPConnect
import GPConnectContract

/// `documents-<ODS>.json`: the reference patients' documents, each filed through the same use
/// case practice staff use, with a real file generated for it.
struct SeedDocument: Decodable {
    var id: String
    var patient: String
    /// `pdf`, `rtf`, `txt`, or `none` (details held, file not).
    var format: String
    var contentType: String?
    var size: Int?
    var padTo: Int?
    var type: [String]?
    var typeText: String?
    var description: String?
    /// `today-300`.
    var created: String
    var indexedAfterDays: Int?
    var authorOrganizations: [String]?
    var authorPractitioners: [String]?
    var encounter: String?
    var related: [String]?
    var practiceSetting: [String]?
    var confidentiality: String?
    var reviewed: Bool?
    var title: String?
    var lines: [String]?

    /// The file's bytes and MIME type.
    var file: (contentType: String, bytes: [UInt8]?) {
        let title = title ?? description ?? "Document"
        switch format {
        case "pdf": return ("application/pdf", DocumentFiles.pdf(title: title, lines: lines ?? [], padTo: padTo ?? 0))
        case "rtf": return ("application/rtf", DocumentFiles.rtf(title: title, lines: lines ?? []))
        case "txt": return ("text/plain", DocumentFiles.text(title: title, lines: lines ?? []))
        default: return (contentType ?? "application/pdf", nil)
        }
    }

    static func code(_ pair: [String]?) -> Code? {
        guard let pair, pair.count == 2 else { return nil }
        return Code(system: "http://snomed.info/sct", code: pair[0], display: pair[1])
    }

    /// Files the document for `patient` (created at 10:00 UTC on its day, indexed days later).
    func file(into documents: Documents, stores: Stores, patient: PatientRecord, practice: Practice, today: Date) async throws {
        let offset = Int(created.dropFirst(5).replacingOccurrences(of: "+", with: "")) ?? 0
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        let createdDate = utc.startOfDay(for: today).addingTimeInterval(Double(offset) * 86_400 + 36_000)
        let indexed = createdDate.addingTimeInterval(Double(indexedAfterDays ?? 0) * 86_400 + 3_600)
        let (contentType, bytes) = file
        let filing = DocumentFiling(
            nhsNumber: patient.nhsNumber, contentType: contentType, size: bytes?.count ?? size ?? 0, type: Self.code(type),
            typeText: typeText, description: description, created: ISO8601.instant(createdDate),
            authorOrganizationIDs: authorOrganizations ?? [], authorPractitionerIDs: authorPractitioners ?? [],
            encounterID: encounter, related: related ?? [], practiceSetting: Self.code(practiceSetting),
            confidentiality: confidentiality.flatMap(ClinicalItem.Confidentiality.init(rawValue:)) ?? .none,
            reviewed: reviewed ?? true, id: id)
        if let bytes {
            try await documents.file(filing, content: ByteChunks(bytes), practice: practice, now: indexed)
        } else {
            try await documents.fileDetailsOnly(filing, practice: practice, now: indexed)
        }
    }
}
