import FHIR
import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `ClinicalRecordStore`: the items every GP Connect Access Record: Structured response is a
/// view of (`gpc.getstructuredrecord`, the conformance pack's `AccessRecordStructured`
/// scenarios), the record state that produces list warnings (record in transit, data awaiting
/// filing) and the clinical areas a practice has switched off.
@Suite("Store contract: clinical record")
struct ClinicalRecordStoreContractTests {
    @Test(arguments: Backend.configured)
    func savedItemsReadBackItemForItemPerPatientAndPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let items = [
                Fixture.clinicalItem("p3", patientID: "2", references: ["Condition/p1"]),
                Fixture.clinicalItem("a1", patientID: "2", kind: .allergy, status: "resolved", confidentiality: .confidential),
                Fixture.clinicalItem("p1", patientID: "2", status: nil, confidentiality: .sensitive),
            ]
            let otherPatient = Fixture.clinicalItem("x1", patientID: "3", kind: .immunization, status: "given")
            try await stores.clinical.save(items + [otherPatient], practice: Fixture.practice)
            let elsewhere = Fixture.clinicalItem("p1", patientID: "2", kind: .document, status: "current")
            try await stores.clinical.save([elsewhere], practice: Fixture.otherPractice)

            let read = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            #expect(read.map(\.id) == ["a1", "p1", "p3"], "items come back in a stable order")
            for (stored, saved) in zip(read, items.sorted { $0.id < $1.id }) {
                #expect(stored.patientID == saved.patientID && stored.kind == saved.kind && stored.status == saved.status)
                #expect(stored.start == saved.start && stored.end == saved.end && stored.confidentiality == saved.confidentiality)
                #expect(stored.references == saved.references)
                #expect(try stored.resource() == saved.resource(), "the body is the one saved")
                #expect(stored.json == saved.json)
            }
            #expect(try await stores.clinical.items(practice: Fixture.practice, patientID: "3").map(\.id) == ["x1"])
            let theirs = try await stores.clinical.items(practice: Fixture.otherPractice, patientID: "2")
            #expect(theirs.map(\.kind) == [.document], "an item id is only meaningful under its practice")
            #expect(try await stores.clinical.items(practice: Fixture.otherPractice, patientID: "3").isEmpty)
            #expect(try await stores.clinical.items(practice: Fixture.practice, patientID: "1").isEmpty)
        }
    }

    @Test(arguments: Backend.configured)
    func savingAnItemAgainReplacesIt(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            try await stores.clinical.save(
                [Fixture.clinicalItem("p1", patientID: "2"), Fixture.clinicalItem("p2", patientID: "2")], practice: Fixture.practice)
            let resolved = Fixture.clinicalItem(
                "p1", patientID: "2", status: "inactive", confidentiality: .confidential, references: ["Encounter/e1"])
            try await stores.clinical.save([resolved], practice: Fixture.practice)
            let read = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            #expect(read.count == 2)
            let reread = try #require(read.first { $0.id == "p1" })
            #expect(reread.status == "inactive" && reread.confidentiality == .confidential)
            #expect(reread.references == ["Encounter/e1", "Patient/2"])
            #expect(reread.json == resolved.json)
        }
    }

    /// The index is the items without their bodies; bodies come by id, for one patient only.
    @Test(arguments: Backend.configured)
    func theIndexIsTheItemsWithoutBodiesAndBodiesComeByIdPerPatient(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let items = (0..<450).map {
                Fixture.clinicalItem(String(format: "o%03d", $0), patientID: "2", kind: .observation, references: ["Observation/o000"])
            }
            try await stores.clinical.save(items, practice: Fixture.practice)
            try await stores.clinical.save([Fixture.clinicalItem("theirs", patientID: "3")], practice: Fixture.practice)
            let full = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            let index = try await stores.clinical.itemIndex(practice: Fixture.practice, patientID: "2")
            #expect(index.map(\.id) == full.map(\.id))
            #expect(index.allSatisfy { $0.body == .deferred })
            #expect(index.map(\.references) == full.map(\.references))
            #expect(
                index.map(\.status) == full.map(\.status) && index.map(\.kind) == full.map(\.kind)
                    && index.map(\.start) == full.map(\.start))
            #expect(throws: StoreError.self) { try index[0].resource() }

            // More ids than one statement binds: every body still comes back.
            let bodies = try await stores.clinical.bodies(
                practice: Fixture.practice, patientID: "2", ids: items.map(\.id) + ["no-such-item", "theirs"])
            #expect(bodies.count == 450)
            #expect(bodies == Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0.json) }))
            #expect(
                try await stores.clinical.bodies(practice: Fixture.practice, patientID: "3", ids: ["o001", "theirs"]).keys.sorted() == [
                    "theirs"
                ], "bodies are per patient")
            #expect(
                try await stores.clinical.bodies(practice: Fixture.otherPractice, patientID: "2", ids: ["o001"]).isEmpty, "and per practice"
            )
            #expect(try await stores.clinical.bodies(practice: Fixture.practice, patientID: "2", ids: []).isEmpty)
        }
    }

    /// Saving is one transaction: an item without a body refuses the whole save.
    @Test(arguments: Backend.configured)
    func savingAnItemWithoutItsBodyIsRefusedAndSavesNothing(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            try await stores.clinical.save([Fixture.clinicalItem("p1", patientID: "2")], practice: Fixture.practice)
            let index = try await stores.clinical.itemIndex(practice: Fixture.practice, patientID: "2")
            await #expect(throws: StoreError.self) {
                try await stores.clinical.save([Fixture.clinicalItem("p2", patientID: "2"), index[0]], practice: Fixture.practice)
            }
            let read = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            #expect(read.map(\.id) == ["p1"])
            #expect(read.first?.json == Fixture.clinicalItem("p1", patientID: "2").json, "the stored body is not blanked")
        }
    }

    @Test(arguments: Backend.configured)
    func recordStateRoundTripsPerPatientAndDefaultsToNoWarnings(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            #expect(try await stores.clinical.recordState(practice: Fixture.practice, patientID: "13") == ClinicalRecordState())
            let transit = ClinicalRecordState(inTransitSince: "2026-10-01", awaitingFiling: [.medications, .allergies])
            try await stores.clinical.saveRecordState(transit, practice: Fixture.practice, patientID: "13")
            #expect(try await stores.clinical.recordState(practice: Fixture.practice, patientID: "13") == transit)
            #expect(try await stores.clinical.recordState(practice: Fixture.practice, patientID: "2") == ClinicalRecordState())
            #expect(try await stores.clinical.recordState(practice: Fixture.otherPractice, patientID: "13") == ClinicalRecordState())

            let filed = ClinicalRecordState(inTransitSince: nil, awaitingFiling: [.investigations])
            try await stores.clinical.saveRecordState(filed, practice: Fixture.practice, patientID: "13")
            #expect(try await stores.clinical.recordState(practice: Fixture.practice, patientID: "13") == filed)
        }
    }

    @Test(arguments: Backend.configured)
    func disabledAreasAreReplacedWholeAndKeptPerPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.practice).isEmpty)
            try await stores.clinical.setDisabledAreas([.immunisations, .referrals], practice: Fixture.practice)
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.practice) == [.immunisations, .referrals])
            try await stores.clinical.setDisabledAreas([.diary], practice: Fixture.otherPractice)
            try await stores.clinical.setDisabledAreas([.diary, .documents], practice: Fixture.practice)
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.practice) == [.diary, .documents])
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.otherPractice) == [.diary])
            try await stores.clinical.setDisabledAreas(Set(ClinicalArea.allCases), practice: Fixture.practice)
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.practice) == Set(ClinicalArea.allCases))
            try await stores.clinical.setDisabledAreas([], practice: Fixture.practice)
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.practice).isEmpty)
            #expect(try await stores.clinical.disabledAreas(practice: Fixture.otherPractice) == [.diary])
        }
    }

    /// The seeded reference record (patient 2 of the GP Connect test data) reads back through
    /// every backend alike: every kind of item, withheld items marked, links kept.
    @Test(arguments: Backend.configured)
    func theSeededReferenceRecordReadsBackWhole(_ backend: Backend) async throws {
        try await backend.withStores(seeded: true) { stores in
            let items = try await stores.clinical.items(practice: "B82617", patientID: "2")
            #expect(items.count > 50)
            #expect(Set(items.map(\.kind)) == Set(ClinicalItem.Kind.allCases), "patient2's record holds every kind of item")
            let withheld = items.filter { $0.confidentiality != .none }.map(\.id).sorted()
            #expect(withheld == ["doc2-3", "i2-3", "o2-3", "p2-3", "s2-3"], "the confidential report is a document")
            let statement = try #require(items.first { $0.id == "s2-2" })
            #expect(try statement.resource()["basedOn"]?.items.first?["reference"]?.string == "MedicationRequest/p2-2")
            #expect(statement.references.contains("Medication/m2-2"))
            let transit = try await stores.clinical.recordState(practice: "B82617", patientID: "13")
            #expect(transit.inTransitSince != nil)
            #expect(try await stores.clinical.items(practice: "A20047", patientID: "2").isEmpty, "records are per practice")
        }
    }
}
