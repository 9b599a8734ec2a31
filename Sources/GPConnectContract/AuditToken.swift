public import FHIR
public import Foundation

/// The GP Connect audit and provenance bearer token, an unsecured JWT with `alg` `none` (GP Connect 1.6.2,
/// integration_cross_organisation_audit_and_provenance, "JWT generation").
///
/// ``parse(authorization:interaction:now:)`` checks structure and every claim and returns the
/// provenance the audit trail records. ``encode()`` builds one, for the consumer client and the
/// tests. The token's content is never logged and never echoed in diagnostics.
public struct AuditToken: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    public var audience: String
    public var expiry: Int64
    public var issuedAt: Int64
    public var reasonForRequest: String
    public var requestedScope: String
    public var device: FHIRElement
    public var organization: FHIRElement
    public var practitioner: FHIRElement

    public init(
        issuer: String, subject: String, audience: String, expiry: Int64, issuedAt: Int64, reasonForRequest: String,
        requestedScope: String, device: FHIRElement, organization: FHIRElement, practitioner: FHIRElement
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiry = expiry
        self.issuedAt = issuedAt
        self.reasonForRequest = reasonForRequest
        self.requestedScope = requestedScope
        self.device = device
        self.organization = organization
        self.practitioner = practitioner
    }

    /// The confidentiality part of the scope: `conf/N` (default) or `conf/R`.
    public var confidentiality: String {
        requestedScope.split(separator: " ").dropFirst().first.map(String.init) ?? "conf/N"
    }

    /// `base64url(header).base64url(payload).` with `alg: none`.
    public func encode() -> String {
        let header: FHIRElement = ["alg": "none", "typ": "JWT"]
        let payload: FHIRElement = [
            "iss": .string(issuer), "sub": .string(subject), "aud": .string(audience),
            "exp": .number(String(expiry)), "iat": .number(String(issuedAt)),
            "reason_for_request": .string(reasonForRequest), "requested_scope": .string(requestedScope),
            "requesting_device": device, "requesting_organization": organization, "requesting_practitioner": practitioner,
        ]
        return Base64URL.encode(FHIRJSON.encode(header)) + "." + Base64URL.encode(FHIRJSON.encode(payload)) + "."
    }

    /// The provenance the audit trail records.
    public var requester: Requester {
        var requester = Requester()
        requester.userID = subject
        let identifiers = practitioner["identifier"]?.items ?? []
        requester.sdsUserID = identifiers.first { $0["system"]?.string == IdentifierSystem.sdsUserID }?["value"]?.string
        requester.roleProfileID = identifiers.first { $0["system"]?.string == IdentifierSystem.sdsRoleProfileID }?["value"]?.string
        if let name = practitioner["name"]?.items.first {
            let parts = (name["prefix"]?.items ?? []) + (name["given"]?.items ?? []) + [name["family"]].compactMap { $0 }
            requester.name = parts.compactMap(\.string).joined(separator: " ")
        }
        requester.organizationODS =
            organization["identifier"]?.items
            .first { $0["system"]?.string == IdentifierSystem.odsOrganizationCode }?["value"]?.string
        requester.organizationName = organization["name"]?.string
        requester.deviceID = device["identifier"]?.items.first?["value"]?.string
        requester.deviceModel = device["model"]?.string
        requester.deviceVersion = device["version"]?.string
        requester.reasonForRequest = reasonForRequest
        requester.scope = requestedScope
        return requester
    }
}

extension AuditToken {
    /// Lifetime the spec fixes: `exp` is exactly `iat + 300`.
    public static let lifetime: Int64 = 300

    /// Parses and validates the `Authorization` header for an interaction.
    ///
    /// - Throws: `400 BAD_REQUEST` for a missing, malformed or signed token, a missing or wrong
    ///   claim, an expired token or a scope that does not fit the interaction; `422 INVALID_RESOURCE`
    ///   when an embedded resource is not the resource it must be.
    public static func parse(authorization: String?, interaction: Interaction, now: Date) throws(GPConnectError) -> AuditToken {
        guard let authorization, !authorization.isEmpty else { throw .badRequest("Authorization header is missing") }
        guard authorization.hasPrefix("Bearer ") else { throw .badRequest("Authorization header must be a Bearer token") }
        let token = authorization.dropFirst("Bearer ".count)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badRequest("JWT must have three parts") }
        guard parts[2].isEmpty else { throw .badRequest("JWT must be unsigned: alg none with an empty signature") }
        guard let headerBytes = Base64URL.decode(parts[0]), let header = try? FHIRJSON.decode(headerBytes),
            header.object != nil
        else { throw .badRequest("JWT header is not base64url-encoded JSON") }
        guard header["alg"]?.string == "none" else { throw .badRequest("JWT alg must be none") }
        if let type = header["typ"], type.string != "JWT" { throw .badRequest("JWT typ must be JWT") }
        guard let payloadBytes = Base64URL.decode(parts[1]) else { throw .badRequest("JWT payload is not base64url") }
        guard let payload = try? FHIRJSON.decode(payloadBytes), let claims = payload.object else {
            throw .badRequest("JWT payload is not a JSON object")
        }

