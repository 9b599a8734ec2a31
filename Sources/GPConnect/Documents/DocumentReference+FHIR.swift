public import FHIR
import GPConnectContract

/// `CareConnect-GPC-DocumentReference-1` (GP Connect 1.6.2, access_documents_development_documentreference),
/// in StructureDefinition element order. `docStatus`, `class`, `authenticator`, `relatesTo` and
/// `content.attachment.data` are never populated.
extension DocumentRecord {
    /// How the file is offered in a rendering.
    public enum Link: Sendable, Equatable {
        /// `content.attachment.url` is this URL of the Binary.
        case url(String)
        /// No URL: `content.attachment.title` says why.
        case placeholder(String)
    }

    /// Why a search returns no URL for a document larger than the retrieval limit.
    public static func tooLargeTitle(limit: Int) -> String {
        "File not returned: it is larger than the \(limit / (1024 * 1024)) MB retrieval limit; it can be transferred by GP2GP migration"
    }

    /// Why a document has no URL when the practice holds its details but not its file.
    public static let missingFileTitle = "File not available: this practice system holds the document's details but not the file"

    /// The placeholder link, if the file cannot be offered.
    public func placeholder(limit: Int?) -> Link? {
        guard content.binaryID != nil else { return .placeholder(Self.missingFileTitle) }
        if let limit, content.size > limit { return .placeholder(Self.tooLargeTitle(limit: limit)) }
        return nil
    }

    /// The one author the profile allows (CareConnect-GPC-DocumentReference-1: `author` 0..1):
    /// the authoring organisation, which a search filters on by ODS code, else the practitioner.
    public var author: String? {
        authorOrganizationIDs.first.map { "Organization/\($0)" } ?? authorPractitionerIDs.first.map { "Practitioner/\($0)" }
    }

    /// The DocumentReference. `meta` carries `NOPAT` for a confidential document — never
    /// `securityLabel`: the pack requires every DocumentReference it reads, migrated ones with
    /// sensitive data included, to have none (pack: StructuredMigrate.feature, "Migrate Patient2 With
    /// Sensitive and then migrate first document", step "Do Not Include Not In Use Fields").
    public func fhir(link: Link, withMeta: Bool = true) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "DocumentReference", "id": .string(id)]
        if withMeta {
            var meta: FHIRObject = ["profile": [.string(ClinicalItem.Kind.document.profile)]]
            if confidentiality != .none { meta.append("security", [DocumentRecord.nopat]) }
            object.append("meta", .object(meta))
        }
        object.append("masterIdentifier", .identifier(system: Self.uuidSystem, value: "urn:uuid:" + masterIdentifier))
        object.append("identifier", [.identifier(system: Self.crossCareSettingIdentifier, value: identifier)])
        object.append("status", "current")
        if let type {
            object.append("type", .codeableConcept(type, text: typeText))
        } else {
            object.append("type", ["text": .string(typeText ?? description ?? "Document")])
        }
        object.append("subject", .reference("Patient/\(patientID)"))
        object.append("created", .optional(created))
        object.append("indexed", .string(indexed))
        object.append("author", author.map { [.reference($0)] })
        object.append("custodian", custodianOrganizationID.map { .reference("Organization/\($0)") })
        object.append("description", .optional(description))
        var attachment: FHIRObject = ["contentType": .string(content.contentType)]
        switch link {
        case .url(let url): attachment.append("url", .string(url))
        case .placeholder: break
        }
        attachment.append("size", .number(String(content.size)))
        if case .placeholder(let title) = link { attachment.append("title", .string(title)) }
        object.append("content", [["attachment": .object(attachment)]])
        var context = FHIRObject()
        context.append("encounter", encounterID.map { .reference("Encounter/\($0)") })
        context.append("practiceSetting", practiceSetting.map { .codeableConcept($0) })
        context.append("related", .array(related.map { ["ref": .reference($0)] }))
        object.append("context", .object(context))
        return .object(object)
    }

    /// `urn:ietf:rfc:3986`: the version-specific id is a globally unique URI (`urn:uuid:`).
    static let uuidSystem = "urn:ietf:rfc:3986"
    /// The persistent id, as every item of the structured record is identified (a UUID).
    static let crossCareSettingIdentifier = "https://fhir.nhs.uk/Id/cross-care-setting-identifier"

    static let nopat: FHIRElement = [
        "system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT",
        "display": "no disclosure to patient, family or caregivers without attending provider's authorization",
    ]

    /// The item that puts the document in the structured record: its DocumentReference body
    /// with the Binary named relative to the documents root, made absolute when a response is
    /// rendered (the public base URL is the deployment's).
    public var clinicalItem: ClinicalItem {
        let link: Link = content.binaryID.map { .url("Binary/\($0)") } ?? .placeholder(Self.missingFileTitle)
        let day = (created ?? indexed).prefix(10)
        return ClinicalItem(
            id: id, patientID: patientID, kind: .document, status: "current", start: String(day), end: String(day),
            confidentiality: confidentiality, resource: fhir(link: link, withMeta: false))
    }
}

/// What a structured response needs to offer documents: the absolute documents root, and the
/// retrieval limit (nil for migration, which has none).
public struct DocumentLinks: Sendable, Equatable {
    /// `https://host/B82617/STU3/1/gpconnect/documents/fhir`.
    public var documentsRoot: String
    public var retrievalLimit: Int?

    public init(documentsRoot: String, retrievalLimit: Int?) {
        self.documentsRoot = documentsRoot
        self.retrievalLimit = retrievalLimit
    }

    /// A stored DocumentReference body with its Binary URL absolute, or a placeholder when the file
    /// is over the limit.
    func resolve(_ body: FHIRObject) -> FHIRObject {
        guard var content = body["content"]?.items.first?.object, var attachment = content["attachment"]?.object else { return body }
        if let url = attachment["url"]?.string, url.hasPrefix("Binary/") {
            let size = attachment["size"]?.string.flatMap { Int($0) } ?? 0
            if let retrievalLimit, size > retrievalLimit {
                attachment["url"] = nil
                attachment["title"] = .string(DocumentRecord.tooLargeTitle(limit: retrievalLimit))
            } else {
                attachment["url"] = .string(documentsRoot + "/" + url)
            }
        }
        // `url` is kept before `size` and `title` after it, as the element order requires.
        var ordered = FHIRObject()
        for name in ["contentType", "language", "data", "url", "size", "hash", "title", "creation"] {
            ordered.append(name, attachment[name])
        }
        content["attachment"] = .object(ordered)
        var result = body
        result["content"] = [.object(content)]
        return result
    }
}
