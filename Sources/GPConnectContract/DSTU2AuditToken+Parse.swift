import FHIR
public import Foundation

extension DSTU2AuditToken {
    /// Elements each DSTU2 resource the token carries may hold (FHIR DSTU2 1.0.2 resource definitions).
    static let elements: [String: Set<String>] = {
        let common: Set<String> = [
            "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension",
        ]
        return [
            "Device": common.union([
                "identifier", "type", "note", "status", "manufacturer", "model", "version", "manufactureDate", "expiry", "udi", "lotNumber",
                "owner", "location", "patient", "contact", "url",
            ]),
            "Organization": common.union(["identifier", "active", "type", "name", "telecom", "address", "partOf", "contact"]),
            "Practitioner": common.union([
                "identifier", "active", "name", "telecom", "address", "gender", "birthDate", "photo", "practitionerRole", "qualification",
                "communication",
            ]),
            "Patient": common.union(["identifier", "active", "name", "gender", "birthDate"]),
        ]
    }()

    /// Parses and checks the `Authorization` header of a 0.7.4 request (pack: JWT.feature, branch feature/0.7.4).
    ///
    /// - Throws: `400 BAD_REQUEST` for a malformed token, a missing or wrong claim (including a
    ///   resource of the wrong type, an expired token, `aud` other than the 0.7.x authorisation
    ///   server); `422 INVALID_RESOURCE` when an embedded resource has elements its type does not define.
    public static func parse(authorization: String?, interaction: Interaction, now: Date) throws(GPConnectError) -> DSTU2AuditToken {
        guard let authorization, authorization.hasPrefix("Bearer ") else { throw .badRequest("Authorization must be a Bearer token") }
        let parts = authorization.dropFirst("Bearer ".count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].isEmpty else { throw .badRequest("JWT must have three parts and no signature") }
        guard let headerBytes = Base64URL.decode(parts[0]), let header = try? FHIRJSON.decode(headerBytes), header["alg"]?.string == "none"
        else { throw .badRequest("JWT header must be base64url JSON with alg none") }
        guard let payloadBytes = Base64URL.decode(parts[1]), let payload = try? FHIRJSON.decode(payloadBytes), let claims = payload.object
        else { throw .badRequest("JWT payload is not base64url-encoded JSON") }

        func string(_ name: String) throws(GPConnectError) -> String {
            guard case .string(let text)? = claims[name], !text.isEmpty else { throw .badRequest("JWT claim \(name) is missing or empty") }
            return text
        }
        func time(_ name: String) throws(GPConnectError) -> Int64 {
            guard case .number(let text)? = claims[name], let seconds = Int64(text) else {
                throw .badRequest("JWT claim \(name) must be a whole number of seconds")
            }
            return seconds
        }
        func resource(_ name: String, type: String) throws(GPConnectError) -> FHIRElement {
            guard var value = claims[name] else { throw .badRequest("JWT claim \(name) is missing") }
            if case .string(let text) = value, let parsed = try? FHIRJSON.decode(Array(text.utf8)) { value = parsed }
            guard let fields = value.object else { throw .badRequest("JWT claim \(name) must be a FHIR resource") }
            // pack: JWT.feature, "JWT requesting device invalid resourceType" → 400.
            guard value["resourceType"]?.string == type else { throw .badRequest("JWT claim \(name) must be a \(type) resource") }
            if let unknown = fields.names.first(where: { !(elements[type]?.contains($0) ?? true) }) {
                throw .invalidResource("JWT claim \(name) has an element \(unknown) that \(type) does not define")
            }
            return value
        }

        let issuer = try string("iss")
        let subject = try string("sub")
        let audience = try string("aud")
        guard audience == DSTU2System.audience else { throw .badRequest("JWT aud must be \(DSTU2System.audience)") }
        let expiry = try time("exp")
        let issuedAt = try time("iat")
        guard expiry - issuedAt == AuditToken.lifetime else { throw .badRequest("JWT exp must be iat + 300 seconds") }
        // A creation time in the future is accepted (pack: JWT.feature, "JWT creation time in the future").
        guard Double(expiry) > now.timeIntervalSince1970 else { throw .badRequest("JWT has expired") }
        guard try string("reason_for_request") == "directcare" else { throw .badRequest("JWT reason_for_request must be directcare") }
        let scope = try string("requested_scope")
        guard scope == interaction.scope.rawValue else {
            throw .badRequest("JWT requested_scope does not match the interaction (expected \(interaction.scope.rawValue))")
        }
        guard let record = claims["requested_record"], let recordType = record["resourceType"]?.string,
            recordType == "Patient" || recordType == "Organization"
        else { throw .badRequest("JWT claim requested_record must be a Patient or an Organization") }

        let device = try resource("requesting_device", type: "Device")
        guard device["identifier"]?.items.contains(where: { $0["value"]?.string?.isEmpty == false }) ?? false,
            device["model"]?.string?.isEmpty == false, device["version"]?.string?.isEmpty == false
        else { throw .invalidResource("JWT requesting_device must carry an identifier, a model and a version") }

        let organization = try resource("requesting_organization", type: "Organization")
        guard
            organization["identifier"]?.items.contains(where: {
                $0["system"]?.string == DSTU2System.odsOrganizationCode && $0["value"]?.string?.isEmpty == false
            }) ?? false
        else { throw .badRequest("JWT requesting_organization must carry an ODS organisation code") }
        guard organization["name"]?.string?.isEmpty == false else {
            throw .invalidResource("JWT requesting_organization must carry a name")
        }

        let practitioner = try resource("requesting_practitioner", type: "Practitioner")
        guard practitioner["id"]?.string == subject else { throw .badRequest("JWT sub must equal requesting_practitioner.id") }
        let sdsSystems = [DSTU2System.sdsUserID, DSTU2System.sdsUserIDInToken]
        guard
            practitioner["identifier"]?.items.contains(where: {
                sdsSystems.contains($0["system"]?.string ?? "") && $0["value"]?.string?.isEmpty == false
            }) ?? false
        else { throw .badRequest("JWT requesting_practitioner must carry an SDS user id identifier (or UNK)") }
        let name = practitioner["name"]
        guard !(name?["family"]?.items.isEmpty ?? true) || !(name?["given"]?.items.isEmpty ?? true) else {
            throw .badRequest("JWT requesting_practitioner name must carry a family or given name")
        }

        return DSTU2AuditToken(
            claims: AuditToken(
                issuer: issuer, subject: subject, audience: audience, expiry: expiry, issuedAt: issuedAt, reasonForRequest: "directcare",
                requestedScope: scope, device: device, organization: organization, practitioner: practitioner),
            requestedRecord: record)
    }
}
