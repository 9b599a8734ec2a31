public import FHIR
public import Foundation

/// An ITK3 Response message (event `ITK008M`), the infrastructure or business acknowledgement of a
/// Send Document message, sent on workflow `GPFED_CONSULT_REPORT_ACK` (GP Connect Messaging 1.5.1,
/// "ITK3 integration"; nhsconnect/STU3-FHIR-Assets develop, `Examples/ITK-Response-*-Example-1.xml`):
/// a message Bundle of the MessageHeader (`response.identifier` = the acknowledged MessageHeader
/// id, `response.code` ok/fatal-error, handling `BusAckRequested`/`InfAckRequested` false, the same
/// `SenderReference`), the receiver's header Organization and an `ITK-Response-OperationOutcome-1`
/// carrying the ITK response code.
public struct ITKResponse: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case infrastructure
        case business
    }

    public var id: String
    public var kind: Kind
    public var code: ITKResponseCode
    public var diagnostics: String?
    /// The MessageHeader id of the message acknowledged.
    public var acknowledgedMessageID: String
    public var senderReference: String
    /// The receiver's MESH mailbox and ODS code.
    public var sourceMailbox: String
    public var senderODS: String
    public var timestamp: Date
    /// The ids of the Bundle and of its other resources, fixed at creation.
    public var bundleID = UUID().uuidString.lowercased()
    var organizationID = UUID().uuidString.lowercased()
    var outcomeID = UUID().uuidString.lowercased()

    public init(
        id: String = UUID().uuidString.lowercased(), kind: Kind, code: ITKResponseCode, diagnostics: String? = nil,
        acknowledgedMessageID: String, senderReference: String, sourceMailbox: String, senderODS: String, timestamp: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.code = code
        self.diagnostics = diagnostics
        self.acknowledgedMessageID = acknowledgedMessageID
        self.senderReference = senderReference
        self.sourceMailbox = sourceMailbox
        self.senderODS = senderODS
        self.timestamp = timestamp
    }

    /// `ok` for 20013/30001, `fatal-error` otherwise.
    public var responseCode: String { code.isPositive ? "ok" : "fatal-error" }

    public var fhir: FHIRElement {
        let headerID = id
        let handling: FHIRElement = [
            "url": .string(ITK3.messageHandlingExtension),
            "extension": [
                ["url": "BusAckRequested", "valueBoolean": false],
                ["url": "InfAckRequested", "valueBoolean": false],
                [
                    "url": "RecipientType",
                    "valueCoding": ["system": .string(ITK3.recipientTypeSystem), "code": "FA", "display": "For Action"],
                ],
                ["url": "MessageDefinition", "valueReference": ["reference": .string(ITK3.responseDefinition)]],
                ["url": "SenderReference", "valueString": .string(senderReference)],
                ["url": "LocalExtension", "valueString": .string(kind == .business ? "BusinessAck" : "InfrastructureAck")],
            ],
        ]
        let header: FHIRElement = [
            "resourceType": "MessageHeader", "id": .string(headerID),
            "meta": ["profile": [.string(ITK3.messageHeaderProfile)]],
            "extension": [handling],
            "event": ["system": .string(ITK3.messageEventSystem), "code": .string(ITK3.responseEvent), "display": "ITK Response"],
            "sender": ["reference": .string("urn:uuid:\(organizationID)")],
            "timestamp": .string(ISO8601.instant(timestamp)),
            "source": ["endpoint": .string(sourceMailbox)],
            "response": [
                "identifier": .string(acknowledgedMessageID), "code": .string(responseCode),
                "details": ["reference": .string("urn:uuid:\(outcomeID)")],
            ],
        ]
        let organization: FHIRElement = [
            "resourceType": "Organization", "id": .string(organizationID),
            "meta": ["profile": [.string(ITK3.headerOrganizationProfile)]],
            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(senderODS)]],
        ]
        var issue: FHIRObject = [
            "severity": code.isPositive ? "information" : "error",
            "code": code.isPositive ? "informational" : "processing",
            "details": [
                "coding": [["system": .string(ITKResponseCode.system), "code": .string(code.rawValue), "display": .string(code.display)]]
            ],
        ]
        issue.append("diagnostics", diagnostics.map { .string($0) })
        let outcome: FHIRElement = [
            "resourceType": "OperationOutcome", "id": .string(outcomeID),
            "meta": ["profile": [.string(ITK3.operationOutcomeProfile)]],
            "issue": [.object(issue)],
        ]
        return [
            "resourceType": "Bundle", "id": .string(bundleID),
            "meta": ["profile": [.string(ITK3.messageBundleProfile)]],
            "identifier": ["system": .string(ITK3.uuidSystem), "value": .string(bundleID)],
            "type": "message",
            "entry": [
                ["fullUrl": .string("urn:uuid:\(headerID)"), "resource": header],
                ["fullUrl": .string("urn:uuid:\(organizationID)"), "resource": organization],
                ["fullUrl": .string("urn:uuid:\(outcomeID)"), "resource": outcome],
            ],
        ]
    }

    /// Reads an ITK Response (what a sender does with the acks it receives).
    public static func parse(bytes: [UInt8]) throws(ITKRejection) -> ITKResponse {
        let element: FHIRElement
        do {
            let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            element = first == UInt8(ascii: "<") ? try FHIRXML.decode(bytes) : try FHIRJSON.decode(bytes)
        } catch {
            throw ITKRejection(.unreadableMessage, "The response is not a readable FHIR resource")
        }
        var index = ResourceIndex()
        index.add(element["entry"]?.items ?? [])
        guard let header = element["entry"]?.items.first?["resource"], header["resourceType"]?.string == "MessageHeader",
            header["event"]?["code"]?.string == ITK3.responseEvent,
            let acknowledged = header["response"]?["identifier"]?.string
        else { throw ITKRejection(.headerValidationFailure, "Not an ITK Response (ITK008M) message") }
        let outcome = index.resolve(header["response"]?["details"]?["reference"]?.string)
        let coding = outcome?["issue"]?.items.first?["details"]?["coding"]?.items.first
        guard let code = coding?["code"]?.string.flatMap(ITKResponseCode.init(rawValue:)) else {
            throw ITKRejection(.payloadValidationFailure, "The response carries no ITK response code")
        }
        let handling = (header["extension"]?.items ?? []).first { $0["url"]?.string == ITK3.messageHandlingExtension }
        func part(_ url: String) -> FHIRElement? { (handling?["extension"]?.items ?? []).first { $0["url"]?.string == url } }
        let organization = index.resolve(header["sender"]?["reference"]?.string)
        return ITKResponse(
            id: header["id"]?.string ?? "", kind: code.isBusiness ? .business : .infrastructure, code: code,
            diagnostics: outcome?["issue"]?.items.first?["diagnostics"]?.string, acknowledgedMessageID: acknowledged,
            senderReference: part("SenderReference")?["valueString"]?.string ?? "",
            sourceMailbox: header["source"]?["endpoint"]?.string ?? "",
            senderODS: organization.flatMap { ConsultationReportMessage.identifier($0, system: IdentifierSystem.odsOrganizationCode) }
                ?? "",
            timestamp: Date())
    }
}
