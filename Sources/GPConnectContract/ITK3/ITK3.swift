/// The identifiers of ITK3 messaging as GP Connect Send Document uses them (GP Connect Messaging
/// 1.5.1, "Send Document — payload" and "ITK3 integration"; nhsconnect/STU3-FHIR-Assets develop).
public enum ITK3 {
    static let structureDefinitions = "https://fhir.nhs.uk/STU3/StructureDefinition/"
    public static let messageBundleProfile = structureDefinitions + "ITK-Message-Bundle-1"
    public static let documentBundleProfile = structureDefinitions + "ITK-Document-Bundle-1"
    public static let messageHeaderProfile = structureDefinitions + "ITK-MessageHeader-2"
    public static let headerOrganizationProfile = "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-ITK-Header-Organization-1"
    public static let operationOutcomeProfile = structureDefinitions + "ITK-Response-OperationOutcome-1"
    public static let attachmentBinaryProfile = structureDefinitions + "ITK-Attachment-Binary-1"
    public static let compositionProfile = "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Composition-1"
    public static let patientProfile = "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Patient-1"
    public static let practitionerProfile = "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Practitioner-1"
    public static let organizationProfile = "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Organization-1"
    public static let messageHandlingExtension = structureDefinitions + "Extension-ITK-MessageHandling-2"
    public static let messageEventSystem = "https://fhir.nhs.uk/STU3/CodeSystem/ITK-MessageEvent-2"
    public static let recipientTypeSystem = "https://fhir.nhs.uk/STU3/CodeSystem/ITK-RecipientType-1"
    public static let sendDocumentDefinition =
        "https://fhir.nhs.uk/STU3/MessageDefinition/ITK-GPConnectSendDocument-MessageDefinition-1"
    public static let responseDefinition = "https://fhir.nhs.uk/STU3/MessageDefinition/ITK-Response-MessageDefinition-1"
    public static let uuidSystem = "https://tools.ietf.org/html/rfc4122"
    public static let snomed = "http://snomed.info/sct"

    /// `ITK007C` "ITK GP Connect Send Document" and `ITK008M` "ITK Response".
    public static let sendDocumentEvent = "ITK007C"
    public static let responseEvent = "ITK008M"

    /// MESH workflow ids: inbound reports and the acknowledgements that answer them.
    public static let reportWorkflow = "GPFED_CONSULT_REPORT"
    public static let ackWorkflow = "GPFED_CONSULT_REPORT_ACK"

    /// Attachment types a GP system files: PDF (the primary attachment of SD1/SD2) and the other
    /// industry-standard formats Access Document serves (GP Connect 1.6.2, "Document formats").
    public static let attachmentTypes: Set<String> = [
        "application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/rtf", "application/vnd.oasis.opendocument.text", "text/plain", "text/html", "text/xml", "image/tiff",
        "image/jpeg", "image/png", "image/gif", "image/bmp",
    ]
}

/// The Send Document use cases, told apart by the message's `LocalExtension`.
public enum SendDocumentUseCase: String, Sendable, CaseIterable, Codable {
    /// SD1. The 1.5.1 requirement says `SendDocument-ConsultationReport`; its example file says
    /// `SendDocument-ConsultationSummary`: both are accepted (``init(localExtension:)``).
    case consultationReport = "SendDocument-ConsultationReport"
    case onlineConsultation = "SendDocument-OnlineConsultationReport"
    case generic = "SendDocument-Generic"

    public init?(localExtension: String) {
        if localExtension == "SendDocument-ConsultationSummary" {
            self = .consultationReport
        } else {
            self.init(rawValue: localExtension)
        }
    }

    /// `Composition.type` (SNOMED) expected for SD1 and SD2; nil for generic (any code).
    public var compositionType: (code: String, display: String)? {
        switch self {
        case .consultationReport: ("371531000", "Report of clinical encounter")
        case .onlineConsultation:
            ("149951000000107", "Patient information received using general practice online consultation system")
        case .generic: nil
        }
    }

    public var title: String {
        switch self {
        case .consultationReport: "Consultation report"
        case .onlineConsultation: "Online consultation report"
        case .generic: "Report"
        }
    }
}
