import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectContract
import NIOCore
import NIOHTTP1

/// Requests as a consumer system sends them to the reference practice: the Spine headers and a
/// fresh audit JWT per scenario (nhsconnect/gpconnect feature/1.6.2, integration_spine_secure_proxy,
/// "HTTP headers"; integration_cross_organisation_audit_and_provenance), URLs under the
/// capability's service root (development_general_api_guidance, "Service Root URL versioning").
struct BenchRequests: Sendable {
    /// Scheme, host and port of the provider.
    var base: String
    /// The practice addressed (the reference practice unless a generated one is measured).
    var practiceODS = BenchReference.practiceODS

    static let consumer = ConsumerIdentity(
        systemURL: "https://bench.example/", deviceID: "bench", deviceModel: "gpconnect bench", organizationName: "Benchmark",
        sdsUserID: "BENCH0001", family: "Bench", given: ["Load"], prefix: [])

    /// The absolute URL of an interaction at the reference practice, `{id}` filled in.
    func url(_ interaction: Interaction, id: String? = nil, query: [(String, String)] = []) -> String {
        var path = interaction.path
        if let id { path = path.replacingOccurrences(of: "{id}", with: id) }
        var url = base + interaction.capability.serviceRoot(ods: practiceODS) + "/" + path
        if !query.isEmpty { url += "?" + ConsumerRequest.query(query) }
        return url
    }

    /// `Ssp-*` headers and the bearer token for one interaction; the token's audience is `audience`.
    static func headers(
        _ interaction: Interaction, audience: String, confidentiality: String? = nil, consumer: ConsumerIdentity = Self.consumer,
        toASID: String = BenchReference.practiceASID
    ) -> HTTPHeaders {
        let token = AuditToken(for: interaction, consumer: consumer, audience: audience, confidentiality: confidentiality)
        var headers = HTTPHeaders(
            ConsumerRequest.spineHeaders(
                interaction, traceID: UUID().uuidString.lowercased(), fromASID: BenchReference.consumerASID,
                toASID: toASID, token: token
            ).map { ($0.name, $0.value) })
        headers.add(name: "Accept", value: "application/fhir+json")
        headers.add(name: "Content-Type", value: "application/fhir+json")
        return headers
    }

    /// A search bound `days` from today at local midnight: `ge2026-01-02T00:00:00+00:00`.
    static func bound(_ prefix: String, days: Int) -> String {
        prefix + UKTime.format(UKTime.day(offset: days, from: Date()))
    }

    /// A GET scenario; with no interaction, a plain request (the `/health` baseline). The token's
    /// audience is `url` unless given (through a proxy it is the provider's URL).
    /// `expecting` is the status that counts as an answer (a refusal scenario expects its 4xx);
    /// `authorization` replaces the bearer token (a refusal scenario sends a malformed one).
    static func get(
        _ name: String, _ url: String, _ interaction: Interaction?, audience: String? = nil, expecting: HTTPResponseStatus = .ok,
        authorization: String? = nil, toASID: String = BenchReference.practiceASID
    ) -> BenchScenario {
        var headers = interaction.map { Self.headers($0, audience: audience ?? url, toASID: toASID) } ?? HTTPHeaders()
        if let authorization { headers.replaceOrAdd(name: "Authorization", value: authorization) }
        return BenchScenario(name: name) { [headers] client, _ in
            var request = HTTPClientRequest(url: url)
            request.headers = headers
            return try await timed(expecting) {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 64 << 20)
                return response.status
            }
        }
    }

    /// A download: the body is read as it arrives and dropped, so the client holds no document.
    static func download(_ name: String, _ url: String, _ interaction: Interaction, bytes: Int, maximumWorkers: Int? = nil)
        -> BenchScenario
    {
        let headers = Self.headers(interaction, audience: url)
        return BenchScenario(name: name, maximumWorkers: maximumWorkers, bytesPerRound: bytes) { client, _ in
            var request = HTTPClientRequest(url: url)
            request.headers = headers
            return try await timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(600))
                var received = 0
                for try await buffer in response.body { received += buffer.readableBytes }
                return received > bytes ? response.status : .internalServerError
            }
        }
    }

    /// A POST scenario with a FHIR JSON body.
    static func post(
        _ name: String, _ url: String, _ interaction: Interaction, _ body: FHIRElement, confidentiality: String? = nil,
        toASID: String = BenchReference.practiceASID
    ) -> BenchScenario {
        let headers = Self.headers(interaction, audience: url, confidentiality: confidentiality, toASID: toASID)
        let bytes = FHIRJSON.encodeString(body)
        return BenchScenario(name: name) { client, _ in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(ByteBuffer(string: bytes))
            return try await timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 256 << 20)
                return response.status
            }
        }
    }

    /// Runs a request and returns its duration in seconds if it answered `expected`.
    static func timed(_ expected: HTTPResponseStatus, _ body: () async throws -> HTTPResponseStatus) async throws -> Double? {
        let begin = ContinuousClock.now
        let status = try await body()
        return status == expected ? (ContinuousClock.now - begin).seconds : nil
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
