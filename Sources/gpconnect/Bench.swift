import ArgumentParser
import AsyncHTTPClient
import FHIR
import Foundation
import GPConnect
import GPConnectServer
import Hummingbird
import NIOCore
import NIOHTTP1

/// `gpconnect bench`: throughput and latency percentiles of GP Connect interactions over
/// loopback, each run beside the `/health` baseline of the same server in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure interactions against the /health baseline (starts a server on a temporary database unless --url is given).")

    @Option(name: .long, help: "Base URL of a running server (default: start one in-process).")
    var url: String?

    @Option(name: .long, help: "Seconds per scenario.")
    var seconds: Double = 5

    @Option(name: .long, help: "Concurrent connections.")
    var concurrency: Int = 16

    @Option(name: .long, help: "Port for the in-process server.")
    var port: Int = 18080

    struct Scenario: Sendable {
        var name: String
        var path: String
        var interaction: Interaction?
    }

    func run() async throws {
        var serverTask: Task<Void, any Error>?
        let base: String
        if let url {
            base = url
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-bench-\(UUID().uuidString)")
            var configuration = ServerConfiguration(port: port, databasePath: directory.appendingPathComponent("bench.sqlite").path)
            configuration.logLevel = .warning
            let app = try await buildApplication(configuration: configuration)
            serverTask = Task { try await app.runService() }
            base = "http://127.0.0.1:\(port)"
            try await Task.sleep(for: .milliseconds(500))
        }
        defer { serverTask?.cancel() }

        let root = "/B82617/STU3/1/gpconnect/fhir"
        let scenarios = [
            Scenario(name: "health (baseline)", path: "/health", interaction: nil),
            Scenario(name: "metadata", path: root + "/metadata", interaction: .readMetadata),
            Scenario(name: "Patient read", path: root + "/Patient/2", interaction: .readPatient),
            Scenario(
                name: "Patient search", path: root + "/Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286",
                interaction: .searchPatient),
            Scenario(name: "Patient read (XML)", path: root + "/Patient/2?_format=xml", interaction: .readPatient),
        ]
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        print("GP Connect benchmark: \(Int(seconds)) s per scenario, \(concurrency) concurrent connections, \(base)")
        print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs baseline |")
        print("|---|---|---|---|---|---|---|---|---|")
        var baseline: Double?
        do {
            for scenario in scenarios {
                _ = try await measure(scenario, base: base, client: client, seconds: min(1, seconds))  // warm-up
                let result = try await measure(scenario, base: base, client: client, seconds: seconds)
                let throughput = Double(result.latencies.count) / result.elapsed
                if baseline == nil { baseline = throughput }
                let sorted = result.latencies.sorted()
                func percentile(_ p: Double) -> String {
                    guard !sorted.isEmpty else { return "-" }
                    let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
                    return String(format: "%.2f", value * 1000)
                }
                print(
                    "| \(scenario.name) | \(sorted.count) | \(String(format: "%.0f", throughput)) | \(percentile(0.5)) | \(percentile(0.9)) | "
                        + "\(percentile(0.99)) | \(percentile(1.0)) | \(result.errors) | \(String(format: "%.2f×", throughput / (baseline ?? throughput))) |"
                )
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    struct Result: Sendable {
        var latencies: [Double]
        var errors: Int
        var elapsed: Double
    }

    func measure(_ scenario: Scenario, base: String, client: HTTPClient, seconds: Double) async throws -> Result {
        var headers = HTTPHeaders()
        if let interaction = scenario.interaction {
            let now = Int64(Date().timeIntervalSince1970)
            let token = AuditToken(
                issuer: "https://bench.example", subject: "1", audience: base, expiry: now + 300, issuedAt: now,
                reasonForRequest: "directcare", requestedScope: interaction.scope.rawValue,
                device: [
                    "resourceType": "Device", "identifier": [["system": "https://bench.example/device", "value": "bench"]],
                    "model": "gpconnect bench", "version": "1",
                ],
                organization: [
                    "resourceType": "Organization",
                    "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": "GPCA0001"]], "name": "Benchmark",
                ],
                practitioner: [
                    "resourceType": "Practitioner", "id": "1",
                    "identifier": [["system": .string(IdentifierSystem.sdsUserID), "value": "BENCH0001"]],
                    "name": [["family": "Bench", "given": ["Load"]]],
                ])
            headers.add(name: "Authorization", value: "Bearer " + token.encode())
            headers.add(name: "Ssp-TraceID", value: UUID().uuidString.lowercased())
            headers.add(name: "Ssp-From", value: "200000000359")
            headers.add(name: "Ssp-To", value: "918999198738")
            headers.add(name: "Ssp-InteractionID", value: interaction.id)
            headers.add(name: "Accept", value: "application/fhir+json")
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let workers = concurrency
        let requestHeaders = headers
        let results = try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    while ContinuousClock.now < deadline {
                        var request = HTTPClientRequest(url: base + scenario.path)
                        request.headers = requestHeaders
                        let begin = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 16 << 20)
                            let elapsed = ContinuousClock.now - begin
                            if response.status == .ok {
                                latencies.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
                            } else {
                                errors += 1
                            }
                        } catch {
                            errors += 1
                        }
                    }
                    return Result(latencies: latencies, errors: errors, elapsed: 0)
                }
            }
            var merged = Result(latencies: [], errors: 0, elapsed: 0)
            for try await part in group {
                merged.latencies += part.latencies
                merged.errors += part.errors
            }
            return merged
        }
        let elapsed = ContinuousClock.now - started
        return Result(
            latencies: results.latencies, errors: results.errors,
            elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
