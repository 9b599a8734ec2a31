import ArgumentParser
import AsyncHTTPClient
import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import Synchronization

/// `gpconnect consumer …`: use any GP Connect provider as a hospital, 111 or hub system would.
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer", abstract: "Call a GP Connect provider (this one or another vendor's) as a consumer.",
        subcommands: [
            FindPatient.self, Slots.self, FederatedSlots.self, Book.self, Appointments.self, Amend.self, Cancel.self, Record.self,
            Documents.self, Document.self, ConsumerTaskCommand.self, CareRecord.self,
            ConsumerSendDocument.self,
        ])

    struct Options: ParsableArguments {
        @Option(name: .long, help: "Provider base URL (scheme, host, port).") var url = "http://127.0.0.1:8080"
        @Option(name: .long, help: "ODS code of the practice.") var ods = "B82617"
        @Option(name: .long, help: "The practice's ASID (Ssp-To).") var asid = "918999198738"
        @Option(name: .long, help: "This consumer system's ASID (Ssp-From).") var consumerASID = "200000000359"
        @Option(name: .long, help: "ODS code of the requesting organisation.") var organization = "GPCA0001"
        @Option(name: .long, help: "SDS user id of the requesting user.") var user = "GCASDS0001"
        @Flag(name: .long, help: "Print the raw FHIR JSON.") var json = false
        @Flag(name: .long, help: "Print the raw FHIR XML.") var xml = false
        @OptionGroup var tls: ClientTLSFlags
        @Option(name: .long, help: "Go through this Spine Secure Proxy (e.g. https://127.0.0.1:9443), as `gpconnect ssp` serves.")
        var ssp: String?

        var endpoint: ProviderEndpoint { ProviderEndpoint(ods: ods, baseURL: url, asid: asid) }

        func validate() throws { _ = try ConsumerCommand.httpClient(tls.options) }

        var client: GPConnectClient {
            var client = GPConnectClient(
                consumer: ConsumerIdentity(organizationODS: organization, sdsUserID: user), consumerASID: consumerASID,
                http: (try? ConsumerCommand.httpClient(tls.options)) ?? GPConnectClient.sharedHTTPClient, format: xml ? .xml : .json)
            client.ssp = ssp
            return client
        }

        /// Prints raw FHIR when asked; returns whether it did.
        func raw(_ resources: [FHIRElement]) -> Bool {
            guard json || xml else { return false }
            for resource in resources { print(String(decoding: (xml ? FHIRFormat.xml : .json).encode(resource), as: UTF8.self)) }
            return true
        }
    }

    /// One HTTP client per TLS setting for the life of the process (`validate()` makes it first,
    /// so a bad certificate file is a usage error before any call).
    static let httpClients = Mutex<[TLSClientOptions: HTTPClient]>([:])

    static func httpClient(_ options: TLSClientOptions?) throws -> HTTPClient {
        guard let options else { return GPConnectClient.sharedHTTPClient }
        return try httpClients.withLock { clients in
            if let client = clients[options] { return client }
            do {
                let client = try options.makeHTTPClient()
                clients[options] = client
                return client
            } catch {
                throw ValidationError("Cannot use the TLS certificate, key or CA: \(error)")
            }
        }
    }

    /// Runs a call, turning a refusal into one clear line and exit code 1.
    static func run<T>(_ body: () async throws(GPConnectClientError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            FileHandle.standardError.write(Data("gpconnect: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(
                    separator: "  "))
        }
    }

    static func day(_ text: String?, default offset: Int) throws -> Date {
        guard let text else { return UKTime.day(offset: offset, from: Date()) }
        guard let parsed = UKTime.parse(text) else { throw ValidationError("Dates are yyyy-mm-dd") }
        return parsed.date
    }

    struct FindPatient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "patient", abstract: "Find a patient by NHS number.")
        @OptionGroup var options: Options
        @Argument(help: "NHS number.") var nhsNumber: String

        func run() async throws {
            let patients = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.findPatient(options.endpoint, nhsNumber: nhsNumber)
            }
            if options.raw(patients) { return }
            guard !patients.isEmpty else { return print("No patient with that NHS number at \(options.ods).") }
            ConsumerCommand.table(
                ["id", "name", "born", "gender", "GP", "registration"],
                patients.map(PatientSummary.init).map { patient in
                    [
                        patient.id ?? "-", patient.name ?? "-", patient.birthDate ?? "-", patient.gender ?? "-",
                        patient.generalPractitioner ?? "-", patient.registrationType ?? "-",
                    ]
                })
        }
    }

    struct Slots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A practice's free slots (default: tomorrow for 7 days).")
        @OptionGroup var options: Options
        @Option(name: .long, help: "First day (yyyy-mm-dd).") var from: String?
        @Option(name: .long, help: "Last day (yyyy-mm-dd).") var to: String?
        @Option(name: .long, help: "Search as this booking organisation ODS code.") var bookingODS: String?
        @Option(name: .long, help: "Search as this organisation type (gp-practice, urgent-care).") var type: String?

        func run() async throws {
            let start = try ConsumerCommand.day(from, default: 1)
            let end = UKTime.day(offset: 1, from: try ConsumerCommand.day(to, default: 7))
            let found = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.searchFreeSlots(
                    options.endpoint, from: start, to: end, bookingODS: bookingODS, organizationType: type)
            }
            if options.raw(found.slots + found.schedules + found.practitioners + found.locations + found.organizations) { return }
            ConsumerCommand.table(
                ["slot", "start", "end", "channel", "type", "practitioner", "location"],
                found.summaries.map { slot in
                    [
                        slot.id, slot.start ?? "-", String((slot.end ?? "-").dropFirst(11).prefix(5)), slot.deliveryChannel ?? "-",
                        slot.serviceType ?? "-", slot.practitionerName ?? "-", slot.locationName ?? "-",
                    ]
                })
            print("\(found.slots.count) free slots")
        }
    }

    struct FederatedSlots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "federated-slots", abstract: "Free slots across federated practices, merged and in time order.")
        @Option(name: .long, help: "Directory file: a JSON array of {ods, name, baseURL, asid}.") var directory: String
        @Option(name: .long, help: "First day (yyyy-mm-dd).") var from: String?
        @Option(name: .long, help: "Last day (yyyy-mm-dd).") var to: String?
        @Option(name: .long, help: "Seconds each practice has to answer.") var deadline: Double = 5
        @Option(name: .long, help: "Search as this booking organisation ODS code.") var bookingODS: String?
        @Option(name: .long, help: "This consumer system's ASID (Ssp-From).") var consumerASID = "200000000359"
        @Option(name: .long, help: "ODS code of the requesting organisation.") var organization = "GPCA0001"
        @Option(name: .long, help: "Show at most this many slots.") var limit = 50
        @OptionGroup var tls: ClientTLSFlags
        @Option(name: .long, help: "Go through this Spine Secure Proxy (e.g. https://127.0.0.1:9443).") var ssp: String?

        func run() async throws {
            let endpoints = try ProviderDirectory.load(directory)
            var client = GPConnectClient(
                consumer: ConsumerIdentity(organizationODS: organization), consumerASID: consumerASID,
                http: try ConsumerCommand.httpClient(tls.options))
            client.ssp = ssp
            let search = FederatedSlotSearch(client: client, deadline: .milliseconds(Int(deadline * 1000)))
            let total = endpoints.count
            let done = Counter()
            FileHandle.standardError.write(Data("searching \(total) practices…\n".utf8))
            let result = await search.search(
                endpoints, from: try ConsumerCommand.day(from, default: 1),
                to: UKTime.day(offset: 1, from: try ConsumerCommand.day(to, default: 7)),
                bookingODS: bookingODS
            ) { endpoint, outcome in
                FileHandle.standardError.write(Data("[\(done.next())/\(total)] \(endpoint.ods): \(outcome.summary)\n".utf8))
            }
            ConsumerCommand.table(
                ["practice", "outcome"], result.outcomes.map { ["\($0.endpoint.ods) \($0.endpoint.name ?? "")", $0.outcome.summary] })
            print("")
            ConsumerCommand.table(
                ["start", "practice", "slot", "channel", "practitioner", "location"],
                result.slots.prefix(limit).map {
                    [$0.startText, $0.ods, $0.slotID, $0.deliveryChannel ?? "-", $0.practitioner ?? "-", $0.location ?? "-"]
                })
            print(
                "\(result.slots.count) free slots across \(result.outcomes.filter { if case .slots = $0.outcome { true } else { false } }.count) practices"
            )
        }
    }

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book a free slot for a patient.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "Slot id (from `consumer slots`).") var slot: String
        @Option(name: .long, help: "Patient logical id (from `consumer patient`).") var patient: String
        @Option(name: .long, help: "What the appointment is for.") var description: String
        @Option(name: .long, help: "A comment for the practice.") var comment: String?
        @Option(name: .long, help: "Booking organisation name.") var organizationName = "Requesting organisation"
        @Option(name: .long, help: "Booking organisation telephone.") var telephone = "0300 000 0000"
        @Option(name: .long, help: "Booking organisation type (gp-practice, urgent-care).") var type: String?

        func run() async throws {
            let found = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.searchFreeSlots(
                    options.endpoint, from: UKTime.startOfDay(Date()), to: UKTime.day(offset: 14, from: Date()),
                    bookingODS: options.organization,
                    organizationType: type)
            }
            guard let chosen = found.summaries.first(where: { $0.id == slot }) else {
                throw ValidationError("Slot \(slot) is not among the free slots of the next 14 days")
            }
            let organisation = BookingOrganisation(ods: options.organization, name: organizationName, telephone: telephone, type: type)
            let booked = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.book(
                    options.endpoint, slot: chosen, patientID: patient, description: description, comment: comment, bookedBy: organisation)
            }
            if options.raw([booked.appointment]) { return }
            let appointment = AppointmentSummary(booked.appointment)
            print("Booked Appointment/\(appointment.id ?? "?") \(appointment.start ?? "") (version \(booked.etag ?? "-"))")
        }
    }

    struct Appointments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A patient's appointments from today.")
        @OptionGroup var options: Options
        @Argument(help: "Patient logical id.") var patient: String
        @Option(name: .long, help: "How many days ahead.") var days = 14

        func run() async throws {
            let appointments = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.patientAppointments(
                    options.endpoint, patientID: patient, from: Date(), through: UKTime.day(offset: days, from: Date()))
            }
            if options.raw(appointments) { return }
            ConsumerCommand.table(
                ["id", "status", "start", "description", "comment", "booked by"],
                appointments.map(AppointmentSummary.init).map {
                    [$0.id ?? "-", $0.status ?? "-", $0.start ?? "-", $0.description ?? "-", $0.comment ?? "-", $0.bookedBy ?? "-"]
                })
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an appointment's description or comment.")
        @OptionGroup var options: Options
        @Argument(help: "Appointment id.") var appointment: String
        @Option(name: .long) var description: String?
        @Option(name: .long) var comment: String?

        func run() async throws {
            let amended = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                let current = try await options.client.readAppointment(options.endpoint, id: appointment)
                return try await options.client.amend(options.endpoint, appointment: current, description: description, comment: comment)
            }
            if options.raw([amended]) { return }
            print("Amended Appointment/\(appointment) (version \(AppointmentSummary(amended).version ?? "-"))")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an appointment.")
        @OptionGroup var options: Options
        @Argument(help: "Appointment id.") var appointment: String
        @Option(name: .long, help: "Why it is cancelled.") var reason: String

        func run() async throws {
            let cancelled = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                let current = try await options.client.readAppointment(options.endpoint, id: appointment)
                return try await options.client.cancel(options.endpoint, appointment: current, reason: reason)
            }
            if options.raw([cancelled]) { return }
            print("Cancelled Appointment/\(appointment)")
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a patient's structured record for chosen clinical areas (or, with --migrate, the whole record).")
        @OptionGroup var options: Options
        @Argument(help: "NHS number.") var nhsNumber: String
        @Option(
            name: .long, parsing: .upToNextOption,
            help: "Areas: \(GPConnectClient.ClinicalArea.allCases.map { "\($0)" }.joined(separator: ", ")).")
        var areas: [String] = ["allergies", "medication"]
        @Flag(name: .long, help: "Migrate the whole record ($gpc.migratestructuredrecord) instead.")
        var migrate = false
        @Flag(name: .long, help: "With --migrate: include confidential and sensitive items (sends conf/R).")
        var sensitive = false

        func run() async throws {
            let chosen = try areas.map { name in
                guard let area = GPConnectClient.ClinicalArea.allCases.first(where: { "\($0)" == name }) else {
                    throw ValidationError("Unknown area \(name)")
                }
                return area
            }
            let bundle = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                if migrate {
                    return try await options.client.migrateStructuredRecord(
                        options.endpoint, nhsNumber: nhsNumber, includeSensitive: sensitive)
                }
                return try await options.client.structuredRecord(options.endpoint, nhsNumber: nhsNumber, areas: chosen)
            }
            if options.raw([bundle]) { return }
            print(Self.summary(bundle))
        }

        /// Each list with its warnings and one line per item: date and what was recorded.
        static func summary(_ bundle: FHIRElement) -> String {
            let record = StructuredRecordSummary(bundle)
            var lines: [String] = []
            for list in record.lists {
                lines.append(
                    "\(list.title ?? "List") (\(list.items.count))"
                        + (list.warnings.isEmpty ? "" : "  [\(list.warnings.joined(separator: ", "))]"))
                for item in list.items {
                    let described = item.text.map { "\(item.date.map { String($0.prefix(10)) } ?? "          ")  \($0)" } ?? "?"
                    lines.append("  " + (item.display ?? described))
                }
            }
            for warning in record.warnings { lines.append("warning: \(warning)") }
            return lines.joined(separator: "\n")
        }
    }
}

/// Counts finished practices for the progress lines.
final class Counter: Sendable {
    let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
