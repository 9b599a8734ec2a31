import FHIR
import GPConnectContract

/// A patient of a generated population (`gpconnect seed --population`), the one the growth
/// scenarios read: normally the median patient by record size of the first generated practice.
public struct BenchPopulationPatient: Sendable {
    public var practiceODS: String
    public var practiceASID: String
    public var patientID: String
    public var nhsNumber: String

    public init(practiceODS: String, practiceASID: String, patientID: String, nhsNumber: String) {
        self.practiceODS = practiceODS
        self.practiceASID = practiceASID
        self.patientID = patientID
        self.nhsNumber = nhsNumber
    }
}

extension Benchmark {
    /// Every clinical area of the structured record, resolved allergies included.
    static var everyArea: [StructuredRecordParameters.Parameter] {
        [
            .allergies(includeResolved: true), .medication(), .init(.consultations), .init(.problems), .init(.immunisations),
            .init(.uncategorised), .init(.investigations), .init(.referrals), .init(.diary),
        ]
    }

    /// Growth: Patient read, Patient search and the structured record (every area) of a generated
    /// patient, to compare a small population with a large one.
    func populationScenarios() -> [BenchScenario] {
        guard let patient = population else { return [] }
        let requests = BenchRequests(base: base, practiceODS: patient.practiceODS)
        let asid = patient.practiceASID
        typealias Parameters = StructuredRecordParameters
        return [
            BenchRequests.get(
                "Population: Patient read", requests.url(.readPatient, id: patient.patientID), .readPatient, toASID: asid),
            BenchRequests.get(
                "Population: Patient search",
                requests.url(.searchPatient, query: [("identifier", IdentifierSystem.nhsNumber + "|" + patient.nhsNumber)]),
                .searchPatient, toASID: asid),
            BenchRequests.post(
                "Population: median patient every area", requests.url(.getStructuredRecord), .getStructuredRecord,
                Parameters(nhsNumber: patient.nhsNumber, parameters: Self.everyArea).fhir, toASID: asid),
        ]
    }
}
