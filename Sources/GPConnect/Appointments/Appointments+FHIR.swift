public import FHIR
import Foundation
import GPConnectContract

extension SlotRecord {
    /// `GPConnect-Slot-1`. No specialty, no comment.
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Slot", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.slot))
        object.append("extension", [["url": .string(ExtensionURL.deliveryChannel), "valueCode": .string(deliveryChannel)]])
        object.append("serviceType", [["text": .string(serviceType)]])
        object.append("schedule", .reference("Schedule/\(scheduleID)"))
        object.append("status", .string(status.rawValue))
        object.append("start", .string(UKTime.format(start)))
        object.append("end", .string(UKTime.format(end)))
        return .object(object)
    }
}

extension ScheduleRecord {
    /// `GPConnect-Schedule-1`: actors are the practitioner and the location where the
    /// appointment happens; one practitioner-role extension; no specialty, no comment.
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Schedule", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.schedule))
        object.append(
            "extension", [["url": .string(ExtensionURL.practitionerRole), "valueCodeableConcept": .codeableConcept(practitionerRole)]])
        object.append("serviceCategory", serviceCategory.map { ["text": .string($0)] })
        var actors: [FHIRElement] = []
        if let practitionerID { actors.append(.reference("Practitioner/\(practitionerID)")) }
        actors.append(.reference("Location/\(locationID)"))
        object.append("actor", .array(actors))
        object.append("planningHorizon", .period(start: planningHorizonStart, end: planningHorizonEnd))
        return .object(object)
    }
}

extension BookingOrganization {
    /// The booking organisation contained in the Appointment (`#1`).
    var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Organization", "id": "1"]
        object.append("meta", ["profile": [.string(Profile.organization)]])
        object.append("identifier", [.identifier(system: IdentifierSystem.odsOrganizationCode, value: ods)])
        object.append("type", type.map { [.codeableConcept($0)] })
        object.append("name", .string(name))
        object.append("telecom", .array(telecom.map(\.fhir)))
        return .object(object)
    }
}

extension AppointmentRecord {
    /// `GPConnect-Appointment-1` with the provider-filled extensions (booking organisation,
    /// practitioner role, delivery channel, cancellation reason). Never reason or specialty.
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Appointment", "id": .string(id)]
        object.append("meta", .meta(version: version, profile: Profile.appointment))
        object.append("contained", [bookingOrganization.fhir])
        var extensions: [FHIRElement] = [
            ["url": .string(ExtensionURL.bookingOrganisation), "valueReference": .reference("#1")],
            ["url": .string(ExtensionURL.practitionerRole), "valueCodeableConcept": .codeableConcept(practitionerRole)],
            ["url": .string(ExtensionURL.deliveryChannel), "valueCode": .string(deliveryChannel)],
        ]
        if let cancellationReason {
            extensions.append(["url": .string(ExtensionURL.cancellationReason), "valueString": .string(cancellationReason)])
        }
        object.append("extension", .array(extensions))
        object.append("status", .string(status.rawValue))
        object.append("serviceCategory", serviceCategory.map { ["text": .string($0)] })
        object.append("serviceType", [["text": .string(serviceType)]])
        object.append("description", .string(description))
        object.append("start", .string(UKTime.format(start)))
        object.append("end", .string(UKTime.format(end)))
        object.append("minutesDuration", .number(String(Int(end.timeIntervalSince(start) / 60))))
        object.append("slot", .array(slotIDs.map { .reference("Slot/\($0)") }))
        object.append("created", .string(created))
        object.append("comment", comment.map { .string($0) })
        var participants: [FHIRElement] = [
            ["actor": .reference("Patient/\(patientID)"), "status": "accepted"],
            ["actor": .reference("Location/\(locationID)"), "status": "accepted"],
        ]
        if let practitionerID { participants.append(["actor": .reference("Practitioner/\(practitionerID)"), "status": "accepted"]) }
        object.append("participant", .array(participants))
        return .object(object)
    }
}
