import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `AuditStore`: the append-only, hash-chained trail of every request, which GP Connect
/// providers must keep (the audit requirements of the GP Connect specification: who asked, from
/// which organisation and system, about which patient).
@Suite("Store contract: audit")
struct AuditStoreContractTests {
    @Test(arguments: Backend.configured)
    func appendNumbersEntriesFromOneAndChainsEachHashToThePreviousOne(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            var returned: [AuditEntry] = []
            for index in 1...5 { returned.append(try await stores.audit.append(Fixture.auditEvent(index))) }
            #expect(returned.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(returned[0].previousHash == AuditEntry.genesisHash)
            #expect(zip(returned.dropFirst(), returned).allSatisfy { $0.previousHash == $1.hash })
            #expect(
                returned.allSatisfy {
                    $0.hash == AuditEntry.chainHash(previousHash: $0.previousHash, sequence: $0.sequence, event: $0.event)
                })
            #expect(returned.map(\.event) == (1...5).map { Fixture.auditEvent($0) })

            let stored = try await stores.audit.entries(after: 0, limit: 100)
            #expect(stored == returned, "entries read back as append returned them, event for event")
            #expect(AuditEntry.firstBroken(stored, previousHash: AuditEntry.genesisHash) == nil)
        }
    }

    @Test(arguments: Backend.configured)
    func entriesPageInSequenceOrderAfterTheGivenSequence(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            for index in 1...7 {
                try await stores.audit.append(
                    Fixture.auditEvent(index, practice: index.isMultiple(of: 2) ? Fixture.otherPractice : Fixture.practice))
            }
            #expect(try await stores.audit.entries(after: 0, limit: 3).map(\.sequence) == [1, 2, 3])
            #expect(try await stores.audit.entries(after: 3, limit: 3).map(\.sequence) == [4, 5, 6])
            let last = try await stores.audit.entries(after: 6, limit: 3)
            #expect(last.map(\.sequence) == [7])
            #expect(last.first?.event == Fixture.auditEvent(7))
            #expect(try await stores.audit.entries(after: 7, limit: 3).isEmpty)
            #expect(try await stores.audit.entries(after: 2, limit: 0).isEmpty)
            // A page verifies on its own against the hash of the entry before it.
            let before = try await stores.audit.entries(after: 2, limit: 1)
            let page = try await stores.audit.entries(after: 3, limit: 4)
            #expect(AuditEntry.firstBroken(page, previousHash: before.first?.hash) == nil)
        }
    }

    /// Appends from concurrent requests, and from two provider instances on one database, are
    /// serialised: the chain neither forks nor skips a number.
    @Test(arguments: Backend.configured)
    func theChainSurvivesConcurrentAppendsFromTwoInstances(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let returned = try await withThrowingTaskGroup(of: AuditEntry.self) { group in
                for index in 0..<40 {
                    let stores = instances[index % 2].stores
                    group.addTask { try await stores.audit.append(Fixture.auditEvent(index)) }
                }
                return try await group.reduce(into: [AuditEntry]()) { $0.append($1) }
            }
            let entries = try await instances[0].stores.audit.entries(after: 0, limit: 100)
            #expect(entries.count == 40)
            #expect(entries.map(\.sequence) == Array(1...40))
            #expect(AuditEntry.firstBroken(entries, previousHash: AuditEntry.genesisHash) == nil)
            #expect(returned.sorted { $0.sequence < $1.sequence } == entries, "each caller got the entry that was stored for it")
            #expect(Set(entries.compactMap(\.event.traceID)).count == 40, "no event lost or written twice")
        }
    }
}
