import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Hummingbird

extension Hub {
    /// Find and book: free slots across the federation by date range, channel, slot type and
    /// practitioner role; the patient found at the slot's practice by NHS number (registered as a
    /// temporary patient where they are not yet known); the booking made with the hub as the
    /// booking organisation. NHS numbers travel in POST bodies only, never in URLs.
    func registerBooking(on router: Router<HubRequestContext>) {
        router.get("/slots") { [self] request, context in
            let session = try context.signedIn()
            let query = request.uri.queryParameters
            func value(_ name: String) -> String? {
                query.get(name).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            }
            let today = UKTime.day(Date())
            var data: [String: Any] = [
                "from": value("from") ?? today, "to": value("to") ?? UKTime.day(UKTime.day(offset: 6, from: Date())),
                "channel": value("channel") ?? "", "type": value("type") ?? "", "role": value("role") ?? "",
                "channels": ["In-person", "Telephone", "Video"].map { channel -> [String: Any] in
                    ["value": channel, "selected": channel == (value("channel") ?? "")]
                },
            ]
            guard value("search") != nil else {
                return views.page("slots", title: "Find and book", data, session: session, section: "/slots")
            }
            let range: (from: Date, to: Date)
            do throws(HubError) {
                range = try Self.dateRange(from: value("from"), to: value("to"))
            } catch {
                data["error"] = error.message
                return views.page("slots", title: "Find and book", data, session: session, section: "/slots", status: .badRequest)
            }
            let result = await FederatedSlotSearch(client: client(for: session.user), deadline: configuration.deadline).search(
                directory.practices, from: max(range.from, Date()), to: range.to, bookingODS: directory.consumer.ods,
                organizationType: directory.consumer.type)
            let slots = result.slots.filter { slot in
                (value("channel").map { slot.deliveryChannel == $0 } ?? true)
                    && (value("type").map { slot.serviceType?.localizedCaseInsensitiveContains($0) == true } ?? true)
                    && (value("role").map { slot.practitionerRole?.localizedCaseInsensitiveContains($0) == true } ?? true)
            }
            data["searched"] = true
            data["outcomes"] = result.outcomes.map { endpoint, outcome in
                [
                    "ods": endpoint.ods, "name": endpoint.name ?? endpoint.ods, "outcome": Capacity.outcomeText(outcome),
                    "outcomeClass": Capacity.outcomeClass(outcome),
                ]
            }
            data["count"] = slots.count
            data["shown"] = min(slots.count, 200)
            data["slots"] = slots.prefix(200).map { slot in
                [
                    "ods": slot.ods, "practice": slot.practice, "slot": slot.slotID, "start": Self.when(slot.start),
                    "end": Self.clock(slot.end), "channel": slot.deliveryChannel ?? "-", "type": slot.serviceType ?? "-",
                    "practitioner": slot.practitioner ?? "-", "role": slot.practitionerRole ?? "-", "location": slot.location ?? "-",
                    "day": UKTime.day(slot.start),
                ]
            }
            return views.page("slots", title: "Find and book", data, session: session, section: "/slots")
        }

        router.post("/book/start") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            let practice = try practice(form["ods"])
            let slot = try await freeSlot(form, practice, session)
            return views.page(
                "book-patient", title: "Who is the appointment for?", Self.slotData(slot, practice), session: session, section: "/slots")
        }

        router.post("/book/patient") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            let practice = try practice(form["ods"])
            let slot = try await freeSlot(form, practice, session)
            var data = Self.slotData(slot, practice)
            guard let nhsNumber = Self.nhsNumber(form["nhs"]) else {
                data["error"] = "Enter a valid 10-digit NHS number (spaces are allowed)."
                data["nhs"] = form["nhs"] ?? ""
                return views.page(
                    "book-patient", title: "Who is the appointment for?", data, session: session, section: "/slots", status: .badRequest)
            }
            data["nhs"] = nhsNumber
            let found: [FHIRElement]
            do throws(GPConnectClientError) {
                found = try await client(for: session.user).findPatient(practice, nhsNumber: nhsNumber)
            } catch {
                await log(session, "find patient", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                data["error"] = Self.message(error, at: practice)
                return views.page(
                    "book-patient", title: "Who is the appointment for?", data, session: session, section: "/slots", status: .badGateway)
            }
            await log(session, "find patient", ods: practice.ods, nhsNumber: nhsNumber, outcome: found.isEmpty ? "not found" : "found")
            guard let patient = found.first.map(PatientSummary.init) else {
                return views.page("book-register", title: "Register as a temporary patient", data, session: session, section: "/slots")
            }
            data["patient"] = Self.patientData(patient)
            return views.page("book-confirm", title: "Confirm the booking", data, session: session, section: "/slots")
        }

