import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import GPConnectSSP
import GPConnectServer
import GPConnectTLS
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// consumer → `gpconnect ssp` → provider, all over mutual TLS on loopback: the proxy's checks and
/// its own OperationOutcomes, and real exchanges (a structured record, a booking, a large document
/// streamed both ways).
@Suite("Spine Secure Proxy")
struct SSPTests {
    static let practiceASID = "918999198738"
    static let consumerASID = "200000000359"
    static let restrictedASID = "200000000360"
    static let documentsASID = "200000000002"
    static let unreachableASID = "200000000003"
    static let download = "urn:test:download-1"
    static let upload = "urn:test:upload-1"
    static let foundations = Capability.foundations.serviceRoot(ods: "B82617")

    struct Setup {
        let sspPort: Int
        let providerPort: Int
        let documentsPort: Int
        let server: Client
        var endpoint: ProviderEndpoint {
            ProviderEndpoint(ods: "B82617", baseURL: "https://localhost:\(providerPort)", asid: SSPTests.practiceASID)
        }
        var ssp: String { "https://localhost:\(sspPort)" }
    }

    static func directory(providerPort: Int, documentsPort: Int) -> SSPDirectory {
        let provider = "https://localhost:\(providerPort)"
        return SSPDirectory(
            practices: [
                .init(
                    ods: "B82617", asid: practiceASID, cpaID: "S918999198738A",
                    endpoints: [
                        .init(capability: "foundations", serviceRoot: provider + Capability.foundations.serviceRoot(ods: "B82617")),
                        .init(capability: "structured", serviceRoot: provider + Capability.structured.serviceRoot(ods: "B82617")),
                    ]),
                .init(
                    ods: "D11111", asid: documentsASID,
                    endpoints: [
                        .init(
                            serviceRoot: "https://localhost:\(documentsPort)/D11111/STU3/1/gpconnect/documents",
                            interactions: [download, upload])
                    ]),
                .init(
                    ods: "D22222", asid: unreachableASID,
                    endpoints: [.init(capability: "foundations", serviceRoot: "https://localhost:1/D22222/STU3/1/gpconnect")]),
            ],
            consumers: [
                .init(
                    asid: consumerASID, certificate: "consumer.localhost",
                    interactions: Interaction.allCases.map(\.id) + [download, upload]),
                .init(asid: restrictedASID, certificate: "consumer2.localhost", receivers: [documentsASID]),
            ])
    }

    /// Provider (mTLS, only the SSP's certificate let in), a documents stub and the SSP.
    static func run(
        documents: @escaping @Sendable () -> Router<BasicRequestContext> = { Router() }, _ body: @Sendable (Setup) async throws -> Void
    ) async throws {
        let tls = try TestCertificates.provider(clientFQDN: "ssp.localhost")
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let providerPort = try #require(server.client.port)
            let stub = Application(router: documents(), server: try .tls(.http1(), configuration: tls.channelConfiguration()))
            try await stub.test(.live) { stubClient in
                let documentsPort = try #require(stubClient.port)
                let ssp = try buildSSP(
                    configuration: SSPConfiguration(
                        port: 0, directory: directory(providerPort: providerPort, documentsPort: documentsPort),
                        tls: TLSServerOptions(
                            certificate: try TestCertificates.path("ssp.pem"), key: try TestCertificates.path("ssp.key"),
                            clientCA: try TestCertificates.path("ca.pem"), crl: try TestCertificates.path("crl.pem")),
                        upstream: TLSClientOptions(
                            certificate: try TestCertificates.path("ssp.pem"), key: try TestCertificates.path("ssp.key"),
                            trustedCA: try TestCertificates.path("ca.pem")),
                        logLevel: .error))
                try await ssp.test(.live) { sspClient in
                    try await body(
                        Setup(
                            sspPort: try #require(sspClient.port), providerPort: providerPort, documentsPort: documentsPort, server: server)
                    )
                }
            }
        }
    }

