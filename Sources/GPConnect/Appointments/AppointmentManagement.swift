import FHIR
import Foundation
import GPConnectContract

/// Appointment Management 1.2.9 (nhsconnect/gpconnect feature/1.2.9, the appointments_use_case_ pages):
/// search free slots, book, read, retrieve a patient's appointments, amend and cancel.
public struct AppointmentManagement: Sendable {
    let stores: Stores
    let diary: Diary
    /// Longest description and comment stored (the spec's consumer limits are 100 and 500).
    static let maximumDescription = 1_000
    static let maximumComment = 5_000

    public init(stores: Stores, diary: Diary) {
        self.stores = stores
        self.diary = diary
    }

    // MARK: A1 Search for free slots

    public func searchFreeSlots(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let query = try SlotSearch.parse(request.query)
        let practice = request.practice.ods
        try await diary.releaseIfNeeded(practice: practice, now: request.now)
        let slots = try await stores.diary.freeSlots(practice: practice, from: query.start, to: query.end).filter {
            $0.offered && $0.restriction.matches(searchType: query.organizationType, searchODS: query.odsCode)
        }
        var entries = slots.map(\.fhir)
        guard !slots.isEmpty else { return GPConnectResponse(resource: FHIRBundle.searchset([])) }
        var schedules: [ScheduleRecord] = []
        for id in orderedUnique(slots.map(\.scheduleID)) {
            if let schedule = try await stores.diary.schedule(practice: practice, id: id) { schedules.append(schedule) }
        }
        entries += schedules.map(\.fhir)
        if query.includePractitioners {
            for id in orderedUnique(schedules.compactMap(\.practitionerID)) {
                if let practitioner = try await stores.directory.practitioner(practice: practice, id: id) {
                    entries.append(practitioner.fhir)
                }
            }
        }
        var organizationIDs = [request.practice.organizationID]
        if query.includeLocations {
            for id in orderedUnique(schedules.map(\.locationID)) {
                guard let location = try await stores.directory.location(practice: practice, id: id) else { continue }
                entries.append(location.fhir)
                if let managing = location.managingOrganizationID { organizationIDs.append(managing) }
            }
        }
        // The practice Organization is always returned with slots (GP Connect 1.2.9, appointments_known_issues,
        // "Organization resource in Search for free slots returned Bundle").
        for id in orderedUnique(organizationIDs) {
            if let organization = try await stores.directory.organization(practice: practice, id: id) { entries.append(organization.fhir) }
        }
        return GPConnectResponse(resource: FHIRBundle.searchset(entries))
    }

    // MARK: A2 Book

    public func book(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let body = try request.resource()
        let practice = request.practice.ods
        let booking = try BookingRequest.parse(body)
        try await diary.releaseIfNeeded(practice: practice, now: request.now)

        let slots = try await stores.diary.slots(practice: practice, ids: booking.slotIDs)
        guard slots.count == Set(booking.slotIDs).count else { throw GPConnectError.invalidResource("A referenced slot does not exist") }
        if slots.contains(where: { $0.status != .free }) {
            throw GPConnectError(.duplicateRejected, "A requested slot is no longer free")
        }
        try Self.checkSlots(slots, booking: booking, now: request.now)
        guard let schedule = try await stores.diary.schedule(practice: practice, id: slots[0].scheduleID) else {
            throw GPConnectError.invalidResource("The slot's schedule no longer exists")
        }
        guard let patient = try await stores.patients.patient(practice: practice, id: booking.patientID), patient.isVisible else {
            throw GPConnectError(.referenceNotFound, "The patient participant does not exist")
        }
        if booking.locationID != schedule.locationID {
            guard try await stores.directory.location(practice: practice, id: booking.locationID) != nil else {
                throw GPConnectError(.referenceNotFound, "The location participant does not exist")
            }
        }
        if let practitionerID = booking.practitionerID,
            try await stores.directory.practitioner(practice: practice, id: practitionerID) == nil
        {
            throw GPConnectError(.referenceNotFound, "The practitioner participant does not exist")
        }

        let proposed = AppointmentRecord(
            id: "", patientID: patient.id, locationID: schedule.locationID,
            practitionerID: schedule.practitionerID ?? booking.practitionerID,
            scheduleID: schedule.id, slotIDs: slots.map(\.id), start: slots[0].start, end: slots[slots.count - 1].end,
            created: booking.created, description: booking.description, comment: booking.comment,
            bookingOrganization: booking.organization, deliveryChannel: slots[0].deliveryChannel,
            practitionerRole: schedule.practitionerRole,
            serviceCategory: schedule.serviceCategory, serviceType: slots[0].serviceType,
            provenance: [provenance("booked", request, bookingODS: booking.organization.ods)])
        let record: AppointmentRecord
        do {
            record = try await stores.appointments.book(proposed, practice: practice)
        } catch StoreError.conflict {
            throw GPConnectError(.duplicateRejected, "A requested slot is no longer free")
        }
        let id = record.id
        return GPConnectResponse(
            status: 201, resource: record.fhir, version: record.version, location: "Appointment/\(id)/_history/\(record.version)",
            auditPatient: patient.nhsNumber.value, auditResource: "Appointment/\(id)/_history/\(record.version)")
    }

