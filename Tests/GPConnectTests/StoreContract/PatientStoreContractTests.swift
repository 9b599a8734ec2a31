import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `PatientStore`: the practice's patient index. Foundations reads and finds patients
/// (`read:patient-1`, `search:patient-1`) and registers them (`register:patient-1`); the
/// conformance pack's `RegisterPatient` scenarios include registering a patient already
/// registered, which the conditional write turns into a conflict.
@Suite("Store contract: patients")
struct PatientStoreContractTests {
    @Test(arguments: Backend.configured)
    func aSavedPatientReadsBackWholeByIdAndByNHSNumberWithinItsPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let patient = Fixture.patient(id: "900")
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "900") == nil)
            try await stores.patients.savePatient(patient, practice: Fixture.practice, expectedVersion: nil)
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "900") == patient)
            #expect(try await stores.patients.patients(practice: Fixture.practice, nhsNumber: patient.nhsNumber) == [patient])
            #expect(try await stores.patients.patient(practice: Fixture.otherPractice, id: "900") == nil)
            #expect(try await stores.patients.patients(practice: Fixture.otherPractice, nhsNumber: patient.nhsNumber).isEmpty)
            #expect(try await stores.patients.patients(practice: Fixture.practice, nhsNumber: NHSNumber("9690937286")!).isEmpty)
        }
    }

    @Test(arguments: Backend.configured)
    func conditionalWritesRefuseDuplicatesAndStaleVersions(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let patient = Fixture.patient(id: "900")
            try await stores.patients.savePatient(patient, practice: Fixture.practice, expectedVersion: nil)
            // The same id, or the same NHS number under another id, cannot be inserted twice.
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(patient, practice: Fixture.practice, expectedVersion: nil)
            }
            var sameID = Fixture.patient(id: "900", nhsNumber: "9690937286", family: "OTHER")
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(sameID, practice: Fixture.practice, expectedVersion: nil)
            }
            var samePerson = patient
            samePerson.id = "901"
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(samePerson, practice: Fixture.practice, expectedVersion: nil)
            }
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "900") == patient, "a refused write changes nothing")
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "901") == nil)
            // Another practice may hold the same person, under the same id or another.
            try await stores.patients.savePatient(samePerson, practice: Fixture.otherPractice, expectedVersion: nil)
            sameID.id = "900"
            try await stores.patients.savePatient(sameID, practice: Fixture.otherPractice, expectedVersion: nil)
            #expect(try await stores.patients.patient(practice: Fixture.otherPractice, id: "900") == sameID)

            // An update must name the version it read.
            var updated = patient
            updated.version = "2"
            updated.name.family = "REA-SMITH"
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(updated, practice: Fixture.practice, expectedVersion: "7")
            }
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "900") == patient)
            try await stores.patients.savePatient(updated, practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "900") == updated)
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(updated, practice: Fixture.practice, expectedVersion: "1")
            }
            // An update of a patient that does not exist (here, or only at another practice) is a conflict too.
            var stranger = Fixture.patient(id: "950", nhsNumber: "9476718943")
            stranger.version = "2"
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(stranger, practice: Fixture.practice, expectedVersion: "1")
            }
            await #expect(throws: StoreError.conflict) {
                try await stores.patients.savePatient(updated, practice: Fixture.otherPractice, expectedVersion: "9")
            }
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: "950") == nil)
        }
    }

    @Test(arguments: Backend.configured)
    func anUpdateMovesTheNHSNumberIndex(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let patient = Fixture.patient(id: "900")
            try await stores.patients.savePatient(patient, practice: Fixture.practice, expectedVersion: nil)
            var corrected = Fixture.patient(id: "900", nhsNumber: "9690937286", version: "2")
            corrected.nhsNumberVerification = "02"
            try await stores.patients.savePatient(corrected, practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.patients.patients(practice: Fixture.practice, nhsNumber: patient.nhsNumber).isEmpty)
            #expect(try await stores.patients.patients(practice: Fixture.practice, nhsNumber: corrected.nhsNumber) == [corrected])
            // The old NHS number is free again for a new registration.
            try await stores.patients.savePatient(Fixture.patient(id: "901"), practice: Fixture.practice, expectedVersion: nil)
            #expect(try await stores.patients.patients(practice: Fixture.practice, nhsNumber: patient.nhsNumber).map(\.id) == ["901"])
        }
    }

    /// Two provider instances registering one person at once: the conditional write lets one win.
    @Test(arguments: Backend.configured)
    func concurrentRegistrationsOfOnePersonSucceedOnce(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    let stores = instances[index % 2].stores
                    group.addTask {
                        do {
                            try await stores.patients.savePatient(
                                Fixture.patient(id: String(100 + index)), practice: Fixture.practice, expectedVersion: nil)
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let stored = try await instances[0].stores.patients.patients(practice: Fixture.practice, nhsNumber: NHSNumber("9651258500")!)
            #expect(stored.count == 1)
        }
    }

    /// Two concurrent updates from the same read: one wins, the other is told the version moved.
    @Test(arguments: Backend.configured)
    func concurrentUpdatesFromOneVersionSucceedOnce(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            try await instances[0].stores.patients.savePatient(Fixture.patient(id: "900"), practice: Fixture.practice, expectedVersion: nil)
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<12 {
                    let stores = instances[index % 2].stores
                    group.addTask {
                        let update = Fixture.patient(id: "900", family: "WRITER\(index)", version: "2")
                        do {
                            try await stores.patients.savePatient(update, practice: Fixture.practice, expectedVersion: "1")
                            return update.name.family
                        } catch StoreError.conflict {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { if let family = $1 { $0.append(family) } }
            }
            #expect(winners.count == 1)
            let stored = try await instances[1].stores.patients.patient(practice: Fixture.practice, id: "900")
            #expect(stored?.version == "2")
            #expect(stored?.name.family == winners.first)
        }
    }

    @Test(arguments: Backend.configured)
    func nextPatientIDStartsAfterTheHighestIdInUseAndNeverRepeats(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            for (id, nhs) in [("5", "9651258500"), ("21", "9690937286"), ("3", "9476718943")] {
                try await stores.patients.savePatient(
                    Fixture.patient(id: id, nhsNumber: nhs), practice: Fixture.practice, expectedVersion: nil)
            }
            let first = try await stores.patients.nextPatientID(practice: Fixture.practice)
            #expect(Int(first).map { $0 > 21 } == true, "new ids never reuse the ones in use: \(first)")
            let second = try await stores.patients.nextPatientID(practice: Fixture.practice)
            #expect(Int(second).map { $0 > Int(first)! } == true, "\(second) after \(first)")
            // Each practice counts on its own.
            let elsewhere = try await stores.patients.nextPatientID(practice: Fixture.otherPractice)
            #expect(Int(elsewhere) != nil)
            #expect(try await stores.patients.patient(practice: Fixture.otherPractice, id: elsewhere) == nil)
            let third = try await stores.patients.nextPatientID(practice: Fixture.practice)
            #expect(Int(third).map { $0 > Int(second)! } == true, "another practice's ids do not use up this one's")
        }
    }

    /// A patient may hold any FHIR logical id (`[A-Za-z0-9\-\.]{1,64}`); new ids still count
    /// on from the highest numeric one.
    @Test(arguments: Backend.configured)
    func nextPatientIDCountsOnFromTheHighestNumericIdWhateverOtherIdsExist(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            for (id, nhs) in [("7", "9651258500"), ("temp-1.a", "9690937286"), ("99999999999", "9476718943")] {
                try await stores.patients.savePatient(
                    Fixture.patient(id: id, nhsNumber: nhs), practice: Fixture.practice, expectedVersion: nil)
            }
            let next = try await stores.patients.nextPatientID(practice: Fixture.practice)
            #expect(Int(next).map { $0 > 99_999_999_999 } == true, "\(next) is after every id in use")
            #expect(try await stores.patients.patient(practice: Fixture.practice, id: next) == nil)
        }
    }

    @Test(arguments: Backend.configured)
    func patientIDsAreUniqueUnderConcurrency(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            try await instances[0].stores.patients.savePatient(Fixture.patient(id: "21"), practice: Fixture.practice, expectedVersion: nil)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 {
                    let stores = instances[index % 2].stores
                    group.addTask { try await stores.patients.nextPatientID(practice: Fixture.practice) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 50)
            #expect(ids.allSatisfy { (Int($0) ?? 0) > 21 }, "new ids never reuse the ones in use")
        }
    }
}
