/// ITK response codes (`https://fhir.nhs.uk/STU3/CodeSystem/ITK-ResponseCodes-1`,
/// nhsconnect/STU3-FHIR-Assets develop, `CodeSystems/CodeSystem-ITK-ResponseCodes-1.xml`) that a
/// Send Document receiver answers with (GP Connect Messaging 1.5.1, "Send Document", receiver
/// requirements): infrastructure outcomes 10001–20015, business outcomes 30001–30003.
public enum ITKResponseCode: String, Sendable, CaseIterable, Codable {
    case handlingSpecificationError = "10001"
    case messageDefinitionError = "10004"
    case senderReferenceError = "10007"
    case unreadableMessage = "10009"
    case recipientTypeError = "10010"
    case unrecognisedSender = "20003"
    case unsupportedAttachment = "20005"
    case headerValidationFailure = "20006"
    case duplicateMessage = "20007"
    case duplicateDocument = "20008"
    case payloadValidationFailure = "20009"
    case success = "20013"
    case replacementNotProcessed = "20014"
    case messageTooLarge = "20015"
    case patientKnown = "30001"
    case patientNotKnown = "30002"
    case patientNoLongerHere = "30003"

    public static let system = "https://fhir.nhs.uk/STU3/CodeSystem/ITK-ResponseCodes-1"

    public var display: String {
        switch self {
        case .handlingSpecificationError: "Handling Specification Error"
        case .messageDefinitionError: "Message Definition Value - Processing Error"
        case .senderReferenceError: "Sender Reference Value - Processing Error"
        case .unreadableMessage: "Unreadable message received"
        case .recipientTypeError: "Recipient Type - Processing Error"
        case .unrecognisedSender: "Unrecognised Sender"
        case .unsupportedAttachment: "Unsupported file type received as an attachment"
        case .headerValidationFailure: "ITK header validation failure"
        case .duplicateMessage: "Duplicate Message received"
        case .duplicateDocument: "Duplicate Document received"
        case .payloadValidationFailure: "Payload validation failure"
        case .success: "Success"
        case .replacementNotProcessed: "Unable to Process Replacement Document"
        case .messageTooLarge: "Message too large"
        case .patientKnown: "Patient known here"
        case .patientNotKnown: "Patient not known here"
        case .patientNoLongerHere: "Patient no longer at this clinical setting"
        }
    }

    /// Success codes: the infrastructure `20013` and the business `30001`.
    public var isPositive: Bool { self == .success || self == .patientKnown }
    /// The business outcomes (patient matching).
    public var isBusiness: Bool { rawValue.hasPrefix("3") }
}

/// Why a message was refused: the code of the negative acknowledgement and its diagnostics
/// (`OperationOutcome.issue.diagnostics`: names the element, never carries patient data).
public struct ITKRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ITKResponseCode
    public var diagnostics: String

    public init(_ code: ITKResponseCode, _ diagnostics: String) {
        self.code = code
        self.diagnostics = diagnostics
    }

    public var description: String { "\(code.rawValue) \(diagnostics)" }
}