    static func consumer(_ http: HTTPClient, ssp: String, asid: String = consumerASID) -> GPConnectClient {
        var client = GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: asid, http: http, timeout: .seconds(120), retries: 0)
        client.ssp = ssp
        return client
    }

    // MARK: Real exchanges

    @Test func aStructuredRecordAndABookingGoThroughTheProxy() async throws {
        try await Self.run { setup in
            try await TestCertificates.withHTTPClient("consumer") { http in
                let gp = Self.consumer(http, ssp: setup.ssp)
                let record = try await gp.structuredRecord(setup.endpoint, nhsNumber: "9690937286", areas: [.allergies])
                #expect(record["resourceType"]?.string == "Bundle")
                #expect(record["entry"]?.items.isEmpty == false)
                let found = try await gp.searchFreeSlots(
                    setup.endpoint, from: UKTime.day(offset: 1, from: Date()), to: UKTime.day(offset: 3, from: Date()), bookingODS: "B82617"
                )
                let slot = try #require(found.slots.first)
                let location = try #require(found.location(of: slot)?["id"]?.string)
                let booked = try await gp.book(
                    setup.endpoint, slot: slot, locationID: location, patientID: "4", description: "Review",
                    bookedBy: .init(ods: "B82617", name: "Hub", telephone: "0300 000 0000", type: "urgent-care"))
                #expect(booked.etag == "W/\"1\"")
            }
        }
    }

    /// Without the proxy the consumer's own certificate is not the SSP's: the provider refuses it.
    @Test func theProviderLetsInOnlyTheProxy() async throws {
        try await Self.run { setup in
            try await TestCertificates.withHTTPClient("consumer", maximumVersion: .tlsv12) { http in
                var direct = Self.consumer(http, ssp: setup.ssp)
                direct.ssp = nil
                await #expect(throws: GPConnectClientError.self) { _ = try await direct.readPatient(setup.endpoint, id: "2") }
            }
        }
    }

    static let chunk = 1 << 20
    static let chunks = 100

    /// 100 MiB down and 100 MiB up. Each side holds back all but the first megabyte until the other
    /// end has received it, so a proxy that buffered a body would never finish.
    @Test func largeDocumentsStreamThroughTheProxyBothWays() async throws {
        let (downloadReached, downloadSignal) = AsyncStream<Void>.makeStream()
        let (uploadReached, uploadSignal) = AsyncStream<Void>.makeStream()
        @Sendable func documents() -> Router<BasicRequestContext> {
            let router = Router()
            router.get("/D11111/STU3/1/gpconnect/documents/Binary/big") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(repeating: 1, count: Self.chunk))
                        for await _ in downloadReached { break }
                        for _ in 1..<Self.chunks { try await writer.write(ByteBuffer(repeating: 2, count: Self.chunk)) }
                        try await writer.finish(nil)
                    })
            }
            router.post("/D11111/STU3/1/gpconnect/documents/Binary") { request, _ -> String in
                var received = 0
                for try await buffer in request.body {
                    if received == 0 { uploadSignal.yield() }
                    received += buffer.readableBytes
                }
                return String(received)
            }
            return router
        }
        try await Self.run(documents: documents) { setup in
            try await TestCertificates.withHTTPClient("consumer") { http in
                let root = "https://localhost:\(setup.sspPort)/https://localhost:"
                var down = HTTPClientRequest(url: "\(root)\(setup.documentsPort)/D11111/STU3/1/gpconnect/documents/Binary/big")
                Self.spineHeaders(&down, interaction: Self.download, to: Self.documentsASID)
                let response = try await http.execute(down, timeout: .seconds(300))
                #expect(response.status == .ok)
                var received = 0
                for try await buffer in response.body {
                    if received < Self.chunk && received + buffer.readableBytes >= Self.chunk { downloadSignal.yield() }
                    received += buffer.readableBytes
                }
                #expect(received == Self.chunk * Self.chunks)

                var up = HTTPClientRequest(url: "\(root)\(setup.documentsPort)/D11111/STU3/1/gpconnect/documents/Binary")
                up.method = .POST
                Self.spineHeaders(&up, interaction: Self.upload, to: Self.documentsASID)
                up.headers.add(name: "Content-Type", value: "application/fhir+json")
                let (body, producer) = AsyncStream<ByteBuffer>.makeStream()
                let feeding = Task {
                    producer.yield(ByteBuffer(repeating: 3, count: Self.chunk))
                    for await _ in uploadReached { break }
                    for _ in 1..<Self.chunks { producer.yield(ByteBuffer(repeating: 4, count: Self.chunk)) }
                    producer.finish()
                }
                up.body = .stream(body, length: .unknown)
                let uploaded = try await http.execute(up, timeout: .seconds(300))
                let count = String(buffer: try await uploaded.body.collect(upTo: 1024))
                await feeding.value
                #expect(uploaded.status == .ok)
                #expect(count == String(Self.chunk * Self.chunks))
            }
        }
    }

    static func spineHeaders(
        _ request: inout HTTPClientRequest, interaction: String, from: String = consumerASID, to: String = practiceASID
    ) {
        request.headers.add(name: HeaderName.traceID, value: UUID().uuidString)
        request.headers.add(name: HeaderName.from, value: from)
        request.headers.add(name: HeaderName.to, value: to)
        request.headers.add(name: HeaderName.interactionID, value: interaction)
    }

    // MARK: The proxy's refusals, each with the SSP's own OperationOutcome

    /// A request through the proxy as `certificate`'s system, with the Spine headers given.
    static func call(
        _ setup: Setup, certificate: String = "consumer", method: HTTPMethod = .GET, target: String? = nil,
        interaction: Interaction = .readPatient, from: String = consumerASID, to: String = practiceASID,
        contentType: String? = nil, body: String? = nil
    ) async throws -> (status: Int, outcome: [String: Any]) {
        try await TestCertificates.withHTTPClient(certificate) { http in
            let url = target ?? "https://localhost:\(setup.providerPort)\(foundations)/Patient/2"
            var request = HTTPClientRequest(url: "https://localhost:\(setup.sspPort)/" + url)
            request.method = method
            spineHeaders(&request, interaction: interaction.id, from: from, to: to)
            let token = AuditToken(
                for: interaction, consumer: ConsumerIdentity(organizationODS: "GPCA0001"), audience: "https://localhost")
            request.headers.add(name: HeaderName.authorization, value: "Bearer " + token.encode())
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await http.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
            return (Int(response.status.code), json)
        }
    }

    /// The SSP's OperationOutcome for `status`/`display` (shape of the spec's examples), without its id.
    static func expected(status: Int, code: String, display: String) -> [String: Any] {
        [
            "resourceType": "OperationOutcome",
            "issue": [
                [
                    "code": code, "severity": "error", "diagnostics": display,
                    "details": [
                        "coding": [
                            [
                                "code": String(status), "display": display,
                                "system": "http://fhir.nhs.net/ValueSet/gpconnect-schedule-response-code-1-0",
                            ]
                        ]
                    ],
                ] as [String: Any]
            ],
        ]
    }

    static func expectOutcome(
        _ reply: (status: Int, outcome: [String: Any]), status: Int, code: String, display: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(reply.status == status, sourceLocation: sourceLocation)
        var outcome = reply.outcome
        #expect((outcome.removeValue(forKey: "id") as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(
            NSDictionary(dictionary: outcome).isEqual(to: expected(status: status, code: code, display: display)), "\(reply.outcome)",
            sourceLocation: sourceLocation)
    }

    @Test func everyRefusalIsTheSSPsOwn() async throws {
        try await Self.run { setup in
            let provider = "https://localhost:\(setup.providerPort)"
            // A patient read passes the proxy (the provider answers).
            #expect(try await Self.call(setup).status == 200)
            // 403: Ssp-From is not the ASID of the system the certificate belongs to.
            Self.expectOutcome(
                try await Self.call(setup, from: "200000000001"), status: 403, code: "forbidden",
                display: "ASID_CHECK_FAILED_MESSAGESENDER_200000000001")
            Self.expectOutcome(
                try await Self.call(setup, certificate: "consumer2"), status: 403, code: "forbidden",
                display: "ASID_CHECK_FAILED_MESSAGESENDER_\(Self.consumerASID)")
            // 403: the receiver is unknown, or does not accept the interaction.
            Self.expectOutcome(
                try await Self.call(setup, to: "200000000009"), status: 403, code: "forbidden",
                display: "PARTYKEY_INTERACTION_CHECK_FAILED_MESSAGERECEIVER_200000000009")
            Self.expectOutcome(
                try await Self.call(setup, to: Self.documentsASID), status: 403, code: "forbidden",
                display: "PARTYKEY_INTERACTION_CHECK_FAILED_MESSAGERECEIVER_\(Self.documentsASID)")
            // 403: this sender may call only the documents practice.
            Self.expectOutcome(
                try await Self.call(setup, certificate: "consumer2", from: Self.restrictedASID), status: 403, code: "forbidden",
                display: "FOT_CHECK_FAILED_MESSAGESENDER_\(Self.restrictedASID)_MESSAGERECEIVER_\(Self.practiceASID)")
            // 400: the target is not the endpoint registered for the receiver (the query is not echoed).
            Self.expectOutcome(
                try await Self.call(setup, target: "https://localhost:1\(Self.foundations)/Patient?identifier=x|9690937286"),
                status: 400, code: "invalid",
                display:
                    "ENDPOINT_\(provider)\(Self.foundations)_CPAID_S918999198738A_VARIES_FROM_TARGETURL_https://localhost:1\(Self.foundations)/Patient"
            )
            // 415: a body that is not FHIR.
            Self.expectOutcome(
                try await Self.call(
                    setup, method: .POST, target: provider + Self.foundations + "/Patient/$gpc.registerpatient",
                    interaction: .registerPatient, contentType: "text/plain", body: "hello"),
                status: 415, code: "not-supported", display: "Unsupported_Media_Type")
            // 502: the registered endpoint does not answer.
            Self.expectOutcome(
                try await Self.call(setup, target: "https://localhost:1/D22222/STU3/1/gpconnect/Patient/2", to: Self.unreachableASID),
                status: 502, code: "transient",
                display: "ERROR_COMMUNICATING_TO_ENDPOINT_URL_https://localhost:1/D22222/STU3/1/gpconnect/Patient/2")
            // 405: a method no interaction uses; this outcome has no id and the Spine system.
            let patch = try await Self.call(setup, method: .PATCH)
            #expect(patch.status == 405)
            #expect(
                NSDictionary(dictionary: patch.outcome).isEqual(to: [
                    "resourceType": "OperationOutcome",
                    "issue": [
                        [
                            "code": "forbidden", "severity": "fatal",
                            "details": [
                                "coding": [
                                    [
                                        "code": "405", "system": "https://fhir.nhs.uk/StructureDefinition/spine-operationoutcome-1",
                                        "display": "405: Method Not Allowed",
                                    ]
                                ]
                            ],
                        ] as [String: Any]
                    ],
                ]), "\(patch.outcome)")
        }
    }

    /// A consumer certificate the CA revoked does not get past the proxy's handshake.
    @Test func aRevokedConsumerIsRefusedByTheProxy() async throws {
        try await Self.run { setup in
            await #expect(throws: (any Error).self) { _ = try await Self.call(setup, certificate: "consumer-revoked") }
        }
    }

    @Test func theExampleDirectoryReads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/ssp-directory.json").path
        let directory = try SSPDirectory.load(path)
        #expect(directory.practices.map(\.ods) == ["B82617", "A20047"])
        #expect(directory.practices[0].endpoints[0].accepted.contains(Interaction.readPatient.id))
        #expect(!directory.practices[1].endpoints[0].accepted.contains(Interaction.bookAppointment.id))
        #expect(directory.consumers[1].receivers == ["918999198738"])
    }
}
