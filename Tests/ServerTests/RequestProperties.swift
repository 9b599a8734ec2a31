import FHIR
import Foundation
import GPConnectContract
import HTTPTypes
import PropertyBased
import Testing

/// Random search parameters and mutated bodies through the real HTTP stack: the search-parameter
/// parsers (free slots, patient, documents) and the structured record's body readers (JSON and
/// XML) behind them. Every answer must be below 500; every refusal an OperationOutcome with a Spine
/// code and `Cache-Control: no-store`; every reply passes the profile checker (`Client.request`).
@Suite(
    "Properties: search parameters and bodies over HTTP",
    .enabled(
        if: AlonePass.active,
        "CPU-bound: runs in scripts/test.sh's second pass (GPCONNECT_TEST_ALONE=1), so it cannot starve the live-server suites")
)
struct RequestProperties {
    static let keys = [
        "start", "end", "status", "_include", "_include:recurse", "searchFilter", "identifier", "_format", "created", "author",
        "custodian", "type", "description", "facility", "_revinclude", "_count", "_sort", "x", "", "start", "end",
    ]
    static let values = [
        "ge2026-12-04", "le2026-12-10", "ge2026-12-04T09:00:00+00:00", "2026-12-04", "gt2026-02-30", "le", "ge", "free", "busy",
        "Slot:schedule", "Schedule:actor:Practitioner", "Schedule:actor:Location", "DocumentReference:subject:Patient",
        "https://fhir.nhs.uk/Id/ods-organization-code|A20047", "https://fhir.nhs.uk/Id/nhs-number|9690937286",
        "https://fhir.nhs.uk/Id/nhs-number|", "|9690937286", "9690937286", "json", "xml", "application/fhir+json", "%", "%ZZ", "%00",
        "%E2%82", "%F0%9F%98%80", "a%2Cb", "ge2026-12-04%2Cle2026-12-05", "", "-1", "99999999999999999999", "ge9999-12-31",
        "ge0000-01-01", "urgent-care", "https://fhir.nhs.uk/Id/ods-organization-code%7CB82617",
    ]

    /// A query string of up to eight pairs, keys and values chosen (or left raw) by the integers.
    static func query(_ picks: [Int]) -> String {
        picks.map { pick in
            let key = keys[pick % keys.count]
            let value = values[(pick / 31) % values.count]
            return pick % 5 == 0 ? key : key + "=" + value
        }.joined(separator: "&")
    }

    static let picks = Gen.int(in: 0...Int(Int32.max)).array(of: 0...8)

    static func expectAnswer(_ reply: Reply, _ what: String) {
        #expect(reply.status < 500, "\(what): \(reply.status) \(reply.spineCode ?? "")")
        #expect(reply.headers[.cacheControl] == "no-store", "\(what)")
        if reply.status >= 400 {
            #expect(reply.resource?["resourceType"]?.string == "OperationOutcome", "\(what)")
            #expect(reply.spineCode.map { !$0.isEmpty } == true, "\(what): no Spine code")
        }
    }

    @Test func randomSlotPatientAndDocumentSearchesAreAnsweredBelow500() async throws {
        try await TestServer.run { client in
            let patientID = try #require(try await client.documentsPatientID(Docs.patient2))
            await propertyCheck(count: 150, input: Self.picks, Gen.int(in: 0...2)) { picks, target in
                let query = Self.query(picks)
                let reply: Reply
                switch target {
                case 0: reply = try await client.request(.searchFreeSlots, "Slot?" + query)
                case 1: reply = try await client.request(.searchPatient, "Patient?" + query)
                default: reply = try await client.request(.searchDocuments, "Patient/\(patientID)/DocumentReference?" + query)
                }
                Self.expectAnswer(reply, "query \(query)")
            }
        }
    }

    @Test func mutatedStructuredRecordAndBookingBodiesAreAnsweredBelow500() async throws {
        let structured = FHIRJSON.encode(
            try FHIRJSON.decode(
                Array(
                    Structured.body(
                        Docs.patient2,
                        [Structured.parameter("includeAllergies", [Structured.part("includeResolvedAllergies", "valueBoolean", true)])]
                    ).utf8)))
        try await TestServer.run { client in
            await propertyCheck(count: 150, input: Self.picks, Gen.bool) { picks, asXML in
                var bytes = structured
                if asXML, let tree = try? FHIRJSON.decode(bytes) { bytes = FHIRXML.encode(tree) }
                for pick in picks where !bytes.isEmpty {
                    let position = (pick / 3) % bytes.count
                    switch pick % 3 {
                    case 0: bytes[position] = Array("{}[]<>\":,/0 ".utf8)[(pick / 17) % 12]
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(UInt8(truncatingIfNeeded: pick >> 8), at: position)
                    }
                }
                let reply = try await client.request(
                    .getStructuredRecord, "Patient/$gpc.getstructuredrecord", body: String(decoding: bytes, as: UTF8.self),
                    contentType: asXML ? "application/fhir+xml; charset=utf-8" : "application/fhir+json; charset=utf-8")
                Self.expectAnswer(reply, "structured body")
            }
        }
    }
}
