import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectPostgres
import GPConnectServer
import GPConnectStorage
import GPConnectTestSupport
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// Where a task test runs its provider: a copy of the seeded SQLite template, or a fresh
/// PostgreSQL database (seeded at start), both over real HTTP.
enum TaskBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    static let configured: [TaskBackend] = TestPostgres.available ? allCases : [.sqlite]

    func run(_ body: @Sendable (Client) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            try await TestServer.run(body)
        case .postgres:
            let (database, url) = try await TestPostgres.freshDatabase()
            await database.close()
            let app = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
            do {
                try await app.test(.live) { client in try await body(Client(client: client, databasePath: url)) }
            } catch {
                try? await TestPostgres.dropDatabase(url: url)
                throw error
            }
            try? await TestPostgres.dropDatabase(url: url)
        }
    }
}

extension Client {
    /// A JWT from a requesting organisation other than the default (GPCA0001).
    static func token(for interaction: Interaction, organization ods: String) -> String {
        token(for: interaction) { claims in
            claims["requesting_organization"] = [
                "resourceType": "Organization",
                "identifier": [["system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": .string(ods)]],
                "name": .string("Organisation \(ods)"),
            ]
        }
    }

    /// A task body as `gpconnect consumer task send` writes it, for patient2 at B82617.
    static func taskBody(
        nhsNumber: String = "9690937286", owner: String = Client.practice, type: TaskType = .bloodTest, priority: TaskPriority = .urgent,
        edit: (inout FHIRObject) -> Void = { _ in }
    ) -> FHIRElement {
        var body =
            TaskSubmission(
                ownerODS: owner, nhsNumber: nhsNumber, type: type, priority: priority, description: "Please arrange a full blood count",
                due: Date().addingTimeInterval(3 * 86_400), note: "Seen at the hub this evening", origin: "Encounter/77"
            ).fhir.object ?? FHIRObject()
        edit(&body)
        return .object(body)
    }

    /// One task interaction, optionally as another requesting organisation.
    func task(
        _ interaction: Interaction, _ path: String, as organization: String? = nil, body: FHIRElement? = nil, format: FHIRFormat = .json,
        headers edit: (inout HTTPFields) -> Void = { _ in }
    ) async throws -> Reply {
        try await request(
            interaction, path,
            headers: { headers in
                if let organization { headers[.authorization] = "Bearer " + Client.token(for: interaction, organization: organization) }
                if format == .xml { headers[.accept] = FHIRFormat.xml.contentType }
                edit(&headers)
            }, body: body.map { String(decoding: format.encode($0), as: UTF8.self) }, contentType: format.contentType)
    }

    /// Creates a task as `organization`; returns the Task the server answered with.
    func createTask(as organization: String? = nil, body: FHIRElement = Client.taskBody()) async throws -> FHIRElement {
        let reply = try await task(.createTask, "Task", as: organization, body: body)
        guard reply.status == 201, let resource = reply.resource else { throw TaskTestError.unexpected(reply.status, reply.text) }
        return resource
    }

    /// The practice's side, as `gpconnect tasks` does it: straight through the use cases on the
    /// server's database.
    func practice(_ body: (TaskManagement, Practice, Caller) async throws -> Void) async throws {
        let storage = try await Storage.open(databasePath)
        do {
            let practice = try #require(try await storage.stores.directory.practice(ods: Client.practice))
            var requester = Requester()
            requester.sdsUserID = "G13579135"
            requester.name = "Nichole Gilbert"
            requester.organizationODS = practice.ods
            let caller = Caller(channel: .practice(user: "G13579135"), requester: requester, traceID: "practice")
            try await body(TaskManagement(stores: storage.stores), practice, caller)
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}

enum TaskTestError: Error { case unexpected(Int, String) }
