import FHIR
import Foundation
import GPConnectClient
import GPConnectContract
import Hummingbird

extension Hub {
    /// A patient's appointments across the federation: found by NHS number at every practice at
    /// once, each practice's outcome shown; amend and cancel each appointment where it was booked.
    func registerPatients(on router: Router<HubRequestContext>) {
        router.get("/patient") { [self] _, context in
            views.page("patient", title: "Patients", [:], session: try context.signedIn(), section: "/patient")
        }
        router.post("/patient") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            return try await patientPage(session, nhs: form["nhs"], notice: nil)
        }
        router.post("/appointment/amend") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            return try await changeAppointment(session, form, verb: "amended") { client, practice, current throws(GPConnectClientError) in
                _ = try await client.amend(practice, appointment: current, description: form["description"], comment: form["comment"])
            }
        }
        router.post("/appointment/cancel") { [self] request, context in
            let session = try context.signedIn()
            let form = try await Form.checked(request, session)
            guard let reason = form["reason"] else {
                return try await patientPage(session, nhs: form["nhs"], notice: "Give a reason to cancel an appointment.")
            }
            return try await changeAppointment(session, form, verb: "cancelled") { client, practice, current throws(GPConnectClientError) in
                _ = try await client.cancel(practice, appointment: current, reason: reason)
            }
        }
    }

    /// Reads the appointment a form names, changes it, logs the outcome and shows the patient's
    /// appointments again with what happened.
    func changeAppointment(
        _ session: HubSession, _ form: Form, verb: String,
        _ change: (GPConnectClient, ProviderEndpoint, FHIRElement) async throws(GPConnectClientError) -> Void
    ) async throws -> Response {
        let practice = try practice(form["ods"])
        guard let id = form["id"] else { throw HubError(.badRequest, "Choose an appointment.") }
        let client = client(for: session.user)
        let action = (verb == "amended" ? "amend" : "cancel") + " appointment"
        let notice: String
        do throws(GPConnectClientError) {
            try await change(client, practice, try await client.readAppointment(practice, id: id))
            notice = "Appointment/\(id) at \(practice.name ?? practice.ods) was \(verb)."
            await log(session, action, ods: practice.ods, nhsNumber: Self.nhsNumber(form["nhs"]), outcome: "Appointment/\(id)")
        } catch {
            await log(session, action, ods: practice.ods, nhsNumber: Self.nhsNumber(form["nhs"]), outcome: Self.short(error))
            notice = "The appointment was not \(verb): " + Self.message(error, at: practice)
        }
        return try await patientPage(session, nhs: form["nhs"], notice: notice)
    }

    /// Where a patient is known in the federation, and their appointments there from today.
    struct PatientAt: Sendable {
        var practice: ProviderEndpoint
        var outcome: String
        var outcomeClass: String
        var patient: PatientSummary?
        var appointments: [AppointmentSummary]
    }

    func patientPage(_ session: HubSession, nhs: String?, notice: String?) async throws -> Response {
        guard let nhsNumber = Self.nhsNumber(nhs) else {
            return views.page(
                "patient", title: "Patients", ["error": "Enter a valid 10-digit NHS number (spaces are allowed).", "nhs": nhs ?? ""],
                session: session, section: "/patient", status: .badRequest)
        }
        let client = client(for: session.user)
        let found = await withTaskGroup(of: (Int, PatientAt).self) { group in
            for (index, practice) in directory.practices.enumerated() {
                group.addTask {
                    do throws(GPConnectClientError) {
                        guard let patient = try await client.findPatient(practice, nhsNumber: nhsNumber).first.map(PatientSummary.init),
                            let id = patient.id
                        else {
                            return (index, PatientAt(practice: practice, outcome: "not registered", outcomeClass: "none", appointments: []))
                        }
                        let appointments = try await client.patientAppointments(
                            practice, patientID: id, from: Date(), through: UKTime.day(offset: 90, from: Date()))
                        return (
                            index,
                            PatientAt(
                                practice: practice, outcome: "registered", outcomeClass: "ok", patient: patient,
                                appointments: appointments.map(AppointmentSummary.init))
                        )
                    } catch {
                        return (index, PatientAt(practice: practice, outcome: Self.short(error), outcomeClass: "failed", appointments: []))
                    }
                }
            }
            var all: [(Int, PatientAt)] = []
            for await each in group { all.append(each) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        await log(
            session, "view appointments", ods: "*", nhsNumber: nhsNumber, outcome: "\(found.filter { $0.patient != nil }.count) practices")
        var data: [String: Any] = [
            "nhs": nhsNumber, "searched": true,
            "known": found.contains { $0.patient != nil },
            "practices": found.map { at -> [String: Any] in
                [
                    "ods": at.practice.ods, "name": at.practice.name ?? at.practice.ods, "outcome": at.outcome,
                    "outcomeClass": at.outcomeClass,
                    "appointments": at.appointments.map { appointment -> [String: Any] in
                        Self.present([
                            "id": appointment.id ?? "", "status": appointment.status ?? "-",
                            "start": appointment.start.flatMap(UKTime.parse).map { Self.when($0.date) } ?? "-",
                            "description": appointment.description ?? "", "comment": appointment.comment,
                            "bookedBy": appointment.bookedBy ?? "-", "cancellable": appointment.status == "booked",
                            "ods": at.practice.ods, "nhs": nhsNumber,
                        ])
                    },
                    "none": at.patient != nil && at.appointments.isEmpty,
                ]
            },
        ]
        data["notice"] = notice
        data["patient"] = found.compactMap(\.patient).first.map(Self.patientData)
        return views.page("patient", title: "Patients", data, session: session, section: "/patient")
    }
}
