import FHIR

/// The display form of a resource's first `HumanName`: prefix, given names and family, as
/// `Patient.name` and `Practitioner.name` carry them (CareConnect-GPC-Patient-1,
/// CareConnect-GPC-Practitioner-1).
enum HumanNameText {
    /// Nil when the resource has no name.
    static func of(_ resource: FHIRElement?) -> String? {
        guard let name = resource?["name"]?.items.first else { return resource?["name"]?.string }
        let parts = (name["prefix"]?.items ?? []) + (name["given"]?.items ?? []) + [name["family"]].compactMap { $0 }
        return parts.compactMap(\.string).joined(separator: " ")
    }
}
