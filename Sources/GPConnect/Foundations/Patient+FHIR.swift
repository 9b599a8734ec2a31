public import FHIR
import GPConnectContract

extension PatientRecord {
    /// `CareConnect-GPC-Patient-1` as Foundations returns it (GP Connect 1.6.2,
    /// foundations_use_case_read_a_patient, "Payload response body").
    ///
    /// `managingOrganization` is the practice addressed by the URL. Never carries registration
    /// status, marital status, multiple birth, ethnic category, religion, photo or link.
    public func fhir(practice: Practice) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Patient", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.patient))

        var extensions: [FHIRElement] = []
        var registration: [FHIRElement] = []
        if let period = FHIRElement.period(start: registrationStart, end: registrationEnd) {
            registration.append(["url": "registrationPeriod", "valuePeriod": period])
        }
        registration.append([
            "url": "registrationType",
            "valueCodeableConcept": .codeableConcept(
                Code(system: CodeSystemURL.registrationType, code: registrationType.rawValue, display: registrationType.display)),
        ])
        if let branch = preferredBranchSurgeryID {
            registration.append(["url": "preferredBranchSurgery", "valueReference": .reference("Location/\(branch)")])
        }
        extensions.append(["url": .string(ExtensionURL.registrationDetails), "extension": .array(registration)])
        for language in languages {
            var parts: [FHIRElement] = [
                ["url": "language", "valueCodeableConcept": .codeableConcept(HumanLanguage.code(language.code, display: language.display))]
            ]
            if let preferred = language.preferred { parts.append(["url": "preferred", "valueBoolean": .bool(preferred)]) }
            if let interpreter = language.interpreterRequired {
                parts.append(["url": "interpreterRequired", "valueBoolean": .bool(interpreter)])
            }
            extensions.append(["url": .string(ExtensionURL.nhsCommunication), "extension": .array(parts)])
        }
        object.append("extension", .array(extensions))

        var identifier = FHIRObject()
        if let verification = nhsNumberVerification, let display = Self.verificationDisplays[verification] {
            identifier.append(
                "extension",
                [
                    [
                        "url": .string(ExtensionURL.nhsNumberVerificationStatus),
                        "valueCodeableConcept": .codeableConcept(
                            Code(system: CodeSystemURL.nhsNumberVerificationStatus, code: verification, display: display)),
                    ]
                ])
        }
        identifier.append("system", .string(IdentifierSystem.nhsNumber))
        identifier.append("value", .string(nhsNumber.value))
        object.append("identifier", [.object(identifier)])
        object.append("active", .bool(registrationStatus == .active && deceased == nil))
        var officialName = name
        officialName.use = "official"
        object.append("name", .array([officialName.fhir] + otherNames.map(\.fhir)))
        object.append("telecom", .array(telecom.map(\.fhir)))
        object.append("gender", .string(gender))
        object.append("birthDate", .string(birthDate))
        object.append("deceasedDateTime", .optional(deceased))
        object.append("address", .array(addresses.map(\.fhir)))
        object.append("contact", .array(contacts.map(\.fhir)))
        object.append("generalPractitioner", generalPractitionerID.map { [.reference("Practitioner/\($0)")] })
        object.append("managingOrganization", .reference("Organization/\(practice.organizationID)"))
        return .object(object)
    }

    /// `CareConnect-NHSNumberVerificationStatus-1`.
    static let verificationDisplays: [String: String] = [
        "01": "Number present and verified",
        "02": "Number present but not traced",
        "03": "Trace required",
        "04": "Trace attempted - No match or multiple match found",
        "05": "Trace needs to be resolved - (NHS number or patient detail conflict)",
        "06": "Trace in progress",
        "07": "Number not present and trace not required",
        "08": "Trace postponed (baby under six weeks old)",
    ]
}

extension PatientContact {
    /// Relationship as text only (GP Connect 1.6.2, development_fhir_resource_guidance, "Patient.contact");
    /// the name always carries a `use`.
    var fhir: FHIRElement {
        var object = FHIRObject()
        object.append("relationship", .array(relationship.map { ["text": .string($0)] }))
        if var name {
            name.use = name.use ?? "usual"
            object.append("name", name.fhir)
        }
        object.append("telecom", .array(telecom.map(\.fhir)))
        object.append("address", address?.fhir)
        object.append("gender", .optional(gender))
        return .object(object)
    }
}
