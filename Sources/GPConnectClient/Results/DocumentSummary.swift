public import FHIR

/// A `CareConnect-GPC-DocumentReference-1` as a consumer lists it (nhsconnect/gpconnect feature/1.6.2,
/// access_documents_development_documentreference), with its authors' names resolved from the Bundle.
public struct DocumentSummary: Sendable, Equatable {
    public var id: String?
    /// `created`, else `indexed`.
    public var date: String?
    /// The type's display, else its text.
    public var type: String?
    public var description: String?
    /// Organisation and practitioner names, from the Bundle's resources.
    public var authors: [String]
    public var contentType: String?
    public var size: Int?
    /// The absolute Binary URL; nil for a placeholder.
    public var url: String?
    /// Why a placeholder has no file.
    public var unavailableReason: String?

    /// - Parameter bundle: the other resources of the Bundle, to name the authors.
    public init(_ resource: FHIRElement, bundle: [FHIRElement] = []) {
        id = resource["id"]?.string
        date = resource["created"]?.string ?? resource["indexed"]?.string
        type = resource["type"]?["coding"]?.items.first?["display"]?.string ?? resource["type"]?["text"]?.string
        description = resource["description"]?.string
        authors = (resource["author"]?.items ?? []).compactMap { author in
            guard let reference = author["reference"]?.string else { return nil }
            let match = bundle.first { "\($0["resourceType"]?.string ?? "")/\($0["id"]?.string ?? "")" == reference }
            if let name = match?["name"]?.string { return name }
            if let person = match { return HumanNameText.of(person) ?? reference }
            return reference
        }
        let attachment = resource["content"]?.items.first?["attachment"]
        contentType = attachment?["contentType"]?.string
        size = attachment?["size"]?.string.flatMap { Int($0) }
        url = attachment?["url"]?.string
        unavailableReason = attachment?["title"]?.string
    }
}
