import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectContract
import NIOCore
import NIOHTTP1

/// Access Record HTML 0.7.4 (GP Connect 0.7.4, accessrecord_use_case_retrieve_a_care_record_section):
/// the summary and medications views of the rich reference patient and of the synthetic long record.
extension Benchmark {
    func careRecord(_ requests: BenchRequests) -> [BenchScenario] {
        let url = requests.url(.getCareRecord)
        return [
            ("patient2 SUM", BenchReference.patient2NHSNumber, CareRecordSection.summary),
            ("patient2 MED", BenchReference.patient2NHSNumber, .medications),
            ("long record SUM", longRecordNHSNumber, .summary),
            ("long record MED", longRecordNHSNumber, .medications),
        ].map { name, nhsNumber, section in
            var headers = BenchRequests.headers(.getCareRecord, audience: url)
            let token = DSTU2AuditToken(
                for: .getCareRecord, consumer: BenchRequests.consumer, nhsNumber: nhsNumber, organizationODS: BenchReference.practiceODS)
            headers.replaceOrAdd(name: HeaderName.authorization, value: "Bearer " + token.encode())
            headers.replaceOrAdd(name: "Accept", value: "application/json+fhir")
            headers.replaceOrAdd(name: "Content-Type", value: "application/json+fhir")
            let body = FHIRJSON.encodeString(CareRecordParameters(nhsNumber: nhsNumber, section: section).fhir)
            let sent = headers
            return BenchScenario(name: "HTML: " + name) { client, _ in
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers = sent
                request.body = .bytes(ByteBuffer(string: body))
                return try await BenchRequests.timed(.ok) {
                    let response = try await client.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 64 << 20)
                    return response.status
                }
            }
        }
    }
}
