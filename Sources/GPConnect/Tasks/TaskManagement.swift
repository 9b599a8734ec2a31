public import Foundation
public import GPConnectContract

/// Tasks between federated practices (this project's own capability, docs/tasks.md) as use cases
/// that know no channel: the STU3 face (`TaskManagement+STU3.swift`) parses and renders the four
/// API interactions, and `gpconnect tasks` calls the practice's side (accept, reject, start,
/// complete, note) directly. Every change bumps the version, is guarded by it in the store, and
/// is recorded in the task's history with who made it and when.
public struct TaskManagement: Sendable {
    let stores: Stores
    static let maximumDescription = 1_000
    static let maximumNote = 5_000

    public init(stores: Stores) { self.stores = stores }

    /// Instants are kept to the second: that is how they are rendered and searched.
    static func second(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }

    /// What a requester asks for, after structural validation.
    public struct Creation: Sendable, Equatable {
        public var nhsNumber: NHSNumber
        public var type: TaskType
        public var priority: TaskPriority
        public var description: String
        public var due: Date?
        public var notes: [String]
        public var origin: String?

        public init(
            nhsNumber: NHSNumber, type: TaskType, priority: TaskPriority, description: String, due: Date?, notes: [String] = [],
            origin: String? = nil
        ) {
            self.nhsNumber = nhsNumber
            self.type = type
            self.priority = priority
            self.description = description
            self.due = due
            self.notes = notes
            self.origin = origin
        }
    }

    // MARK: Create

    /// Creates a task for one of the practice's registered patients, from the caller.
    ///
    /// - Throws: `404 PATIENT_NOT_FOUND` when no patient with the NHS number is registered at the
    ///   practice; `422 INVALID_RESOURCE` when the audit JWT names no requesting organisation.
    public func create(_ creation: Creation, practice: Practice, caller: Caller, now: Date) async throws -> TaskRecord {
        guard let requesterODS = caller.requester.organizationODS, !requesterODS.isEmpty else {
            throw GPConnectError.invalidResource("The requesting organisation is unknown")
        }
        let patients = try await stores.patients.patients(practice: practice.ods, nhsNumber: creation.nhsNumber)
        guard let patient = patients.first(where: \.isVisible) else {
            throw GPConnectError(.patientNotFound, "The patient is not registered at this practice")
        }
        let time = Self.second(now)
        let requester = TaskRequester(
            sdsUserID: caller.requester.sdsUserID, userName: caller.requester.name, organizationODS: requesterODS,
            organizationName: caller.requester.organizationName)
        let task = TaskRecord(
            id: "", priority: creation.priority, type: creation.type, description: creation.description, patientID: patient.id,
            nhsNumber: patient.nhsNumber.value, requester: requester, ownerODS: practice.ods, authoredOn: time, lastModified: time,
            due: creation.due, notes: creation.notes.map { Self.note($0, caller: caller, time: time) }, origin: creation.origin,
            history: [TaskProvenance(action: "created", time: time, requester: caller.requester, traceID: caller.traceID)])
        return try await stores.tasks.create(task, practice: practice.ods)
    }

    static func note(_ text: String, caller: Caller, time: Date) -> TaskNote {
        TaskNote(
            author: caller.requester.name ?? caller.requester.sdsUserID ?? caller.requester.userID ?? "unknown",
            organizationODS: caller.requester.organizationODS, time: time, text: text)
    }

    // MARK: Read and search

    /// Whether the caller is the owning practice itself (its own staff, or its own system).
    static func isOwner(_ caller: Caller, practice: Practice) -> Bool { caller.requester.organizationODS == practice.ods }

    /// A task the caller may see: only the requesting organisation and the owning practice may.
    ///
    /// - Throws: `404 NO_RECORD_FOUND` for an unknown id and for a task of another organisation
    ///   (whose existence is not disclosed).
    public func task(id: String?, practice: Practice, caller: Caller) async throws -> TaskRecord {
        guard let id, let task = try await stores.tasks.task(practice: practice.ods, id: id),
            Self.isOwner(caller, practice: practice) || task.requester.organizationODS == caller.requester.organizationODS
        else { throw GPConnectError(.noRecordFound, "No task with that logical id") }
        return task
    }

    /// The tasks an organisation sent to this practice that match `filter`, least recently changed first.
    ///
    /// - Throws: `403 ACCESS DENIED` when the caller asks for another organisation's tasks.
    public func search(_ filter: TaskFilter, practice: Practice, caller: Caller) async throws -> [TaskRecord] {
        guard Self.isOwner(caller, practice: practice) || filter.requesterODS == caller.requester.organizationODS else {
            throw GPConnectError(.accessDenied, "Only the tasks the requesting organisation sent can be searched")
        }
        return try await stores.tasks.tasks(practice: practice.ods, matching: filter)
    }

