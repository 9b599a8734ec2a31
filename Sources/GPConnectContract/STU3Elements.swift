public import FHIR

/// Top-level element names of the STU3 resources GP Connect reads (the audit JWT's and bookings) (FHIR 3.0.1), so that an
/// element the resource does not define is refused as `INVALID_RESOURCE`.
public enum STU3Elements {
    static let common: Set<String> = [
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension",
    ]

    public static let byResource: [String: Set<String>] = [
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
        "Appointment": common.union([
            "identifier", "status", "serviceCategory", "serviceType", "specialty", "appointmentType", "reason", "indication", "priority",
            "description", "supportingInformation", "start", "end", "minutesDuration", "slot", "created", "comment", "incomingReferral",
            "participant", "requestedPeriod",
        ]),
    ]

    /// The first top-level element of `resource` that its type does not define.
    public static func unknownElement(in resource: FHIRElement) -> String? {
        guard let type = resource["resourceType"]?.string, let known = byResource[type], let object = resource.object else { return nil }
        return object.names.first { !known.contains($0) && !($0.hasPrefix("_") && known.contains(String($0.dropFirst()))) }
    }
}
