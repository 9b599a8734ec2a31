import FHIR
import Foundation
import GPConnectContract

/// What a booking asks for, after structural validation (GP Connect 1.2.9,
/// appointments_use_case_book_an_appointment). Every problem is `422 INVALID_RESOURCE`, as the pack's
/// AppointmentBook.feature expects.
struct BookingRequest {
    var slotIDs: [String]
    var start: Date
    var end: Date
    var created: String
    var description: String
    var comment: String?
    var patientID: String
    var locationID: String
    var practitionerID: String?
    var organization: BookingOrganization

    static func parse(_ body: FHIRElement) throws(GPConnectError) -> BookingRequest {
        let common = try AppointmentBody.common(body)
        guard body["status"]?.string == "booked" else { throw .invalidResource("Appointment.status must be booked") }
        if common.cancellationReason != nil {
            throw .invalidResource("A booking must not carry a cancellation reason")
        }
        guard let created = body["created"]?.string,
            UKTime.parse(created.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)) != nil
        else { throw .invalidResource("Appointment.created is required: a date-time with an offset") }
        let description = body["description"]?.string ?? ""
        guard !description.isEmpty else { throw .invalidResource("Appointment.description is required") }
        try AppointmentBody.checkLengths(description: description, comment: body["comment"]?.string)
        guard let patientID = common.participants["Patient"]?.first else { throw .invalidResource("A Patient participant is required") }
        guard common.participants["Patient"]?.count == 1 else { throw .invalidResource("Exactly one Patient participant is allowed") }
        guard let locationID = common.participants["Location"]?.first else { throw .invalidResource("A Location participant is required") }
        return BookingRequest(
            slotIDs: common.slotIDs, start: common.start, end: common.end, created: created, description: description,
            comment: body["comment"]?.string, patientID: patientID, locationID: locationID,
            practitionerID: common.participants["Practitioner"]?.first, organization: common.organization)
    }
}

/// A validated amend or cancel (GP Connect 1.2.9, appointments_use_case_amend_an_appointment,
/// appointments_use_case_cancel_an_appointment): the body must be the stored appointment with only the
/// allowed changes.
struct AppointmentChange {
    var description: String
    var comment: String?
    var cancellationReason: String?

    static func parse(_ body: FHIRElement, id: String, against stored: AppointmentRecord, cancelling: Bool) throws(GPConnectError)
        -> AppointmentChange
    {
        let common = try AppointmentBody.common(body)
        if let bodyID = body["id"]?.string, bodyID != id { throw .invalidResource("Appointment.id does not match the URL") }
        for element in ["priority", "appointmentType", "indication", "supportingInformation", "incomingReferral", "requestedPeriod"]
        where body[element] != nil {
            throw .invalidResource("Appointment.\(element) cannot be changed")
        }
        if let minutes = body["minutesDuration"]?.string, Int(minutes) != Int(stored.end.timeIntervalSince(stored.start) / 60) {
            throw .invalidResource("Appointment.minutesDuration cannot be changed")
        }
        guard common.start == stored.start, common.end == stored.end else {
            throw .invalidResource("Appointment start and end cannot be changed")
        }
        guard Set(common.slotIDs) == Set(stored.slotIDs) else { throw .invalidResource("Appointment.slot cannot be changed") }
        var storedParticipants = ["Patient": [stored.patientID], "Location": [stored.locationID]]
        if let practitionerID = stored.practitionerID { storedParticipants["Practitioner"] = [practitionerID] }
        for (type, ids) in common.participants where Set(ids) != Set(storedParticipants[type] ?? []) || ids.count != Set(ids).count {
            throw .invalidResource("Appointment participants cannot be changed")
        }
        guard common.participants["Patient"] != nil, common.participants["Location"] != nil else {
            throw .invalidResource("Appointment participants cannot be removed")
        }
        guard common.organization.ods == stored.bookingOrganization.ods else {
            throw .invalidResource("The booking organisation cannot be changed")
        }
        let description = body["description"]?.string ?? ""
        let comment = body["comment"]?.string
        if cancelling {
            guard body["status"]?.string == "cancelled" else {
                throw .invalidResource("A cancellation must set Appointment.status to cancelled")
            }
            guard description == stored.description, comment == stored.comment else {
                throw .invalidResource("Only the status and the cancellation reason may change when cancelling")
            }
            guard let reason = common.cancellationReason, !reason.isEmpty else {
                throw .invalidParameter("A cancellation reason (\(ExtensionURL.cancellationReason)) is required")
            }
            return AppointmentChange(description: description, comment: comment, cancellationReason: reason)
        }
        guard body["status"]?.string == stored.status.rawValue else {
            throw .invalidResource("Appointment.status cannot be changed by an amendment")
        }
        guard common.cancellationReason == nil else { throw .invalidResource("An amendment must not carry a cancellation reason") }
        guard !description.isEmpty else { throw .invalidResource("Appointment.description is required") }
        try AppointmentBody.checkLengths(description: description, comment: comment)
        return AppointmentChange(description: description, comment: comment, cancellationReason: nil)
    }
}

/// Checks shared by booking, amending and cancelling.
enum AppointmentBody {
    struct Common {
        var start: Date
        var end: Date
        var slotIDs: [String]
        /// Participant logical ids by resource type.
        var participants: [String: [String]]
        var organization: BookingOrganization
        /// The cancellation-reason extension's value, when present ("" when present but empty).
        var cancellationReason: String?
    }

