import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectContract
import NIOCore

/// Throughput and latency percentiles of GP Connect interactions over loopback, each beside the
/// `/health` baseline of the same server in the same run. Prints one Markdown table row per
/// scenario: requests, req/s, p50/p90/p99/max in ms, errors and the ratio to the baseline.
public struct Benchmark: Sendable {
    /// Scheme, host and port of the provider.
    public var base: String
    /// Seconds per scenario (each after a warm-up of at most a second).
    public var seconds: Double
    /// Concurrent connections (and workers).
    public var concurrency: Int
    /// Only scenarios whose name contains this text (the baseline always runs).
    public var only: String?
    /// The NHS number of the synthetic long record the provider holds.
    public var longRecordNHSNumber: String
    /// A generated patient to measure too (`gpconnect seed --population`): the growth scenarios.
    public var population: BenchPopulationPatient?
    /// Patients spread over the whole generated population, read one after another.
    public var populationSpread: [BenchPopulationPatient] = []

    public static let baselineName = "health (baseline)"

    public init(base: String, seconds: Double, concurrency: Int, only: String?, longRecordNHSNumber: String) {
        self.base = base
        self.seconds = seconds
        self.concurrency = concurrency
        self.only = only
        self.longRecordNHSNumber = longRecordNHSNumber
    }

    /// Runs every scenario with its own HTTP client pool of `concurrency` connections.
    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measureAll(client: client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measureAll(client: HTTPClient) async throws {
        var scenarios = try await scenarios(client: client)
        scenarios = scenarios.filter { $0.name == Self.baselineName || wanted($0.name) }

        print("GP Connect benchmark: \(Int(seconds)) s per scenario, \(concurrency) concurrent connections, \(base)")
        print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs baseline |")
        print("|---|---|---|---|---|---|---|---|---|")
        var baseline: Double?
        var notes: [String] = []
        for scenario in scenarios {
            _ = try await measure(scenario, client: client, seconds: min(1, seconds))  // warm-up
            let result = try await measure(scenario, client: client, seconds: seconds)
            let throughput = Double(result.latencies.count) / result.elapsed
            if baseline == nil { baseline = throughput }
            print(result.row(scenario.name, throughput: throughput, baseline: baseline ?? throughput))
            if let bytes = scenario.bytesPerRound {
                notes.append(
                    String(
                        format: "%@: %.0f MB/s with %d concurrent downloads; peak RSS of this process (server and client) %.0f MB",
                        scenario.name, throughput * Double(bytes) / 1_048_576, min(concurrency, scenario.maximumWorkers ?? concurrency),
                        Double(Self.peakResidentBytes() ?? 0) / 1_048_576))
            }
        }
        for note in notes { print("\n" + note) }
    }

    /// The process's peak resident set (`VmHWM` in /proc/self/status), where Linux tells it.
    static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }

    /// Whether `--only` admits a scenario.
    func wanted(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

    /// Runs `scenario` on `concurrency` workers until `seconds` have passed.
    func measure(_ scenario: BenchScenario, client: HTTPClient, seconds: Double) async throws -> BenchResult {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let merged = try await withThrowingTaskGroup(of: BenchResult.self) { group in
            for worker in 0..<min(concurrency, scenario.maximumWorkers ?? concurrency) {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    while ContinuousClock.now < deadline {
                        if let seconds = try? await scenario.run(client, worker) {
                            latencies.append(seconds)
                        } else {
                            errors += 1
                        }
                    }
                    return BenchResult(latencies: latencies, errors: errors, elapsed: 0)
                }
            }
            var merged = BenchResult(latencies: [], errors: 0, elapsed: 0)
            for try await part in group {
                merged.latencies += part.latencies
                merged.errors += part.errors
            }
            return merged
        }
        return BenchResult(latencies: merged.latencies, errors: merged.errors, elapsed: (ContinuousClock.now - started).seconds)
    }
}
