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

/// Whole `$gpc.getcarerecord` Bundles of the reference patients compared with reviewed golden
/// files (`Golden/html/`), canonicalised as the structured ones are: ids and the generation time
/// replaced, dates seeded relative to the seed day written back as `today±N` (in the views too),
/// the absolute 2015–2016 dates kept. `GPCONNECT_UPDATE_GOLDEN=1` rewrites them; review the diff.
@Suite("Access Record HTML golden files")
struct CareRecordGoldenTests {
    typealias S = Structured
    static let directory = StructuredGoldenTests.directory.appendingPathComponent("html")

    static let samples: [(String, String)] =
        CareRecordSection.allCases.map { (S.patient2, $0.code) } + [
            (S.patient1, "SUM"), (S.patient13, "ALL"), (S.patient16, "ALL"), (HTML.patient22, "SUM"),
        ]

    static func name(_ sample: (String, String)) -> String {
        let names = [
            S.patient1: "patient1", S.patient2: "patient2", S.patient13: "patient13", S.patient16: "patient16", HTML.patient22: "patient22",
        ]
        return "\(names[sample.0] ?? sample.0)-\(sample.1)"
    }

    @Test func viewsMatchTheirGoldenFiles() async throws {
        try await TestServer.run { client in
            for sample in Self.samples {
                let reply = try await client.careRecord(sample.0, sample.1)
                #expect(reply.status == 200)
                let canonical = try Self.canonical(try #require(reply.resource))
                let file = Self.directory.appendingPathComponent("\(Self.name(sample)).json")
                if StructuredGoldenTests.update {
                    try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                    try canonical.write(to: file)
                    continue
                }
                let golden = try Data(contentsOf: file)
                #expect(canonical == golden, "\(Self.name(sample)) differs from Golden/html/\(Self.name(sample)).json")
            }
        }
    }

    /// The same views rendered from PostgreSQL are the same Bundles.
    @Test(.enabled(if: TestPostgres.available, "needs GPCONNECT_TEST_POSTGRES"))
    func postgresServesTheSameViews() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        let app = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
        try await app.test(.live) { live in
            let client = Client(client: live, databasePath: url)
            for sample in Self.samples {
                let reply = try await client.careRecord(sample.0, sample.1)
                #expect(reply.status == 200, "\(Self.name(sample))")
                let golden = try Data(contentsOf: Self.directory.appendingPathComponent("\(Self.name(sample)).json"))
                #expect(try Self.canonical(try #require(reply.resource)) == golden, "\(Self.name(sample)) from PostgreSQL differs")
            }
            // Refusals come from the same rules on either store.
            let dissent = try await client.careRecord(S.patient15, "SUM")
            #expect(dissent.status == 403 && dissent.spineCode == "NO_PATIENT_CONSENT")
        }
        try? await TestPostgres.dropDatabase(url: url)
    }

    static func canonical(_ bundle: FHIRElement) throws -> Data {
        let today = ISO8601.day(Date())
        let stable = relativise(bundle, seedDay: today, path: "")
        let json = try JSONSerialization.jsonObject(with: Data(FHIRJSON.encode(stable)))
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func relative(_ day: String, seedDay: String) -> String? {
        guard !StructuredGoldenTests.fixedDays.contains(day) else { return nil }
        let offset = ClinicalDate.days(from: seedDay, to: day)
        guard abs(offset) <= 5000 else { return nil }
        return "today\(offset >= 0 ? "+" : "")\(offset)"
    }

    static func relativise(_ element: FHIRElement, seedDay: String, path: String) -> FHIRElement {
        switch element {
        case .object(let object):
            var copy = FHIRObject()
            for field in object.fields {
                let value: FHIRElement =
                    switch (path, field.name) {
                    case ("", "id"): "BUNDLE"
                    case ("entry.resource", "id") where object["resourceType"]?.string == "Composition": "TRACE"
                    case ("entry", "fullUrl") where field.value.string?.hasPrefix("Composition/") == true: "Composition/TRACE"
                    case ("entry.resource", "date"): "NOW"
                    default: relativise(field.value, seedDay: seedDay, path: path.isEmpty ? field.name : path + "." + field.name)
                    }
                copy.append(field.name, value)
            }
            return .object(copy)
        case .array(let items):
            return .array(items.map { relativise($0, seedDay: seedDay, path: path) })
        case .string(let text):
            if text.hasPrefix("<div") {
                return .string(
                    text.replacing(/(\d{2})-([A-Z][a-z]{2})-(\d{4})/) { match in
                        let (_, day, month, year) = match.output
                        guard let index = months.firstIndex(of: String(month)) else { return String(match.output.0) }
                        let iso = "\(year)-\(index < 9 ? "0" : "")\(index + 1)-\(day)"
                        return relative(iso, seedDay: seedDay) ?? String(match.output.0)
                    })
            }
            guard text.count >= 10, FHIRDate.isDate(String(text.prefix(10))),
                let relative = relative(String(text.prefix(10)), seedDay: seedDay)
            else { return element }
            return .string(relative + text.dropFirst(10))
        case .number, .bool:
            return element
        }
    }
}
