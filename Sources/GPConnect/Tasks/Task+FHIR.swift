public import FHIR
import Foundation
import GPConnectContract

extension TaskRecord {
    /// The project's Task profile (``Profile/federationTask``), in StructureDefinition element
    /// order. `practiceName` names the owner.
    public func fhir(practiceName: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Task", "id": .string(id)]
        var meta = FHIRObject()
        meta.append("versionId", .string(version))
        meta.append("lastUpdated", .string(ISO8601.instant(lastModified)))
        meta.append("profile", [.string(Profile.federationTask)])
        object.append("meta", .object(meta))
        if let origin, origin.hasPrefix("Appointment/") { object.append("basedOn", [.reference(origin)]) }
        object.append("status", .string(status.rawValue))
        if let statusReason, [.rejected, .failed, .cancelled].contains(status) {
            object.append("statusReason", ["text": .string(statusReason)])
        }
        object.append("intent", "order")
        object.append("priority", .string(priority.rawValue))
        object.append(
            "code", .codeableConcept(Code(system: TaskType.system, code: type.snomedCode, display: type.display)))
        object.append("description", .string(description))
        object.append(
            "for",
            [
                "reference": .string("Patient/\(patientID)"),
                "identifier": .identifier(system: IdentifierSystem.nhsNumber, value: nhsNumber),
            ])
        if let origin, origin.hasPrefix("Encounter/") { object.append("context", .reference(origin)) }
        object.append("authoredOn", .string(ISO8601.instant(authoredOn)))
        object.append("lastModified", .string(ISO8601.instant(lastModified)))
        var agent = FHIRObject()
        if let sdsUserID = requester.sdsUserID {
            agent.append("identifier", .identifier(system: IdentifierSystem.sdsUserID, value: sdsUserID))
        }
        agent.append(
            "display", .optional(requester.userName ?? (agent.isEmpty ? requester.organizationName ?? requester.organizationODS : nil)))
        var onBehalfOf: FHIRObject = [
            "identifier": .identifier(system: IdentifierSystem.odsOrganizationCode, value: requester.organizationODS)
        ]
        onBehalfOf.append("display", .optional(requester.organizationName))
        object.append("requester", ["agent": .object(agent), "onBehalfOf": .object(onBehalfOf)])
        var owner: FHIRObject = ["identifier": .identifier(system: IdentifierSystem.odsOrganizationCode, value: ownerODS)]
        owner.append("display", .optional(practiceName))
        object.append("owner", .object(owner))
        object.append(
            "note",
            .array(
                notes.map { note in
                    [
                        "authorString": .string(note.author + (note.organizationODS.map { " (\($0))" } ?? "")),
                        "time": .string(ISO8601.instant(note.time)), "text": .string(note.text),
                    ]
                }))
        if let due { object.append("restriction", ["period": ["end": .string(ISO8601.instant(due))]]) }
        if status == .completed, let output {
            object.append(
                "output", [["type": ["text": "Outcome"], "valueString": .string(output)]])
        }
        return .object(object)
    }
}

/// Reading `POST Task` and `PUT Task/{id}` bodies and `GET Task` queries. Structural problems are
/// `422 INVALID_RESOURCE` (as booking an appointment answers them), an NHS number that fails its
/// check digit `400 INVALID_NHS_NUMBER`, a bad search parameter `422 INVALID_PARAMETER`.
enum TaskBody {
    /// STU3 `Task` top-level elements (FHIR 3.0.1).
    static let elements: Set<String> = [
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension", "modifierExtension",
        "identifier", "definitionUri", "definitionReference", "basedOn", "groupIdentifier", "partOf", "status", "statusReason",
        "businessStatus", "intent", "priority", "code", "description", "focus", "for", "context", "executionPeriod", "authoredOn",
        "lastModified", "requester", "performerType", "owner", "reason", "note", "relevantHistory", "restriction", "input", "output",
    ]
    /// Elements of the profile a requester may send (the provider fills the rest).
    static let accepted: Set<String> = [
        "resourceType", "id", "meta", "basedOn", "status", "intent", "priority", "code", "description", "for", "context", "authoredOn",
        "lastModified", "requester", "owner", "note", "restriction",
    ]

    static func checkShape(_ body: FHIRElement) throws(GPConnectError) -> FHIRObject {
        guard body["resourceType"]?.string == "Task", let object = body.object else {
            throw .invalidResource("The body must be a Task resource")
        }
        for name in object.names {
            let bare = name.hasPrefix("_") ? String(name.dropFirst()) : name
            guard elements.contains(bare) else { throw .invalidResource("Task.\(bare) is not a Task element") }
        }
        guard body["meta"]?["profile"]?.items.contains(where: { $0.string == Profile.federationTask }) == true else {
            throw .invalidResource("Task.meta.profile must be \(Profile.federationTask)")
        }
        return object
    }

