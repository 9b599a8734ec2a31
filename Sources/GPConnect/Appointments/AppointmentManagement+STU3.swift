import FHIR
import Foundation
import GPConnectContract

/// The STU3 face of Appointment Management: each interaction parses its FHIR request into a typed
/// one, runs the use case with the request's ``Caller``, and renders the records it returns.
extension AppointmentManagement {
    /// A1: `GET Slot?start=…&end=…&status=free&_include=Slot:schedule…`.
    public func searchFreeSlots(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let query = try SlotSearch.parse(request.query)
        let found = try await freeSlots(query, practice: request.practice, now: request.now)
        guard !found.slots.isEmpty else { return GPConnectResponse(resource: FHIRBundle.searchset([])) }
        var entries: [FHIRElement] = found.slots.map(\.fhir)
        entries += found.schedules.map(\.fhir)
        entries += found.practitioners.map(\.fhir)
        entries += found.locations.map(\.fhir)
        entries += found.organizations.map(\.fhir)
        return GPConnectResponse(resource: FHIRBundle.searchset(entries))
    }

    /// A2: `POST Appointment`.
    public func book(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let booking = try BookingRequest.parse(try request.resource())
        let (record, patient) = try await book(booking, practice: request.practice, caller: request.caller, now: request.now)
        let versioned = "Appointment/\(record.id)/_history/\(record.version)"
        return GPConnectResponse(
            status: 201, resource: record.fhir, version: record.version, location: versioned, auditPatient: patient.nhsNumber.value,
            auditResource: versioned)
    }

    /// A3: `GET Appointment/{id}`.
    public func read(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let appointment = try await appointment(id: request.id, practice: request.practice, now: request.now)
        return GPConnectResponse(resource: appointment.fhir, version: appointment.version, auditPatient: "Patient/\(appointment.patientID)")
    }

    /// A4: `GET Patient/{id}/Appointment?start=ge…&start=le…`.
    public func retrieve(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let patient = try await patient(id: request.id, practice: request.practice)
        let (from, to) = try Self.retrieveRange(request.query, now: request.now)
        let appointments = try await appointments(of: patient, from: from, to: to, practice: request.practice)
        return GPConnectResponse(resource: FHIRBundle.searchset(appointments.map(\.fhir)), auditPatient: patient.nhsNumber.value)
    }

    /// A5 and A6: `PUT Appointment/{id}`, told apart by `Ssp-InteractionID`.
    public func amendOrCancel(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let body = try request.resource()
        let cancelling = request.interaction == .cancelAppointment
        let updated = try await change(
            id: request.id, practice: request.practice, caller: request.caller, now: request.now, ifMatch: request.ifMatch,
            cancelling: cancelling
        ) { stored throws(GPConnectError) in
            try AppointmentChange.parse(body, id: stored.id, against: stored, cancelling: cancelling)
        }
        return GPConnectResponse(
            resource: updated.fhir, version: updated.version, auditPatient: "Patient/\(updated.patientID)",
            auditResource: "Appointment/\(updated.id)/_history/\(updated.version)")
    }
}
