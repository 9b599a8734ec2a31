import AsyncHTTPClient
import Foundation
import GPConnectContract
import NIOCore
public import NIOSSL

/// The cost of transport security: a Patient read over plain HTTP, over TLS with client
/// certificates, and through a Spine Secure Proxy (mutual TLS on both hops), each with keep-alive
/// connections, beside the plain `/health` baseline of the same run.
public struct TransportBenchmark: Sendable {
    /// One way of reaching the provider.
    public struct Route: Sendable {
        public var name: String
        /// Scheme, host and port of the provider as the consumer names it.
        public var base: String
        /// Base of a Spine Secure Proxy in front of it, if any.
        public var ssp: String?
        /// TLS towards the first hop (the provider or the proxy); nil is plain HTTP.
        public var tls: TLSConfiguration?

        public init(name: String, base: String, ssp: String? = nil, tls: TLSConfiguration? = nil) {
            self.name = name
            self.base = base
            self.ssp = ssp
            self.tls = tls
        }
    }

    public var routes: [Route]
    public var seconds: Double
    public var concurrency: Int

    public init(routes: [Route], seconds: Double, concurrency: Int) {
        self.routes = routes
        self.seconds = seconds
        self.concurrency = concurrency
    }

    public func run() async throws {
        print("Transport benchmark: \(Int(seconds)) s per scenario, \(concurrency) concurrent keep-alive connections")
        print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs baseline |")
        print("|---|---|---|---|---|---|---|---|---|")
        var baseline: Double?
        for route in routes {
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = route.tls
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let benchmark = Benchmark(
                base: route.base, seconds: seconds, concurrency: concurrency, only: nil, longRecordNHSNumber: "")
            let provider = BenchRequests(base: route.base).url(.readPatient, id: BenchReference.patient2ID)
            var scenarios: [BenchScenario] = []
            if route.ssp == nil { scenarios.append(BenchRequests.get("health, \(route.name)", route.base + "/health", nil)) }
            let url = route.ssp.map { $0 + "/" + provider } ?? provider
            // Through the proxy the audit token's audience is still the provider's URL.
            scenarios.append(BenchRequests.get("Patient read, \(route.name)", url, .readPatient, audience: provider))
            do {
                for scenario in scenarios {
                    _ = try await benchmark.measure(scenario, client: client, seconds: min(1, seconds))  // warm-up
                    let result = try await benchmark.measure(scenario, client: client, seconds: seconds)
                    let throughput = Double(result.latencies.count) / result.elapsed
                    if baseline == nil { baseline = throughput }
                    print(result.row(scenario.name, throughput: throughput, baseline: baseline ?? throughput))
                }
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
