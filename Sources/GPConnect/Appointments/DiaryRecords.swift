public import Foundation
public import GPConnectContract

/// Who may book a slot through GP Connect (GP Connect 1.2.9, appointments_provider_sys_slot_availability,
/// "Appointment availability control").
public struct BookingRestriction: Sendable, Codable, Equatable {
    /// `GPConnect-OrganisationType-1` codes (`gp-practice`, `urgent-care`); empty: any type.
    public var organizationTypes: [String]
    /// ODS codes; empty: any organisation.
    public var odsCodes: [String]

    public init(organizationTypes: [String] = [], odsCodes: [String] = []) {
        self.organizationTypes = organizationTypes
        self.odsCodes = odsCodes
    }

    public static let none = BookingRestriction()

    /// The searchFilter rule: with no filter only unrestricted slots; a filter on one dimension
    /// requires the other to be unrestricted.
    public func matches(searchType: String?, searchODS: String?) -> Bool {
        let typeOK = searchType.map { organizationTypes.isEmpty || organizationTypes.contains($0) } ?? organizationTypes.isEmpty
        let odsOK = searchODS.map { odsCodes.isEmpty || odsCodes.contains($0) } ?? odsCodes.isEmpty
        return typeOK && odsOK
    }

    /// Whether a booking organisation may book: every restriction present must be met.
    public func admits(type: String?, ods: String?) -> Bool {
        (organizationTypes.isEmpty || type.map(organizationTypes.contains) == true)
            && (odsCodes.isEmpty || ods.map(odsCodes.contains) == true)
    }
}

/// A recurring session in a schedule: slots of `slotMinutes` from `start` to `end` (local
/// time) on the given weekdays, released `releaseDays` ahead.
public struct SessionTemplate: Sendable, Codable, Equatable {
    /// ISO weekdays 1 (Monday) … 7 (Sunday); empty: every day.
    public var weekdays: [Int]
    public var start: String
    public var end: String
    public var slotMinutes: Int
    public var deliveryChannel: String
    /// Bookable through GP Connect.
    public var bookable: Bool
    public var restriction: BookingRestriction
    /// First and last day (relative to the day slots are generated) this session runs; nil: always.
    public var fromDay: Int?
    public var toDay: Int?

    public init(
        weekdays: [Int] = [], start: String, end: String, slotMinutes: Int = 10, deliveryChannel: String, bookable: Bool = true,
        restriction: BookingRestriction = .none, fromDay: Int? = nil, toDay: Int? = nil
    ) {
        self.weekdays = weekdays
        self.start = start
        self.end = end
        self.slotMinutes = slotMinutes
        self.deliveryChannel = deliveryChannel
        self.bookable = bookable
        self.restriction = restriction
        self.fromDay = fromDay
        self.toDay = toDay
    }
}

/// A practitioner's diary at a location, with its practitioner role and the slot type it offers.
public struct ScheduleRecord: Sendable, Codable, Equatable {
    public var id: String
    public var practitionerID: String?
    public var locationID: String
    /// SDS job role (`CareConnect-SDSJobRoleName-1`).
    public var practitionerRole: Code
    /// `Schedule.serviceCategory.text`: the schedule or session type.
    public var serviceCategory: String?
    /// `Slot.serviceType.text`: the practice's slot type.
    public var serviceType: String
    public var planningHorizonStart: String?
    public var planningHorizonEnd: String?
    /// How many days ahead slots are released.
    public var releaseDays: Int
    public var sessions: [SessionTemplate]
    public var version: String

    public init(
        id: String, practitionerID: String?, locationID: String, practitionerRole: Code, serviceCategory: String?,
        serviceType: String, planningHorizonStart: String? = nil, planningHorizonEnd: String? = nil, releaseDays: Int = 14,
        sessions: [SessionTemplate], version: String = "1"
    ) {
        self.id = id
        self.practitionerID = practitionerID
        self.locationID = locationID
        self.practitionerRole = practitionerRole
        self.serviceCategory = serviceCategory
        self.serviceType = serviceType
        self.planningHorizonStart = planningHorizonStart
        self.planningHorizonEnd = planningHorizonEnd
        self.releaseDays = releaseDays
        self.sessions = sessions
        self.version = version
    }
}

