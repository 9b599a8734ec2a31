import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `MessagingStore`: Send Document's inbound MESH messages, the ITK claims and the practice
/// workflow. A MESH id is stored once and an ITK identity claimed once, whichever of two pollers
/// (two instances on one database) gets there first.
@Suite("Store contract: messaging")
struct MessagingStoreContractTests {
    static func message(_ id: String, minutes: Int = 0) -> InboundMessage {
        InboundMessage(
            practice: Fixture.practice, meshID: id, received: Fixture.minutes(minutes), from: "X26OT182TEST",
            workflowID: ITK3.reportWorkflow, subject: "Consultation report", localID: "Y01234")
    }

    @Test(arguments: Backend.configured)
    func aMessageIsStoredOnceWithItsContentAndMovesThroughItsStates(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let first = instances[0].stores.messaging
            let second = instances[1].stores.messaging
            #expect(try await first.store(Self.message("M1"), content: [1, 2, 3]))
            #expect(try await !second.store(Self.message("M1"), content: [9]), "the second poller stores nothing")
            #expect(try await first.content(practice: Fixture.practice, meshID: "M1") == [1, 2, 3])
            #expect(try await first.store(Self.message("M2", minutes: 1), content: []))
            #expect(try await second.messages(practice: Fixture.practice, state: .received, limit: 10).map(\.meshID) == ["M1", "M2"])
            var done = Self.message("M1")
            done.state = .done
            done.outcome = .rejected
            done.reason = "20009 Payload validation failure"
            try await second.update(done)
            #expect(try await first.message(practice: Fixture.practice, meshID: "M1") == done)
            #expect(try await first.messages(practice: Fixture.practice, state: .received, limit: 10).map(\.meshID) == ["M2"])
            #expect(try await first.messages(practice: Fixture.practice, outcomes: [.rejected], limit: 10).map(\.meshID) == ["M1"])
            #expect(try await first.message(practice: Fixture.otherPractice, meshID: "M1") == nil)
            await #expect(throws: StoreError.conflict) { try await first.update(Self.message("missing")) }
        }
    }

    @Test(arguments: Backend.configured)
    func anITKIdentityIsClaimedByOneMESHMessage(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let key = "header-1|document-1"
            let first = try await instances[0].stores.messaging.claim(practice: Fixture.practice, itkKey: key, meshID: "M1")
            let copy = try await instances[1].stores.messaging.claim(practice: Fixture.practice, itkKey: key, meshID: "M2")
            let again = try await instances[1].stores.messaging.claim(practice: Fixture.practice, itkKey: key, meshID: "M1")
            let elsewhere = try await instances[1].stores.messaging.claim(practice: Fixture.otherPractice, itkKey: key, meshID: "M2")
            #expect(first == "M1")
            #expect(copy == "M1", "the copy finds the claim of the first")
            #expect(again == "M1", "claiming again: still ours")
            #expect(elsewhere == "M2", "each practice claims on its own")
        }
    }

    @Test(arguments: Backend.configured)
    func workflowItemsAreAddedOnceAndReviewedOnce(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let item = WorkflowItem(
                practice: Fixture.practice, documentID: "sd-1", meshID: "M1", subject: "Consultation report", sender: "Vale OOH",
                received: Fixture.minutes(0))
            try await stores.messaging.addWorkflowItem(item)
            try await stores.messaging.addWorkflowItem(item)
            #expect(try await stores.messaging.workflowItems(practice: Fixture.practice, includeReviewed: false) == [item])
            #expect(
                try await stores.messaging.markReviewed(practice: Fixture.practice, documentID: "sd-1", by: "dr", at: Fixture.minutes(5)))
            #expect(
                try await !stores.messaging.markReviewed(practice: Fixture.practice, documentID: "sd-1", by: "dr", at: Fixture.minutes(6)))
            #expect(try await stores.messaging.workflowItems(practice: Fixture.practice, includeReviewed: false).isEmpty)
            let reviewed = try await stores.messaging.workflowItems(practice: Fixture.practice, includeReviewed: true)
            #expect(reviewed.first?.reviewedBy == "dr")
            #expect(reviewed.first?.reviewed == Fixture.minutes(5))
        }
    }
}
