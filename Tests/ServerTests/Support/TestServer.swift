import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectSQL
import GPConnectSQLite
import GPConnectSeed
import GPConnectServer
import GPConnectStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// A provider on a fresh copy of the seeded reference database, exercised over real HTTP
/// (Hummingbird's live test client).
enum TestServer {
    /// The reference database is created and seeded once per test run and copied for each test,
    /// so every test starts from the same state without paying for the seed.
    static let template = Mutex<String?>(nil)

    static func templatePath() async throws -> String {
        if let path = template.withLock({ $0 }) { return path }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-tests-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("template.sqlite").path
        let database = try await GPConnectSQLiteDatabase.open(path: path)
        let (stores, demographics) = Stores.sql(database)
        try await ReferenceData.seed(stores: stores, demographics: demographics)
        for practice in try await stores.directory.practices() {
            try await Diary(stores: stores).release(practice: practice.ods, now: Date())
        }
        await database.close()  // closing the last connection checkpoints the WAL into the file
        template.withLock { $0 = path }
        return path
    }

    static func freshDatabase() async throws -> String {
        let template = try await templatePath()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("test.sqlite").path
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return path
    }

    /// Runs `body` against a live server on its own database.
    static func run(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (Client) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration(port: 0, databasePath: try await freshDatabase(), logLevel: .error)
        configure(&configuration)
        let app = try await buildApplication(configuration: configuration)
        let path = configuration.databasePath
        try await app.test(.live) { client in
            try await body(Client(client: client, databasePath: path))
        }
    }
}

/// Makes GP Connect requests the way a consumer (and the conformance pack) does.
struct Client: Sendable {
    let client: any TestClientProtocol
    let databasePath: String

    static let practice = "B82617"
    static let asid = "918999198738"
    static let consumerASID = "200000000359"

    static func root(_ ods: String = practice, _ capability: Capability = .foundations) -> String {
        capability.serviceRoot(ods: ods)
    }

    /// A JWT like the one the conformance pack sends (JwtHelper defaults), for an interaction.
    static func token(for interaction: Interaction, now: Date = Date(), edit: (inout FHIRObject) -> Void = { _ in }) -> String {
        let iat = Int64(now.timeIntervalSince1970) - 2
        var claims: FHIRObject = [
            "iss": "https://ConsumerSystemURL", "sub": "1", "aud": "https://authorize.fhir.nhs.net/token/",
            "exp": .number(String(iat + 300)), "iat": .number(String(iat)),
            "reason_for_request": "directcare", "requested_scope": .string(interaction.scope.rawValue),
            "requesting_device": [
                "resourceType": "Device", "identifier": [["system": "GPConnectTestSystem", "value": "Client"]], "model": "v1",
                "version": "1.1",
            ],
            "requesting_organization": [
                "resourceType": "Organization",
                "identifier": [["system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "GPCA0001"]],
                "name": "GP Connect Assurance",
            ],
            "requesting_practitioner": [
                "resourceType": "Practitioner", "id": "1",
                "identifier": [
                    ["system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "GCASDS0001"],
                    ["system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "112233445566"],
                    ["system": "https://consumersupplier.com/Id/user-guid", "value": "98ed4f78-814d-4266-8d5b-cde742f3093c"],
                ],
                "name": [["family": "AssurancePractitioner", "given": ["AssuranceTest"], "prefix": ["Mr"]]],
            ],
        ]
        edit(&claims)
        return Self.encodeToken(claims: .object(claims))
    }

    static func encodeToken(claims: FHIRElement, header: FHIRElement = ["alg": "none", "typ": "JWT"]) -> String {
        func b64(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return b64(FHIRJSON.encode(header)) + "." + b64(FHIRJSON.encode(claims)) + "."
    }

    static func headers(for interaction: Interaction, token: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name(HeaderName.traceID)!] = UUID().uuidString.lowercased()
        headers[HTTPField.Name(HeaderName.from)!] = consumerASID
        headers[HTTPField.Name(HeaderName.to)!] = asid
        // Header names are case-insensitive: the lower-case spelling checks the server agrees.
        headers[HTTPField.Name(HeaderName.interactionID.lowercased())!] = interaction.id
        headers[.accept] = "application/fhir+json"
        headers[.authorization] = "Bearer " + (token ?? Self.token(for: interaction))
        return headers
    }

    /// One GP Connect request. `path` is relative to the service root of `capability`.
    func request(
        _ interaction: Interaction, _ path: String, method: HTTPRequest.Method? = nil, ods: String = Client.practice,
        headers edit: (inout HTTPFields) -> Void = { _ in }, body: String? = nil,
        contentType: String = "application/fhir+json; charset=utf-8",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) async throws -> Reply {
        var headers = Self.headers(for: interaction)
        if body != nil { headers[.contentType] = contentType }
        edit(&headers)
        let uri = Self.root(ods, interaction.capability) + (path.isEmpty ? "" : "/" + path)
        let response = try await client.execute(
            uri: uri, method: method ?? HTTPRequest.Method(rawValue: interaction.method.rawValue)!, headers: headers,
            body: body.map { ByteBuffer(string: $0) })
        let reply = Reply(response)
        reply.checkProfiles(
            version: interaction.capability.fhirVersion,
            sourceLocation: SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
        return reply
    }

    /// A request with nothing added: for unrouted paths and raw header tests.
    func raw(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil) async throws -> Reply {
        let reply = Reply(try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
        reply.checkProfiles(version: uri.contains("/DSTU2/") ? .dstu2 : .stu3)
        return reply
    }
}

/// A response with its body decoded as FHIR.
struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let bytes: [UInt8]

    init(_ response: TestResponse) {
        status = response.status.code
        headers = response.headers
        bytes = Array(response.body.readableBytesView)
    }

    var contentType: String? { headers[.contentType] }

    var resource: FHIRElement? {
        let type = contentType ?? ""
        if type.hasPrefix("application/fhir+xml") || type.hasPrefix("application/xml+fhir") { return try? FHIRXML.decode(bytes) }
        if type.hasPrefix("application/fhir+json") || type.hasPrefix("application/json+fhir") { return try? FHIRJSON.decode(bytes) }
        return nil
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The Spine code of an OperationOutcome's first issue.
    var spineCode: String? { resource?["issue"]?.items.first?["details"]?["coding"]?.items.first?["code"]?.string }

    /// Entries of a Bundle.
    var entries: [FHIRElement] { (resource?["entry"]?.items ?? []).compactMap { $0["resource"] } }
}

extension FHIRElement {
    /// `a.b.c` navigation that follows the first item of every list.
    func at(_ path: String) -> FHIRElement? {
        var current: FHIRElement? = self
        for name in path.split(separator: ".") {
            if case .array(let items)? = current { current = items.first }
            current = current?[String(name)]
        }
        if case .array(let items)? = current { return items.first }
        return current
    }
}
