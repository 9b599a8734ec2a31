import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectSQL
import GPConnectSQLite
import GPConnectSeed
import GPConnectServer
import GPConnectStorage
import GPConnectTestSupport
import HTTPTypes
import Testing

/// `gpconnect seed --population`: the generated population is deterministic, its NHS numbers are
/// valid and unique and clash with no reference patient, and a generated patient's record goes
/// through the real structured-record path (HTTP, the provider, SQLite or PostgreSQL) and passes
/// the profile checks.
@Suite("Generated population")
struct PopulationTests {
    static let day = "2026-06-01"
    static let plan = PopulationPlan(patients: 200, practices: 3, seed: 42, today: day)

    @Test("The same seed gives the same population; another seed another one")
    func deterministic() {
        let first = Population(plan: Self.plan)
        let again = Population(plan: Self.plan)
        let other = Population(plan: PopulationPlan(patients: 200, practices: 3, seed: 43, today: Self.day))
        #expect(first.practices.map(\.patientCount) == again.practices.map(\.patientCount))
        #expect(first.practices.map(\.patientCount).reduce(0, +) == 200)
        var differ = 0
        for index in [0, 1, 57, 120, 199] {
            let a = first.patient(index)
            let b = again.patient(index)
            #expect(a.record == b.record)
            #expect(a.demographics == b.demographics)
            #expect(a.items.map(\.json) == b.items.map(\.json))
            #expect(a.items.map(\.id) == b.items.map(\.id))
            let c = other.patient(index)
            #expect(c.record.nhsNumber == a.record.nhsNumber, "the NHS number is the patient's index, not drawn")
            if c.record.name != a.record.name || c.record.birthDate != a.record.birthDate || c.items.count != a.items.count { differ += 1 }
        }
        #expect(differ >= 4)
    }

    @Test("NHS numbers are valid, unique and outside every reference range")
    func nhsNumbers() async throws {
        let population = Population(plan: Self.plan)
        let numbers = (0..<200).map { population.patient($0).record.nhsNumber.value }
        #expect(Set(numbers).count == 200)
        #expect(numbers.allSatisfy { NHSNumber.isValid($0) && $0.hasPrefix("97") })
        // Far along the range too: index 4,999,999 is the last allowed.
        for index in [0, 1, 2, 3, 10, 999_999, 4_999_999] { #expect(NHSNumber.isValid(Population.nhsNumber(index).value)) }
        #expect(Population.nhsNumber(4_999_999).value < "9800000000")
        let reference = try await referenceNHSNumbers()
        #expect(!reference.isEmpty)
        #expect(reference.isDisjoint(with: numbers))
        #expect(population.practices.allSatisfy { $0.practice.ods.hasPrefix("X7") && $0.practice.ods.count == 6 })
    }

    @Test("Ages, sexes and records look like a practice's list")
    func shape() {
        let population = Population(plan: PopulationPlan(patients: 2_000, practices: 2, seed: 7, today: Self.day))
        let patients = population.patients(0..<2_000)
        let ages = patients.map { ClinicalDate.days(from: $0.record.birthDate, to: Self.day) / 365 }
        let children = ages.filter { $0 < 16 }.count
        let old = ages.filter { $0 >= 65 }.count
        #expect((300...480).contains(children), "about 18 % under 16: \(children)")
        #expect((300...480).contains(old), "about 19 % 65 and over: \(old)")
        let women = patients.filter { $0.record.gender == "female" }.count
        #expect((900...1_130).contains(women))
        let hypertensive = patients.filter { $0.items.contains { $0.json.contains("59621000") && $0.kind == .problem } }
        #expect((150...450).contains(hypertensive.count), "hypertension: \(hypertensive.count)")
        #expect(patients.allSatisfy { p in p.items.allSatisfy { $0.patientID == p.record.id } })
        let mean = Double(patients.map(\.items.count).reduce(0, +)) / 2_000
        #expect((8...60).contains(mean), "mean items per patient: \(mean)")
    }

    @Test("Re-seeding an empty SQLite database with the same seed writes the same rows")
    func sameRows() async throws {
        let first = try await seededDatabase(seed: 42)
        let second = try await seededDatabase(seed: 42)
        let a = try await rows(first)
        let b = try await rows(second)
        #expect(a.count > 200)
        #expect(a == b)
        // A second run into the same database is refused, not half re-written.
        let storage = try await Storage.open(first)
        await #expect(throws: PopulationError.self) {
            _ = try await storage.seedPopulation(patients: 200, practices: 3, seed: 42, today: Self.day)
        }
        await storage.close()
    }

