import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `TaskStore`: tasks between federated practices (this project's `create:task-1`, `read:task-1`,
/// `search:task-1`, `cancel:task-1` and the practice's own changes). Ids are the practice's own;
/// searches filter by requester, status and last change; every change is guarded by the version,
/// so of two racing on one task exactly one wins.
@Suite("Store contract: tasks")
struct TaskStoreContractTests {
    static func task(
        requester: String = "A20047", status: TaskStatus = .requested, modified: Int = 0, priority: TaskPriority = .routine,
        description: String = "contract"
    ) -> TaskRecord {
        let time = Fixture.minutes(modified)
        return TaskRecord(
            id: "", status: status, priority: priority, type: .bloodTest, description: description, patientID: "2",
            nhsNumber: "9690937286",
            requester: TaskRequester(sdsUserID: "GCASDS0001", userName: "Dr Hub", organizationODS: requester, organizationName: "Hub"),
            ownerODS: Fixture.practice, authoredOn: time, lastModified: time, due: Fixture.minutes(60 * 24),
            notes: [TaskNote(author: "Dr Hub", organizationODS: requester, time: time, text: "fasting")], origin: "Encounter/5")
    }

    @Test(arguments: Backend.configured)
    func createdTasksGetThePracticesNextIdAndReadBackWhole(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let first = try await stores.tasks.create(Self.task(), practice: Fixture.practice)
            #expect(!first.id.isEmpty)
            var expected = Self.task()
            expected.id = first.id
            #expect(first == expected, "the stored task is the one given, with its id")
            #expect(try await stores.tasks.task(practice: Fixture.practice, id: first.id) == first)
            let second = try await stores.tasks.create(Self.task(), practice: Fixture.practice)
            #expect(Int(second.id).map { $0 > Int(first.id)! } == true, "the practice's next id: \(second.id) after \(first.id)")
            #expect(try await stores.tasks.task(practice: Fixture.otherPractice, id: first.id) == nil, "another practice sees none of them")
            let elsewhere = try await stores.tasks.create(Self.task(), practice: Fixture.otherPractice)
            #expect(elsewhere.id == first.id, "each practice's ids count on their own")
            #expect(try await stores.tasks.task(practice: Fixture.practice, id: "999") == nil)
        }
    }

    @Test(arguments: Backend.configured)
    func searchesFilterByRequesterStatusAndLastChangeOldestChangeFirst(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            var ids: [String: String] = [:]
            for (name, requester, status, modified) in [
                ("late", "A20047", TaskStatus.completed, 30), ("early", "A20047", .requested, 10), ("hub", "Y01234", .requested, 20),
                ("middle", "A20047", .accepted, 20),
            ] {
                ids[name] = try await stores.tasks.create(
                    Self.task(requester: requester, status: status, modified: modified, description: name), practice: Fixture.practice
                ).id
            }
            _ = try await stores.tasks.create(Self.task(), practice: Fixture.otherPractice)
            func names(_ filter: TaskFilter) async throws -> [String] {
                try await stores.tasks.tasks(practice: Fixture.practice, matching: filter).map(\.description)
            }
            #expect(try await names(TaskFilter()) == ["early", "hub", "middle", "late"])
            #expect(try await names(TaskFilter(requesterODS: "A20047")) == ["early", "middle", "late"])
            #expect(try await names(TaskFilter(requesterODS: "A20047", statuses: [.requested, .completed])) == ["early", "late"])
            #expect(try await names(TaskFilter(modifiedFrom: Fixture.minutes(20))) == ["hub", "middle", "late"], "ge is inclusive")
            #expect(try await names(TaskFilter(modifiedBefore: Fixture.minutes(20))) == ["early"], "lt is exclusive")
            #expect(
                try await names(TaskFilter(requesterODS: "A20047", modifiedFrom: Fixture.minutes(15), modifiedBefore: Fixture.minutes(30)))
                    == ["middle"])
            #expect(try await names(TaskFilter(requesterODS: "NOBODY")).isEmpty)
        }
    }

    @Test(arguments: Backend.configured)
    func anUpdateNeedsTheStoredVersionAndMovesTheIndexColumns(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let created = try await stores.tasks.create(Self.task(), practice: Fixture.practice)
            var accepted = created
            accepted.status = .accepted
            accepted.version = "2"
            accepted.lastModified = Fixture.minutes(50)
            try await stores.tasks.update(accepted, practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.tasks.task(practice: Fixture.practice, id: created.id) == accepted)
            #expect(try await stores.tasks.tasks(practice: Fixture.practice, matching: TaskFilter(statuses: [.requested])).isEmpty)
            #expect(
                try await stores.tasks.tasks(practice: Fixture.practice, matching: TaskFilter(modifiedFrom: Fixture.minutes(50))).map(\.id)
                    == [created.id])

            var stale = created
            stale.status = .cancelled
            stale.version = "2"
            await #expect(throws: StoreError.conflict) {
                try await stores.tasks.update(stale, practice: Fixture.practice, expectedVersion: "1")
            }
            await #expect(throws: StoreError.conflict, "another practice's task of the same id") {
                try await stores.tasks.update(accepted, practice: Fixture.otherPractice, expectedVersion: "2")
            }
            #expect(try await stores.tasks.task(practice: Fixture.practice, id: created.id)?.status == .accepted)
        }
    }

    /// Twenty changes of one task from one version, through two provider instances: exactly one is stored.
    @Test(arguments: Backend.configured)
    func concurrentChangesOfOneVersionSucceedOnce(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let created = try await instances[0].stores.tasks.create(Self.task(), practice: Fixture.practice)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    let stores = instances[index % 2].stores
                    group.addTask {
                        var changed = created
                        changed.status = index.isMultiple(of: 2) ? .cancelled : .accepted
                        changed.statusReason = "racer \(index)"
                        changed.version = "2"
                        do {
                            try await stores.tasks.update(changed, practice: Fixture.practice, expectedVersion: "1")
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let stored = try #require(try await instances[1].stores.tasks.task(practice: Fixture.practice, id: created.id))
            #expect(stored.version == "2")
            #expect(
                stored.status
                    == (stored.statusReason.flatMap { Int($0.dropFirst(6)) }.map { $0.isMultiple(of: 2) } == true ? .cancelled : .accepted))
        }
    }
}
