/// The query of "Search for a patient's documents" (D3), as provider and consumer agree on it
/// (GP Connect 1.6.2, access_documents_development_search_patient_documents).
public struct DocumentSearch: Sendable, Equatable {
    /// The four `_include`s every search must send.
    public static let includes = [
        "DocumentReference:subject:Patient", "DocumentReference:custodian:Organization",
        "DocumentReference:author:Organization", "DocumentReference:author:Practitioner",
    ]
    /// The `_revinclude:recurse` every search must send.
    public static let revInclude = "PractitionerRole:practitioner"

    /// `created=ge…`: a FHIR date or dateTime.
    public var createdFrom: String?
    /// `created=le…`: a FHIR date or dateTime.
    public var createdTo: String?
    /// `author=https://fhir.nhs.uk/Id/ods-organization-code|…`.
    public var authorODSCode: String?
    /// `description=…`: a keyword over the description and the type.
    public var description: String?

    public init(createdFrom: String? = nil, createdTo: String? = nil, authorODSCode: String? = nil, description: String? = nil) {
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.authorODSCode = authorODSCode
        self.description = description
    }

    /// The query items in the order the pack sends them: the includes first, then the filters.
    public var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = Self.includes.map { ("_include", $0) }
        items.append(("_revinclude:recurse", Self.revInclude))
        if let createdFrom { items.append(("created", "ge" + createdFrom)) }
        if let createdTo { items.append(("created", "le" + createdTo)) }
        if let authorODSCode { items.append(("author", IdentifierSystem.odsOrganizationCode + "|" + authorODSCode)) }
        if let description { items.append(("description", description)) }
        return items
    }
}
