import AsyncHTTPClient
import FHIR
import GPConnectContract
import NIOCore
import NIOHTTP1
import Synchronization

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
        ] + spreadScenarios()
    }

    /// The same reads over many patients spread across every practice, each request the next
    /// patient: on a large database most of them are not in any cache.
    func spreadScenarios() -> [BenchScenario] {
        guard !populationSpread.isEmpty else { return [] }
        typealias Parameters = StructuredRecordParameters
        var reads: [SpreadRequest] = []
        var records: [SpreadRequest] = []
        for patient in populationSpread {
            let requests = BenchRequests(base: base, practiceODS: patient.practiceODS)
            let read = requests.url(.readPatient, id: patient.patientID)
            reads.append(
                SpreadRequest(
                    url: read, headers: BenchRequests.headers(.readPatient, audience: read, toASID: patient.practiceASID), body: nil))
            let structured = requests.url(.getStructuredRecord)
            records.append(
                SpreadRequest(
                    url: structured,
                    headers: BenchRequests.headers(.getStructuredRecord, audience: structured, toASID: patient.practiceASID),
                    body: FHIRJSON.encodeString(Parameters(nhsNumber: patient.nhsNumber, parameters: Self.everyArea).fhir)))
        }
        return [
            Self.spread("Population: Patient read, \(reads.count) patients in turn", reads),
            Self.spread("Population: every area, \(records.count) patients in turn", records),
        ]
    }

    struct SpreadRequest: Sendable {
        var url: String
        var headers: HTTPHeaders
        var body: String?
    }

    /// The requests one after another, across all workers.
    static func spread(_ name: String, _ requests: [SpreadRequest]) -> BenchScenario {
        let turn = Turn()
        return BenchScenario(name: name) { client, _ in
            let chosen = requests[turn.next(requests.count)]
            var request = HTTPClientRequest(url: chosen.url)
            request.headers = chosen.headers
            if let body = chosen.body {
                request.method = .POST
                request.body = .bytes(ByteBuffer(string: body))
            }
            return try await BenchRequests.timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 64 << 20)
                return response.status
            }
        }
    }

    /// A shared position in a list of requests.
    final class Turn: Sendable {
        let position = Atomic<Int>(0)

        func next(_ count: Int) -> Int { position.wrappingAdd(1, ordering: .relaxed).oldValue % count }
    }
}
