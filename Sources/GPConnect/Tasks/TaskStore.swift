/// A practice's tasks (the owner's inbox).
public protocol TaskStore: Sendable {
    func task(practice: String, id: String) async throws -> TaskRecord?

    /// The practice's tasks that match `filter`, least recently changed first (the order a
    /// requester polling for outcomes reads them in), then by id.
    func tasks(practice: String, matching filter: TaskFilter) async throws -> [TaskRecord]

    /// Stores a new task under the practice's next id.
    ///
    /// - Returns: the stored task, with its id.
    func create(_ task: TaskRecord, practice: String) async throws -> TaskRecord

    /// Replaces a task only if its stored version is still `expectedVersion`.
    ///
    /// - Throws: ``StoreError/conflict`` when the version moved on: of two changes racing on one
    ///   task, in one process or several, exactly one wins.
    func update(_ task: TaskRecord, practice: String, expectedVersion: String) async throws
}
