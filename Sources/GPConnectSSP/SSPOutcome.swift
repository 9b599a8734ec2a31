public import FHIR
import Foundation

/// The Spine Secure Proxy's own refusals, shaped exactly as it sends them (GP Connect 1.6.2,
/// development_fhir_error_handling_guidance, "Spine Secure Proxy errors"): system
/// `http://fhir.nhs.net/ValueSet/gpconnect-schedule-response-code-1-0`, the HTTP status as the code,
/// the reason as display and diagnostics; 405 alone uses the Spine OperationOutcome system.
public struct SSPOutcome: Error, Sendable, Equatable {
    public let status: Int
    public let issueCode: String
    public let display: String

    public static let system = "http://fhir.nhs.net/ValueSet/gpconnect-schedule-response-code-1-0"

    /// 400: the target URL is not the endpoint registered for the receiver and interaction.
    public static func targetURLVaries(endpoint: String, cpaID: String, target: String) -> Self {
        Self(status: 400, issueCode: "invalid", display: "ENDPOINT_\(endpoint)_CPAID_\(cpaID)_VARIES_FROM_TARGETURL_\(target)")
    }

    /// 403: the sender's ASID is not the authenticated system's, or it may not send the interaction.
    public static func senderNotAuthorised(_ from: String) -> Self {
        Self(status: 403, issueCode: "forbidden", display: "ASID_CHECK_FAILED_MESSAGESENDER_\(from)")
    }

    /// 403: the receiver does not accept the interaction.
    public static func receiverNotAuthorised(_ to: String) -> Self {
        Self(status: 403, issueCode: "forbidden", display: "PARTYKEY_INTERACTION_CHECK_FAILED_MESSAGERECEIVER_\(to)")
    }

    /// 403: the sender may not send to this receiver.
    public static func senderNotAuthorisedForReceiver(_ from: String, _ to: String) -> Self {
        Self(status: 403, issueCode: "forbidden", display: "FOT_CHECK_FAILED_MESSAGESENDER_\(from)_MESSAGERECEIVER_\(to)")
    }

    public static let methodNotAllowed = Self(status: 405, issueCode: "forbidden", display: "405: Method Not Allowed")

    public static let unsupportedMediaType = Self(status: 415, issueCode: "not-supported", display: "Unsupported_Media_Type")

    /// 502: the target could not be reached.
    public static func errorCommunicating(_ target: String) -> Self {
        Self(status: 502, issueCode: "transient", display: "ERROR_COMMUNICATING_TO_ENDPOINT_URL_\(target)")
    }

    /// The OperationOutcome, in the SSP's element order.
    public var resource: FHIRElement {
        if status == 405 {
            return [
                "resourceType": "OperationOutcome",
                "issue": [
                    [
                        "code": "forbidden", "severity": "fatal",
                        "details": [
                            "coding": [
                                [
                                    "code": "405", "system": "https://fhir.nhs.uk/StructureDefinition/spine-operationoutcome-1",
                                    "display": .string(display),
                                ]
                            ]
                        ],
                    ]
                ],
            ]
        }
        return [
            "resourceType": "OperationOutcome", "id": .string(UUID().uuidString),
            "issue": [
                [
                    "code": .string(issueCode), "severity": "error",
                    "details": [
                        "coding": [["code": .string(String(status)), "display": .string(display), "system": .string(Self.system)]]
                    ],
                    "diagnostics": .string(display),
                ]
            ],
        ]
    }
}
