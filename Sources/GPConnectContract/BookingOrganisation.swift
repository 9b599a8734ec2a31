public import FHIR

/// Who is booking an appointment: the organisation the Appointment contains and its
/// `Extension-GPConnect-BookingOrganisation-1` references (nhsconnect/gpconnect feature/1.6.2,
/// appointments_use_case_book_an_appointment).
public struct BookingOrganisation: Sendable, Equatable {
    public var ods: String
    public var name: String
    public var telephone: String
    /// `GPConnect-OrganisationType-1` code, e.g. `gp-practice`, `urgent-care`.
    public var type: String?

    public init(ods: String, name: String, telephone: String, type: String? = nil) {
        self.ods = ods
        self.name = name
        self.telephone = telephone
        self.type = type
    }

    /// The contained `Organization` (id `1`).
    public var fhir: FHIRElement {
        var contained: FHIRObject = [
            "resourceType": "Organization", "id": "1", "meta": ["profile": [.string(Profile.organization)]],
            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(ods)]],
        ]
        if let type {
            contained.append("type", [["coding": [["system": .string(CodeSystemURL.organisationType), "code": .string(type)]]]])
        }
        contained.append("name", .string(name))
        contained.append("telecom", [["system": "phone", "value": .string(telephone), "use": "work"]])
        return .object(contained)
    }
}
