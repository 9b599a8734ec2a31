/// Who asked, as the audit trail and appointment provenance record it: the user, their role
/// and organisation, the requesting system, the reason and the scope.
///
/// Built from the audit JWT's claims (nhsconnect/gpconnect feature/1.6.2,
/// integration_cross_organisation_audit_and_provenance); a channel without a JWT (MESH) fills
/// what it knows.
public struct Requester: Sendable, Codable, Equatable {
    public var userID: String?
    public var sdsUserID: String?
    public var roleProfileID: String?
    public var name: String?
    public var organizationODS: String?
    public var organizationName: String?
    public var deviceID: String?
    public var deviceModel: String?
    public var deviceVersion: String?
    public var reasonForRequest: String?
    public var scope: String?

    public init() {}
}
