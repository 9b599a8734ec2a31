import ArgumentParser
import Foundation
import GPConnectBench
import GPConnectContract
import GPConnectStorage

/// `gpconnect seed --population N --practices M [--seed S]`: a generated population beside the reference data.
struct PopulationOptions: ParsableArguments {
    @Option(name: .long, help: "Also generate this many synthetic patients (deterministic; see --seed), with their records.")
    var population: Int?

    @Option(name: .long, help: "Generated practices the --population patients are spread over.")
    var practices = 10

    @Option(name: .long, help: "Seed of the population's random generator: the same seed and day give the same population.")
    var seed: UInt64 = 15

    @Option(name: .long, help: "The day the population's dates count back from (yyyy-MM-dd; default today, UTC).")
    var today: String?

    @Option(name: .long, help: "Patients written per transaction.")
    var batch = 1_000

    func run(storage: Storage, path: String) async throws {
        guard let population else { return }
        let day = today ?? ISO8601.day(Date())
        let summary = try await storage.seedPopulation(
            patients: population, practices: practices, seed: seed, today: day, batchSize: batch
        ) { progress in
            let percent = progress.patientsTotal > 0 ? 100 * progress.patientsDone / progress.patientsTotal : 100
            let left = progress.rate > 0 ? Double(progress.patientsTotal - progress.patientsDone) / progress.rate : 0
            FileHandle.standardError.write(
                Data(
                    "\r\(progress.patientsDone)/\(progress.patientsTotal) patients (\(percent) %), \(Int(progress.rate)) patients/s, \(progress.itemsDone) items, \(Int(left)) s to go   "
                        .utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("\(path): generated \(summary) (seed \(seed), day \(day))")
        print(String(format: "rate: %.0f patients/s (%.1f s)", summary.rate, summary.seconds))
        if let size = try await storage.databaseSize() {
            let total = population > 0 ? size / max(1, population) : 0
            print("database size: \(size / 1_048_576) MiB, \(total) bytes per generated patient (whole database / generated patients)")
        }
    }
}

/// `gpconnect bench --population N --practices M [--seed S --today D]`: the generated population the
/// server holds (the same plan as `seed`), whose median patient the growth scenarios read.
struct BenchPopulationOptions: ParsableArguments {
    @Option(name: .customLong("population"), help: "Patients of the generated population the server holds.")
    var patients: Int?

    @Option(name: .customLong("practices"), help: "Practices of that population.")
    var practices = 10

    @Option(name: .customLong("seed"), help: "Seed of that population.")
    var seed: UInt64 = 15

    @Option(name: .customLong("today"), help: "Day of that population (yyyy-MM-dd; default today, UTC).")
    var today: String?

    @Option(name: .customLong("population-spread"), help: "Patients across every practice the spread growth scenarios read in turn.")
    var spread = 1_000

    /// The patients the spread scenarios read in turn.
    func spreadPatients() -> [BenchPopulationPatient] {
        guard let patients else { return [] }
        return Storage.spreadGeneratedPatients(
            patients: patients, practices: practices, seed: seed, today: today ?? ISO8601.day(Date()), count: spread
        ).map {
            BenchPopulationPatient(
                practiceODS: $0.practiceODS, practiceASID: $0.practiceASID, patientID: $0.patientID, nhsNumber: $0.nhsNumber)
        }
    }

    func patient() -> BenchPopulationPatient? {
        guard let patients else { return nil }
        guard
            let found = Storage.medianGeneratedPatient(
                patients: patients, practices: practices, seed: seed, today: today ?? ISO8601.day(Date()))
        else { return nil }
        print(
            "Growth scenarios: practice \(found.practiceODS), patient \(found.patientID) (\(found.clinicalItems) clinical items, the median)"
        )
        return BenchPopulationPatient(
            practiceODS: found.practiceODS, practiceASID: found.practiceASID, patientID: found.patientID, nhsNumber: found.nhsNumber)
    }
}
