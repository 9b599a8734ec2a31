public import FHIR

/// What an interaction answers.
public struct GPConnectResponse: Sendable {
    public var status: Int
    public var resource: FHIRElement?
    /// Version for the `ETag` header.
    public var version: String?
    /// `Location` header of a create, relative to the service root.
    public var location: String?
    /// A document's bytes, streamed as a `Binary` instead of ``resource``.
    public var binary: BinaryContent?
    /// The patient concerned, for the audit trail.
    public var auditPatient: String?
    /// The resource created or changed, for the audit trail.
    public var auditResource: String?

    public init(
        status: Int = 200, resource: FHIRElement?, version: String? = nil, location: String? = nil,
        auditPatient: String? = nil, auditResource: String? = nil
    ) {
        self.status = status
        self.resource = resource
        self.version = version
        self.location = location
        self.auditPatient = auditPatient
        self.auditResource = auditResource
    }
}
