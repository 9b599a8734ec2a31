public import FHIR
public import Foundation

/// Builds a Send Document message as a sender does (GP Connect Messaging 1.5.1, "Send Document —
/// payload", the structure of `senddocument` example `consultation_report.xml`): the message Bundle
/// (MessageHeader `ITK007C` with the handling extension, the header Organization) around the
/// document Bundle (Composition, Patient, Practitioner, custodian Organization, the PDF as Binary).
public struct ConsultationReportBuilder: Sendable {
    public var useCase: SendDocumentUseCase = .consultationReport
    public var senderMailbox: String
    public var senderODS: String
    public var senderName: String
    public var nhsNumber: NHSNumber
    public var family: String
    public var given: [String]
    public var birthDate: String
    public var practitionerSDSUserID: String
    public var practitionerFamily: String
    public var attachment: [UInt8]
    public var contentType: String = "application/pdf"
    public var confidentiality: String = "N"
    public var date: Date = Date()
    public var senderReference: String = UUID().uuidString.lowercased()
    public var messageHeaderID: String = UUID().uuidString.lowercased()
    public var bundleID: String = UUID().uuidString.lowercased()
    public var documentIdentifier: String = UUID().uuidString.lowercased()

    public init(
        senderMailbox: String, senderODS: String, senderName: String, nhsNumber: NHSNumber, family: String, given: [String],
        birthDate: String, practitionerSDSUserID: String, practitionerFamily: String, attachment: [UInt8]
    ) {
        self.senderMailbox = senderMailbox
        self.senderODS = senderODS
        self.senderName = senderName
        self.nhsNumber = nhsNumber
        self.family = family
        self.given = given
        self.birthDate = birthDate
        self.practitionerSDSUserID = practitionerSDSUserID
        self.practitionerFamily = practitionerFamily
        self.attachment = attachment
    }

    /// `Mex-To` for automatic routing to the registered practice:
    /// `GPPROVIDER_{NHS number}_{DOB DDMMYYYY}_{Surname}`.
    public var automaticRoutingAddress: String {
        let parts = birthDate.split(separator: "-")
        let dob = parts.count == 3 ? "\(parts[2])\(parts[1])\(parts[0])" : birthDate
        return "GPPROVIDER_\(nhsNumber.value)_\(dob)_\(family.uppercased())"
    }

    /// `Mex-Subject` (SD1): `Consultation report for {Patient Name}, NHS Number {NHS Number}, …`.
    public func subject(practiceName: String) -> String {
        let name = (given + [family]).joined(separator: " ")
        return "\(useCase.title) for \(name), NHS Number \(nhsNumber.value), seen at \(practiceName), ODS Code \(senderODS)"
    }