    /// The practice's inbox: open tasks, overdue first, then by priority, then by due date (tasks
    /// with no due date last), then oldest first.
    public func inbox(practice: Practice, now: Date) async throws -> [TaskRecord] {
        let open = TaskStatus.allCases.filter { !$0.isFinal }
        return try await stores.tasks.tasks(practice: practice.ods, matching: TaskFilter(statuses: open)).sorted { a, b in
            let overdue = (a.isOverdue(now: now), b.isOverdue(now: now))
            if overdue.0 != overdue.1 { return overdue.0 }
            if a.priority != b.priority { return a.priority < b.priority }
            switch (a.due, b.due) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            if a.authoredOn != b.authoredOn { return a.authoredOn < b.authoredOn }
            return (Int(a.id) ?? 0, a.id) < (Int(b.id) ?? 0, b.id)
        }
    }

    // MARK: Changes

    /// Cancels a task for its requester.
    ///
    /// - Throws: `404 NO_RECORD_FOUND`; `403 ACCESS DENIED` when the caller is the owning practice
    ///   rather than the requester; `409 FHIR_CONSTRAINT_VIOLATION` when `ifMatch` or the stored
    ///   version moved on; `422 INVALID_RESOURCE` once the task has been started or has ended.
    /// `reason` reads the reason from the request, against the stored task.
    public func cancel(
        id: String?, practice: Practice, caller: Caller, now: Date, ifMatch: String?,
        reason: (TaskRecord) throws(GPConnectError) -> String
    ) async throws -> TaskRecord {
        let stored = try await task(id: id, practice: practice, caller: caller)
        guard stored.requester.organizationODS == caller.requester.organizationODS else {
            throw GPConnectError(.accessDenied, "Only the requesting organisation can cancel a task")
        }
        if let ifMatch, ifMatch != stored.version {
            throw GPConnectError(.fhirConstraintViolation, "If-Match does not match the current version of the task")
        }
        let why = try reason(stored)
        if stored.status.isStarted {
            throw GPConnectError.invalidResource("The task is \(stored.status.rawValue): a started task cannot be cancelled")
        }
        guard !stored.status.isFinal else {
            throw GPConnectError.invalidResource("The task is \(stored.status.rawValue) and can no longer be cancelled")
        }
        var updated = stored
        updated.status = .cancelled
        updated.statusReason = why
        return try await save(updated, from: stored, action: "cancelled", caller: caller, now: now)
    }

    /// The owning practice moves a task on: `received`, `accepted`, `rejected` (with a reason),
    /// `in-progress`, `completed` (with what was done) or `failed` (with a reason).
    ///
    /// - Throws: `404 NO_RECORD_FOUND`; `422 INVALID_RESOURCE` for a transition the workflow does
    ///   not allow or a missing reason; `409 FHIR_CONSTRAINT_VIOLATION` when someone else changed it first.
    public func advance(
        id: String, to status: TaskStatus, reason: String? = nil, output: String? = nil, practice: Practice, caller: Caller, now: Date
    ) async throws -> TaskRecord {
        guard let stored = try await stores.tasks.task(practice: practice.ods, id: id) else {
            throw GPConnectError(.noRecordFound, "No task with that logical id")
        }
        guard stored.status.practiceTransitions.contains(status) else {
            let allowed = stored.status.practiceTransitions.map(\.rawValue)
            throw GPConnectError.invalidResource(
                "A \(stored.status.rawValue) task cannot become \(status.rawValue)"
                    + (allowed.isEmpty ? "" : " (it can become \(allowed.joined(separator: " or ")))"))
        }
        var updated = stored
        updated.status = status
        switch status {
        case .rejected, .failed:
            guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
                throw GPConnectError.invalidResource("A reason is required to mark a task \(status.rawValue)")
            }
            updated.statusReason = reason
        case .completed:
            updated.output = output?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty ?? "Completed"
        default: break
        }
        return try await save(updated, from: stored, action: status.rawValue, caller: caller, now: now)
    }

    /// Adds a note, from either side; a final task takes no more notes.
    public func addNote(id: String, text: String, practice: Practice, caller: Caller, now: Date) async throws -> TaskRecord {
        let stored = try await task(id: id, practice: practice, caller: caller)
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= Self.maximumNote else {
            throw GPConnectError.invalidResource("A note needs 1 to \(Self.maximumNote) characters")
        }
        guard !stored.status.isFinal else { throw GPConnectError.invalidResource("A \(stored.status.rawValue) task takes no more notes") }
        var updated = stored
        updated.notes.append(Self.note(text, caller: caller, time: Self.second(now)))
        return try await save(updated, from: stored, action: "noted", caller: caller, now: now)
    }

    func save(_ proposed: TaskRecord, from stored: TaskRecord, action: String, caller: Caller, now: Date) async throws -> TaskRecord {
        var updated = proposed
        let time = max(Self.second(now), stored.lastModified)
        updated.version = String((Int(stored.version) ?? 0) + 1)
        updated.lastModified = time
        updated.history.append(TaskProvenance(action: action, time: time, requester: caller.requester, traceID: caller.traceID))
        do {
            try await stores.tasks.update(updated, practice: stored.ownerODS, expectedVersion: stored.version)
        } catch StoreError.conflict {
            throw GPConnectError(.fhirConstraintViolation, "The task was changed by someone else; read it again")
        }
        return updated
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
