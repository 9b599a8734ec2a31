import FHIR
import Foundation
public import GPConnectContract

/// Foundations as use cases that know no channel (GP Connect 1.6.2, the foundations_use_case_ pages
/// from find_a_patient to read_a_location): finding and reading the patients, practitioners,
/// organisations and locations of a practice. `Foundations+STU3.swift` parses the FHIR requests and
/// renders the records.
public struct Foundations: Sendable {
    let stores: Stores

    public init(stores: Stores) { self.stores = stores }

    // MARK: Patient

    /// The visible patients (registered, alive, verified, not sensitive) with this NHS number; an
    /// active patient whose number was never verified is traced first.
    public func patients(nhsNumber: NHSNumber, practice: Practice) async throws -> [PatientRecord] {
        var found: [PatientRecord] = []
        for var patient in try await stores.patients.patients(practice: practice.ods, nhsNumber: nhsNumber) {
            if patient.nhsNumberVerification != "01", patient.registrationStatus == .active, patient.deceased == nil,
                !patient.sensitive
            {
                patient = try await verifyUntraced(patient, practice: practice.ods) ?? patient
            }
            if patient.isVisible { found.append(patient) }
        }
        return found
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

    /// A visible patient by logical id.
    ///
    /// - Throws: `404 PATIENT_NOT_FOUND`.
    public func patient(id: String?, practice: Practice) async throws -> PatientRecord {
        guard let id, let patient = try await stores.patients.patient(practice: practice.ods, id: id), patient.isVisible
        else { throw GPConnectError(.patientNotFound, "No patient with that logical id") }
        return patient
    }

    // MARK: Practitioner, Organization, Location

    public func practitioners(sdsUserID: String, practice: Practice) async throws -> [PractitionerRecord] {
        try await stores.directory.practitioners(practice: practice.ods, sdsUserID: sdsUserID)
    }

    /// - Throws: `404 PRACTITIONER_NOT_FOUND`.
    public func practitioner(id: String?, practice: Practice) async throws -> PractitionerRecord {
        guard let id, let practitioner = try await stores.directory.practitioner(practice: practice.ods, id: id)
        else { throw GPConnectError(.practitionerNotFound, "No practitioner with that logical id") }
        return practitioner
    }

    public func organizations(odsCode: String, practice: Practice) async throws -> [OrganizationRecord] {
        try await stores.directory.organizations(practice: practice.ods, odsCode: odsCode)
    }

    /// - Throws: `404 ORGANISATION_NOT_FOUND`.
    public func organization(id: String?, practice: Practice) async throws -> OrganizationRecord {
        guard let id, let organization = try await stores.directory.organization(practice: practice.ods, id: id)
        else { throw GPConnectError(.organisationNotFound, "No organisation with that logical id") }
        return organization
    }

    /// - Throws: `404 NO_RECORD_FOUND`.
    public func location(id: String?, practice: Practice) async throws -> LocationRecord {
        guard let id, let location = try await stores.directory.location(practice: practice.ods, id: id)
        else { throw GPConnectError(.noRecordFound, "No location with that logical id") }
        return location
    }
}