    /// Slots of one booking: wholly in the future, offered, open to the booking organisation,
    /// adjacent, of one schedule, delivery channel and type, and matching `start`/`end`.
    static func checkSlots(_ slots: [SlotRecord], booking: BookingRequest, now: Date) throws(GPConnectError) {
        guard let first = slots.first, let last = slots.last else { throw .invalidResource("Appointment.slot is required") }
        guard first.start > now else { throw .invalidResource("Appointments can only be booked in the future") }
        for slot in slots {
            guard slot.offered else { throw .invalidResource("Slot \(slot.id) is not bookable through GP Connect") }
            guard slot.restriction.admits(type: booking.organization.type?.code, ods: booking.organization.ods) else {
                throw .invalidResource("Slot \(slot.id) is not open to the booking organisation")
            }
        }
        for (previous, next) in zip(slots, slots.dropFirst()) {
            guard next.start == previous.end, next.scheduleID == previous.scheduleID, next.deliveryChannel == previous.deliveryChannel,
                next.serviceType == previous.serviceType
            else { throw .invalidResource("The slots of one appointment must be adjacent and of one schedule, channel and type") }
        }
        guard booking.start == first.start, booking.end == last.end else {
            throw .invalidResource("Appointment start and end must be the start of the first slot and the end of the last")
        }
    }

    func provenance(_ action: String, _ request: GPConnectRequest, bookingODS: String?) -> AppointmentProvenance {
        AppointmentProvenance(
            action: action, time: ISO8601.instant(request.now), requester: request.token.requester, bookingOrganizationODS: bookingODS,
            traceID: request.traceID)
    }

    // MARK: A3 Read

    public func read(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        guard let id = request.id, let appointment = try await stores.appointments.appointment(practice: request.practice.ods, id: id)
        else {
            throw GPConnectError(.noRecordFound, "No appointment with that logical id")
        }
        guard UKTime.startOfDay(appointment.start) >= UKTime.startOfDay(request.now) else {
            throw GPConnectError.invalidResource("Past appointments cannot be read through GP Connect")
        }
        return GPConnectResponse(resource: appointment.fhir, version: appointment.version, auditPatient: "Patient/\(appointment.patientID)")
    }

    // MARK: A4 Retrieve a patient's appointments

    public func retrieve(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let practice = request.practice.ods
        guard let id = request.id, let patient = try await stores.patients.patient(practice: practice, id: id), patient.isVisible else {
            throw GPConnectError(.patientNotFound, "No patient with that logical id")
        }
        let (from, to) = try Self.retrieveRange(request.query, now: request.now)
        let appointments = try await stores.appointments.appointments(practice: practice, patientID: patient.id, from: from, to: to)
        return GPConnectResponse(resource: FHIRBundle.searchset(appointments.map(\.fhir)), auditPatient: patient.nhsNumber.value)
    }

    /// `start=ge{yyyy-mm-dd}&start=le{yyyy-mm-dd}`: both required, dates only, not in the past,
    /// in order. Anything else is `422 INVALID_PARAMETER` (pack AppointmentRetrieve.feature).
    static func retrieveRange(_ query: SearchQuery, now: Date) throws(GPConnectError) -> (Date, Date) {
        let values = try query.values("start")
        guard !values.isEmpty else { throw .invalidParameter("Parameters start=ge… and start=le… are required") }
        guard values.count == 2, let lower = values.first(where: { $0.hasPrefix("ge") }),
            let upper = values.first(where: { $0.hasPrefix("le") })
        else { throw .invalidParameter("Send exactly two start parameters, one with the ge prefix and one with le") }
        func day(_ raw: String) throws(GPConnectError) -> Date {
            let text = String(raw.dropFirst(2))
            guard text.count == 10, let parsed = UKTime.parse(text), !parsed.hasTime else {
                throw .invalidParameter("start must be a date (yyyy-mm-dd) without a time")
            }
            return parsed.date
        }
        let from = try day(lower)
        let through = try day(upper)
        guard from >= UKTime.startOfDay(now) else { throw .invalidParameter("Past appointments cannot be requested") }
        guard through >= from else { throw .invalidParameter("The le date must not be before the ge date") }
        return (from, UKTime.day(offset: 1, from: through))
    }

    // MARK: A5 Amend and A6 Cancel

    public func amendOrCancel(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let body = try request.resource()
        let practice = request.practice.ods
        guard let id = request.id, let stored = try await stores.appointments.appointment(practice: practice, id: id) else {
            throw GPConnectError(.noRecordFound, "No appointment with that logical id")
        }
        if let ifMatch = request.ifMatch, ifMatch != stored.version {
            throw GPConnectError(.fhirConstraintViolation, "If-Match does not match the current version of the appointment")
        }
        let cancelling = request.interaction == .cancelAppointment
        let change = try AppointmentChange.parse(body, id: id, against: stored, cancelling: cancelling)
        guard stored.status == .booked else { throw GPConnectError.invalidResource("A cancelled appointment cannot be changed") }
        guard stored.start > request.now else { throw GPConnectError.invalidResource("Past appointments cannot be changed") }
        guard stored.deliveryChannel != "Visit" else {
            throw GPConnectError.invalidResource("Visit appointments cannot be changed through GP Connect")
        }

        var updated = stored
        updated.version = String((Int(stored.version) ?? 0) + 1)
        if cancelling {
            updated.status = .cancelled
            updated.cancellationReason = change.cancellationReason
        } else {
            updated.description = change.description
            updated.comment = change.comment
        }
        updated.provenance.append(provenance(cancelling ? "cancelled" : "amended", request, bookingODS: stored.bookingOrganization.ods))
        do {
            try await stores.appointments.update(updated, practice: practice, expectedVersion: stored.version)
        } catch StoreError.conflict {
            throw GPConnectError(.fhirConstraintViolation, "The appointment was changed by someone else; read it again")
        }
        return GPConnectResponse(
            resource: updated.fhir, version: updated.version, auditPatient: "Patient/\(updated.patientID)",
            auditResource: "Appointment/\(id)/_history/\(updated.version)")
    }
}

func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