        func string(_ name: String) throws(GPConnectError) -> String {
            guard let value = claims[name] else { throw .badRequest("JWT claim \(name) is missing") }
            guard case .string(let text) = value, !text.isEmpty else { throw .badRequest("JWT claim \(name) must be a non-empty string") }
            return text
        }
        func time(_ name: String) throws(GPConnectError) -> Int64 {
            guard let value = claims[name] else { throw .badRequest("JWT claim \(name) is missing") }
            guard case .number(let text) = value, let seconds = Int64(text) else {
                throw .badRequest("JWT claim \(name) must be a whole number of seconds")
            }
            return seconds
        }
        func resource(_ name: String, type: String) throws(GPConnectError) -> FHIRElement {
            guard var value = claims[name] else { throw .badRequest("JWT claim \(name) is missing") }
            // Some JWT libraries send a JSON claim as a string holding the JSON.
            if case .string(let text) = value {
                guard let parsed = try? FHIRJSON.decode(Array(text.utf8)) else {
                    throw .badRequest("JWT claim \(name) must be a FHIR resource")
                }
                value = parsed
            }
            guard let fields = value.object else { throw .badRequest("JWT claim \(name) must be a FHIR resource") }
            guard value["resourceType"]?.string == type else {
                throw .invalidResource("JWT claim \(name) must be a \(type) resource")
            }
            if let unknown = fields.names.first(where: { !(STU3Elements.byResource[type]?.contains($0) ?? true) }) {
                throw .invalidResource("JWT claim \(name) has an element \(unknown) that \(type) does not define")
            }
            return value
        }

        let issuer = try string("iss")
        let subject = try string("sub")
        let audience = try string("aud")
        let expiry = try time("exp")
        let issuedAt = try time("iat")
        guard expiry - issuedAt == lifetime else { throw .badRequest("JWT exp must be iat + 300 seconds") }
        guard Double(expiry) > now.timeIntervalSince1970 else { throw .badRequest("JWT has expired") }

        let reason = try string("reason_for_request")
        let allowedReasons = interaction == .migrateStructuredRecord ? ["migration"] : ["directcare"]
        guard allowedReasons.contains(reason) else { throw .badRequest("JWT reason_for_request is not valid for this interaction") }

        let scope = try string("requested_scope")
        let scopeParts = scope.split(separator: " ")
        guard let first = scopeParts.first, Scope(rawValue: String(first)) != nil else {
            throw .badRequest("JWT requested_scope is not a GP Connect scope")
        }
        guard String(first) == interaction.scope.rawValue else {
            throw .badRequest("JWT requested_scope does not match the interaction (expected \(interaction.scope.rawValue))")
        }
        guard scopeParts.count <= 2, scopeParts.dropFirst().allSatisfy({ $0 == "conf/N" || $0 == "conf/R" }) else {
            throw .badRequest("JWT requested_scope confidentiality must be conf/N or conf/R")
        }

        let device = try resource("requesting_device", type: "Device")
        let organization = try resource("requesting_organization", type: "Organization")
        try validateDevice(device)
        try validateOrganization(organization)
        // For migration the practitioner is a SHOULD (pack StructuredMigrate.feature sends none).
        let practitioner: FHIRElement
        if reason == "migration", claims["requesting_practitioner"] == nil {
            practitioner = ["resourceType": "Practitioner"]
        } else {
            practitioner = try resource("requesting_practitioner", type: "Practitioner")
            try validatePractitioner(practitioner, subject: subject, interaction: interaction)
        }

        return AuditToken(
            issuer: issuer, subject: subject, audience: audience, expiry: expiry, issuedAt: issuedAt,
            reasonForRequest: reason, requestedScope: scope, device: device, organization: organization,
            practitioner: practitioner)
    }

    static func validateDevice(_ device: FHIRElement) throws(GPConnectError) {
        let identifiers = device["identifier"]?.items ?? []
        guard !identifiers.isEmpty,
            identifiers.allSatisfy({ $0["system"]?.string?.isEmpty == false && $0["value"]?.string?.isEmpty == false })
        else { throw .invalidResource("JWT requesting_device must carry an identifier with system and value") }
        guard device["model"]?.string?.isEmpty == false else { throw .invalidResource("JWT requesting_device must carry a model") }
        guard device["version"]?.string?.isEmpty == false else { throw .invalidResource("JWT requesting_device must carry a version") }
    }

    static func validateOrganization(_ organization: FHIRElement) throws(GPConnectError) {
        let identifiers = organization["identifier"]?.items ?? []
        guard
            identifiers.contains(where: {
                $0["system"]?.string == IdentifierSystem.odsOrganizationCode && $0["value"]?.string?.isEmpty == false
            })
        else { throw .badRequest("JWT requesting_organization must carry an ODS organisation code identifier") }
        guard organization["name"]?.string?.isEmpty == false else {
            throw .invalidResource("JWT requesting_organization must carry a name")
        }
    }

    static func validatePractitioner(_ practitioner: FHIRElement, subject: String, interaction: Interaction) throws(GPConnectError) {
        guard let id = practitioner["id"]?.string, !id.isEmpty else {
            throw .invalidResource("JWT requesting_practitioner must carry an id")
        }
        guard id == subject else { throw .badRequest("JWT sub must equal requesting_practitioner.id") }
        let identifiers = practitioner["identifier"]?.items ?? []
        guard identifiers.contains(where: { $0["system"]?.string == IdentifierSystem.sdsUserID && $0["value"]?.string?.isEmpty == false })
        else { throw .badRequest("JWT requesting_practitioner must carry an SDS user id identifier (or UNK)") }
        for identifier in identifiers where identifier["system"]?.string == nil || identifier["value"]?.string?.isEmpty != false {
            _ = identifier
            throw .invalidResource("JWT requesting_practitioner identifiers need a system and a value")
        }
        let names = practitioner["name"]?.items ?? []
        guard let name = names.first, name["family"]?.string?.isEmpty == false || name["text"]?.string?.isEmpty == false else {
            throw .invalidResource("JWT requesting_practitioner must carry a name")
        }
    }
}