    static func creation(_ body: FHIRElement, practice: Practice, caller: Caller) throws(GPConnectError) -> TaskManagement.Creation {
        let object = try checkShape(body)
        if let name = object.names.first(where: { !accepted.contains($0.hasPrefix("_") ? String($0.dropFirst()) : $0) }) {
            throw .invalidResource("Task.\(name) is not part of the task profile or is filled by the provider")
        }
        guard body["status"]?.string == TaskStatus.requested.rawValue else {
            throw .invalidResource("A new Task must have status requested")
        }
        guard body["intent"]?.string == "order" else { throw .invalidResource("Task.intent must be order") }
        var priority = TaskPriority.routine
        if let text = body["priority"]?.string {
            guard let parsed = TaskPriority(rawValue: text) else {
                throw .invalidResource("Task.priority must be routine, urgent or asap")
            }
            priority = parsed
        }
        let codings = body["code"]?["coding"]?.items ?? []
        let types = codings.compactMap { coding -> TaskType? in
            guard coding["system"]?.string == TaskType.system, let code = coding["code"]?.string else { return nil }
            return TaskType(snomedCode: code)
        }
        guard types.count == 1, let type = types.first else {
            let known = TaskType.allCases.map { "\($0.snomedCode) \($0.display)" }.joined(separator: ", ")
            throw .invalidResource("Task.code must carry exactly one SNOMED CT task type of: \(known)")
        }
        guard let description = body["description"]?.string?.trimmingCharacters(in: .whitespacesAndNewlines), !description.isEmpty else {
            throw .invalidResource("Task.description is required")
        }
        guard description.count <= TaskManagement.maximumDescription else {
            throw .invalidResource("Task.description is longer than \(TaskManagement.maximumDescription) characters")
        }
        let nhsNumber = try patient(body["for"])
        try owner(body["owner"], practice: practice)
        if let requester = body["requester"] {
            let ods = requester["onBehalfOf"]?["identifier"]?["value"]?.string
            guard ods == nil || ods == caller.requester.organizationODS else {
                throw .invalidResource("Task.requester.onBehalfOf must be the requesting organisation of the audit JWT")
            }
        }
        var due: Date?
        if let restriction = body["restriction"] {
            guard let object = restriction.object, object.names.allSatisfy({ $0 == "period" }),
                restriction["period"]?.object?.names.allSatisfy({ $0 == "end" }) == true,
                let text = restriction["period"]?["end"]?.string, let parsed = UKTime.parse(text)
            else { throw .invalidResource("Task.restriction may only hold period.end: a date or a date-time with an offset") }
            // A date alone means by the end of that day.
            due = parsed.hasTime ? parsed.date : UKTime.day(offset: 1, from: parsed.date).addingTimeInterval(-1)
        }
        var notes: [String] = []
        for note in body["note"]?.items ?? [] {
            guard let text = note["text"]?.string?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty,
                text.count <= TaskManagement.maximumNote
            else { throw .invalidResource("Every Task.note needs a text of at most \(TaskManagement.maximumNote) characters") }
            notes.append(text)
        }
        var origin: String?
        let basedOn = body["basedOn"]?.items ?? []
        guard basedOn.count <= 1 else { throw .invalidResource("Task.basedOn may name one appointment") }
        if let reference = basedOn.first {
            origin = try relative(reference["reference"]?.string, type: "Appointment", element: "basedOn")
        }
        if let context = body["context"] {
            guard origin == nil else {
                throw .invalidResource("Send Task.basedOn (an appointment) or Task.context (a consultation), not both")
            }
            origin = try relative(context["reference"]?.string, type: "Encounter", element: "context")
        }
        return TaskManagement.Creation(
            nhsNumber: nhsNumber, type: type, priority: priority, description: description, due: due, notes: notes, origin: origin)
    }

    static func patient(_ element: FHIRElement?) throws(GPConnectError) -> NHSNumber {
        guard let identifier = element?["identifier"], identifier["system"]?.string == IdentifierSystem.nhsNumber,
            let value = identifier["value"]?.string, !value.isEmpty
        else { throw .invalidResource("Task.for must identify the patient by NHS number (\(IdentifierSystem.nhsNumber))") }
        guard let number = NHSNumber(value) else { throw GPConnectError(.invalidNHSNumber, "Task.for carries an invalid NHS number") }
        return number
    }

    static func owner(_ element: FHIRElement?, practice: Practice) throws(GPConnectError) {
        guard let identifier = element?["identifier"], identifier["system"]?.string == IdentifierSystem.odsOrganizationCode,
            let ods = identifier["value"]?.string, !ods.isEmpty
        else { throw .invalidResource("Task.owner must identify the receiving practice by ODS code") }
        guard ods == practice.ods else {
            throw .invalidResource("Task.owner is \(ods), but this endpoint is practice \(practice.ods): send the task to its owner")
        }
    }

