import FHIR
public import Foundation
public import GPConnectContract

/// One request as the audit trail records it (GP Connect 1.6.2, integration_cross_organisation_audit_and_provenance,
/// "Audit trail"): who asked, from which organisation and system, for which interaction and patient,
/// and what the answer was.
///
/// Unlike the process log, the audit trail is meant to hold identities: it is the record a
/// practice's Caldicott guardian reads. It never holds the JWT itself or response content.
public struct AuditEvent: Sendable, Codable, Equatable {
    public var time: String
    public var traceID: String?
    public var practice: String?
    /// The interaction id routed to, or nil when the request matched no interaction.
    public var interaction: String?
    public var method: String
    /// Path only: query strings can carry NHS numbers and are not recorded here.
    public var path: String
    public var status: Int
    public var spineCode: String?
    public var consumerASID: String?
    public var requester: Requester?
    /// Logical id or NHS number of the patient concerned, when there is one.
    public var patient: String?
    /// The resource created or changed, e.g. `Patient/24/_history/1`.
    public var resource: String?
    /// The subject of the client certificate the connection was authenticated with (over TLS with
    /// mutual authentication: in production, the Spine Secure Proxy's).
    public var clientCertificate: String?

    public typealias Requester = GPConnectContract.Requester

    public init(
        time: Date = Date(), traceID: String?, practice: String?, interaction: String?, method: String, path: String,
        status: Int, spineCode: String?, consumerASID: String?, requester: Requester?, patient: String?,
        resource: String? = nil, clientCertificate: String? = nil
    ) {
        self.time = ISO8601.instant(time)
        self.traceID = traceID
        self.practice = practice
        self.interaction = interaction
        self.method = method
        self.path = path
        self.status = status
        self.spineCode = spineCode
        self.consumerASID = consumerASID
        self.requester = requester
        self.patient = patient
        self.resource = resource
        self.clientCertificate = clientCertificate
    }

    /// The bytes the hash chain covers: JSON with keys sorted and absent values left out — the
    /// same document `JSONEncoder` with `.sortedKeys` writes for this type, so any process (and
    /// `JSONDecoder`) agrees on it. Built directly because it runs on every request.
    public var canonicalBytes: [UInt8] { FHIRJSON.encode(canonicalElement) }

    /// The fields in sorted key order, written in that order (the order is fixed, so it is not
    /// sorted per request; `canonicalBytesAreWhatJSONEncoderWritesWithSortedKeys` checks it).
    var canonicalElement: FHIRElement {
        func object(_ pairs: KeyValuePairs<String, FHIRElement?>) -> FHIRElement {
            var object = FHIRObject()
            for (name, value) in pairs { object.append(name, value) }
            return .object(object)
        }
        func text(_ value: String?) -> FHIRElement? { value.map { .string($0) } }
        let requesterElement = requester.map { requester in
            object([
                "deviceID": text(requester.deviceID), "deviceModel": text(requester.deviceModel),
                "deviceVersion": text(requester.deviceVersion), "name": text(requester.name),
                "organizationName": text(requester.organizationName), "organizationODS": text(requester.organizationODS),
                "reasonForRequest": text(requester.reasonForRequest), "roleProfileID": text(requester.roleProfileID),
                "scope": text(requester.scope), "sdsUserID": text(requester.sdsUserID), "userID": text(requester.userID),
            ])
        }
        return object([
            "clientCertificate": text(clientCertificate), "consumerASID": text(consumerASID), "interaction": text(interaction),
            "method": text(method), "path": text(path), "patient": text(patient), "practice": text(practice),
            "requester": requesterElement, "resource": text(resource), "spineCode": text(spineCode),
            "status": .number(String(status)), "time": text(time), "traceID": text(traceID),
        ])
    }
}

/// A stored audit event with its place in the chain.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64
    public var event: AuditEvent
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, event: AuditEvent, previousHash: String, hash: String) {
        self.sequence = sequence
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash of the first entry's predecessor.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// `SHA-256(previousHash ‖ sequence ‖ canonical event)` as lower-case hex.
    public static func chainHash(previousHash: String, sequence: Int64, event: AuditEvent) -> String {
        chainHash(previousHash: previousHash, sequence: sequence, canonicalEvent: event.canonicalBytes)
    }

    public static func chainHash(previousHash: String, sequence: Int64, canonicalEvent: [UInt8]) -> String {
        var bytes = Array(previousHash.utf8)
        bytes.append(contentsOf: Array("|\(sequence)|".utf8))
        bytes.append(contentsOf: canonicalEvent)
        return Hashing.sha256Hex(bytes)
    }

    /// Checks a run of consecutive entries: each hash recomputes and links to the one before.
    /// Returns the sequence number of the first entry that does not verify, or nil.
    public static func firstBroken(_ entries: [AuditEntry], previousHash: String? = nil) -> Int64? {
        var expectedPrevious = previousHash
        for entry in entries {
            if let expectedPrevious, entry.previousHash != expectedPrevious { return entry.sequence }
            if chainHash(previousHash: entry.previousHash, sequence: entry.sequence, event: entry.event) != entry.hash {
                return entry.sequence
            }
            expectedPrevious = entry.hash
        }
        return nil
    }
}
