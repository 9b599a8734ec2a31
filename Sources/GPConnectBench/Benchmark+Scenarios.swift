import AsyncHTTPClient
import FHIR
import Foundation
import GPConnectContract
import NIOCore
import NIOHTTP1

/// The scenarios: Foundations reads and searches, free-slot searches, booking and cancelling,
/// and the structured record (nhsconnect/gpconnect feature/1.6.2: foundations, appointments and
/// accessrecord_structured use cases).
extension Benchmark {
    func scenarios(client: HTTPClient) async throws -> [BenchScenario] {
        let requests = BenchRequests(base: base)
        let tomorrow = BenchRequests.bound("ge", days: 1)
        let slotFilter: [(String, String)] = [
            ("status", "free"), ("_include", "Slot:schedule"),
            ("searchFilter", IdentifierSystem.odsOrganizationCode + "|" + BenchReference.practiceODS),
        ]
        let slots = try await Self.freeSlots(requests, client: client, count: concurrency)
        var scenarios = [
            BenchRequests.get(Self.baselineName, base + "/health", nil),
            BenchRequests.get("metadata", requests.url(.readMetadata), .readMetadata),
            BenchRequests.get("Patient read", requests.url(.readPatient, id: BenchReference.patient2ID), .readPatient),
            BenchRequests.get(
                "Patient search",
                requests.url(.searchPatient, query: [("identifier", IdentifierSystem.nhsNumber + "|" + BenchReference.patient2NHSNumber)]),
                .searchPatient),
            BenchRequests.get(
                "Patient read, unknown id (404)", requests.url(.readPatient, id: BenchReference.unknownPatientID), .readPatient,
                expecting: .notFound),
            BenchRequests.get(
                "Patient read, malformed JWT (400)", requests.url(.readPatient, id: BenchReference.patient2ID), .readPatient,
                expecting: .badRequest, authorization: "Bearer e30.e30."),
            BenchRequests.get(
                "Patient read (XML)", requests.url(.readPatient, id: BenchReference.patient2ID, query: [("_format", "xml")]),
                .readPatient),
            BenchRequests.get(
                "Slot search, 1 day",
                requests.url(
                    .searchFreeSlots, query: [("start", tomorrow), ("end", BenchRequests.bound("le", days: 2))] + slotFilter),
                .searchFreeSlots),
            BenchRequests.get(
                "Slot search, 7 days",
                requests.url(
                    .searchFreeSlots, query: [("start", tomorrow), ("end", BenchRequests.bound("le", days: 8))] + slotFilter),
                .searchFreeSlots),
            BenchRequests.get(
                "Slot search, 14 days",
                requests.url(
                    .searchFreeSlots, query: [("start", tomorrow), ("end", BenchRequests.bound("le", days: 15))] + slotFilter),
                .searchFreeSlots),
        ]
        scenarios += Self.bookAndCancel(requests, slots: slots)
        scenarios += structured(requests)
        scenarios += try await documents(requests, client: client)
        if Self.taskScenarioNames.contains(where: wanted) { scenarios += try await tasks(requests, client: client) }
        scenarios += careRecord(requests)
        scenarios += populationScenarios()
        return scenarios
    }

    /// Access Document: a search over the long-record patient's documents (500 when the server was
    /// seeded by `gpconnect bench`), the retrieval of a 1 MB document and the migration of a 200 MB
    /// one (patient3's, found as a consumer finds them: through the migrated structured record).
    func documents(_ requests: BenchRequests, client: HTTPClient) async throws -> [BenchScenario] {
        var scenarios: [BenchScenario] = []
        let patients = try await Self.fetch(
            requests.url(.searchDocumentsPatient, query: [("identifier", IdentifierSystem.nhsNumber + "|" + longRecordNHSNumber)]),
            .searchDocumentsPatient, requests: requests, client: client)
        if let id = Self.entries(patients, "Patient").first?["id"]?.string {
            scenarios.append(
                BenchRequests.get(
                    "Documents: search, long record's documents",
                    requests.url(.searchDocuments, id: id, query: DocumentSearch().queryItems.map { ($0.name, $0.value) }), .searchDocuments
                ))
        }
        let migrated = try await Self.fetch(
            requests.url(.migrateStructuredRecord), .migrateStructuredRecord, requests: requests, client: client,
            body: StructuredRecordParameters.migration(nhsNumber: BenchReference.patient3NHSNumber, includeSensitive: false).fhir)
        let attachments = Self.entries(migrated, "DocumentReference").compactMap { $0["content"]?.items.first?["attachment"] }
        func document(near size: Int) -> (url: String, size: Int)? {
            attachments.compactMap { attachment -> (String, Int)? in
                guard let url = attachment["url"]?.string, let bytes = attachment["size"]?.string.flatMap({ Int($0) }) else { return nil }
                return (url, bytes)
            }.first { abs($0.1 - size) < size / 10 }
        }
        if let small = document(near: 1 << 20) {
            scenarios.append(BenchRequests.download("Documents: retrieve 1 MB", small.url, .readBinary, bytes: small.size))
        }
        if let large = document(near: 200 << 20) {
            scenarios.append(
                BenchRequests.download("Documents: migrate 200 MB", large.url, .migrateBinary, bytes: large.size, maximumWorkers: 4))
        }
        return scenarios
    }

