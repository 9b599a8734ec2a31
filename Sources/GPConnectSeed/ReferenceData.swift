import Foundation
public import GPConnect
import GPConnectContract

/// The reference data set the conformance pack expects (practices, their directories, patients 1–21 and
/// the PDS registration pool; pack: Data/Test Suite Prerequisites.xlsx, NHSNoMap.csv, ODSCodeMap.csv,
/// PractitionerCodeMap.csv, RegisterPatients.csv), shipped as JSON files and loaded through the store
/// protocols, so that every backend is seeded the same way.
public enum ReferenceData {
    struct Directory: Decodable {
        var organizations: [OrganizationRecord]
        var practitioners: [PractitionerRecord]
        var locations: [LocationRecord]
    }

    /// `clinical-<ODS>.json`: each patient's record, and the record states that produce warnings.
    struct ClinicalSeed: Decodable {
        var recordStates: [String: ClinicalRecordState]
        var patients: [String: [SeedItem]]
    }

    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var practices = 0
        public var organizations = 0
        public var practitioners = 0
        public var locations = 0
        public var patients = 0
        public var demographics = 0
        public var schedules = 0
        public var clinicalItems = 0
        public var documents = 0

        public var description: String {
            "\(practices) practices, \(organizations) organisations, \(practitioners) practitioners, \(locations) locations, "
                + "\(schedules) schedules, \(patients) patients, \(clinicalItems) clinical items, \(documents) documents, \(demographics) PDS records"
        }
    }

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Data") else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// Writes the reference data set. Existing rows with the same keys are replaced, patients only
    /// if absent (so a registration made since is never lost).
    @discardableResult
    public static func seed(stores: Stores, demographics: any DemographicsStore) async throws -> Summary {
        let directory = stores.directory
        let patients = stores.patients
        var summary = Summary()
        for practice in try load([Practice].self, "practices") ?? [] {
            try await directory.savePractice(practice)
            summary.practices += 1
            if let data = try load(Directory.self, "directory-\(practice.ods)") {
                for organization in data.organizations { try await directory.saveOrganization(organization, practice: practice.ods) }
                for practitioner in data.practitioners { try await directory.savePractitioner(practitioner, practice: practice.ods) }
                for location in data.locations { try await directory.saveLocation(location, practice: practice.ods) }
                summary.organizations += data.organizations.count
                summary.practitioners += data.practitioners.count
                summary.locations += data.locations.count
            }
            for schedule in try load([ScheduleRecord].self, "diary-\(practice.ods)") ?? [] {
                try await stores.diary.saveSchedule(schedule, practice: practice.ods)
                summary.schedules += 1
            }
            let clinical = try load(ClinicalSeed.self, "clinical-\(practice.ods)")
            let seedDocuments = try load([SeedDocument].self, "documents-\(practice.ods)") ?? []
            let documents = Documents(stores: stores)
            for var patient in try load([PatientRecord].self, "patients-\(practice.ods)") ?? [] {
                patient.deceased = relativeInstant(patient.deceased)
                do {
                    try await patients.savePatient(patient, practice: practice.ods, expectedVersion: nil)
                    summary.patients += 1
                } catch StoreError.conflict {
                    // Kept as it is; its clinical record is still written below if it has none
                    // (a database created before the clinical record existed).
                }
                // A patient's record is seeded once: its relative dates count from this day and
                // never move after.
                guard let clinical, let seeded = clinical.patients[patient.id], !seeded.isEmpty,
                    try await stores.clinical.items(practice: practice.ods, patientID: patient.id).isEmpty
                else { continue }
                let builder = ClinicalRecordBuilder(
                    practice: practice.ods, patientID: patient.id, today: ISO8601.day(Date()),
                    organizationID: practice.organizationID, practitionerID: patient.generalPractitionerID ?? "1")
                let items = seeded.map(builder.build)
                try await stores.clinical.save(items, practice: practice.ods)
                summary.clinicalItems += items.count
                if var state = clinical.recordStates[patient.id] {
                    state.inTransitSince = builder.day(state.inTransitSince)
                    try await stores.clinical.saveRecordState(state, practice: practice.ods, patientID: patient.id)
                }
            }
            // Documents are filed once, like the record, after it (a document's item joins it).
            for patient in try load([PatientRecord].self, "patients-\(practice.ods)") ?? [] {
                let own = seedDocuments.filter { $0.patient == patient.id }
                guard !own.isEmpty, try await stores.documents.documents(practice: practice.ods, patientID: patient.id).isEmpty,
                    let stored = try await stores.patients.patient(practice: practice.ods, id: patient.id)
                else { continue }
                for document in own {
                    try await document.file(into: documents, stores: stores, patient: stored, practice: practice, today: Date())
                    summary.documents += 1
                }
            }
        }
        for var person in try load([DemographicsRecord].self, "demographics") ?? [] {
            person.deceased = relativeInstant(person.deceased)
            try await demographics.saveDemographics(person)
            summary.demographics += 1
        }
        return summary
    }

    /// A date of death relative to the seed day (`today-5`), as a dateTime at midnight UTC, so a
    /// "died within the access period" patient stays so whenever the data is seeded.
    static func relativeInstant(_ value: String?) -> String? {
        guard let value, value.hasPrefix("today") else { return value }
        let offset = Int(value.dropFirst(5).replacingOccurrences(of: "+", with: "")) ?? 0
        return ClinicalDate.adding(days: offset, to: ISO8601.day(Date())) + "T00:00:00+00:00"
    }
}
