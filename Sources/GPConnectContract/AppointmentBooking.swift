public import FHIR
public import Foundation

/// The `GPConnect-Appointment-1` body that books a free slot for a patient at a location
/// (nhsconnect/gpconnect feature/1.6.2, appointments_use_case_book_an_appointment, "Request body").
public struct AppointmentBooking: Sendable, Equatable {
    public var slotID: String
    /// The slot's start and end, as the slot search gave them.
    public var start: String?
    public var end: String?
    public var patientID: String
    public var locationID: String
    public var description: String
    public var comment: String?
    public var organisation: BookingOrganisation
    public var created: Date

    public init(
        slotID: String, start: String?, end: String?, patientID: String, locationID: String, description: String, comment: String? = nil,
        organisation: BookingOrganisation, created: Date = Date()
    ) {
        self.slotID = slotID
        self.start = start
        self.end = end
        self.patientID = patientID
        self.locationID = locationID
        self.description = description
        self.comment = comment
        self.organisation = organisation
        self.created = created
    }

    /// The `Appointment` resource.
    public var fhir: FHIRElement {
        var body: FHIRObject = [
            "resourceType": "Appointment", "meta": ["profile": [.string(Profile.appointment)]], "contained": [organisation.fhir],
            "extension": [["url": .string(ExtensionURL.bookingOrganisation), "valueReference": ["reference": "#1"]]],
            "status": "booked", "description": .string(description),
        ]
        body.append("start", start.map { .string($0) })
        body.append("end", end.map { .string($0) })
        body.append("slot", [["reference": .string("Slot/" + slotID)]])
        body.append("created", .string(UKTime.format(created)))
        body.append("comment", comment.map { .string($0) })
        body.append(
            "participant",
            [
                ["actor": ["reference": .string("Patient/\(patientID)")], "status": "accepted"],
                ["actor": ["reference": .string("Location/\(locationID)")], "status": "accepted"],
            ])
        return .object(body)
    }

}
