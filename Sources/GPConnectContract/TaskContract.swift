public import FHIR
public import Foundation

/// What a consumer and a provider agree on for tasks between federated practices: this project's
/// own capability (docs/tasks.md), not one NHS England published. GP Connect lists "allowing tasks
/// to be sent between practices in a federation" among its business drivers but defines no
/// interaction for it; the four interactions here are shaped like Appointment Management's.
extension Profile {
    /// The project's own Task profile. Deliberately outside `https://fhir.nhs.uk/`: it is not an
    /// NHS profile and must not read as one.
    public static let federationTask = "urn:x-gpconnect-federation:StructureDefinition:Task-1"
}

/// The kinds of task a practice can be sent, each a SNOMED CT concept (`Task.code`).
public enum TaskType: String, Sendable, CaseIterable, Codable {
    /// SNOMED CT, the system of every task type.
    public static let system = "http://snomed.info/sct"

    case bloodTest = "blood-test"
    case medicationReview = "medication-review"
    case callBack = "call-back"
    case referralNeeded = "referral-needed"
    case administrative
    case other

    /// The SNOMED CT concept id.
    public var snomedCode: String {
        switch self {
        case .bloodTest: "396550006"
        case .medicationReview: "182836005"
        case .callBack: "185317003"
        case .referralNeeded: "3457005"
        case .administrative: "14734007"
        case .other: "74964007"
        }
    }

    /// The concept's preferred term.
    public var display: String {
        switch self {
        case .bloodTest: "Blood test"
        case .medicationReview: "Review of medication"
        case .callBack: "Telephone encounter"
        case .referralNeeded: "Patient referral"
        case .administrative: "Administrative procedure"
        case .other: "Other"
        }
    }

    public init?(snomedCode: String) {
        guard let match = Self.allCases.first(where: { $0.snomedCode == snomedCode }) else { return nil }
        self = match
    }
}

/// `Task.priority` (FHIR STU3 request-priority, without `stat`).
public enum TaskPriority: String, Sendable, CaseIterable, Codable, Comparable {
    case routine
    case urgent
    case asap

    /// Most pressing first: asap, urgent, routine.
    public var rank: Int {
        switch self {
        case .asap: 0
        case .urgent: 1
        case .routine: 2
        }
    }

    public static func < (lhs: TaskPriority, rhs: TaskPriority) -> Bool { lhs.rank < rhs.rank }
}

/// `Task.status`, the subset of FHIR STU3 task-status the workflow uses: requested → received →
/// accepted | rejected → in-progress → completed | failed; cancelled by the requester while not yet
/// started.
public enum TaskStatus: String, Sendable, CaseIterable, Codable {
    case requested
    case received
    case accepted
    case rejected
    case inProgress = "in-progress"
    case completed
    case failed
    case cancelled

    /// No further change is possible.
    public var isFinal: Bool { [.rejected, .completed, .failed, .cancelled].contains(self) }

    /// Work has begun (or ended): the requester can no longer cancel.
    public var isStarted: Bool { [.inProgress, .completed, .failed].contains(self) }

    /// The statuses the owning practice may move a task to from this one.
    public var practiceTransitions: [TaskStatus] {
        switch self {
        case .requested: [.received, .accepted, .rejected]
        case .received: [.accepted, .rejected]
        case .accepted: [.inProgress]
        case .inProgress: [.completed, .failed]
        case .rejected, .completed, .failed, .cancelled: []
        }
    }
}

/// The body of `POST Task`: a task for a patient's own practice (the owner), from the requester
/// the audit JWT names.
public struct TaskSubmission: Sendable, Equatable {
    public var ownerODS: String
    public var nhsNumber: String
    public var type: TaskType
    public var priority: TaskPriority
    public var description: String
    /// Due by (`Task.restriction.period.end`).
    public var due: Date?
    /// A note from the requester.
    public var note: String?
    /// The appointment (`Appointment/…`) or consultation (`Encounter/…`) it came from, at the requester.
    public var origin: String?

    public init(
        ownerODS: String, nhsNumber: String, type: TaskType, priority: TaskPriority = .routine, description: String, due: Date? = nil,
        note: String? = nil, origin: String? = nil
    ) {
        self.ownerODS = ownerODS
        self.nhsNumber = nhsNumber
        self.type = type
        self.priority = priority
        self.description = description
        self.due = due
        self.note = note
        self.origin = origin
    }

    /// The `Task` resource, in StructureDefinition order.
    public var fhir: FHIRElement {
        var object: FHIRObject = ["resourceType": "Task"]
        object.append("meta", ["profile": [.string(Profile.federationTask)]])
        if let origin, origin.hasPrefix("Appointment/") { object.append("basedOn", [["reference": .string(origin)]]) }
        object.append("status", "requested")
        object.append("intent", "order")
        object.append("priority", .string(priority.rawValue))
        object.append(
            "code",
            [
                "coding": [["system": .string(TaskType.system), "code": .string(type.snomedCode), "display": .string(type.display)]]
            ])
        object.append("description", .string(description))
        object.append("for", ["identifier": ["system": .string(IdentifierSystem.nhsNumber), "value": .string(nhsNumber)]])
        if let origin, origin.hasPrefix("Encounter/") { object.append("context", ["reference": .string(origin)]) }
        object.append("owner", ["identifier": ["system": .string(IdentifierSystem.odsOrganizationCode), "value": .string(ownerODS)]])
        if let note { object.append("note", [["text": .string(note)]]) }
        if let due { object.append("restriction", ["period": ["end": .string(ISO8601.instant(due))]]) }
        return .object(object)
    }
}

/// The body of `PUT Task/{id}` that cancels: the task as read, with `status` `cancelled` and the
/// reason in `statusReason.text`.
public struct TaskCancellation: Sendable, Equatable {
    public var task: FHIRObject
    public var reason: String

    public init(task: FHIRObject, reason: String) {
        self.task = task
        self.reason = reason
    }

    public var fhir: FHIRElement {
        var body = task
        body["status"] = "cancelled"
        if body["statusReason"] != nil {
            body["statusReason"] = ["text": .string(reason)]
        } else {
            // statusReason follows status in StructureDefinition order.
            var ordered = FHIRObject()
            for field in body.fields {
                ordered.append(field.name, field.value)
                if field.name == "status" { ordered.append("statusReason", ["text": .string(reason)]) }
            }
            body = ordered
        }
        return .object(body)
    }
}
