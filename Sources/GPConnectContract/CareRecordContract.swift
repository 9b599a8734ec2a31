public import FHIR
public import Foundation

/// Profiles of the 0.7.4 DSTU2 server (GP Connect 0.7.4, accessrecord_design and development_fhir_resource_guidance:
/// `http://fhir.nhs.net/StructureDefinition/gpconnect-…-1`).
public enum DSTU2Profile {
    static let base = "http://fhir.nhs.net/StructureDefinition/"
    public static let patient = base + "gpconnect-patient-1"
    public static let practitioner = base + "gpconnect-practitioner-1"
    public static let organization = base + "gpconnect-organization-1"
    public static let device = base + "gpconnect-device-1"
    public static let composition = base + "gpconnect-carerecord-composition-1"
    public static let searchsetBundle = base + "gpconnect-searchset-bundle-1"
    public static let operationOutcome = base + "gpconnect-operationoutcome-1"
    public static let operation = "http://fhir.nhs.net/OperationDefinition/gpconnect-carerecord-operation-1"
}

/// Identifier systems and value sets of 0.7.4 (GP Connect 0.7.4, development_fhir_resource_guidance).
public enum DSTU2System {
    public static let nhsNumber = "http://fhir.nhs.net/Id/nhs-number"
    public static let odsOrganizationCode = "http://fhir.nhs.net/Id/ods-organization-code"
    public static let sdsUserID = "http://fhir.nhs.net/Id/sds-user-id"
    /// The JWT's `requesting_practitioner` identifier as the 0.7.4 audit page spells it (no `/Id/`).
    public static let sdsUserIDInToken = "http://fhir.nhs.net/sds-user-id"
    public static let sdsRoleProfileID = "http://fhir.nhs.net/Id/sds-role-profile-id"
    public static let sdsJobRole = "http://fhir.nhs.net/ValueSet/sds-job-role-name-1"
    public static let recordSection = "http://fhir.nhs.net/ValueSet/gpconnect-record-section-1"
    public static let errorCode = "http://fhir.nhs.net/ValueSet/gpconnect-error-or-warning-code-1"
    /// The JWT `aud` of 0.7.x (pack: App.config, no trailing slash).
    public static let audience = "https://authorize.fhir.nhs.net/token"
}

/// A care record section (GP Connect 0.7.4, accessrecord_use_case_retrieve_a_care_record_section,
/// "Care record sections"): its code, title and whether a consumer may filter it by date.
public enum CareRecordSection: String, Sendable, CaseIterable, Codable {
    case summary = "SUM"
    case problems = "PRB"
    case encounters = "ENC"
    case allergies = "ALL"
    case medications = "MED"
    case referrals = "REF"
    case observations = "OBS"
    case immunisations = "IMM"
    case administrative = "ADM"
    case clinicalItems = "CLI"

    public var code: String { rawValue }

    /// The `<h1>`, `Composition.section.title` and the code's display.
    public var title: String {
        switch self {
        case .summary: "Summary"
        case .problems: "Problems and Issues"
        case .encounters: "Encounters"
        case .allergies: "Allergies and Adverse Reactions"
        case .medications: "Medications"
        case .referrals: "Referrals"
        case .observations: "Observations"
        case .immunisations: "Immunisations"
        case .administrative: "Administrative Items"
        case .clinicalItems: "Clinical Items"
        }
    }

    /// Sections a consumer date range applies to (GP Connect 0.7.4, accessrecord_html_layout, "Per section default time frames").
    public var acceptsTimePeriod: Bool {
        switch self {
        case .summary, .allergies, .immunisations: false
        case .problems, .encounters, .medications, .referrals, .observations, .administrative, .clinicalItems: true
        }
    }
}

/// The body of `$gpc.getcarerecord` a consumer sends (OperationDefinition `gpconnect-carerecord-operation-1`).
public struct CareRecordParameters: Sendable, Equatable {
    public var nhsNumber: String
    public var section: CareRecordSection
    /// FHIR dates or dateTimes (`2016`, `2016-02`, `2016-02-03`, with a time and offset).
    public var start: String?
    public var end: String?

    public init(nhsNumber: String, section: CareRecordSection, start: String? = nil, end: String? = nil) {
        self.nhsNumber = nhsNumber
        self.section = section
        self.start = start
        self.end = end
    }

    public var fhir: FHIRElement {
        var parameters: [FHIRElement] = [
            ["name": "patientNHSNumber", "valueIdentifier": ["system": .string(DSTU2System.nhsNumber), "value": .string(nhsNumber)]],
            [
                "name": "recordSection",
                "valueCodeableConcept": [
                    "coding": [
                        ["system": .string(DSTU2System.recordSection), "code": .string(section.code), "display": .string(section.title)]
                    ]
                ],
            ],
        ]
        if start != nil || end != nil {
            var period = FHIRObject()
            period.append("start", start.map { .string($0) })
            period.append("end", end.map { .string($0) })
            parameters.append(["name": "timePeriod", "valuePeriod": .object(period)])
        }
        return ["resourceType": "Parameters", "parameter": .array(parameters)]
    }
}

