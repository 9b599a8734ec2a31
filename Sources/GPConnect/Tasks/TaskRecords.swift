public import Foundation
public import GPConnectContract

/// Who a task is from: the requesting user and organisation, from the audit JWT.
public struct TaskRequester: Sendable, Codable, Equatable {
    public var sdsUserID: String?
    public var userName: String?
    public var organizationODS: String
    public var organizationName: String?

    public init(sdsUserID: String?, userName: String?, organizationODS: String, organizationName: String?) {
        self.sdsUserID = sdsUserID
        self.userName = userName
        self.organizationODS = organizationODS
        self.organizationName = organizationName
    }
}

/// A note on a task, from either side.
public struct TaskNote: Sendable, Codable, Equatable {
    /// The author as shown: the user's name, else their SDS user id, with the organisation.
    public var author: String
    public var organizationODS: String?
    public var time: Date
    public var text: String

    public init(author: String, organizationODS: String?, time: Date, text: String) {
        self.author = author
        self.organizationODS = organizationODS
        self.time = time
        self.text = text
    }
}

/// One change to a task: what happened, who did it (from the audit JWT or the practice user) and
/// when, as appointments keep their provenance.
public struct TaskProvenance: Sendable, Codable, Equatable {
    /// `created`, `received`, `accepted`, `rejected`, `in-progress`, `completed`, `failed`,
    /// `cancelled` or `noted`.
    public var action: String
    public var time: Date
    public var userID: String?
    public var sdsUserID: String?
    public var name: String?
    public var organizationODS: String?
    /// `Ssp-TraceID` for API changes; nil for the practice's own.
    public var traceID: String?

    public init(action: String, time: Date, requester: Requester, traceID: String?) {
        self.action = action
        self.time = time
        self.userID = requester.userID
        self.sdsUserID = requester.sdsUserID
        self.name = requester.name
        self.organizationODS = requester.organizationODS
        self.traceID = traceID
    }
}

/// A task sent to a practice (the owner) about one of its registered patients.
public struct TaskRecord: Sendable, Codable, Equatable {
    public var id: String
    public var status: TaskStatus
    public var priority: TaskPriority
    public var type: TaskType
    public var description: String
    /// The patient's logical id at the owning practice.
    public var patientID: String
    public var nhsNumber: String
    public var requester: TaskRequester
    public var ownerODS: String
    public var authoredOn: Date
    public var lastModified: Date
    public var due: Date?
    public var notes: [TaskNote]
    /// Why it was rejected, failed or cancelled.
    public var statusReason: String?
    /// What was done, once completed.
    public var output: String?
    /// `Appointment/…` or `Encounter/…` at the requester.
    public var origin: String?
    public var history: [TaskProvenance]
    public var version: String

    public init(
        id: String, status: TaskStatus = .requested, priority: TaskPriority, type: TaskType, description: String, patientID: String,
        nhsNumber: String, requester: TaskRequester, ownerODS: String, authoredOn: Date, lastModified: Date, due: Date?,
        notes: [TaskNote] = [], statusReason: String? = nil, output: String? = nil, origin: String? = nil, history: [TaskProvenance] = [],
        version: String = "1"
    ) {
        self.id = id
        self.status = status
        self.priority = priority
        self.type = type
        self.description = description
        self.patientID = patientID
        self.nhsNumber = nhsNumber
        self.requester = requester
        self.ownerODS = ownerODS
        self.authoredOn = authoredOn
        self.lastModified = lastModified
        self.due = due
        self.notes = notes
        self.statusReason = statusReason
        self.output = output
        self.origin = origin
        self.history = history
        self.version = version
    }

    /// Open: the practice still has something to do.
    public var isOpen: Bool { !status.isFinal }

    /// Past its due time and still open.
    public func isOverdue(now: Date) -> Bool { isOpen && (due.map { $0 < now } ?? false) }
}

/// What a search of a practice's tasks asks for.
public struct TaskFilter: Sendable, Equatable {
    /// Only tasks from this requesting organisation.
    public var requesterODS: String?
    /// Only these statuses (empty: any).
    public var statuses: [TaskStatus]
    /// Only tasks changed at or after this instant.
    public var modifiedFrom: Date?
    /// Only tasks changed before this instant.
    public var modifiedBefore: Date?

    public init(requesterODS: String? = nil, statuses: [TaskStatus] = [], modifiedFrom: Date? = nil, modifiedBefore: Date? = nil) {
        self.requesterODS = requesterODS
        self.statuses = statuses
        self.modifiedFrom = modifiedFrom
        self.modifiedBefore = modifiedBefore
    }
}
