import ArgumentParser
import Foundation
import GPConnect
import GPConnectBench
import GPConnectContract
import GPConnectServer
import GPConnectStorage
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

        let benchmark = Benchmark(
            base: base, seconds: seconds, concurrency: concurrency, only: only, longRecordNHSNumber: Storage.longRecordNHSNumber)
        do {
            try await benchmark.run()
        } catch let error as BenchmarkError {
            throw ValidationError(error.description)
        }
    }
}
