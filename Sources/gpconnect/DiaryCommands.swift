import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage

/// `gpconnect diary …`: the practice diary as practice staff manage it — the provider is the GP
/// system here.
struct DiaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diary", abstract: "Show and manage a practice's schedules, slots and appointments.",
        subcommands: [Schedules.self, Show.self, AddSession.self, CloseSession.self])

    struct PracticeOptions: ParsableArguments {
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "ODS code of the practice.")
        var practice = "B82617"

        func open() async throws -> (Storage, Stores) {
            let storage = try await Storage.open(try common.serverConfiguration().databasePath)
            let stores = storage.stores
            guard try await stores.directory.practice(ods: practice) != nil else {
                await storage.close()
                throw ValidationError("No practice \(practice) in this database")
            }
            // Staff see the same rolling window the server offers.
            try await Diary(stores: stores).release(practice: practice, now: Date())
            return (storage, stores)
        }
    }

    static func day(_ text: String?) throws -> Date {
        guard let text else { return UKTime.startOfDay(Date()) }
        guard let parsed = UKTime.parse(text), !parsed.hasTime else { throw ValidationError("Dates are yyyy-mm-dd") }
        return parsed.date
    }

    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the practice's schedules.")
        @OptionGroup var options: PracticeOptions

        func run() async throws {
            let (storage, stores) = try await options.open()
            defer { Task { await storage.close() } }
            print("schedule\tpractitioner\tlocation\trole\tcategory\tslot type\tsessions")
            for schedule in try await stores.diary.schedules(practice: options.practice) {
                let sessions = schedule.sessions.map {
                    "\($0.start)-\($0.end) \($0.deliveryChannel)\($0.bookable ? "" : " (not bookable)")"
                }
                print(
                    "\(schedule.id)\t\(schedule.practitionerID ?? "-")\t\(schedule.locationID)\t\(schedule.practitionerRole.display ?? schedule.practitionerRole.code)\t"
                        + "\(schedule.serviceCategory ?? "-")\t\(schedule.serviceType)\t\(sessions.joined(separator: ", "))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a day's slots and appointments.")
        @OptionGroup var options: PracticeOptions
        @Option(name: .long, help: "Day (yyyy-mm-dd; default today).") var date: String?

        func run() async throws {
            let (storage, stores) = try await options.open()
            defer { Task { await storage.close() } }
            let day = try DiaryCommand.day(date)
            let next = UKTime.day(offset: 1, from: day)
            let slots = try await stores.diary.slots(practice: options.practice, from: day, to: next)
            let appointments = try await stores.appointments.appointments(practice: options.practice, from: day, to: next)
            let bySlot = Dictionary(appointments.flatMap { appointment in appointment.slotIDs.map { ($0, appointment) } }) {
                first, second in
                first.status == .booked ? first : second
            }
            print(
                "\(options.practice) \(UKTime.day(day)): \(slots.count) slots, \(slots.filter { $0.status == .free }.count) free, "
                    + "\(appointments.filter { $0.status == .booked }.count) booked, \(appointments.filter { $0.status == .cancelled }.count) cancelled"
            )
            print("time\tschedule\tchannel\tstatus\tbookable\trestricted to\tappointment")
            for slot in slots {
                let time = String(UKTime.format(slot.start).dropFirst(11).prefix(5))
                let restriction = (slot.restriction.organizationTypes + slot.restriction.odsCodes).joined(separator: ",")
                let appointment = bySlot[slot.id].map {
                    "Appointment/\($0.id) \($0.status.rawValue) Patient/\($0.patientID) by \($0.bookingOrganization.ods)"
                }
                print(
                    "\(time)\t\(slot.scheduleID)\t\(slot.deliveryChannel)\t\(slot.status.rawValue)\t\(slot.bookable ? "yes" : "no")\t"
                        + "\(restriction.isEmpty ? "-" : restriction)\t\(appointment ?? "-")")
            }
        }
    }

    struct AddSession: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-session", abstract: "Add a one-off session of slots to a schedule on a day.")
        @OptionGroup var options: PracticeOptions
        @Option(name: .long, help: "Schedule id.") var schedule: String
        @Option(name: .long, help: "Day (yyyy-mm-dd).") var date: String
        @Option(name: .long, help: "Start (hh:mm, local).") var start: String
        @Option(name: .long, help: "End (hh:mm, local).") var end: String
        @Option(name: .long, help: "Slot length in minutes.") var minutes = 10
        @Option(name: .long, help: "Delivery channel: In-person, Telephone, Video.") var channel = "In-person"
        @Flag(name: .long, help: "Not bookable through GP Connect.") var notBookable = false
        @Option(name: .long, help: "Only organisations of these types may book (gp-practice, urgent-care).") var type: [String] = []
        @Option(name: .long, help: "Only these ODS codes may book.") var ods: [String] = []

        func run() async throws {
            let (storage, stores) = try await options.open()
            defer { Task { await storage.close() } }
            guard let record = try await stores.diary.schedule(practice: options.practice, id: schedule) else {
                throw ValidationError("No schedule \(schedule)")
            }
            guard ["In-person", "Telephone", "Video", "Visit"].contains(channel) else {
                throw ValidationError("Unknown delivery channel \(channel)")
            }
            let session = SessionTemplate(
                start: start, end: end, slotMinutes: minutes, deliveryChannel: channel, bookable: !notBookable,
                restriction: BookingRestriction(organizationTypes: type, odsCodes: ods))
            let slots = Diary.slots(for: record, session: session, on: try DiaryCommand.day(date), after: Date())
            guard !slots.isEmpty else { throw ValidationError("That session makes no future slots (check the times)") }
            let added = try await stores.diary.addSlots(slots, practice: options.practice)
            print("added \(added) slots (\(slots.count - added) already existed)")
        }
    }

    struct CloseSession: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-session", abstract: "Close a schedule's free slots between two times on a day (booked ones stay).")
        @OptionGroup var options: PracticeOptions
        @Option(name: .long, help: "Schedule id.") var schedule: String
        @Option(name: .long, help: "Day (yyyy-mm-dd).") var date: String
        @Option(name: .long, help: "From (hh:mm, local; default start of day).") var start = "00:00"
        @Option(name: .long, help: "To (hh:mm, local; default end of day).") var end = "23:59"

        func run() async throws {
            let (storage, stores) = try await options.open()
            defer { Task { await storage.close() } }
            let day = try DiaryCommand.day(date)
            guard let from = UKTime.at(start, on: day), let to = UKTime.at(end, on: day) else { throw ValidationError("Times are hh:mm") }
            let closed = try await stores.diary.blockFreeSlots(practice: options.practice, scheduleID: schedule, from: from, to: to)
            print("closed \(closed) free slots")
        }
    }
}
