public import FHIR
import GPConnectContract

extension PractitionerRecord {
    /// `CareConnect-GPC-Practitioner-1` (GP Connect 1.6.2, foundations_use_case_find_a_practitioner,
    /// "Payload response body"). Never carries telecom, address, birthDate, photo or qualification.
    ///
    /// Languages go in `Extension-CareConnect-GPC-NHSCommunication-1`, one per language: the
    /// profile allows no `communication` (max 0) and defines this extension slice instead
    /// (GP Connect 1.6.2, foundations_use_case_find_a_practitioner: `nhsCommunication` where
    /// available). The pack only checks `communication` codes when some are sent (pack:
    /// PractitionerRead.feature, "Practitioner read successful request validate all of response",
    /// step "the Practitioner nhsCommunication should be valid").
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Practitioner", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.practitioner))
        object.append(
            "extension",
            .array(
                languages.map { language in
                    [
                        "url": .string(ExtensionURL.nhsCommunication),
                        "extension": [["url": "language", "valueCodeableConcept": .codeableConcept(HumanLanguage.code(language))]],
                    ]
                }))
        var identifiers: [FHIRElement] = [.identifier(system: IdentifierSystem.sdsUserID, value: sdsUserID)]
        identifiers += roleProfileIDs.map { .identifier(system: IdentifierSystem.sdsRoleProfileID, value: $0) }
        object.append("identifier", .array(identifiers))
        object.append("name", [name.fhir])
        object.append("gender", .optional(gender))
        return .object(object)
    }
}

extension OrganizationRecord {
    /// `CareConnect-GPC-Organization-1` (GP Connect 1.6.2, foundations_use_case_read_an_organisation).
    /// Never carries contact or endpoint.
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Organization", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.organization))
        object.append("identifier", [.identifier(system: IdentifierSystem.odsOrganizationCode, value: ods)])
        object.append("name", .string(name))
        object.append("telecom", .array(telecom.map(\.fhir)))
        object.append("address", .array(addresses.map(\.fhir)))
        object.append("partOf", partOfID.map { .reference("Organization/\($0)") })
        return .object(object)
    }
}

extension LocationRecord {
    /// `CareConnect-GPC-Location-1` (GP Connect 1.6.2, foundations_use_case_read_a_location). Never carries endpoint.
    /// `physicalType` codings must be SNOMED CT or Read (the profile's slicing of `coding` is closed),
    /// which the seed directories use (SNOMED CT 264358009, general practice premises).
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Location", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.location))
        object.append("identifier", siteCode.map { [.identifier(system: IdentifierSystem.odsSiteCode, value: $0)] })
        object.append("status", .string(status))
        object.append("name", .string(name))
        object.append("type", type.map { .codeableConcept($0) })
        object.append("telecom", .array(telecom.map(\.fhir)))
        object.append("address", address?.fhir)
        object.append("physicalType", physicalType.map { .codeableConcept($0) })
        object.append("managingOrganization", managingOrganizationID.map { .reference("Organization/\($0)") })
        object.append("partOf", partOfID.map { .reference("Location/\($0)") })
        return .object(object)
    }
}
