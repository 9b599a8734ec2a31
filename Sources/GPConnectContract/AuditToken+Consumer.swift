import FHIR
public import Foundation

/// Who a consumer system says it is, for building audit tokens.
public struct ConsumerIdentity: Sendable, Equatable {
    public var systemURL: String
    public var deviceID: String
    public var deviceModel: String
    public var deviceVersion: String
    public var organizationODS: String
    public var organizationName: String
    public var userID: String
    public var sdsUserID: String
    public var roleProfileID: String?
    public var family: String
    public var given: [String]
    public var prefix: [String]

    public init(
        systemURL: String = "https://consumer.example/", deviceID: String = "gpconnect-swift", deviceModel: String = "gpconnect",
        deviceVersion: String = "0.1.0", organizationODS: String = "GPCA0001", organizationName: String = "Requesting organisation",
        userID: String = "1", sdsUserID: String = "GCASDS0001", roleProfileID: String? = nil, family: String = "Demo",
        given: [String] = ["Clinician"], prefix: [String] = ["Dr"]
    ) {
        self.systemURL = systemURL
        self.deviceID = deviceID
        self.deviceModel = deviceModel
        self.deviceVersion = deviceVersion
        self.organizationODS = organizationODS
        self.organizationName = organizationName
        self.userID = userID
        self.sdsUserID = sdsUserID
        self.roleProfileID = roleProfileID
        self.family = family
        self.given = given
        self.prefix = prefix
    }
}

extension AuditToken {
    /// A token for one interaction, valid from `now` for the 300 seconds the spec allows.
    /// `confidentiality` (`conf/N`, `conf/R`) is appended to the scope when given; migrating a
    /// record with sensitive information needs `conf/R`.
    public init(
        for interaction: Interaction, consumer: ConsumerIdentity, audience: String, now: Date = Date(),
        confidentiality: String? = nil
    ) {
        let issuedAt = Int64(now.timeIntervalSince1970)
        var identifiers: [FHIRElement] = [["system": .string(IdentifierSystem.sdsUserID), "value": .string(consumer.sdsUserID)]]
        if let role = consumer.roleProfileID {
            identifiers.append(["system": .string(IdentifierSystem.sdsRoleProfileID), "value": .string(role)])
        }
        self.init(
            issuer: consumer.systemURL, subject: consumer.userID, audience: audience, expiry: issuedAt + Self.lifetime, issuedAt: issuedAt,
            reasonForRequest: interaction == .migrateStructuredRecord ? "migration" : "directcare",
            requestedScope: interaction.scope.rawValue + (confidentiality.map { " " + $0 } ?? ""),
            device: [
                "resourceType": "Device",
                "identifier": [["system": .string(consumer.systemURL + "Id/device"), "value": .string(consumer.deviceID)]],
                "model": .string(consumer.deviceModel), "version": .string(consumer.deviceVersion),
            ],
            organization: [
                "resourceType": "Organization",
                "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(consumer.organizationODS)]],
                "name": .string(consumer.organizationName),
            ],
            practitioner: [
                "resourceType": "Practitioner", "id": .string(consumer.userID), "identifier": .array(identifiers),
                "name": [["family": .string(consumer.family), "given": .strings(consumer.given), "prefix": .strings(consumer.prefix)]],
            ])
    }
}