/// The 0.7.x audit JWT: the claims of ``AuditToken`` in their DSTU2 shapes, plus `requested_record`
/// (GP Connect 0.7.4, integration_cross_organisation_audit_and_provenance).
public struct DSTU2AuditToken: Sendable, Equatable {
    public var claims: AuditToken
    /// The Patient (getcarerecord) or Organization (metadata) the request is about.
    public var requestedRecord: FHIRElement

    public init(claims: AuditToken, requestedRecord: FHIRElement) {
        self.claims = claims
        self.requestedRecord = requestedRecord
    }

    /// A consumer's token for a 0.7.4 interaction; `nhsNumber` names the patient of a getcarerecord.
    public init(for interaction: Interaction, consumer: ConsumerIdentity, nhsNumber: String?, organizationODS: String, now: Date = Date()) {
        let issuedAt = Int64(now.timeIntervalSince1970)
        claims = AuditToken(
            issuer: consumer.systemURL, subject: consumer.userID, audience: DSTU2System.audience, expiry: issuedAt + AuditToken.lifetime,
            issuedAt: issuedAt, reasonForRequest: "directcare", requestedScope: interaction.scope.rawValue,
            device: [
                "resourceType": "Device", "id": .string(consumer.deviceID),
                "identifier": [["system": .string(consumer.systemURL + "Id/device"), "value": .string(consumer.deviceID)]],
                "model": .string(consumer.deviceModel), "version": .string(consumer.deviceVersion),
            ],
            organization: [
                "resourceType": "Organization", "id": "1",
                "identifier": [["system": .string(DSTU2System.odsOrganizationCode), "value": .string(consumer.organizationODS)]],
                "name": .string(consumer.organizationName),
            ],
            practitioner: [
                "resourceType": "Practitioner", "id": .string(consumer.userID),
                "identifier": [["system": .string(DSTU2System.sdsUserIDInToken), "value": .string(consumer.sdsUserID)]],
                "name": ["family": .strings([consumer.family]), "given": .strings(consumer.given), "prefix": .strings(consumer.prefix)],
                "practitionerRole": [
                    [
                        "role": [
                            "coding": [
                                ["system": .string(DSTU2System.sdsJobRole), "code": "R0260", "display": "General Medical Practitioner"]
                            ]
                        ]
                    ]
                ],
            ])
        if let nhsNumber {
            requestedRecord = [
                "resourceType": "Patient", "identifier": [["system": .string(DSTU2System.nhsNumber), "value": .string(nhsNumber)]],
            ]
        } else {
            requestedRecord = [
                "resourceType": "Organization",
                "identifier": [["system": .string(DSTU2System.odsOrganizationCode), "value": .string(organizationODS)]],
            ]
        }
    }

    public func encode() -> String {
        let header: FHIRElement = ["alg": "none", "typ": "JWT"]
        let payload: FHIRElement = [
            "iss": .string(claims.issuer), "sub": .string(claims.subject), "aud": .string(claims.audience),
            "exp": .number(String(claims.expiry)), "iat": .number(String(claims.issuedAt)),
            "reason_for_request": .string(claims.reasonForRequest), "requested_record": requestedRecord,
            "requested_scope": .string(claims.requestedScope), "requesting_device": claims.device,
            "requesting_organization": claims.organization, "requesting_practitioner": claims.practitioner,
        ]
        return Base64URL.encode(FHIRJSON.encode(header)) + "." + Base64URL.encode(FHIRJSON.encode(payload)) + "."
    }

    /// The NHS number `requested_record` names, if it is a Patient.
    public var requestedNHSNumber: String? {
        guard requestedRecord["resourceType"]?.string == "Patient" else { return nil }
        return requestedRecord["identifier"]?.items.first { $0["system"]?.string == DSTU2System.nhsNumber }?["value"]?.string
    }

    /// The provenance the audit trail records.
    public var requester: Requester {
        var requester = claims.requester
        let identifiers = claims.practitioner["identifier"]?.items ?? []
        requester.sdsUserID =
            identifiers.first { [DSTU2System.sdsUserID, DSTU2System.sdsUserIDInToken].contains($0["system"]?.string ?? "") }?["value"]?
            .string
        requester.roleProfileID = identifiers.first { $0["system"]?.string == DSTU2System.sdsRoleProfileID }?["value"]?.string
        if let name = claims.practitioner["name"], name.object != nil {
            let parts = (name["prefix"]?.items ?? []) + (name["given"]?.items ?? []) + (name["family"]?.items ?? [])
            requester.name = parts.compactMap(\.string).joined(separator: " ")
        }
        requester.organizationODS =
            claims.organization["identifier"]?.items.first { $0["system"]?.string == DSTU2System.odsOrganizationCode }?["value"]?.string
        return requester
    }
}