        router.post("/book/register") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            let practice = try practice(form["ods"])
            let slot = try await freeSlot(form, practice, session)
            var data = Self.slotData(slot, practice)
            guard let nhsNumber = Self.nhsNumber(form["nhs"]) else { throw HubError(.badRequest, "Enter a valid 10-digit NHS number.") }
            data["nhs"] = nhsNumber
            for name in ["family", "given", "birthDate", "gender"] { data[name] = form[name] ?? "" }
            guard let family = form["family"], let given = form["given"], let birthDate = form["birthDate"],
                FHIRDate(birthDate) != nil, birthDate.count == 10, let gender = form["gender"],
                ["male", "female", "other", "unknown"].contains(gender)
            else {
                data["error"] = "Enter the patient's family name, given name, date of birth (yyyy-mm-dd) and gender as on PDS."
                return views.page(
                    "book-register", title: "Register as a temporary patient", data, session: session, section: "/slots",
                    status: .badRequest)
            }
            let patient: FHIRElement = [
                "resourceType": "Patient", "meta": ["profile": [.string(Profile.patient)]],
                "identifier": [["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber)]],
                "name": [["use": "official", "family": .string(family), "given": [.string(given)]]], "gender": .string(gender),
                "birthDate": .string(birthDate),
            ]
            do throws(GPConnectClientError) {
                let registered = try await client(for: session.user).registerPatient(practice, patient: patient)
                await log(session, "register temporary patient", ods: practice.ods, nhsNumber: nhsNumber, outcome: "registered")
                data["patient"] = Self.patientData(PatientSummary(registered))
                data["registered"] = true
                return views.page("book-confirm", title: "Confirm the booking", data, session: session, section: "/slots")
            } catch {
                await log(session, "register temporary patient", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                data["error"] = Self.message(error, at: practice)
                return views.page(
                    "book-register", title: "Register as a temporary patient", data, session: session, section: "/slots",
                    status: .badGateway)
            }
        }

        router.post("/book/confirm") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            let practice = try practice(form["ods"])
            let nhsNumber = Self.nhsNumber(form["nhs"])
            guard let patientID = form["patient"] else { throw HubError(.badRequest, "Find the patient first.") }
            guard let description = form["description"] else {
                throw HubError(.badRequest, "Say what the appointment is for: go back and fill in the reason.")
            }
            let client = client(for: session.user)
            let slot = try await freeSlot(form, practice, session)
            let consumer = directory.consumer
            let organisation = BookingOrganisation(
                ods: consumer.ods, name: consumer.name, telephone: consumer.telephone, type: consumer.type)
            do throws(GPConnectClientError) {
                let booked = try await client.book(
                    practice, slot: slot, patientID: patientID, description: description, comment: form["comment"], bookedBy: organisation)
                let appointment = AppointmentSummary(booked.appointment)
                await log(
                    session, "book appointment", ods: practice.ods, nhsNumber: nhsNumber, outcome: "Appointment/\(appointment.id ?? "?")")
                return views.page(
                    "booked", title: "Booked",
                    [
                        "practice": practice.name ?? practice.ods, "ods": practice.ods, "id": appointment.id ?? "-",
                        "start": slot.start.flatMap(UKTime.parse).map { Self.when($0.date) } ?? "-", "description": description,
                    ], session: session, section: "/slots")
            } catch {
                await log(session, "book appointment", ods: practice.ods, nhsNumber: nhsNumber, outcome: Self.short(error))
                throw HubError(.badGateway, Self.message(error, at: practice))
            }
        }
    }

