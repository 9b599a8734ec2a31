public import FHIR

/// The body that cancels an appointment: the appointment as read, with `status` `cancelled` and
/// an `Extension-GPConnect-AppointmentCancellationReason-1` (nhsconnect/gpconnect feature/1.6.2,
/// appointments_use_case_cancel_an_appointment, "Request body").
public struct AppointmentCancellation: Sendable, Equatable {
    public var appointment: FHIRObject
    public var reason: String

    public init(appointment: FHIRObject, reason: String) {
        self.appointment = appointment
        self.reason = reason
    }

    /// The `Appointment` resource.
    public var fhir: FHIRElement {
        var body = appointment
        body["status"] = "cancelled"
        body["extension"] = .array(
            (body["extension"]?.items ?? []) + [["url": .string(ExtensionURL.cancellationReason), "valueString": .string(reason)]])
        return .object(body)
    }
}
