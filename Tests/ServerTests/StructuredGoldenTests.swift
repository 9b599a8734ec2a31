import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectServer
import GPConnectTestSupport
import HummingbirdTesting
import Logging
import Testing

/// Whole structured responses compared with reviewed golden files, after canonicalising what
/// legitimately varies: the trace id, and clinical dates (seeded relative to the seed day), which
/// are written back as `today±N`. Run with `GPCONNECT_UPDATE_GOLDEN=1` to rewrite the files after
/// an intended change, then review the diff.
///
/// The same responses go through PyPI's `fhir.resources` (STU3) in JSON and XML.
@Suite("Structured record golden files and STU3 validity")
struct StructuredGoldenTests {
    typealias S = Structured
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let update = ProcessInfo.processInfo.environment["GPCONNECT_UPDATE_GOLDEN"] == "1"

    /// The requests whose whole responses are pinned.
    static func samples(_ client: Client) async throws -> [(String, FHIRFormat) async throws -> Reply] {
        [
            { _, format in try await client.structured(S.patient2, S.everyArea, format: format) },
            { _, format in try await client.structured(S.patient1, [S.allergies], format: format) },
            { _, format in try await client.structured(S.patient13, [S.allergies, S.parameter("includeReferrals")], format: format) },
            { _, format in try await client.structured(S.patient16, [S.allergies, S.parameter("includeReferrals")], format: format) },
            { _, _ in try await client.migrate(S.patient2, sensitive: false) },
        ]
    }
    static let names = ["patient2-every-area", "patient1-allergies", "patient13-in-transit", "patient16-confidential", "patient2-migrate"]

    @Test func responsesMatchTheirGoldenFilesAndAreValidSTU3() async throws {
        let validation = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-structured-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: validation, withIntermediateDirectories: true)
        try await TestServer.run { client in
            let requests = try await Self.samples(client)
            for (name, request) in zip(Self.names, requests) {
                let json = try await request(name, .json)
                #expect(json.status == 200, "\(name): \(json.text.prefix(300))")
                let bundle = try #require(json.resource)
                try Data(json.bytes).write(to: validation.appendingPathComponent("\(name).json"))
                if name != "patient2-migrate" {
                    let xml = try await request(name, .xml)
                    #expect(xml.status == 200)
                    try Data(xml.bytes).write(to: validation.appendingPathComponent("\(name).xml"))
                }
                let canonical = try Self.canonical(bundle)
                let file = Self.directory.appendingPathComponent("\(name).json")
                if Self.update {
                    try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                    try canonical.write(to: file)
                    continue
                }
                let golden = try Data(contentsOf: file)
                #expect(
                    canonical == golden,
                    "\(name) differs from Golden/\(name).json; if the change is intended, rerun with GPCONNECT_UPDATE_GOLDEN=1 and review the diff"
                )
            }
        }
        let result = try STU3Validator.validate(validation)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\(Self.names.count * 2 - 1) valid"), "\(result.output)")
    }

    /// The same records served from PostgreSQL are the same Bundles.
    @Test(.enabled(if: TestPostgres.available, "needs GPCONNECT_TEST_POSTGRES"))
    func postgresServesTheSameRecords() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        let app = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
        try await app.test(.live) { live in
            let client = Client(client: live, databasePath: url)
            for (name, request) in zip(Self.names, try await Self.samples(client)) {
                let reply = try await request(name, .json)
                #expect(reply.status == 200, "\(name)")
                let golden = try Data(contentsOf: Self.directory.appendingPathComponent("\(name).json"))
                #expect(
                    try Self.canonical(try #require(reply.resource)) == golden, "\(name) from PostgreSQL differs from Golden/\(name).json")
            }
        }
        try? await TestPostgres.dropDatabase(url: url)
    }

    /// Pretty, key-sorted JSON with the trace id and clinical dates made stable.
    static func canonical(_ bundle: FHIRElement) throws -> Data {
        guard var object = bundle.object else { return Data() }
        object["id"] = "TRACE"
        let seedDay = seedDay(in: .object(object)) ?? ISO8601.day(Date())
        let stable = relativise(.object(object), seedDay: seedDay)
        let json = try JSONSerialization.jsonObject(with: Data(FHIRJSON.encode(stable)))
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The day the record was seeded, from a resource whose date the seed fixes relative to it.
    static func seedDay(in bundle: FHIRElement) -> String? {
        for entry in bundle["entry"]?.items ?? [] {
            let resource = entry["resource"]
            if resource?["resourceType"]?.string == "AllergyIntolerance", let asserted = resource?["assertedDate"]?.string,
                resource?["id"]?.string?.hasSuffix("-1") == true
            {
                // The first allergy of every seeded patient is asserted 2000 days (16's 900) before the seed day.
                let offset = resource?["id"]?.string == "a16-1" ? 900 : 2000
                return ClinicalDate.adding(days: offset, to: String(asserted.prefix(10)))
            }
        }
        return nil
    }

    /// The days the clinical seed writes as absolute dates (patient2's 2015–2016 items, which the
    /// 0.7.4 HTML scenarios filter for): they do not move with the seed day, so they stay as written.
    static let fixedDays: Set<String> = {
        let seed = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GPConnectSeed/Data/clinical-B82617.json")
        let text = (try? String(contentsOf: seed, encoding: .utf8)) ?? ""
        return Set(text.matches(of: /"(\d{4}-\d{2}-\d{2})"/).map { String($0.output.1) })
    }()

    /// Dates within 5,000 days of the seed day become `today±N` (keeping any time part); older
    /// fixed dates (births, registrations) stay as they are.
    static func relativise(_ element: FHIRElement, seedDay: String) -> FHIRElement {
        switch element {
        case .object(let object):
            var copy = FHIRObject()
            for field in object.fields { copy.append(field.name, relativise(field.value, seedDay: seedDay)) }
            return .object(copy)
        case .array(let items):
            return .array(items.map { relativise($0, seedDay: seedDay) })
        case .string(let text):
            // The data-in-transit note names a day in words.
            if text.contains(/\d{2}-[A-Z][a-z]{2}-\d{4}/) {
                return .string(text.replacing(/\d{2}-[A-Z][a-z]{2}-\d{4}/, with: "dd-Mmm-yyyy"))
            }
            guard text.count >= 10, FHIRDate.isDate(String(text.prefix(10))), !fixedDays.contains(String(text.prefix(10))) else {
                return element
            }
            let offset = ClinicalDate.days(from: seedDay, to: String(text.prefix(10)))
            guard abs(offset) <= 5000 else { return element }
            return .string("today\(offset >= 0 ? "+" : "")\(offset)" + text.dropFirst(10))
        case .number, .bool:
            return element
        }
    }
}

/// Runs `validate_stu3.py` (PyPI's fhir.resources) over a directory of responses.
enum STU3Validator {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_stu3.py").path

    static func validate(_ directory: URL, script: String = STU3Validator.script) throws -> (status: Int32, output: String) {
        try python([script, directory.path])
    }

    /// Runs `python3` with `arguments`; its exit status and its output and errors together.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
