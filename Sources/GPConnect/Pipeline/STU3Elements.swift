/// Top-level element names of the STU3 resources the audit JWT embeds (FHIR 3.0.1), so that an
/// element the resource does not define is refused as `INVALID_RESOURCE`.
enum STU3Elements {
    static let common: Set<String> = [
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension",
    ]

    static let byResource: [String: Set<String>] = [
        "Device": common.union([
            "identifier", "udi", "status", "type", "lotNumber", "manufacturer", "manufactureDate", "expirationDate", "model", "version",
            "patient", "owner", "contact", "location", "url", "note", "safety",
        ]),
        "Organization": common.union([
            "identifier", "active", "type", "name", "alias", "telecom", "address", "partOf", "contact", "endpoint",
        ]),
        "Practitioner": common.union([
            "identifier", "active", "name", "telecom", "address", "gender", "birthDate", "photo", "qualification", "communication",
        ]),
    ]
}
