import ArgumentParser
import AsyncHTTPClient
import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage
import Hummingbird
import Logging
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

    @Option(name: .long, help: "Only scenarios whose name contains this text (the baseline always runs).")
    var only: String?

    @Option(
        name: .long,
        help:
            "Consultations in the synthetic long record (the in-process server seeds it; for --url run `gpconnect seed --long-record` first)."
    )
    var longRecord = 500

    static let root = "/B82617/STU3/1/gpconnect/fhir"

    /// One measured operation: a request (or, for book+cancel, two) made by one worker.
    struct Scenario: Sendable {
        var name: String
        /// Makes one round; returns the seconds the measured request took, or nil when it failed.
        /// `worker` lets a scenario give each worker its own data (its own slot to book).
        var run: @Sendable (HTTPClient, _ worker: Int) async throws -> Double?
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
            let storage = try await Storage.open(configuration.databasePath)
            if let practice = try await storage.stores.directory.practice(ods: "B82617") {
                let items = try await storage.seedLongRecord(practice: practice, consultations: longRecord)
                print("Synthetic long record: \(items) clinical items (NHS \(Storage.longRecordNHSNumber))")
            }
            await storage.close()
            serverTask = Task { try await app.runService() }
            base = "http://127.0.0.1:\(port)"
            try await Task.sleep(for: .milliseconds(500))
        }
        defer { serverTask?.cancel() }

        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            try await measureAll(base: base, client: client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measureAll(base: String, client: HTTPClient) async throws {
        let tomorrow = Self.bound("ge", days: 1)
        let slotQuery = "status=free&_include=Slot%3Aschedule&searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617"
        let slots = try await Self.freeSlots(base: base, client: client, count: concurrency)
        var scenarios = [
            Self.get("health (baseline)", base + "/health", nil),
            Self.get("metadata", base + Self.root + "/metadata", .readMetadata),
            Self.get("Patient read", base + Self.root + "/Patient/2", .readPatient),
            Self.get(
                "Patient search", base + Self.root + "/Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286",
                .searchPatient),
            Self.get("Patient read (XML)", base + Self.root + "/Patient/2?_format=xml", .readPatient),
            Self.get(
                "Slot search, 1 day", base + Self.root + "/Slot?start=\(tomorrow)&end=\(Self.bound("le", days: 2))&\(slotQuery)",
                .searchFreeSlots),
            Self.get(
                "Slot search, 14 days", base + Self.root + "/Slot?start=\(tomorrow)&end=\(Self.bound("le", days: 15))&\(slotQuery)",
                .searchFreeSlots),
        ]
        scenarios += Self.bookAndCancel(base: base, slots: slots)
        scenarios += Self.structured(base: base)
        if let only { scenarios = scenarios.filter { $0.name == "health (baseline)" || $0.name.contains(only) } }

        print("GP Connect benchmark: \(Int(seconds)) s per scenario, \(concurrency) concurrent connections, \(base)")
        print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs baseline |")
        print("|---|---|---|---|---|---|---|---|---|")
        var baseline: Double?
        for scenario in scenarios {
            _ = try await measure(scenario, client: client, seconds: min(1, seconds))  // warm-up
            let result = try await measure(scenario, client: client, seconds: seconds)
            let throughput = Double(result.latencies.count) / result.elapsed
            if baseline == nil { baseline = throughput }
            let sorted = result.latencies.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000)
            }
            print(
                "| \(scenario.name) | \(sorted.count) | \(String(format: "%.0f", throughput)) | \(percentile(0.5)) | \(percentile(0.9)) | "
                    + "\(percentile(0.99)) | \(percentile(1.0)) | \(result.errors) | \(String(format: "%.2f×", throughput / (baseline ?? throughput))) |"
            )
        }
    }

    // MARK: Scenarios

    static func bound(_ prefix: String, days: Int) -> String {
        prefix
            + UKTime.format(UKTime.day(offset: days, from: Date())).replacingOccurrences(of: ":", with: "%3A")
            .replacingOccurrences(of: "+", with: "%2B")
    }

    static func headers(_ interaction: Interaction, base: String, confidentiality: String? = nil) -> HTTPHeaders {
        let consumer = ConsumerIdentity(
            systemURL: "https://bench.example/", deviceID: "bench", deviceModel: "gpconnect bench", organizationName: "Benchmark",
            sdsUserID: "BENCH0001", family: "Bench", given: ["Load"], prefix: [])
        let token = AuditToken(for: interaction, consumer: consumer, audience: base, confidentiality: confidentiality)
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer " + token.encode())
        headers.add(name: "Ssp-TraceID", value: UUID().uuidString.lowercased())
        headers.add(name: "Ssp-From", value: "200000000359")
        headers.add(name: "Ssp-To", value: "918999198738")
        headers.add(name: "Ssp-InteractionID", value: interaction.id)
        headers.add(name: "Accept", value: "application/fhir+json")
        headers.add(name: "Content-Type", value: "application/fhir+json")
        return headers
    }

    static func get(_ name: String, _ url: String, _ interaction: Interaction?) -> Scenario {
        let headers = interaction.map { Self.headers($0, base: url) } ?? HTTPHeaders()
        return Scenario(name: name) { client, _ in
            var request = HTTPClientRequest(url: url)
            request.headers = headers
            return try await timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 64 << 20)
                return response.status
            }
        }
    }

    static let structuredRoot = "/B82617/STU3/1/gpconnect/structured/fhir"

    /// The structured record: the richest reference patient, and the synthetic long record, with
    /// every clinical area; the migrate operation of the rich record.
    static func structured(base: String) -> [Scenario] {
        func body(_ nhsNumber: String, _ parameters: [FHIRElement]) -> String {
            FHIRJSON.encodeString([
                "resourceType": "Parameters",
                "parameter": .array(
                    [
                        [
                            "name": "patientNHSNumber",
                            "valueIdentifier": ["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber)],
                        ]
                    ]
                        + parameters),
            ])
        }
        let everyArea: [FHIRElement] = [
            ["name": "includeAllergies", "part": [["name": "includeResolvedAllergies", "valueBoolean": true]]],
            ["name": "includeMedication"], ["name": "includeConsultations"], ["name": "includeProblems"], ["name": "includeImmunisations"],
            ["name": "includeUncategorisedData"], ["name": "includeInvestigations"], ["name": "includeReferrals"],
            ["name": "includeDiaryEntries"],
        ]
        let allergies: [FHIRElement] = [
            ["name": "includeAllergies", "part": [["name": "includeResolvedAllergies", "valueBoolean": true]]]
        ]
        let url = base + structuredRoot + "/Patient/$gpc.getstructuredrecord"
        return [
            post("Structured: patient2 allergies", url, .getStructuredRecord, body("9690937286", allergies)),
            post("Structured: patient2 every area", url, .getStructuredRecord, body("9690937286", everyArea)),
            post(
                "Structured: patient2 migrate", base + structuredRoot + "/Patient/$gpc.migratestructuredrecord", .migrateStructuredRecord,
                body(
                    "9690937286",
                    [["name": "includeFullRecord", "part": [["name": "includeSensitiveInformation", "valueBoolean": false]]]]),
                confidentiality: "conf/N"),
            post("Structured: long record every area", url, .getStructuredRecord, body(Storage.longRecordNHSNumber, everyArea)),
            post(
                "Structured: long record, last 3 consultations", url, .getStructuredRecord,
                body(
                    Storage.longRecordNHSNumber,
                    [["name": "includeConsultations", "part": [["name": "includeNumberOfMostRecent", "valuePositiveInt": .number("3")]]]])),
        ]
    }

    static func post(_ name: String, _ url: String, _ interaction: Interaction, _ body: String, confidentiality: String? = nil) -> Scenario
    {
        let headers = Self.headers(interaction, base: url, confidentiality: confidentiality)
        return Scenario(name: name) { client, _ in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(ByteBuffer(string: body))
            return try await timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 256 << 20)
                return response.status
            }
        }
    }

    /// Free unrestricted slots of the next days, one per worker.
    static func freeSlots(base: String, client: HTTPClient, count: Int) async throws -> [FHIRElement] {
        var request = HTTPClientRequest(
            url: base + root + "/Slot?start=\(bound("ge", days: 1))&end=\(bound("le", days: 15))&status=free&_include=Slot%3Aschedule")
        request.headers = headers(.searchFreeSlots, base: base)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        let bundle = try FHIRJSON.decode(Array(body.readableBytesView))
        let slots = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }.filter { $0["resourceType"]?.string == "Slot" }
        guard slots.count >= count else { throw ValidationError("Only \(slots.count) free slots; need \(count)") }
        return Array(slots.prefix(count))
    }

    /// Booking then cancelling: each worker books its own slot and cancels the booking, which frees
    /// the slot for its next round. Measured as two scenarios from one run.
    static func bookAndCancel(base: String, slots: [FHIRElement]) -> [Scenario] {
        let bookHeaders = headers(.bookAppointment, base: base)
        let cancelHeaders = headers(.cancelAppointment, base: base)
        let bodies = slots.enumerated().map { index, slot in
            FHIRJSON.encodeString(
                [
                    "resourceType": "Appointment", "meta": ["profile": [.string(Profile.appointment)]],
                    "contained": [
                        [
                            "resourceType": "Organization", "id": "1",
                            "identifier": [["system": .string(IdentifierSystem.odsOrganizationCode), "value": "B82617"]],
                            "name": "Benchmark", "telecom": [["system": "phone", "value": "01234567890"]],
                        ]
                    ],
                    "extension": [["url": .string(ExtensionURL.bookingOrganisation), "valueReference": ["reference": "#1"]]],
                    "status": "booked", "description": "Benchmark booking", "start": slot["start"] ?? "", "end": slot["end"] ?? "",
                    "slot": [["reference": .string("Slot/" + (slot["id"]?.string ?? ""))]], "created": .string(UKTime.format(Date())),
                    "participant": [
                        ["actor": ["reference": .string("Patient/\(index % 8 + 1)")], "status": "accepted"],
                        ["actor": ["reference": "Location/16"], "status": "accepted"],
                    ],
                ])
        }
        @Sendable func book(_ client: HTTPClient, _ worker: Int) async throws -> (Double?, FHIRObject?) {
            var request = HTTPClientRequest(url: base + root + "/Appointment")
            request.method = .POST
            request.headers = bookHeaders
            request.body = .bytes(ByteBuffer(string: bodies[worker % bodies.count]))
            var body = ByteBuffer()
            let seconds = try await timed(.created) {
                let response = try await client.execute(request, timeout: .seconds(10))
                body = try await response.body.collect(upTo: 1 << 20)
                return response.status
            }
            return (seconds, try? FHIRJSON.decode(Array(body.readableBytesView)).object)
        }
        @Sendable func cancel(_ client: HTTPClient, _ booked: FHIRObject?) async throws -> Double? {
            guard var appointment = booked, let id = appointment["id"]?.string else { return nil }
            appointment["status"] = "cancelled"
            appointment["extension"] = .array(
                (appointment["extension"]?.items ?? []) + [["url": .string(ExtensionURL.cancellationReason), "valueString": "benchmark"]])
            var request = HTTPClientRequest(url: base + root + "/Appointment/\(id)")
            request.method = .PUT
            request.headers = cancelHeaders
            request.body = .bytes(ByteBuffer(string: FHIRJSON.encodeString(.object(appointment))))
            return try await timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 1 << 20)
                return response.status
            }
        }
        // Each round books the worker's slot and cancels the booking, which frees the slot for
        // the next round; one scenario measures the booking, the other the cancellation.
        return [
            Scenario(name: "Book appointment (command)") { client, worker in
                let (seconds, appointment) = try await book(client, worker)
                _ = try await cancel(client, appointment)
                return seconds
            },
            Scenario(name: "Cancel appointment (command)") { client, worker in
                try await cancel(client, try await book(client, worker).1)
            },
        ]
    }

    /// Runs a request and returns its duration in seconds if it answered `expected`.
    static func timed(_ expected: HTTPResponseStatus, _ body: () async throws -> HTTPResponseStatus) async throws -> Double? {
        let begin = ContinuousClock.now
        let status = try await body()
        let elapsed = ContinuousClock.now - begin
        return status == expected ? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 : nil
    }

    // MARK: Measuring

    struct Result: Sendable {
        var latencies: [Double]
        var errors: Int
        var elapsed: Double
    }

    func measure(_ scenario: Scenario, client: HTTPClient, seconds: Double) async throws -> Result {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let merged = try await withThrowingTaskGroup(of: Result.self) { group in
            for worker in 0..<concurrency {
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
            latencies: merged.latencies, errors: merged.errors,
            elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
