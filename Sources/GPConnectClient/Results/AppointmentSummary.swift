public import FHIR
import GPConnectContract

/// A `GPConnect-Appointment-1` Appointment as a consumer lists it (nhsconnect/gpconnect
/// feature/1.6.2, appointments_use_case_retrieve_a_patients_appointments, "Payload response body").
public struct AppointmentSummary: Sendable, Equatable {
    public var id: String?
    public var status: String?
    public var start: String?
    public var end: String?
    public var description: String?
    public var comment: String?
    /// The name of the contained booking organisation.
    public var bookedBy: String?
    /// `meta.versionId`: what `If-Match` must carry to amend or cancel it.
    public var version: String?

    public init(_ resource: FHIRElement) {
        id = resource["id"]?.string
        status = resource["status"]?.string
        start = resource["start"]?.string
        end = resource["end"]?.string
        description = resource["description"]?.string
        comment = resource["comment"]?.string
        bookedBy = resource["contained"]?.items.first?["name"]?.string
        version = resource["meta"]?["versionId"]?.string
    }
}
