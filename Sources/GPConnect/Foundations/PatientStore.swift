public import GPConnectContract

/// The practice's patient index.
public protocol PatientStore: Sendable {
    func patient(practice: String, id: String) async throws -> PatientRecord?
    func patients(practice: String, nhsNumber: NHSNumber) async throws -> [PatientRecord]

    /// Writes a patient only if the stored version is still `expectedVersion` (nil: only if no
    /// patient with that id or NHS number exists at the practice yet).
    ///
    /// This conditional write is what keeps two concurrent registrations of one person from both
    /// succeeding, in one process or several.
    ///
    /// - Throws: ``StoreError/conflict`` when the condition does not hold.
    func savePatient(_ patient: PatientRecord, practice: String, expectedVersion: String?) async throws

    /// The next free logical id for a new patient at the practice.
    func nextPatientID(practice: String) async throws -> String
}
