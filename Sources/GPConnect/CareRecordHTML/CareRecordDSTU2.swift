import FHIR
import Foundation
import GPConnectContract

/// The DSTU2 resources of a `$gpc.getcarerecord` answer (GP Connect 0.7.4,
/// accessrecord_use_case_retrieve_a_care_record_section, "Payload response body"; FHIR DSTU2 1.0.2
/// element orders), each with its `gpconnect-…-1` profile and `versionId`.
enum CareRecordDSTU2 {
    static func meta(_ version: String?, _ profile: String) -> FHIRElement {
        var meta = FHIRObject()
        meta.append("versionId", version.map { .string($0) })
        meta.append("profile", [.string(profile)])
        return .object(meta)
    }

    static func name(_ name: PersonName) -> FHIRElement {
        var object = FHIRObject()
        object.append("use", name.use.map { .string($0) })
        object.append("text", name.text.map { .string($0) })
        object.append("family", name.family.map { .strings([$0]) })
        object.append("given", name.given.isEmpty ? nil : .strings(name.given))
        object.append("prefix", name.prefix.isEmpty ? nil : .strings(name.prefix))
        return .object(object)
    }

    static func telecom(_ points: [ContactPoint]) -> FHIRElement? {
        guard !points.isEmpty else { return nil }
        return .array(
            points.map { point in
                var object: FHIRObject = ["system": .string(point.system), "value": .string(point.value)]
                object.append("use", point.use.map { .string($0) })
                return .object(object)
            })
    }

    static func address(_ addresses: [Address]) -> FHIRElement? {
        guard !addresses.isEmpty else { return nil }
        return .array(
            addresses.map { address in
                var object = FHIRObject()
                object.append("use", address.use.map { .string($0) })
                object.append("type", address.type.map { .string($0) })
                object.append("line", address.lines.isEmpty ? nil : .strings(address.lines))
                object.append("city", address.city.map { .string($0) })
                object.append("district", address.district.map { .string($0) })
                object.append("postalCode", address.postalCode.map { .string($0) })
                object.append("country", address.country.map { .string($0) })
                return .object(object)
            })
    }