/// One slot of a schedule.
public struct SlotRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case free
        case busy
        /// Closed by the practice (session cancelled); never offered.
        case blocked = "busy-unavailable"
    }

    public var id: String
    public var scheduleID: String
    public var start: Date
    public var end: Date
    public var status: Status
    public var deliveryChannel: String
    public var bookable: Bool
    public var restriction: BookingRestriction
    public var serviceType: String
    public var version: String

    public init(
        id: String, scheduleID: String, start: Date, end: Date, status: Status = .free, deliveryChannel: String, bookable: Bool,
        restriction: BookingRestriction, serviceType: String, version: String = "1"
    ) {
        self.id = id
        self.scheduleID = scheduleID
        self.start = start
        self.end = end
        self.status = status
        self.deliveryChannel = deliveryChannel
        self.bookable = bookable
        self.restriction = restriction
        self.serviceType = serviceType
        self.version = version
    }

    /// Offered through GP Connect: bookable and not a home visit.
    public var offered: Bool { bookable && deliveryChannel != "Visit" }
}

/// Who did something to an appointment, from the audit JWT (GP Connect 1.2.9,
/// integration_cross_organisation_audit_and_provenance, "Provenance").
public struct AppointmentProvenance: Sendable, Codable, Equatable {
    public var action: String
    public var time: String
    public var userID: String?
    public var sdsUserID: String?
    public var name: String?
    public var organizationODS: String?
    public var bookingOrganizationODS: String?
    public var traceID: String?

    public init(action: String, time: String, requester: AuditEvent.Requester, bookingOrganizationODS: String?, traceID: String?) {
        self.action = action
        self.time = time
        self.userID = requester.userID
        self.sdsUserID = requester.sdsUserID
        self.name = requester.name
        self.organizationODS = requester.organizationODS
        self.bookingOrganizationODS = bookingOrganizationODS
        self.traceID = traceID
    }
}

/// The organisation that booked, as the consumer sent it (contained in the Appointment).
public struct BookingOrganization: Sendable, Codable, Equatable {
    public var ods: String
    public var name: String
    public var telecom: [ContactPoint]
    /// `GPConnect-OrganisationType-1` code, when sent.
    public var type: Code?

    public init(ods: String, name: String, telecom: [ContactPoint], type: Code?) {
        self.ods = ods
        self.name = name
        self.telecom = telecom
        self.type = type
    }
}

/// An appointment in the practice diary.
public struct AppointmentRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case booked
        case cancelled
    }

    public var id: String
    public var status: Status
    public var patientID: String
    public var locationID: String
    public var practitionerID: String?
    public var scheduleID: String
    public var slotIDs: [String]
    public var start: Date
    public var end: Date
    public var created: String
    public var description: String
    public var comment: String?
    public var cancellationReason: String?
    public var bookingOrganization: BookingOrganization
    public var deliveryChannel: String
    public var practitionerRole: Code
    public var serviceCategory: String?
    public var serviceType: String
    public var provenance: [AppointmentProvenance]
    public var version: String

    public init(
        id: String, status: Status = .booked, patientID: String, locationID: String, practitionerID: String?, scheduleID: String,
        slotIDs: [String], start: Date, end: Date, created: String, description: String, comment: String?,
        cancellationReason: String? = nil, bookingOrganization: BookingOrganization, deliveryChannel: String,
        practitionerRole: Code, serviceCategory: String?, serviceType: String, provenance: [AppointmentProvenance],
        version: String = "1"
    ) {
        self.id = id
        self.status = status
        self.patientID = patientID
        self.locationID = locationID
        self.practitionerID = practitionerID
        self.scheduleID = scheduleID
        self.slotIDs = slotIDs
        self.start = start
        self.end = end
        self.created = created
        self.description = description
        self.comment = comment
        self.cancellationReason = cancellationReason
        self.bookingOrganization = bookingOrganization
        self.deliveryChannel = deliveryChannel
        self.practitionerRole = practitionerRole
        self.serviceCategory = serviceCategory
        self.serviceType = serviceType
        self.provenance = provenance
        self.version = version
    }
}
