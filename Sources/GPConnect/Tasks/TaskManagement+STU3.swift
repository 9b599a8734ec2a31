import FHIR
import Foundation
import GPConnectContract

/// The STU3 face of tasks between federated practices: each interaction parses its FHIR request,
/// runs the use case with the request's ``Caller`` and renders the task it returns.
extension TaskManagement {
    /// `POST Task`: `201`, `Location` and `ETag` (the body is left out for `Prefer: return=minimal`).
    public func create(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let creation = try TaskBody.creation(try request.resource(), practice: request.practice, caller: request.caller)
        let task = try await create(creation, practice: request.practice, caller: request.caller, now: request.now)
        let versioned = "Task/\(task.id)/_history/\(task.version)"
        return GPConnectResponse(
            status: 201, resource: task.fhir(practiceName: request.practice.name), version: task.version, location: versioned,
            auditPatient: task.nhsNumber, auditResource: versioned)
    }

    /// `GET Task/{id}`.
    public func read(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let task = try await task(id: request.id, practice: request.practice, caller: request.caller)
        return GPConnectResponse(
            resource: task.fhir(practiceName: request.practice.name), version: task.version, auditPatient: task.nhsNumber,
            auditResource: "Task/\(task.id)/_history/\(task.version)")
    }

    /// `GET Task?requester=…&status=…&_lastUpdated=ge…`.
    public func search(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let filter = try TaskBody.filter(request.query, caller: request.caller, practice: request.practice)
        let tasks = try await search(filter, practice: request.practice, caller: request.caller)
        return GPConnectResponse(resource: FHIRBundle.searchset(tasks.map { $0.fhir(practiceName: request.practice.name) }))
    }

    /// `PUT Task/{id}` with status cancelled and a reason, `If-Match` honoured.
    public func cancel(_ request: GPConnectRequest) async throws -> GPConnectResponse {
        let body = try request.resource()
        guard let id = request.id else { throw GPConnectError(.noRecordFound, "No task with that logical id") }
        let updated = try await cancel(
            id: id, practice: request.practice, caller: request.caller, now: request.now, ifMatch: request.ifMatch
        ) { stored throws(GPConnectError) in
            try TaskBody.cancellationReason(body, id: id, stored: stored, practiceName: request.practice.name)
        }
        return GPConnectResponse(
            resource: updated.fhir(practiceName: request.practice.name), version: updated.version, auditPatient: updated.nhsNumber,
            auditResource: "Task/\(updated.id)/_history/\(updated.version)")
    }
}
