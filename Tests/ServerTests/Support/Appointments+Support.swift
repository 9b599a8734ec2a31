import AsyncHTTPClient
import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Helpers that act like the pack's appointment steps.
extension Client {
    static let odsFilter = "searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617"
    static let typeFilter = "searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FSTU3%2FCodeSystem%2FGPConnect-OrganisationType-1%7Curgent-care"

    /// `ge`/`le` bound text for local midnight `days` from today, percent-encoded.
    static func bound(_ prefix: String, days: Int) -> String {
        let text = UKTime.format(UKTime.day(offset: days, from: Date()))
        return prefix + text.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "+", with: "%2B")
    }

    /// The pack's "I get Available Free Slots": tomorrow for `days` days, ODS + type filters.
    func freeSlots(from: Int = 1, days: Int = 14, extra: String = "") async throws -> Reply {
        try await request(
            .searchFreeSlots,
            "Slot?start=\(Self.bound("ge", days: from))&end=\(Self.bound("le", days: from + days))&status=free&\(Self.odsFilter)&\(Self.typeFilter)"
                + "&_include=Slot%3Aschedule" + extra)
    }

    /// The pack's default booking body for a slot and its schedule.
    static func bookingBody(
        slot: FHIRElement, schedule: FHIRElement?, patientID: String, locationID: String? = nil,
        edit: (inout FHIRObject) -> Void = { _ in }
    ) -> FHIRElement {
        let location =
            locationID.map { "Location/\($0)" }
            ?? schedule?["actor"]?.items.compactMap { $0["reference"]?.string }.first { $0.hasPrefix("Location/") } ?? "Location/16"
        var body: FHIRObject = [
            "resourceType": "Appointment",
            "meta": ["profile": [.string(Profile.appointment)]],
            "contained": [
                [
                    "resourceType": "Organization", "id": "1", "meta": ["profile": [.string(Profile.organization)]],
                    "identifier": [["system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B82617"]],
                    "type": [
                        ["coding": [["system": .string(CodeSystemURL.organisationType), "code": "urgent-care"]], "text": "Urgent Care"]
                    ],
                    "name": "Test Suite Validator", "telecom": [["system": "phone", "value": "01823938938", "use": "temp"]],
                ]
            ],
            "extension": [["url": .string(ExtensionURL.bookingOrganisation), "valueReference": ["reference": "#1"]]],
            "status": "booked",
            "description": "Default Description",
        ]
        body.append("start", slot["start"])
        body.append("end", slot["end"])
        body.append("slot", [["reference": .string("Slot/" + (slot["id"]?.string ?? ""))]])
        body.append("created", .string(UKTime.format(Date())))
        body.append(
            "participant",
            [
                ["actor": ["reference": .string("Patient/\(patientID)")], "status": "accepted"],
                ["actor": ["reference": .string(location)], "status": "accepted"],
            ])
        edit(&body)
        return .object(body)
    }

    /// Searches slots and books the first one (or the `index`-th) for a patient.
    func book(
        patientID: String = "1", index: Int = 0, from: Int = 1, format: FHIRFormat = .json,
        edit: (inout FHIRObject) -> Void = { _ in }, headers: (inout HTTPFields) -> Void = { _ in }
    ) async throws -> Reply {
        let search = try await freeSlots(from: from)
        let slots = search.entries.filter { $0["resourceType"]?.string == "Slot" }
        let slot = slots[min(index, slots.count - 1)]
        let schedule = search.entries.first { "Schedule/" + ($0["id"]?.string ?? "") == slot["schedule"]?["reference"]?.string }
        let body = Self.bookingBody(slot: slot, schedule: schedule, patientID: patientID, edit: edit)
        return try await request(
            .bookAppointment, "Appointment", headers: headers, body: String(decoding: format.encode(body), as: UTF8.self),
            contentType: format.contentType)
    }

    /// PUT an amend or cancel of an appointment, starting from the body the server returned.
    func change(
        _ interaction: Interaction, _ appointment: FHIRElement, ifMatch: String? = nil, query: String = "",
        edit: (inout FHIRObject) -> Void
    ) async throws -> Reply {
        var body = appointment.object ?? FHIRObject()
        edit(&body)
        let id = appointment["id"]?.string ?? ""
        return try await request(
            interaction, "Appointment/\(id)" + query,
            headers: { headers in
                if let ifMatch { headers[HTTPField.Name("If-Match")!] = ifMatch }
            }, body: FHIRJSON.encodeString(.object(body)))
    }

    static func cancellation(_ reason: String) -> FHIRElement {
        ["url": .string(ExtensionURL.cancellationReason), "valueString": .string(reason)]
    }
}

extension FHIRObject {
    /// Appends an item to a list field.
    mutating func add(_ name: String, _ item: FHIRElement) {
        self[name] = .array((self[name]?.items ?? []) + [item])
    }
}

extension Client {
    /// Connections for racing requests: patient with connection set-up while the whole suite
    /// loads the machine.
    static let pool: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(30)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Sends a request over AsyncHTTPClient's connection pool. The Hummingbird test client has a
    /// single connection, so requests fired "at once" through it would really queue one after
    /// another; races must come from separate connections to be races.
    func viaPool(_ interaction: Interaction, _ path: String, body: String? = nil, ifMatch: String? = nil) async throws -> (
        status: Int, code: String?
    ) {
        let port = client.port ?? 0
        let endpoint = ProviderEndpoint(ods: Client.practice, baseURL: "http://127.0.0.1:\(port)", asid: Client.asid)
        let consumer = GPConnectClient(
            consumer: ConsumerIdentity(organizationODS: "GPCA0001"), consumerASID: Client.consumerASID, http: Client.pool,
            timeout: .seconds(60), retries: 0)
        let resource = try body.map { try FHIRJSON.decode(Array($0.utf8)) }
        do {
            let response = try await consumer.send(
                interaction, to: endpoint, path: path, body: resource, headers: ifMatch.map { [("If-Match", $0)] } ?? [])
            return (response.status, nil)
        } catch {
            if case .refused(let status, let code, _) = error { return (status, code) }
            throw error
        }
    }
}