    /// `gpconnect-patient-1`: enough demographics to cross-check the patient, and the date of death.
    static func patient(_ patient: PatientRecord) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Patient", "id": .string(patient.id)]
        object.append("meta", meta(patient.version, DSTU2Profile.patient))
        object.append("identifier", [["system": .string(DSTU2System.nhsNumber), "value": .string(patient.nhsNumber.value)]])
        object.append("name", [name(patient.name)])
        object.append("telecom", telecom(patient.telecom))
        object.append("gender", .string(patient.gender))
        object.append("birthDate", .string(patient.birthDate))
        object.append("deceasedDateTime", patient.deceased.map { .string($0) })
        object.append("address", address(patient.addresses))
        object.append("careProvider", patient.generalPractitionerID.map { [["reference": .string("Practitioner/\($0)")]] })
        object.append("managingOrganization", patient.managingOrganizationID.map { ["reference": .string("Organization/\($0)")] })
        return .object(object)
    }

    /// `gpconnect-practitioner-1`: DSTU2's single name and a role at the practice.
    static func practitioner(_ practitioner: PractitionerRecord, organizationID: String) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Practitioner", "id": .string(practitioner.id)]
        object.append("meta", meta(practitioner.version, DSTU2Profile.practitioner))
        var identifiers: [FHIRElement] = [["system": .string(DSTU2System.sdsUserID), "value": .string(practitioner.sdsUserID)]]
        if let role = practitioner.roleProfileIDs.first {
            identifiers.append(["system": .string(DSTU2System.sdsRoleProfileID), "value": .string(role)])
        }
        object.append("identifier", .array(identifiers))
        object.append("name", name(practitioner.name))
        object.append("gender", practitioner.gender.map { .string($0) })
        object.append(
            "practitionerRole",
            [
                [
                    "managingOrganization": ["reference": .string("Organization/\(organizationID)")],
                    "role": [
                        "coding": [["system": .string(DSTU2System.sdsJobRole), "code": "R0260", "display": "General Medical Practitioner"]]
                    ],
                ]
            ])
        return .object(object)
    }

    /// `gpconnect-organization-1`.
    static func organization(_ organization: OrganizationRecord) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Organization", "id": .string(organization.id)]
        object.append("meta", meta(organization.version, DSTU2Profile.organization))
        object.append("identifier", [["system": .string(DSTU2System.odsOrganizationCode), "value": .string(organization.ods)]])
        object.append("name", .string(organization.name))
        object.append("telecom", telecom(organization.telecom))
        object.append("address", address(organization.addresses))
        return .object(object)
    }

    static let deviceID = "gpconnect-provider"

    /// `gpconnect-device-1`: the software that generated the views (pack: AccessRecordSteps.cs, "Device resource type").
    static func device(_ identity: ProviderIdentity) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Device", "id": .string(deviceID)]
        object.append("meta", meta("1", DSTU2Profile.device))
        object.append("identifier", [["value": .string(identity.softwareName)]])
        object.append(
            "type",
            [
                "coding": [
                    [
                        "system": "http://snomed.info/sct", "code": "462240000",
                        "display": "Patient health record information system (physical object)",
                    ]
                ]
            ])
        object.append("note", [["text": "Care record views generated by the practice system"]])
        object.append("manufacturer", .string(identity.publisher))
        object.append("model", .string(identity.softwareName))
        object.append("version", .string(identity.softwareVersion))
        return .object(object)
    }

    /// `gpconnect-carerecord-composition-1` with the one section asked for.
    static func composition(
        id: String, section: CareRecordSection, div: String, date: String, patientID: String, organizationID: String?
    ) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Composition", "id": .string(id)]
        object.append("meta", meta("1", DSTU2Profile.composition))
        object.append("date", .string(date))
        object.append(
            "type", ["coding": [["system": "http://snomed.info/sct", "code": "425173008", "display": "record extract (record artifact)"]]])
        object.append(
            "class",
            ["coding": [["system": "http://snomed.info/sct", "code": "700232004", "display": "general medical service (qualifier value)"]]])
        object.append("title", "Patient Care Record")
        object.append("status", "final")
        object.append("subject", ["reference": .string("Patient/\(patientID)")])
        object.append("author", [["reference": .string("Device/\(deviceID)")]])
        object.append("custodian", organizationID.map { ["reference": .string("Organization/\($0)")] })
        object.append(
            "section",
            [
                [
                    "title": .string(section.title),
                    "code": [
                        "coding": [
                            [
                                "system": .string(DSTU2System.recordSection), "code": .string(section.code),
                                "display": .string(section.title),
                            ]
                        ],
                        "text": .string(section.title),
                    ],
                    "text": ["status": "generated", "div": .string(div)],
                ]
            ])
        return .object(object)
    }

    /// `gpconnect-searchset-bundle-1`, the Composition first. Each entry's `fullUrl` is the relative
    /// reference the other resources use (pack: AccessRecordSteps.cs, `responseBundleContainsReferenceOfType`,
    /// and FhirSteps.cs, "that element should reference a resource in the bundle", match references to `fullUrl`).
    static func bundle(id: String, resources: [FHIRElement]) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Bundle", "id": .string(id)]
        object.append("meta", ["profile": [.string(DSTU2Profile.searchsetBundle)]])
        object.append("type", "searchset")
        object.append("total", .number(String(resources.count)))
        object.append(
            "entry",
            .array(
                resources.map { resource in
                    let reference = (resource["resourceType"]?.string ?? "") + "/" + (resource["id"]?.string ?? "")
                    return ["fullUrl": .string(reference), "resource": resource]
                }))
        return .object(object)
    }

    /// The DSTU2 Conformance of the 0.7.4 service root (GP Connect 0.7.4,
    /// foundations_use_case_get_the_fhir_conformance_profile): FHIR 1.0.2, both DSTU2 MIME types,
    /// and the one operation.
    static func conformance(identity: ProviderIdentity, date: String) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Conformance"]
        object.append("version", .string(identity.careRecord.conformanceVersion))
        object.append("name", "GP Connect Access Record HTML")
        object.append("status", "active")
        object.append("publisher", .string(identity.publisher))
        object.append("date", .string(date))
        object.append("description", "Access Record HTML (DSTU2) of a GP Connect provider")
        object.append("kind", "capability")
        object.append("software", ["name": .string(identity.softwareName), "version": .string(identity.softwareVersion)])
        object.append("fhirVersion", "1.0.2")
        object.append("acceptUnknown", "both")
        object.append("format", ["application/xml+fhir", "application/json+fhir"])
        object.append(
            "profile",
            .array(
                [
                    DSTU2Profile.patient, DSTU2Profile.practitioner, DSTU2Profile.organization, DSTU2Profile.device,
                    DSTU2Profile.composition,
                    DSTU2Profile.searchsetBundle, DSTU2Profile.operationOutcome,
                ].map { ["reference": .string($0)] }))
        object.append(
            "rest",
            [
                [
                    "mode": "server",
                    "operation": [["name": "gpc.getcarerecord", "definition": ["reference": .string(DSTU2Profile.operation)]]],
                ]
            ])
        return .object(object)
    }
}
