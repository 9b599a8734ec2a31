import ArgumentParser
import Foundation
import GPConnect
import GPConnectBench
import GPConnectClient
import GPConnectContract
import GPConnectSSP
import GPConnectServer
import GPConnectStorage
import GPConnectTLS
import Hummingbird
import Logging

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

    @Option(name: .long, help: "Only scenarios whose name contains this text (the baseline always runs).")
    var only: String?

    @Option(
        name: .long,
        help:
            "Consultations in the synthetic long record (the in-process server seeds it; for --url run `gpconnect seed --long-record` first)."
    )
    var longRecord = 500

    @Option(name: .long, help: "Documents filed for the synthetic long-record patient (the in-process server only).")
    var documents = 500

    @Flag(name: .long, help: "Skip filing the 1 MB and 200 MB documents (the in-process server only).")
    var noLargeDocuments = false

    @Flag(
        name: .long,
        help:
            "Measure transport security instead: Patient read over plain HTTP, over mTLS and through the SSP (ports --port, +1, +2; needs --certificates)."
    )
    var transport = false

    @Option(name: .long, help: "With --transport: the folder scripts/dev-certificates.sh wrote.")
    var certificates: String?

    @OptionGroup(title: "Growth (a database seeded with `gpconnect seed --population`, given by --url)")
    var growth: BenchPopulationOptions

    func run() async throws {
        if transport { return try await runTransport() }
        var serverTask: Task<Void, any Error>?
        let base: String
        if let url {
            base = url
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-bench-\(UUID().uuidString)")
            var configuration = ServerConfiguration(port: port, databasePath: directory.appendingPathComponent("bench.sqlite").path)
            configuration.logLevel = .warning
            let app = try await buildApplication(configuration: configuration)
            let storage = try await Storage.open(configuration.databasePath)
            if let practice = try await storage.stores.directory.practice(ods: BenchReference.practiceODS) {
                let items = try await storage.seedLongRecord(practice: practice, consultations: longRecord)
                print("Synthetic long record: \(items) clinical items (NHS \(Storage.longRecordNHSNumber))")
                let filed = try await storage.seedLongRecordDocuments(practice: practice, count: documents)
                print("Synthetic long record: \(filed) documents")
                if !noLargeDocuments, let patient3 = NHSNumber(BenchReference.patient3NHSNumber) {
                    for (size, name) in [(1 << 20, "1 MB"), (200 << 20, "200 MB")] {
                        let started = Date()
                        let document = try await storage.seedLargeDocument(
                            practice: practice, nhsNumber: patient3, size: size, description: "Benchmark document, \(name)")
                        print(
                            "Filed a \(name) document (\(document.content.size) bytes) in "
                                + String(format: "%.1f s", Date().timeIntervalSince(started)))
                    }
                }
            }
            await storage.close()
            serverTask = Task { try await app.runService() }
            base = "http://127.0.0.1:\(port)"
            try await Task.sleep(for: .milliseconds(500))
        }
        defer { serverTask?.cancel() }

        var benchmark = Benchmark(
            base: base, seconds: seconds, concurrency: concurrency, only: only, longRecordNHSNumber: Storage.longRecordNHSNumber)
        benchmark.population = growth.patient()
        benchmark.populationSpread = growth.spreadPatients()
        do {
            try await benchmark.run()
        } catch let error as BenchmarkError {
            throw ValidationError(error.description)
        }
    }

    /// Three in-process servers on one database: the provider over plain HTTP, the provider over
    /// mutual TLS, and the SSP in front of the second.
    func runTransport() async throws {
        guard let certificates else { throw ValidationError("--transport needs --certificates (run scripts/dev-certificates.sh)") }
        func file(_ name: String) -> String { certificates + "/" + name }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-bench-\(UUID().uuidString)")
        let database = directory.appendingPathComponent("bench.sqlite").path
        let plain = ServerConfiguration(port: port, databasePath: database, logLevel: .warning)
        let plainApp = try await buildApplication(configuration: plain)
        var secured = plain
        secured.port = port + 1
        secured.seedWhenEmpty = false
        secured.tls = TLSServerOptions(
            certificate: file("provider.pem"), key: file("provider.key"), clientCA: file("ca.pem"), crl: file("crl.pem"))
        let provider = "https://localhost:\(port + 1)"
        let sspDirectory = SSPDirectory(
            practices: [
                .init(
                    ods: BenchReference.practiceODS, asid: BenchReference.practiceASID,
                    endpoints: [
                        .init(
                            capability: "foundations",
                            serviceRoot: provider + Capability.foundations.serviceRoot(ods: BenchReference.practiceODS))
                    ])
            ],
            consumers: [.init(asid: BenchReference.consumerASID, certificate: "consumer.localhost")])
        let ssp = try buildSSP(
            configuration: SSPConfiguration(
                port: port + 2, directory: sspDirectory,
                tls: TLSServerOptions(certificate: file("ssp.pem"), key: file("ssp.key"), clientCA: file("ca.pem"), crl: file("crl.pem")),
                upstream: TLSClientOptions(certificate: file("ssp.pem"), key: file("ssp.key"), trustedCA: file("ca.pem")),
                logLevel: .warning))
        let plainTask = Task { try await plainApp.runService() }
        try await Task.sleep(for: .milliseconds(500))  // the first server seeds the database
        let securedApp = try await buildApplication(configuration: secured)
        let securedTask = Task { try await securedApp.runService() }
        let sspTask = Task { try await ssp.runService() }
        defer {
            plainTask.cancel()
            securedTask.cancel()
            sspTask.cancel()
        }
        try await Task.sleep(for: .milliseconds(500))
        let consumer = try TLSClientOptions(certificate: file("consumer.pem"), key: file("consumer.key"), trustedCA: file("ca.pem"))
            .tlsConfiguration()
        let benchmark = TransportBenchmark(
            routes: [
                .init(name: "plain HTTP", base: "http://127.0.0.1:\(port)"),
                .init(name: "mTLS", base: provider, tls: consumer),
                .init(name: "mTLS via SSP", base: provider, ssp: "https://localhost:\(port + 2)", tls: consumer),
            ], seconds: seconds, concurrency: concurrency)
        try await benchmark.run()
    }
}