    static func relative(_ reference: String?, type: String, element: String) throws(GPConnectError) -> String {
        guard let reference, reference.hasPrefix(type + "/"), AppointmentBody.isLogicalID(String(reference.dropFirst(type.count + 1)))
        else { throw .invalidResource("Task.\(element) must be a relative \(type) reference") }
        return reference
    }

    /// A cancellation: the stored task with only `status` (cancelled) and `statusReason` changed;
    /// provider-filled elements may be echoed or left out.
    static func cancellationReason(_ body: FHIRElement, id: String, stored: TaskRecord, practiceName: String?) throws(GPConnectError)
        -> String
    {
        let object = try checkShape(body)
        if let bodyID = body["id"]?.string, bodyID != id { throw .invalidResource("Task.id does not match the URL") }
        guard body["status"]?.string == TaskStatus.cancelled.rawValue else {
            throw .invalidResource("Only cancellation is possible through this interaction: Task.status must be cancelled")
        }
        guard
            let reason = (body["statusReason"]?["text"]?.string ?? body["statusReason"]?["coding"]?.items.first?["display"]?.string)?
                .trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty
        else { throw .invalidParameter("A cancellation reason (Task.statusReason.text) is required") }
        guard reason.count <= TaskManagement.maximumNote else { throw .invalidResource("The cancellation reason is too long") }
        let current = stored.fhir(practiceName: practiceName).object ?? FHIRObject()
        for field in object.fields where !["resourceType", "id", "meta", "status", "statusReason", "lastModified"].contains(field.name) {
            guard let value = current[field.name] else { throw .invalidResource("Task.\(field.name) cannot be added when cancelling") }
            guard same(field.value, value) else { throw .invalidResource("Task.\(field.name) cannot be changed when cancelling") }
        }
        return reason
    }

    /// Equal, ignoring field order inside objects (XML and JSON consumers may reorder).
    static func same(_ a: FHIRElement, _ b: FHIRElement) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return Set(x.names) == Set(y.names) && x.fields.allSatisfy { field in y[field.name].map { same(field.value, $0) } ?? false }
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.array(let x), _) where x.count == 1: return same(x[0], b)
        case (_, .array(let y)) where y.count == 1: return same(a, y[0])
        default: return a == b
        }
    }

    /// `GET Task?requester=…&status=…&_lastUpdated=ge…`. `requester` is an ODS code, bare or as
    /// `https://fhir.nhs.uk/Id/ods-organization-code|…`; `status` a comma-separated list;
    /// `_lastUpdated` takes `ge`, `gt`, `le` or `lt` with a date or a date-time with an offset,
    /// and may be given twice (a window). Other parameters are ignored, as GP Connect searches ignore them.
    /// With no `requester`, a requester's search is for its own tasks and the owning practice's for every requester's.
    static func filter(_ query: SearchQuery, caller: Caller, practice: Practice) throws(GPConnectError) -> TaskFilter {
        var filter = TaskFilter()
        if let requester = try query.single("requester") {
            let prefix = IdentifierSystem.odsOrganizationCode + "|"
            let ods = requester.hasPrefix(prefix) ? String(requester.dropFirst(prefix.count)) : requester
            guard !ods.isEmpty, !ods.contains("|") else { throw .invalidParameter("requester must be an ODS code") }
            filter.requesterODS = ods
        } else if !TaskManagement.isOwner(caller, practice: practice) {
            filter.requesterODS = caller.requester.organizationODS
        }
        if let status = try query.single("status") {
            filter.statuses = try status.split(separator: ",", omittingEmptySubsequences: false).map {
                (text) throws(GPConnectError) -> TaskStatus in
                guard let parsed = TaskStatus(rawValue: String(text)) else { throw .invalidParameter("Unknown task status \(text)") }
                return parsed
            }
        }
        let bounds = try query.values("_lastUpdated")
        guard bounds.count <= 2 else { throw .invalidParameter("_lastUpdated may be given at most twice") }
        for bound in bounds {
            let prefix = String(bound.prefix(2))
            guard ["ge", "gt", "le", "lt"].contains(prefix), let parsed = UKTime.parse(String(bound.dropFirst(2))) else {
                throw .invalidParameter("_lastUpdated must be ge, gt, le or lt and a date or a date-time with an offset")
            }
            // Instants are kept to the second; a date covers its whole day.
            let start = parsed.date
            let end = parsed.hasTime ? parsed.date.addingTimeInterval(1) : UKTime.day(offset: 1, from: parsed.date)
            switch prefix {
            case "ge": filter.modifiedFrom = max(filter.modifiedFrom ?? start, start)
            case "gt": filter.modifiedFrom = max(filter.modifiedFrom ?? end, end)
            case "le": filter.modifiedBefore = min(filter.modifiedBefore ?? end, end)
            default: filter.modifiedBefore = min(filter.modifiedBefore ?? start, start)
            }
        }
        return filter
    }
}