    /// The slot a booking form names, as the practice offers it now.
    func freeSlot(_ form: Form, _ practice: ProviderEndpoint, _ session: HubSession) async throws -> SlotSummary {
        let (day, slotID) = try Self.slotFields(form)
        let found: GPConnectClient.FreeSlots
        do throws(GPConnectClientError) {
            found = try await client(for: session.user).searchFreeSlots(
                practice, from: max(day, Date()), to: UKTime.day(offset: 1, from: day), bookingODS: directory.consumer.ods,
                organizationType: directory.consumer.type)
        } catch {
            throw HubError(.badGateway, Self.message(error, at: practice))
        }
        guard let slot = found.summaries.first(where: { $0.id == slotID }) else {
            throw HubError(.conflict, "That slot has just been taken or is no longer offered. Search again and pick another.")
        }
        return slot
    }

    static func slotFields(_ form: Form) throws(HubError) -> (Date, String) {
        guard let slot = form["slot"], let dayText = form["day"], let day = UKTime.parse(dayText), !day.hasTime else {
            throw HubError(.badRequest, "Pick a slot from the search results.")
        }
        return (day.date, slot)
    }

    static func slotData(_ slot: SlotSummary, _ practice: ProviderEndpoint) -> [String: Any] {
        let start = slot.start.flatMap(UKTime.parse)?.date
        return [
            "ods": practice.ods, "practice": practice.name ?? practice.ods, "slot": slot.id,
            "day": start.map { UKTime.day($0) } ?? "", "start": start.map(when) ?? "-",
            "channel": slot.deliveryChannel ?? "-", "type": slot.serviceType ?? "-", "practitioner": slot.practitionerName ?? "-",
            "location": slot.locationName ?? "-",
        ]
    }

    static func patientData(_ patient: PatientSummary) -> [String: Any] {
        [
            "id": patient.id ?? "", "name": patient.name ?? "-", "birthDate": patient.birthDate ?? "-", "gender": patient.gender ?? "-",
            "nhs": patient.nhsNumber ?? "-", "registration": patient.registrationType ?? "-",
        ]
    }

    /// An NHS number as typed (spaces and dashes allowed), if it is valid.
    static func nhsNumber(_ text: String?) -> String? {
        guard let text else { return nil }
        let digits = text.filter { $0 != " " && $0 != "-" }
        return NHSNumber.isValid(digits) ? digits : nil
    }

    /// A date range of at most 14 days, as GP Connect's slot search allows.
    static func dateRange(from: String?, to: String?) throws(HubError) -> (from: Date, to: Date) {
        guard let fromText = from, let start = UKTime.parse(fromText), !start.hasTime, let toText = to, let end = UKTime.parse(toText),
            !end.hasTime
        else { throw HubError(.badRequest, "Enter the dates as yyyy-mm-dd, for example \(UKTime.day(Date())).") }
        guard end.date >= start.date else { throw HubError(.badRequest, "The last day must not be before the first day.") }
        guard UKTime.day(offset: 1, from: end.date) > UKTime.startOfDay(Date()) else {
            throw HubError(.badRequest, "Those days have passed: search from today onwards.")
        }
        guard UKTime.day(offset: 1, from: end.date) <= UKTime.day(offset: 14, from: start.date) else {
            throw HubError(.badRequest, "Search at most 14 days at a time (GP Connect's limit for a free slot search).")
        }
        return (start.date, UKTime.day(offset: 1, from: end.date))
    }

    /// What a refusal or a failure means, for the person booking.
    static func message(_ error: GPConnectClientError, at practice: ProviderEndpoint) -> String {
        let name = practice.name ?? practice.ods
        switch error {
        case .refused(let status, let code, let diagnostics):
            return "\(name) refused: HTTP \(status)" + (code.map { " \($0)" } ?? "") + (diagnostics.map { " – \($0)" } ?? "")
        case .timedOut: return "\(name) did not answer in time. Try again in a moment."
        case .unreachable: return "\(name) cannot be reached at the moment."
        case .invalidResponse: return "\(name) answered with something that is not GP Connect."
        }
    }

    /// A refusal as the access log keeps it: the status and Spine code, never the provider's diagnostics.
    static func short(_ error: GPConnectClientError) -> String {
        switch error {
        case .refused(let status, let code, _): "refused: HTTP \(status)" + (code.map { " \($0)" } ?? "")
        case .timedOut: "timed out"
        case .unreachable: "unreachable"
        case .invalidResponse: "invalid response"
        }
    }

    static func when(_ date: Date) -> String {
        let day = UKTime.day(date)
        return "\(Capacity.weekday(day)) \(day) \(clock(date))"
    }

    static func clock(_ date: Date) -> String { String(UKTime.format(date).dropFirst(11).prefix(5)) }
}