    /// FHIR logical ids: 1–64 of `A-Z a-z 0-9 - .`.
    static func isLogicalID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 46
            }
    }

    static func common(_ body: FHIRElement) throws(GPConnectError) -> Common {
        guard body["resourceType"]?.string == "Appointment" else { throw .invalidResource("The body must be an Appointment resource") }
        if let unknown = STU3Elements.unknownElement(in: body) {
            throw .invalidResource("Appointment.\(unknown) is not an Appointment element")
        }
        guard body["meta"]?["profile"]?.items.contains(where: { $0.string == Profile.appointment }) == true else {
            throw .invalidResource("Appointment.meta.profile must be \(Profile.appointment)")
        }
        for element in ["reason", "specialty"] where body[element] != nil {
            throw .invalidResource("Appointment.\(element) must not be sent")
        }
        for identifier in body["identifier"]?.items ?? [] where identifier["value"]?.string?.isEmpty != false {
            throw .invalidResource("Every Appointment.identifier needs a value")
        }
        guard let startText = body["start"]?.string, let start = UKTime.parse(startText), start.hasTime else {
            throw .invalidResource("Appointment.start is required: a date-time with an offset")
        }
        guard let endText = body["end"]?.string, let end = UKTime.parse(endText), end.hasTime else {
            throw .invalidResource("Appointment.end is required: a date-time with an offset")
        }
        guard end.date > start.date else { throw .invalidResource("Appointment.end must be after start") }

        let slots = body["slot"]?.items ?? []
        guard !slots.isEmpty else { throw .invalidResource("Appointment.slot is required") }
        let slotIDs = try slots.map { (slot) throws(GPConnectError) -> String in
            try relativeID(slot["reference"]?.string, type: "Slot", element: "slot")
        }

        let participants = body["participant"]?.items ?? []
        guard !participants.isEmpty else { throw .invalidResource("Appointment.participant is required") }
        var byType: [String: [String]] = [:]
        for participant in participants {
            guard let reference = participant["actor"]?["reference"]?.string else {
                throw .invalidResource("Every participant needs an actor")
            }
            guard participant["status"]?.string?.isEmpty == false else { throw .invalidResource("Every participant needs a status") }
            let type = String(reference.prefix { $0 != "/" })
            guard ["Patient", "Location", "Practitioner"].contains(type) else {
                throw .invalidResource("Participants must be relative Patient, Location or Practitioner references")
            }
            byType[type, default: []].append(try relativeID(reference, type: type, element: "participant.actor"))
        }

        var organizationReference: String?
        var cancellationReason: String?
        for element in body["extension"]?.items ?? [] {
            switch element["url"]?.string {
            case ExtensionURL.bookingOrganisation?: organizationReference = element["valueReference"]?["reference"]?.string
            case ExtensionURL.cancellationReason?: cancellationReason = element["valueString"]?.string ?? ""
            case ExtensionURL.practitionerRole?, ExtensionURL.deliveryChannel?: continue  // filled by the provider
            default: throw .invalidResource("Extension \(element["url"]?.string ?? "(no url)") is not allowed on an Appointment")
            }
        }
        guard let organizationReference else { throw .invalidResource("The booking organisation extension is required") }
        guard organizationReference.hasPrefix("#") else {
            throw .invalidResource("The booking organisation must be a local reference to a contained Organization")
        }
        let containedID = String(organizationReference.dropFirst())
        guard let contained = (body["contained"]?.items ?? []).first(where: { $0["id"]?.string == containedID }),
            contained["resourceType"]?.string == "Organization"
        else { throw .invalidResource("The booking organisation reference must point at a contained Organization") }
        return Common(
            start: start.date, end: end.date, slotIDs: slotIDs, participants: byType, organization: try organization(contained),
            cancellationReason: cancellationReason)
    }

    static func relativeID(_ reference: String?, type: String, element: String) throws(GPConnectError) -> String {
        guard let reference, reference.hasPrefix(type + "/") else {
            throw .invalidResource("Appointment.\(element) must be a relative \(type) reference")
        }
        let id = String(reference.dropFirst(type.count + 1))
        guard isLogicalID(id) else { throw .invalidResource("Appointment.\(element) reference is not a valid \(type) id") }
        return id
    }

    static func organization(_ contained: FHIRElement) throws(GPConnectError) -> BookingOrganization {
        guard
            let ods = contained["identifier"]?.items.first(where: { $0["system"]?.string == IdentifierSystem.odsOrganizationCode })?[
                "value"]?.string,
            !ods.isEmpty
        else { throw .invalidResource("The booking organisation needs an ODS code identifier") }
        guard let name = contained["name"]?.string, !name.isEmpty else { throw .invalidResource("The booking organisation needs a name") }
        let telecom = (contained["telecom"]?.items ?? []).compactMap { element -> ContactPoint? in
            guard let system = element["system"]?.string, let value = element["value"]?.string else { return nil }
            return ContactPoint(system: system, value: value, use: element["use"]?.string)
        }
        guard !telecom.isEmpty else { throw .invalidResource("The booking organisation needs a telecom") }
        var type: Code?
        if let coding = contained["type"]?.items.first?["coding"]?.items.first(where: {
            $0["system"]?.string == CodeSystemURL.organisationType
        }),
            let code = coding["code"]?.string
        {
            type = Code(system: CodeSystemURL.organisationType, code: code, display: coding["display"]?.string)
        }
        return BookingOrganization(ods: ods, name: name, telecom: telecom, type: type)
    }

    static func checkLengths(description: String, comment: String?) throws(GPConnectError) {
        guard description.count <= AppointmentManagement.maximumDescription else {
            throw .invalidResource("Appointment.description is longer than \(AppointmentManagement.maximumDescription) characters")
        }
        guard (comment?.count ?? 0) <= AppointmentManagement.maximumComment else {
            throw .invalidResource("Appointment.comment is longer than \(AppointmentManagement.maximumComment) characters")
        }
    }
}
