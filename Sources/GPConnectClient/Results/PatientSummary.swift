public import FHIR
import GPConnectContract

/// A `CareConnect-GPC-Patient-1` Patient as a consumer shows it (nhsconnect/gpconnect
/// feature/1.6.2, foundations_use_case_find_a_patient, "Payload response body").
public struct PatientSummary: Sendable, Equatable {
    /// The logical id at the provider.
    public var id: String?
    public var nhsNumber: String?
    /// Prefix, given names and family of the first name.
    public var name: String?
    public var birthDate: String?
    public var gender: String?
    /// The `generalPractitioner` reference (`Practitioner/{id}`).
    public var generalPractitioner: String?
    /// The `managingOrganization` reference: the registered practice (`Organization/{id}`).
    public var registeredPractice: String?
    /// The display of `registrationDetails.registrationType` (e.g. `Fully Registered`).
    public var registrationType: String?

    public init(_ resource: FHIRElement) {
        id = resource["id"]?.string
        nhsNumber = resource["identifier"]?.items.first { $0["system"]?.string == IdentifierSystem.nhsNumber }?["value"]?.string
        name = HumanNameText.of(resource)
        birthDate = resource["birthDate"]?.string
        gender = resource["gender"]?.string
        generalPractitioner = resource["generalPractitioner"]?.items.first?["reference"]?.string
        registeredPractice = resource["managingOrganization"]?["reference"]?.string
        registrationType =
            resource["extension"]?.items.first { $0["url"]?.string == ExtensionURL.registrationDetails }?["extension"]?.items
            .first { $0["url"]?.string == "registrationType" }?["valueCodeableConcept"]?["coding"]?.items.first?["display"]?.string
    }
}
