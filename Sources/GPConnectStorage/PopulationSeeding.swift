import Foundation
import GPConnect
import GPConnectContract
import GPConnectSQL
import GPConnectSeed

/// How far a population seed has got (for the progress display).
public struct PopulationProgress: Sendable {
    public var patientsDone: Int
    public var patientsTotal: Int
    public var itemsDone: Int
    public var seconds: Double

    public var rate: Double { seconds > 0 ? Double(patientsDone) / seconds : 0 }
}

/// What a population seed wrote.
public struct PopulationSummary: Sendable, CustomStringConvertible {
    public var practices: Int
    public var patients: Int
    public var clinicalItems: Int
    public var documents: Int
    public var seconds: Double

    public var rate: Double { seconds > 0 ? Double(patients) / seconds : 0 }

    public var description: String {
        "\(practices) practices, \(patients) patients, \(clinicalItems) clinical items, \(documents) documents"
    }
}

extension Storage {
    /// Generates a deterministic synthetic population (see `Population` in GPConnectSeed) and
    /// writes it: the practices and their directories through the directory port, then the
    /// patients, their PDS records and clinical records in batches of `batchSize` patients, one
    /// transaction each, each batch generated while the one before is written; the few documents
    /// are filed through the Documents use case after their patient's batch.
    ///
    /// Refuses a database that already holds the population's first practice.
    public func seedPopulation(
        patients: Int, practices: Int, seed: UInt64, today: String, batchSize: Int = 1_000,
        progress: @Sendable (PopulationProgress) -> Void = { _ in }
    ) async throws -> PopulationSummary {
        guard patients >= 0, patients <= PopulationPlan.maximumPatients else {
            throw PopulationError("--population must be between 0 and \(PopulationPlan.maximumPatients)")
        }
        guard practices >= 1, practices <= PopulationPlan.maximumPractices else {
            throw PopulationError("--practices must be between 1 and \(PopulationPlan.maximumPractices)")
        }
        guard let day = FHIRDate(today), day.precision == .day else { throw PopulationError("--today must be a day (yyyy-MM-dd)") }
        let started = Date()
        let population = Population(plan: PopulationPlan(patients: patients, practices: practices, seed: seed, today: today))
        if let first = population.practices.first, try await stores.directory.practice(ods: first.practice.ods) != nil {
            throw PopulationError(
                "the database already holds generated practice \(first.practice.ods): seed a population into an empty database")
        }
        for generated in population.practices {
            let ods = generated.practice.ods
            try await stores.directory.savePractice(generated.practice)
            for organization in generated.organizations { try await stores.directory.saveOrganization(organization, practice: ods) }
            for practitioner in generated.practitioners { try await stores.directory.savePractitioner(practitioner, practice: ods) }
            for location in generated.locations { try await stores.directory.saveLocation(location, practice: ods) }
        }
        let writer = SQLPopulationWriter(database: database)
        let size = max(1, batchSize)
        let batches = stride(from: 0, to: patients, by: size).map { $0..<min(patients, $0 + size) }
        @Sendable func prepare(_ range: Range<Int>) async throws -> (SQLPopulationWriter.Batch, [GeneratedPatient]) {
            // Two halves at once: generating and encoding is most of the work on SQLite.
            let middle = range.lowerBound + range.count / 2
            async let first = population.patients(range.lowerBound..<middle)
            async let second = population.patients(middle..<range.upperBound)
            let generated = await first + second
            let batch = try SQLPopulationWriter.Batch(
                generated.map {
                    SQLPopulationWriter.Patient(practice: $0.practice, record: $0.record, demographics: $0.demographics, items: $0.items)
                })
            return (batch, generated.filter(\.hasDocument))
        }
        var summary = PopulationSummary(practices: population.practices.count, patients: 0, clinicalItems: 0, documents: 0, seconds: 0)
        var next = batches.first.map { range in Task { try await prepare(range) } }
        var index = 0
        let documentDay = ISO8601DateFormatter().date(from: today + "T12:00:00Z") ?? started
        while let pending = next {
            let (batch, withDocuments) = try await pending.value
            index += 1
            next = index < batches.count ? Task { [range = batches[index]] in try await prepare(range) } : nil
            try await writer.write(batch)
            for patient in withDocuments {
                let practice = population.practices[population.practiceIndex(ofPatient: patient.index)].practice
                try await PopulationDocuments.file(for: patient, practice: practice, stores: stores, now: documentDay)
                summary.documents += 1
            }
            summary.patients += batch.patientCount
            summary.clinicalItems += batch.itemCount
            progress(
                PopulationProgress(
                    patientsDone: summary.patients, patientsTotal: patients, itemsDone: summary.clinicalItems,
                    seconds: Date().timeIntervalSince(started)))
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The database's size in bytes: SQLite's pages in use, or PostgreSQL's `pg_database_size`.
    public func databaseSize() async throws -> Int? {
        switch database.dialect {
        case .sqlite:
            let count = try await database.read("PRAGMA page_count").first?.integer("page_count")
            let size = try await database.read("PRAGMA page_size").first?.integer("page_size")
            return count.flatMap { count in size.map { count * $0 } }
        case .postgres:
            return try await database.read("SELECT pg_database_size(current_database()) AS size").first?.integer("size")
        }
    }
}

/// A population seed that cannot run as asked.
public struct PopulationError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}

/// One patient of a generated population, as a benchmark addresses them.
public struct GeneratedPatientReference: Sendable {
    public var practiceODS: String
    public var practiceASID: String
    public var patientID: String
    public var nhsNumber: String
    public var clinicalItems: Int
}

extension Storage {
    /// The median patient by record size of the first practice of the population a plan
    /// generates (regenerated, not read: the plan decides the data), for the growth benchmark.
    public static func medianGeneratedPatient(patients: Int, practices: Int, seed: UInt64, today: String) -> GeneratedPatientReference? {
        let population = Population(plan: PopulationPlan(patients: patients, practices: practices, seed: seed, today: today))
        guard let practice = population.practices.first, practice.patientCount > 0 else { return nil }
        let sized = (practice.firstPatient..<(practice.firstPatient + practice.patientCount)).map { index in
            let patient = population.patient(index)
            return (patient.record.id, patient.record.nhsNumber.value, patient.items.count)
        }
        .sorted { ($0.2, $0.0) < ($1.2, $1.0) }
        let median = sized[sized.count / 2]
        return GeneratedPatientReference(
            practiceODS: practice.practice.ods, practiceASID: practice.practice.asid, patientID: median.0, nhsNumber: median.1,
            clinicalItems: median.2)
    }
}

extension Storage {
    /// `count` patients spread evenly over the whole population a plan generates (every practice,
    /// first to last), for growth scenarios that do not read one patient's hot pages only. Their
    /// ids and NHS numbers follow from their place in the population; no record is generated
    /// (`clinicalItems` is 0).
    public static func spreadGeneratedPatients(patients: Int, practices: Int, seed: UInt64, today: String, count: Int)
        -> [GeneratedPatientReference]
    {
        let population = Population(plan: PopulationPlan(patients: patients, practices: practices, seed: seed, today: today))
        guard patients > 0, count > 0 else { return [] }
        return (0..<min(count, patients)).map { step in
            let index = step * patients / min(count, patients)
            let practice = population.practices[population.practiceIndex(ofPatient: index)]
            return GeneratedPatientReference(
                practiceODS: practice.practice.ods, practiceASID: practice.practice.asid,
                patientID: String(index - practice.firstPatient + 1), nhsNumber: Population.nhsNumber(index).value, clinicalItems: 0)
        }
    }
}
