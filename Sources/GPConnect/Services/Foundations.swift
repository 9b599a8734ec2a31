import FHIR
import Foundation
import GPConnectContract

/// The Foundations interactions (GP Connect 1.6.2, the foundations_use_case_ pages from find_a_patient to
/// read_a_location): finding and reading patients, practitioners, organisations and locations of the
/// practice in the URL.
public struct Foundations: Sendable {
    let stores: Stores

    public init(stores: Stores) { self.stores = stores }

    // MARK: Patient

    /// F2: `GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}`. Only visible patients
    /// (registered, alive, verified, not sensitive) are returned; none found is an empty Bundle.
    public func searchPatient(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let token = try request.query.token("identifier")
        guard token.system == IdentifierSystem.nhsNumber else {
            throw GPConnectError(.invalidIdentifierSystem, "Patient search supports only \(IdentifierSystem.nhsNumber)")
        }
        guard let nhsNumber = NHSNumber(token.value) else {
            throw GPConnectError(.invalidNHSNumber, "The identifier value is not a valid NHS number")
        }
        var found: [FHIRElement] = []
        for var patient in try await stores.patients.patients(practice: request.practice.ods, nhsNumber: nhsNumber) {
            if patient.nhsNumberVerification != "01", patient.registrationStatus == .active, patient.deceased == nil,
                !patient.sensitive
            {
                patient = try await verifyUntraced(patient, practice: request.practice.ods) ?? patient
            }
            if patient.isVisible { found.append(patient.fhir(practice: request.practice)) }
        }
        return GPConnectResponse(resource: FHIRBundle.searchset(found), auditPatient: nhsNumber.value)
    }

    /// The unverified-record rule (GP Connect 1.6.2, foundations_use_case_find_a_patient, "Provider system
    /// unverified record requirements"): trace an active patient whose NHS number was never verified, and
    /// mark it verified when PDS agrees.
    func verifyUntraced(_ patient: PatientRecord, practice: String) async throws -> PatientRecord? {
        guard let person = try await stores.demographics.lookup(nhsNumber: patient.nhsNumber),
            person.deceased == nil, !person.sensitive, !person.superseded,
            DemographicsMatch.verifies(name: patient.name, birthDate: patient.birthDate, against: person)
        else { return nil }
        var verified = patient
        verified.nhsNumberVerification = "01"
        verified.version = String((Int(patient.version) ?? 0) + 1)
        do {
            try await stores.patients.savePatient(verified, practice: practice, expectedVersion: patient.version)
        } catch StoreError.conflict {
            return try await stores.patients.patient(practice: practice, id: patient.id)
        }
        return verified
    }

    /// F3: `GET /Patient/{id}`.
    public func readPatient(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        guard let id = request.id, let patient = try await stores.patients.patient(practice: request.practice.ods, id: id),
            patient.isVisible
        else { throw GPConnectError(.patientNotFound, "No patient with that logical id") }
        return GPConnectResponse(
            resource: patient.fhir(practice: request.practice), version: patient.version, auditPatient: patient.nhsNumber.value)
    }

    // MARK: Practitioner

    /// F4: `GET /Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|{id}`.
    public func searchPractitioner(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let token = try request.query.token("identifier")
        guard token.system == IdentifierSystem.sdsUserID else {
            throw GPConnectError(.invalidIdentifierSystem, "Practitioner search supports only \(IdentifierSystem.sdsUserID)")
        }
        let found = try await stores.directory.practitioners(practice: request.practice.ods, sdsUserID: token.value)
        return GPConnectResponse(resource: FHIRBundle.searchset(found.map(\.fhir)))
    }

    /// F5: `GET /Practitioner/{id}`.
    public func readPractitioner(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        guard let id = request.id, let practitioner = try await stores.directory.practitioner(practice: request.practice.ods, id: id)
        else { throw GPConnectError(.practitionerNotFound, "No practitioner with that logical id") }
        return GPConnectResponse(resource: practitioner.fhir, version: practitioner.version)
    }

    // MARK: Organization

    /// F6: `GET /Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|{ods}`.
    public func searchOrganization(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let token = try request.query.token("identifier")
        guard token.system == IdentifierSystem.odsOrganizationCode else {
            throw GPConnectError(.invalidIdentifierSystem, "Organization search supports only \(IdentifierSystem.odsOrganizationCode)")
        }
        let found = try await stores.directory.organizations(practice: request.practice.ods, odsCode: token.value)
        return GPConnectResponse(resource: FHIRBundle.searchset(found.map(\.fhir)))
    }

    /// F7: `GET /Organization/{id}`.
    public func readOrganization(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        guard let id = request.id, let organization = try await stores.directory.organization(practice: request.practice.ods, id: id)
        else { throw GPConnectError(.organisationNotFound, "No organisation with that logical id") }
        return GPConnectResponse(resource: organization.fhir, version: organization.version)
    }

    // MARK: Location

    /// F8: `GET /Location/{id}`.
    public func readLocation(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        guard let id = request.id, let location = try await stores.directory.location(practice: request.practice.ods, id: id)
        else { throw GPConnectError(.noRecordFound, "No location with that logical id") }
        return GPConnectResponse(resource: location.fhir, version: location.version)
    }
}

/// The PDS verification rules (GP Connect 1.6.2, foundations_use_case_find_a_patient, "Provider system
/// unverified record requirements"): the NHS number is verified when the date of birth matches exactly,
/// or two of its three parts match and the first three letters of the family name and the first letter
/// of the given name match.
public enum DemographicsMatch {
    public static func verifies(name: PersonName, birthDate: String, against person: DemographicsRecord) -> Bool {
        if birthDate == person.birthDate { return true }
        let mine = birthDate.split(separator: "-")
        let theirs = person.birthDate.split(separator: "-")
        guard mine.count == 3, theirs.count == 3 else { return false }
        let matchingParts = zip(mine, theirs).filter { $0 == $1 }.count
        func prefix(_ text: String?, _ count: Int) -> String { String((text ?? "").lowercased().prefix(count)) }
        let family = prefix(name.family, 3)
        let given = prefix(name.given.first, 1)
        return matchingParts >= 2 && family.count == 3 && family == prefix(person.name.family, 3)
            && !given.isEmpty && given == prefix(person.name.given.first, 1)
    }
}
