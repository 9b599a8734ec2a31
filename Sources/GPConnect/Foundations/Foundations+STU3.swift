import FHIR
import Foundation
import GPConnectContract

/// The STU3 face of Foundations: each interaction parses its query into a typed value, runs the
/// use case, and renders the records.
extension Foundations {
    /// F2: `GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}`; none found is an empty Bundle.
    public func searchPatient(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let value = try Self.identifier(request, system: IdentifierSystem.nhsNumber, searching: "Patient")
        guard let nhsNumber = NHSNumber(value) else {
            throw GPConnectError(.invalidNHSNumber, "The identifier value is not a valid NHS number")
        }
        let found = try await patients(nhsNumber: nhsNumber, practice: request.practice)
        return GPConnectResponse(
            resource: FHIRBundle.searchset(found.map { $0.fhir(practice: request.practice) }), auditPatient: nhsNumber.value)
    }

    /// F3: `GET /Patient/{id}`.
    public func readPatient(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let patient = try await patient(id: request.id, practice: request.practice)
        return GPConnectResponse(
            resource: patient.fhir(practice: request.practice), version: patient.version, auditPatient: patient.nhsNumber.value)
    }

    /// F4: `GET /Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|{id}`.
    public func searchPractitioner(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let sdsUserID = try Self.identifier(request, system: IdentifierSystem.sdsUserID, searching: "Practitioner")
        let found = try await practitioners(sdsUserID: sdsUserID, practice: request.practice)
        return GPConnectResponse(resource: FHIRBundle.searchset(found.map(\.fhir)))
    }

    /// F5: `GET /Practitioner/{id}`.
    public func readPractitioner(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let practitioner = try await practitioner(id: request.id, practice: request.practice)
        return GPConnectResponse(resource: practitioner.fhir, version: practitioner.version)
    }

    /// F6: `GET /Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|{ods}`.
    public func searchOrganization(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let odsCode = try Self.identifier(request, system: IdentifierSystem.odsOrganizationCode, searching: "Organization")
        let found = try await organizations(odsCode: odsCode, practice: request.practice)
        return GPConnectResponse(resource: FHIRBundle.searchset(found.map(\.fhir)))
    }

    /// F7: `GET /Organization/{id}`.
    public func readOrganization(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let organization = try await organization(id: request.id, practice: request.practice)
        return GPConnectResponse(resource: organization.fhir, version: organization.version)
    }

    /// F8: `GET /Location/{id}`.
    public func readLocation(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let location = try await location(id: request.id, practice: request.practice)
        return GPConnectResponse(resource: location.fhir, version: location.version)
    }

    /// The value of the one `identifier={system}|{value}` parameter a search takes.
    ///
    /// - Throws: what ``SearchQuery/token(_:)`` throws for a missing, repeated or malformed
    ///   parameter; `INVALID_IDENTIFIER_SYSTEM` for another system.
    static func identifier(_ request: GPConnectRequest, system: String, searching resource: String) throws(GPConnectError) -> String {
        let token = try request.query.token("identifier")
        guard token.system == system else {
            throw GPConnectError(.invalidIdentifierSystem, "\(resource) search supports only \(system)")
        }
        return token.value
    }
}
