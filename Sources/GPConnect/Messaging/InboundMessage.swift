public import Foundation
public import GPConnectContract

/// A message collected from a practice's MESH inbox, as the receiver keeps it: stored before it is
/// acknowledged on MESH, then moved through its states; kept, with its reason, when refused.
public struct InboundMessage: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Downloaded and stored; not yet processed.
        case received
        /// Processed (filed or refused); the acknowledgements are being sent.
        case processed
        /// The acknowledgements are sent; not yet acknowledged on MESH.
        case answered
        /// Acknowledged on MESH: finished.
        case done
    }

    public enum Outcome: String, Sendable, Codable {
        /// Filed in the record (positive acks).
        case filed
        /// Refused (negative ack): kept with its reason.
        case rejected
        /// A copy of a report already filed (the same ITK ids under another MESH id).
        case duplicate
        /// A MESH delivery report (non-delivery of a message of ours): logged and acknowledged.
        case report
    }

    /// The practice (ODS) whose mailbox received it, and the MESH message id.
    public var practice: String
    public var meshID: String
    public var state: State
    public var received: Date
    public var from: String?
    public var workflowID: String?
    public var subject: String?
    public var localID: String?
    /// Set once processed.
    public var outcome: Outcome?
    /// The ITK identity (`MessageHeader.id` + document identifier), once read.
    public var itkKey: String?
    public var messageHeaderID: String?
    /// Why it was refused (ITK code and diagnostics; never patient data).
    public var reason: String?
    public var responseCode: String?
    public var documentID: String?
    /// The acknowledgements to send (FHIR JSON), built when processed, so a restart resends the same ones.
    public var acks: [PendingAck]
    /// The MESH ids of the acknowledgements sent.
    public var sentAcks: [String]

    public struct PendingAck: Sendable, Codable, Equatable {
        public var kind: ITKResponse.Kind
        public var code: ITKResponseCode
        public var body: String
        public init(kind: ITKResponse.Kind, code: ITKResponseCode, body: String) {
            self.kind = kind
            self.code = code
            self.body = body
        }
    }

    public init(
        practice: String, meshID: String, state: State = .received, received: Date, from: String?, workflowID: String?,
        subject: String?, localID: String?
    ) {
        self.practice = practice
        self.meshID = meshID
        self.state = state
        self.received = received
        self.from = from
        self.workflowID = workflowID
        self.subject = subject
        self.localID = localID
        self.acks = []
        self.sentAcks = []
    }
}

/// A practice workflow item: a document that arrived and awaits review by practice staff.
public struct WorkflowItem: Sendable, Codable, Equatable {
    public var practice: String
    public var documentID: String
    public var meshID: String
    /// What the practice sees (the MESH subject; the report's title when confidential).
    public var subject: String
    public var sender: String
    public var received: Date
    public var reviewed: Date?
    public var reviewedBy: String?

    public init(
        practice: String, documentID: String, meshID: String, subject: String, sender: String, received: Date,
        reviewed: Date? = nil, reviewedBy: String? = nil
    ) {
        self.practice = practice
        self.documentID = documentID
        self.meshID = meshID
        self.subject = subject
        self.sender = sender
        self.received = received
        self.reviewed = reviewed
        self.reviewedBy = reviewedBy
    }
}

/// The port of Send Document's receiver: inbound messages and their content, the claim on ITK
/// identities that makes filing happen once, and the practice workflow.
public protocol MessagingStore: Sendable {
    /// Stores a downloaded message and its content; false (and nothing changed) when the MESH id is already stored.
    func store(_ message: InboundMessage, content: [UInt8]) async throws -> Bool
    func message(practice: String, meshID: String) async throws -> InboundMessage?
    func content(practice: String, meshID: String) async throws -> [UInt8]?
    /// Messages in a state, oldest first.
    func messages(practice: String, state: InboundMessage.State, limit: Int) async throws -> [InboundMessage]
    /// Every message with an outcome (newest first), for `gpconnect inbox failures`.
    func messages(practice: String, outcomes: [InboundMessage.Outcome], limit: Int) async throws -> [InboundMessage]
    /// Saves a message's new state and record.
    func update(_ message: InboundMessage) async throws
    /// Claims an ITK identity for a MESH id: returns the MESH id that holds it (this one when the claim succeeds or was already made).
    func claim(practice: String, itkKey: String, meshID: String) async throws -> String
    /// Adds a workflow item (nothing when the document already has one).
    func addWorkflowItem(_ item: WorkflowItem) async throws
    func workflowItems(practice: String, includeReviewed: Bool) async throws -> [WorkflowItem]
    func workflowItem(practice: String, documentID: String) async throws -> WorkflowItem?
    /// Marks an item reviewed; false when there is no such item or it is already reviewed.
    func markReviewed(practice: String, documentID: String, by user: String, at: Date) async throws -> Bool
}