    static func fetch(_ url: String, _ interaction: Interaction, requests: BenchRequests, client: HTTPClient, body: FHIRElement? = nil)
        async throws -> FHIRElement
    {
        var request = HTTPClientRequest(url: url)
        request.headers = BenchRequests.headers(
            interaction, audience: requests.base, confidentiality: interaction == .migrateStructuredRecord ? "conf/N" : nil)
        if let body {
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: FHIRJSON.encodeString(body)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        guard response.status == .ok else { throw BenchmarkError("\(interaction.rawValue) answered \(response.status.code)") }
        return try FHIRJSON.decode(Array(bytes.readableBytesView))
    }

    static func entries(_ bundle: FHIRElement, _ type: String) -> [FHIRElement] {
        (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }.filter { $0["resourceType"]?.string == type }
    }

    /// The structured record: the richest reference patient, and the synthetic long record, with
    /// every clinical area; the migrate operation of the rich record.
    func structured(_ requests: BenchRequests) -> [BenchScenario] {
        typealias Parameters = StructuredRecordParameters
        let everyArea = Self.everyArea
        let patient2 = BenchReference.patient2NHSNumber
        let url = requests.url(.getStructuredRecord)
        return [
            BenchRequests.post(
                "Structured: patient2 allergies", url, .getStructuredRecord,
                Parameters(nhsNumber: patient2, parameters: [.allergies(includeResolved: true)]).fhir),
            BenchRequests.post(
                "Structured: patient2 every area", url, .getStructuredRecord, Parameters(nhsNumber: patient2, parameters: everyArea).fhir),
            BenchRequests.post(
                "Structured: patient2 migrate", requests.url(.migrateStructuredRecord), .migrateStructuredRecord,
                Parameters.migration(nhsNumber: patient2, includeSensitive: false).fhir, confidentiality: "conf/N"),
            BenchRequests.post(
                "Structured: long record every area", url, .getStructuredRecord,
                Parameters(nhsNumber: longRecordNHSNumber, parameters: everyArea).fhir),
            BenchRequests.post(
                "Structured: long record, last 3 consultations", url, .getStructuredRecord,
                Parameters(nhsNumber: longRecordNHSNumber, parameters: [.consultations(mostRecent: 3)]).fhir),
        ]
    }

    /// Free unrestricted slots of the next days, one per worker.
    static func freeSlots(_ requests: BenchRequests, client: HTTPClient, count: Int) async throws -> [FHIRElement] {
        var request = HTTPClientRequest(
            url: requests.url(
                .searchFreeSlots,
                query: [
                    ("start", BenchRequests.bound("ge", days: 1)), ("end", BenchRequests.bound("le", days: 15)), ("status", "free"),
                    ("_include", "Slot:schedule"),
                ]))
        request.headers = BenchRequests.headers(.searchFreeSlots, audience: requests.base)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        let bundle = try FHIRJSON.decode(Array(body.readableBytesView))
        let slots = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }.filter { $0["resourceType"]?.string == "Slot" }
        guard slots.count >= count else { throw BenchmarkError("Only \(slots.count) free slots; need \(count)") }
        return Array(slots.prefix(count))
    }

    /// Booking then cancelling: each worker books its own slot and cancels the booking, which frees
    /// the slot for its next round. Measured as two scenarios from one run.
    static func bookAndCancel(_ requests: BenchRequests, slots: [FHIRElement]) -> [BenchScenario] {
        let bookHeaders = BenchRequests.headers(.bookAppointment, audience: requests.base)
        let cancelHeaders = BenchRequests.headers(.cancelAppointment, audience: requests.base)
        let organisation = BookingOrganisation(ods: BenchReference.practiceODS, name: "Benchmark", telephone: "01234567890")
        let bodies = slots.enumerated().map { index, slot in
            FHIRJSON.encodeString(
                AppointmentBooking(
                    slotID: slot["id"]?.string ?? "", start: slot["start"]?.string ?? "", end: slot["end"]?.string ?? "",
                    patientID: String(index % BenchReference.bookablePatients + 1), locationID: BenchReference.locationID,
                    description: "Benchmark booking", organisation: organisation
                ).fhir)
        }
        let bookURL = requests.url(.bookAppointment)
        @Sendable func book(_ client: HTTPClient, _ worker: Int) async throws -> (Double?, FHIRObject?) {
            var request = HTTPClientRequest(url: bookURL)
            request.method = .POST
            request.headers = bookHeaders
            request.body = .bytes(ByteBuffer(string: bodies[worker % bodies.count]))
            var body = ByteBuffer()
            let seconds = try await BenchRequests.timed(.created) {
                let response = try await client.execute(request, timeout: .seconds(10))
                body = try await response.body.collect(upTo: 1 << 20)
                return response.status
            }
            return (seconds, try? FHIRJSON.decode(Array(body.readableBytesView)).object)
        }
        @Sendable func cancel(_ client: HTTPClient, _ booked: FHIRObject?) async throws -> Double? {
            guard let appointment = booked, let id = appointment["id"]?.string else { return nil }
            var request = HTTPClientRequest(url: requests.url(.cancelAppointment, id: id))
            request.method = .PUT
            request.headers = cancelHeaders
            request.body = .bytes(
                ByteBuffer(string: FHIRJSON.encodeString(AppointmentCancellation(appointment: appointment, reason: "benchmark").fhir)))
            return try await BenchRequests.timed(.ok) {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 1 << 20)
                return response.status
            }
        }
        // Each round books the worker's slot and cancels the booking, which frees the slot for
        // the next round; one scenario measures the booking, the other the cancellation.
        return [
            BenchScenario(name: "Book appointment (command)") { client, worker in
                let (seconds, appointment) = try await book(client, worker)
                _ = try await cancel(client, appointment)
                return seconds
            },
            BenchScenario(name: "Cancel appointment (command)") { client, worker in
                try await cancel(client, try await book(client, worker).1)
            },
        ]
    }
}