    @Test("A generated patient's structured record, Patient read and search answer 200 through HTTP on SQLite")
    func structuredRecordSQLite() async throws {
        let path = try await TestServer.freshDatabase()
        let storage = try await Storage.open(path)
        _ = try await storage.seedPopulation(patients: 200, practices: 3, seed: 42, today: ISO8601.day(Date()))
        await storage.close()
        try await TestServer.run(configure: { $0.databasePath = path }) { client in
            try await Self.checkGeneratedPatient(client)
        }
    }

    @Test(
        "A generated patient's structured record answers 200 through HTTP on PostgreSQL",
        .enabled(if: TestPostgres.available, "GPCONNECT_TEST_POSTGRES is not set"))
    func structuredRecordPostgres() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        do {
            let storage = try await Storage.open(url)
            let summary = try await storage.seedPopulation(patients: 200, practices: 3, seed: 42, today: ISO8601.day(Date()))
            #expect(summary.patients == 200)
            await storage.close()
            try await TestServer.run(configure: { $0.databasePath = url }) { client in
                try await Self.checkGeneratedPatient(client)
            }
        } catch {
            try? await TestPostgres.dropDatabase(url: url)
            throw error
        }
        try await TestPostgres.dropDatabase(url: url)
    }

    /// The median patient by record size, among the first practice's: Patient search finds them,
    /// Patient read returns them, and every area of the structured record is answered and conforms.
    static func checkGeneratedPatient(_ client: Client) async throws {
        let population = Population(plan: PopulationPlan(patients: 200, practices: 3, seed: 42, today: ISO8601.day(Date())))
        let practice = population.practices[0]
        let patients = population.patients(practice.firstPatient..<(practice.firstPatient + practice.patientCount))
            .sorted { $0.items.count < $1.items.count }
        let median = try #require(patients.isEmpty ? nil : patients[patients.count / 2])
        #expect(median.items.count > 0)
        let ods = practice.practice.ods
        let to: (inout HTTPFields) -> Void = { $0[HTTPField.Name(HeaderName.to)!] = practice.practice.asid }
        let nhs = median.record.nhsNumber.value

        let search = try await client.request(
            .searchPatient, "Patient?identifier=\(IdentifierSystem.nhsNumber)%7C\(nhs)", ods: ods, headers: to)
        #expect(search.status == 200)
        #expect(search.entries.count == 1)
        #expect(search.entries.first?["id"]?.string == median.record.id)

        let read = try await client.request(.readPatient, "Patient/\(median.record.id)", ods: ods, headers: to)
        #expect(read.status == 200)
        #expect(read.resource?["birthDate"]?.string == median.record.birthDate)

        let record = try await client.request(
            .getStructuredRecord, "Patient/$gpc.getstructuredrecord", ods: ods, headers: to,
            body: Structured.body(nhs, Structured.everyArea))
        #expect(record.status == 200, "\(record.spineCode ?? "")")
        let types = record.entries.compactMap { $0["resourceType"]?.string }
        #expect(types.contains("Patient"))
        #expect(types.contains("List"))
        #expect(types.filter { $0 != "Patient" && $0 != "Organization" && $0 != "Practitioner" && $0 != "PractitionerRole" }.count > 1)
    }

    /// Every NHS number of the reference data set (registered patients and the PDS pool).
    func referenceNHSNumbers() async throws -> Set<String> {
        let database = try await GPConnectSQLiteDatabase.open(path: try await TestServer.freshDatabase())
        let rows = try await database.read("SELECT nhs_number FROM patients UNION SELECT nhs_number FROM demographics")
        await database.close()
        return Set(rows.compactMap { $0.text("nhs_number") })
    }

    func seededDatabase(seed: UInt64) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-population-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("population.sqlite").path
        let storage = try await Storage.open(path)
        let summary = try await storage.seedPopulation(patients: 200, practices: 3, seed: seed, today: Self.day, batchSize: 64)
        #expect(summary.patients == 200)
        #expect(summary.clinicalItems > 1_000)
        await storage.close()
        return path
    }

    func rows(_ path: String) async throws -> [String] {
        let database = try await GPConnectSQLiteDatabase.open(path: path)
        var rows: [String] = []
        for row in try await database.read("SELECT practice, id, nhs_number, record FROM patients ORDER BY practice, id") {
            rows.append(
                [row.text("practice"), row.text("id"), row.text("nhs_number"), row.text("record")].compactMap { $0 }.joined(separator: "|"))
        }
        for row in try await database.read("SELECT practice, id, patient_id, refs, resource FROM clinical_items ORDER BY practice, id") {
            rows.append(
                [row.text("practice"), row.text("id"), row.text("patient_id"), row.text("refs"), row.text("resource")].compactMap { $0 }
                    .joined(separator: "|"))
        }
        for row in try await database.read("SELECT practice, id, record FROM practitioners ORDER BY practice, id") {
            rows.append([row.text("practice"), row.text("id"), row.text("record")].compactMap { $0 }.joined(separator: "|"))
        }
        await database.close()
        return rows
    }
}
