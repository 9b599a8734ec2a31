import FHIR
public import Foundation
import GPConnectContract

/// Appointment Management 1.2.9 as use cases that know no channel: each takes a validated,
/// typed request and a ``Caller`` and returns records; `AppointmentManagement+STU3.swift` reads
/// the FHIR requests and renders the answers (nhsconnect/gpconnect feature/1.2.9, the appointments_use_case_ pages):
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

    /// What a free-slot search finds: the slots, their schedules, and the practitioners,
    /// locations and organisations the search asked to include, each once, in first-use order.
    public struct FreeSlots: Sendable {
        public var slots: [SlotRecord] = []
        public var schedules: [ScheduleRecord] = []
        public var practitioners: [PractitionerRecord] = []
        public var locations: [LocationRecord] = []
        public var organizations: [OrganizationRecord] = []
    }

    // MARK: A1 Search for free slots

    /// Free slots in the query's window that the searching organisation may book.
    func freeSlots(_ query: SlotSearch.Query, practice: Practice, now: Date) async throws -> FreeSlots {
        let ods = practice.ods
        try await diary.releaseIfNeeded(practice: ods, now: now)
        var found = FreeSlots()
        found.slots = try await stores.diary.freeSlots(practice: ods, from: query.start, to: query.end).filter {
            $0.offered && $0.restriction.matches(searchType: query.organizationType, searchODS: query.odsCode)
        }
        guard !found.slots.isEmpty else { return found }
        for id in orderedUnique(found.slots.map(\.scheduleID)) {
            if let schedule = try await stores.diary.schedule(practice: ods, id: id) { found.schedules.append(schedule) }
        }
        if query.includePractitioners {
            for id in orderedUnique(found.schedules.compactMap(\.practitionerID)) {
                if let practitioner = try await stores.directory.practitioner(practice: ods, id: id) {
                    found.practitioners.append(practitioner)
                }
            }
        }
        var organizationIDs = [practice.organizationID]
        if query.includeLocations {
            for id in orderedUnique(found.schedules.map(\.locationID)) {
                guard let location = try await stores.directory.location(practice: ods, id: id) else { continue }
                found.locations.append(location)
                if let managing = location.managingOrganizationID { organizationIDs.append(managing) }
            }
        }
        // The practice Organization is always returned with slots (GP Connect 1.2.9, appointments_known_issues,
        // "Organization resource in Search for free slots returned Bundle").
        for id in orderedUnique(organizationIDs) {
            if let organization = try await stores.directory.organization(practice: ods, id: id) {
                found.organizations.append(organization)
            }
        }
        return found
    }

    // MARK: A2 Book

    /// Books the slots a validated booking names, for the caller.
    ///
    /// - Returns: the stored appointment and the patient it is for.
    /// - Throws: `409 DUPLICATE_REJECTED` when a slot is no longer free (also when another booking
    ///   wins the race for it), `422 INVALID_RESOURCE` / `REFERENCE_NOT_FOUND` for a booking the
    ///   slots, patient, location or practitioner do not allow.
    func book(_ booking: BookingRequest, practice: Practice, caller: Caller, now: Date) async throws -> (
        appointment: AppointmentRecord, patient: PatientRecord
    ) {
        let ods = practice.ods
        try await diary.releaseIfNeeded(practice: ods, now: now)

        let slots = try await stores.diary.slots(practice: ods, ids: booking.slotIDs)
        guard slots.count == Set(booking.slotIDs).count else { throw GPConnectError.invalidResource("A referenced slot does not exist") }
        if slots.contains(where: { $0.status != .free }) {
            throw GPConnectError(.duplicateRejected, "A requested slot is no longer free")
        }
        try Self.checkSlots(slots, booking: booking, now: now)
        guard let schedule = try await stores.diary.schedule(practice: ods, id: slots[0].scheduleID) else {
            throw GPConnectError.invalidResource("The slot's schedule no longer exists")
        }
        guard let patient = try await stores.patients.patient(practice: ods, id: booking.patientID), patient.isVisible else {
            throw GPConnectError(.referenceNotFound, "The patient participant does not exist")
        }
        if booking.locationID != schedule.locationID {
            guard try await stores.directory.location(practice: ods, id: booking.locationID) != nil else {
                throw GPConnectError(.referenceNotFound, "The location participant does not exist")
            }
        }
        if let practitionerID = booking.practitionerID,
            try await stores.directory.practitioner(practice: ods, id: practitionerID) == nil
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
            provenance: [provenance("booked", caller: caller, now: now, bookingODS: booking.organization.ods)])
        do {
            return (try await stores.appointments.book(proposed, practice: ods), patient)
        } catch StoreError.conflict {
            throw GPConnectError(.duplicateRejected, "A requested slot is no longer free")
        }
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

    func provenance(_ action: String, caller: Caller, now: Date, bookingODS: String?) -> AppointmentProvenance {
        AppointmentProvenance(
            action: action, time: ISO8601.instant(now), requester: caller.requester, bookingOrganizationODS: bookingODS,
            traceID: caller.traceID)
    }

    // MARK: A3 Read

    /// An appointment of the practice that has not yet passed.
    ///
    /// - Throws: `404 NO_RECORD_FOUND` for an unknown id; `422 INVALID_RESOURCE` for a past appointment.
    public func appointment(id: String?, practice: Practice, now: Date) async throws -> AppointmentRecord {
        guard let id, let appointment = try await stores.appointments.appointment(practice: practice.ods, id: id) else {
            throw GPConnectError(.noRecordFound, "No appointment with that logical id")
        }
        guard UKTime.startOfDay(appointment.start) >= UKTime.startOfDay(now) else {
            throw GPConnectError.invalidResource("Past appointments cannot be read through GP Connect")
        }
        return appointment
    }

    // MARK: A4 Retrieve a patient's appointments

    /// A patient whose appointments may be retrieved: known to the practice and visible.
    ///
    /// - Throws: `404 PATIENT_NOT_FOUND`.
    public func patient(id: String?, practice: Practice) async throws -> PatientRecord {
        guard let id, let patient = try await stores.patients.patient(practice: practice.ods, id: id), patient.isVisible else {
            throw GPConnectError(.patientNotFound, "No patient with that logical id")
        }
        return patient
    }

    /// The patient's appointments starting inside `from..<to`, ordered by start.
    public func appointments(of patient: PatientRecord, from: Date, to: Date, practice: Practice) async throws -> [AppointmentRecord] {
        try await stores.appointments.appointments(practice: practice.ods, patientID: patient.id, from: from, to: to)
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

    /// Amends or cancels a booked, future appointment. `validate` reads the change the caller asks
    /// for against the stored appointment.
    ///
    /// - Throws: `404 NO_RECORD_FOUND`; `409 FHIR_CONSTRAINT_VIOLATION` when `ifMatch` or the stored
    ///   version moved on; `422 INVALID_RESOURCE` for a change the appointment does not allow.
    func change(
        id: String?, practice: Practice, caller: Caller, now: Date, ifMatch: String?, cancelling: Bool,
        validate: (AppointmentRecord) throws(GPConnectError) -> AppointmentChange
    ) async throws -> AppointmentRecord {
        let ods = practice.ods
        guard let id, let stored = try await stores.appointments.appointment(practice: ods, id: id) else {
            throw GPConnectError(.noRecordFound, "No appointment with that logical id")
        }
        if let ifMatch, ifMatch != stored.version {
            throw GPConnectError(.fhirConstraintViolation, "If-Match does not match the current version of the appointment")
        }
        let change = try validate(stored)
        guard stored.status == .booked else { throw GPConnectError.invalidResource("A cancelled appointment cannot be changed") }
        guard stored.start > now else { throw GPConnectError.invalidResource("Past appointments cannot be changed") }
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
        updated.provenance.append(
            provenance(cancelling ? "cancelled" : "amended", caller: caller, now: now, bookingODS: stored.bookingOrganization.ods))
        do {
            try await stores.appointments.update(updated, practice: ods, expectedVersion: stored.version)
        } catch StoreError.conflict {
            throw GPConnectError(.fhirConstraintViolation, "The appointment was changed by someone else; read it again")
        }
        return updated
    }
}

func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
