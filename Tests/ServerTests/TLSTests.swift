import AsyncHTTPClient
import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import GPConnectSQL
import GPConnectServer
import GPConnectStorage
import GPConnectTLS
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// The provider over real TLS on loopback: client certificates required and checked at the
/// handshake, TLS 1.2+ with the spec's ciphers, HSTS, and the client certificate in the audit trail.
@Suite("TLS")
struct TLSTests {
    static func get(_ http: HTTPClient, port: Int, _ path: String = "/health") async throws -> HTTPClientResponse {
        let response = try await http.execute(HTTPClientRequest(url: "https://localhost:\(port)\(path)"), timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response
    }

    static func consumer(_ http: HTTPClient) -> GPConnectClient {
        GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: "200000000359", http: http, timeout: .seconds(60),
            retries: 0)
    }

    @Test func aValidClientCertificateIsServedWithHSTSAndAudited() async throws {
        let tls = try TestCertificates.provider()
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            try await TestCertificates.withHTTPClient("consumer") { http in
                let health = try await Self.get(http, port: port)
                #expect(health.status == .ok)
                #expect(health.headers.first(name: "Strict-Transport-Security") == "max-age=31536000; includeSubDomains")
                let endpoint = ProviderEndpoint(ods: "B82617", baseURL: "https://localhost:\(port)", asid: "918999198738")
                #expect(try await Self.consumer(http).readPatient(endpoint, id: "2")["id"]?.string == "2")
            }
            let database = try await openDatabase(server.databasePath)
            let entries = try await SQLAuditStore(database: database).entries(after: 0, limit: 100)
            await database.close()
            let read = try #require(entries.last { $0.event.interaction == Interaction.readPatient.id })
            #expect(read.event.clientCertificate?.contains("CN=consumer.localhost") == true)
        }
    }

    @Test func plainHTTPCarriesNoHSTSAndNoCertificate() async throws {
        try await TestServer.run { server in
            let reply = try await server.raw("/health")
            #expect(reply.status == 200)
            #expect(reply.headers[.init("Strict-Transport-Security")!] == nil)
        }
    }

    /// Each certificate the spec refuses, and none at all, fails the handshake; the same server
    /// serves the valid one (so the refusals are about the certificate). TLS 1.2 and 1.3.
    @Test(arguments: [
        "consumer-expired", "consumer-not-yet-valid", "consumer-wrong-usage", "consumer-wrong-ca", "consumer-revoked", nil,
    ])
    func aRefusedClientCertificateFailsTheHandshake(certificate: String?) async throws {
        let tls = try TestCertificates.provider()
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            for version in [TLSVersion.tlsv12, .tlsv13] {
                try await TestCertificates.withHTTPClient(certificate, minimumVersion: version, maximumVersion: version) { http in
                    await #expect(throws: (any Error).self) { _ = try await Self.get(http, port: port) }
                }
            }
            try await TestCertificates.withHTTPClient("consumer") { http in
                let response = try await Self.get(http, port: port)
                #expect(response.status == .ok)
            }
        }
    }

    @Test func onlyTheConfiguredClientNameIsLetIn() async throws {
        let tls = try TestCertificates.provider(clientFQDN: "ssp.localhost")
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            try await TestCertificates.withHTTPClient("consumer", maximumVersion: .tlsv12) { http in
                await #expect(throws: (any Error).self) { _ = try await Self.get(http, port: port) }
            }
            try await TestCertificates.withHTTPClient("ssp") { http in
                let response = try await Self.get(http, port: port)
                #expect(response.status == .ok)
            }
        }
    }

    @Test func theRevocationListIsCheckedOnlyWhenConfigured() async throws {
        let tls = try TestCertificates.provider(crl: false)
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            try await TestCertificates.withHTTPClient("consumer-revoked") { http in
                let response = try await Self.get(http, port: port)
                #expect(response.status == .ok)
            }
        }
    }

    @Test func tlsBelowVersion12IsRefused() async throws {
        let tls = try TestCertificates.provider()
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            try await TestCertificates.withHTTPClient("consumer", minimumVersion: .tlsv1, maximumVersion: .tlsv11) { http in
                await #expect(throws: (any Error).self) { _ = try await Self.get(http, port: port) }
            }
        }
    }

    // MARK: openssl s_client, a testssl-style check from outside swift-nio-ssl

    static func sClient(port: Int, _ options: [String]) throws -> (status: Int32, output: String) {
        let certificates = try TestCertificates.directory()
        return try Shell.run(
            "/usr/bin/env",
            [
                "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-brief", "-CAfile",
                certificates + "/ca.pem",
                "-cert", certificates + "/consumer.pem", "-key", certificates + "/consumer.key",
            ] + options)
    }

    /// The suites OpenSSL itself expands the spec's list to (GP Connect 1.6.2, development_fhir_api_guidance).
    static func specCiphers() throws -> Set<String> {
        let listed = try Shell.run("/usr/bin/env", ["openssl", "ciphers", "AESGCM+EECDH:AESGCM+EDH:AES256+EECDH:AES256+EDH"])
        return Set(listed.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init))
    }

    @Test func opensslNegotiatesTLS12WithASpecCipherAndIsRefusedBelowIt() async throws {
        let tls = try TestCertificates.provider()
        try await TestServer.run(configure: { $0.tls = tls }) { server in
            let port = try #require(server.client.port)
            let tls12 = try Self.sClient(port: port, ["-tls1_2"])
            #expect(tls12.output.contains("Protocol version: TLSv1.2"), "\(tls12.output)")
            let cipher = tls12.output.split(separator: "\n").first { $0.hasPrefix("Ciphersuite: ") }.map { String($0.dropFirst(13)) }
            #expect(try Self.specCiphers().contains(try #require(cipher)), "\(tls12.output)")
            // A client offering only suites outside the list gets no connection.
            let weak = try Self.sClient(port: port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA256"])
            #expect(!weak.output.contains("Protocol version:"), "\(weak.output)")
            // TLS 1.1 and 1.0: the server answers with a protocol_version alert.
            for option in ["-tls1_1", "-tls1"] {
                let old = try Self.sClient(port: port, [option, "-cipher", "DEFAULT@SECLEVEL=0"])
                #expect(old.output.contains("alert protocol version"), "\(old.output)")
                #expect(!old.output.contains("Protocol version:"))
            }
            let tls13 = try Self.sClient(port: port, ["-tls1_3"])
            #expect(tls13.output.contains("Protocol version: TLSv1.3"), "\(tls13.output)")
        }
    }

    @Test func aRevocationListFromAnotherIssuerIsRefused() throws {
        #expect(throws: (any Error).self) {
            _ = try TLSServerOptions(
                certificate: TestCertificates.path("provider.pem"), key: TestCertificates.path("provider.key"),
                clientCA: TestCertificates.path("other-ca.pem"), crl: TestCertificates.path("crl.pem")
            ).channelConfiguration()
        }
    }
}
