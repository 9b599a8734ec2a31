public import Foundation
public import GPConnect
import GPConnectContract

/// The few documents of a generated population: one small clinic letter (PDF) for a patient,
/// filed through the Documents use case under an id derived from the patient, so its
/// identifiers are the same on every run.
public enum PopulationDocuments {
    /// Files the letter for `patient` at `practice`, `now` being the seed day.
    public static func file(for patient: GeneratedPatient, practice: Practice, stores: Stores, now: Date) async throws {
        let description = "Clinic letter"
        let bytes = DocumentFiles.pdf(title: description, lines: ["Synthetic clinic letter.", "For load testing only."])
        let filing = DocumentFiling(
            nhsNumber: patient.record.nhsNumber, contentType: "application/pdf", size: bytes.count,
            type: Code(system: "http://snomed.info/sct", code: "371530004", display: "Clinical consultation report"),
            description: description, created: ISO8601.instant(now.addingTimeInterval(-30 * 86_400)),
            authorOrganizationIDs: [practice.organizationID], reviewed: true, id: "\(patient.record.id)-doc1")
        try await Documents(stores: stores).file(filing, content: ByteChunks(bytes), practice: practice, now: now)
    }
}