    public var fhir: FHIRElement {
        func id() -> String { UUID().uuidString.lowercased() }
        let organizationID = id()
        let documentID = id()
        let compositionID = id()
        let patientID = id()
        let practitionerID = id()
        let custodianID = id()
        let binaryID = id()
        func meta(_ profile: String) -> FHIRElement { ["profile": [.string(profile)]] }
        let type = useCase.compositionType ?? ("371531000", "Report of clinical encounter")
        let composition: FHIRElement = [
            "resourceType": "Composition", "id": .string(compositionID), "meta": meta(ITK3.compositionProfile),
            "identifier": ["system": .string(ITK3.uuidSystem), "value": .string(compositionID)],
            "status": "final",
            "type": ["coding": [["system": .string(ITK3.snomed), "code": .string(type.0), "display": .string(type.1)]]],
            "subject": ["reference": .string("urn:uuid:\(patientID)")],
            "date": .string(ISO8601.instant(date)),
            "author": [["reference": .string("urn:uuid:\(practitionerID)")]],
            "title": .string(useCase.title),
            "confidentiality": .string(confidentiality),
            "custodian": ["reference": .string("urn:uuid:\(custodianID)")],
            "section": [
                [
                    "title": .string(useCase.title),
                    "code": ["coding": [["system": .string(ITK3.snomed), "code": "371531000", "display": "Report of clinical encounter"]]],
                    "entry": [["reference": .string("urn:uuid:\(binaryID)")]],
                ]
            ],
        ]
        let patient: FHIRElement = [
            "resourceType": "Patient", "id": .string(patientID), "meta": meta(ITK3.patientProfile),
            "identifier": [["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber.value)]],
            "name": [["use": "official", "family": .string(family), "given": .strings(given)]],
            "birthDate": .string(birthDate),
        ]
        let practitioner: FHIRElement = [
            "resourceType": "Practitioner", "id": .string(practitionerID), "meta": meta(ITK3.practitionerProfile),
            "identifier": [["system": .string(IdentifierSystem.sdsUserID), "value": .string(practitionerSDSUserID)]],
            "name": [["use": "official", "family": .string(practitionerFamily)]],
        ]
        let custodian: FHIRElement = [
            "resourceType": "Organization", "id": .string(custodianID), "meta": meta(ITK3.organizationProfile),
            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(senderODS)]],
            "name": .string(senderName),
        ]
        let binary: FHIRElement = [
            "resourceType": "Binary", "id": .string(binaryID), "meta": meta(ITK3.attachmentBinaryProfile),
            "contentType": .string(contentType), "content": .string(Data(attachment).base64EncodedString()),
        ]
        let document: FHIRElement = [
            "resourceType": "Bundle", "id": .string(documentID), "meta": meta(ITK3.documentBundleProfile),
            "identifier": ["system": .string(ITK3.uuidSystem), "value": .string(documentIdentifier)],
            "type": "document",
            "entry": .array(
                [
                    (compositionID, composition), (patientID, patient), (practitionerID, practitioner), (custodianID, custodian),
                    (binaryID, binary),
                ]
                .map { ["fullUrl": .string("urn:uuid:\($0.0)"), "resource": $0.1] }),
        ]
        let handling: FHIRElement = [
            "url": .string(ITK3.messageHandlingExtension),
            "extension": [
                ["url": "BusAckRequested", "valueBoolean": true],
                ["url": "InfAckRequested", "valueBoolean": true],
                [
                    "url": "RecipientType",
                    "valueCoding": ["system": .string(ITK3.recipientTypeSystem), "code": "FA", "display": "For Action"],
                ],
                ["url": "MessageDefinition", "valueReference": ["reference": .string(ITK3.sendDocumentDefinition)]],
                ["url": "SenderReference", "valueString": .string(senderReference)],
                ["url": "LocalExtension", "valueString": .string(useCase.rawValue)],
            ],
        ]
        let header: FHIRElement = [
            "resourceType": "MessageHeader", "id": .string(messageHeaderID), "meta": meta(ITK3.messageHeaderProfile),
            "extension": [handling],
            "event": [
                "system": .string(ITK3.messageEventSystem), "code": .string(ITK3.sendDocumentEvent),
                "display": "ITK GP Connect Send Document",
            ],
            "sender": ["reference": .string("urn:uuid:\(organizationID)")],
            "timestamp": .string(ISO8601.instant(date)),
            "source": ["endpoint": .string(senderMailbox)],
            "focus": ["reference": .string("urn:uuid:\(documentID)")],
        ]
        let organization: FHIRElement = [
            "resourceType": "Organization", "id": .string(organizationID), "meta": meta(ITK3.headerOrganizationProfile),
            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(senderODS)]],
        ]
        return [
            "resourceType": "Bundle", "id": .string(bundleID), "meta": meta(ITK3.messageBundleProfile),
            "identifier": ["system": .string(ITK3.uuidSystem), "value": .string(bundleID)],
            "type": "message",
            "entry": [
                ["fullUrl": .string("urn:uuid:\(messageHeaderID)"), "resource": header],
                ["fullUrl": .string("urn:uuid:\(organizationID)"), "resource": organization],
                ["fullUrl": .string("urn:uuid:\(documentID)"), "resource": document],
            ],
        ]
    }
}
