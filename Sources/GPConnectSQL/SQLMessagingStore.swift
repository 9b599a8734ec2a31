public import Foundation
public import GPConnect
import GPConnectContract

/// ``MessagingStore`` in SQL (migration 006). Storing a message is `INSERT … ON CONFLICT DO
/// NOTHING` on its MESH id, and claiming an ITK identity is the same on its key, so two pollers
/// (or one restarted after kill -9) store each message once and file each report once.
public struct SQLMessagingStore: MessagingStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }

    public func store(_ message: InboundMessage, content: [UInt8]) async throws -> Bool {
        let record = try RecordCoding.encode(message)
        return try await database.write { connection in
            try await !connection.query(
                """
                INSERT INTO mesh_messages (practice, mesh_id, state, outcome, received, record, content)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING mesh_id
                """,
                [
                    .text(message.practice), .text(message.meshID), .text(message.state.rawValue),
                    message.outcome.map { .text($0.rawValue) } ?? .null, .integer(Self.seconds(message.received)), record,
                    .blob(content),
                ]
            ).isEmpty
        }
    }

    public func message(practice: String, meshID: String) async throws -> InboundMessage? {
        try await database.read(
            "SELECT record FROM mesh_messages WHERE practice = ? AND mesh_id = ?", [.text(practice), .text(meshID)]
        ).first.map { try RecordCoding.decode(InboundMessage.self, $0) }
    }

    public func content(practice: String, meshID: String) async throws -> [UInt8]? {
        try await database.read(
            "SELECT content FROM mesh_messages WHERE practice = ? AND mesh_id = ?", [.text(practice), .text(meshID)]
        ).first?.blob("content")
    }

    public func messages(practice: String, state: InboundMessage.State, limit: Int) async throws -> [InboundMessage] {
        try await database.read(
            "SELECT record FROM mesh_messages WHERE practice = ? AND state = ? ORDER BY received, mesh_id LIMIT ?",
            [.text(practice), .text(state.rawValue), .integer(limit)]
        ).map { try RecordCoding.decode(InboundMessage.self, $0) }
    }

    public func messages(practice: String, outcomes: [InboundMessage.Outcome], limit: Int) async throws -> [InboundMessage] {
        guard !outcomes.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: outcomes.count).joined(separator: ", ")
        return try await database.read(
            "SELECT record FROM mesh_messages WHERE practice = ? AND outcome IN (\(marks)) ORDER BY received DESC, mesh_id LIMIT ?",
            [.text(practice)] + outcomes.map { .text($0.rawValue) } + [.integer(limit)]
        ).map { try RecordCoding.decode(InboundMessage.self, $0) }
    }

    public func update(_ message: InboundMessage) async throws {
        let record = try RecordCoding.encode(message)
        try await database.write { connection in
            let updated = try await connection.query(
                "UPDATE mesh_messages SET state = ?, outcome = ?, record = ? WHERE practice = ? AND mesh_id = ? RETURNING mesh_id",
                [
                    .text(message.state.rawValue), message.outcome.map { .text($0.rawValue) } ?? .null, record,
                    .text(message.practice), .text(message.meshID),
                ])
            guard !updated.isEmpty else { throw StoreError.conflict }
        }
    }

    public func claim(practice: String, itkKey: String, meshID: String) async throws -> String {
        try await database.write { connection in
            _ = try await connection.query(
                "INSERT INTO mesh_itk_claims (practice, itk_key, mesh_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(practice), .text(itkKey), .text(meshID)])
            let holder = try await connection.query(
                "SELECT mesh_id FROM mesh_itk_claims WHERE practice = ? AND itk_key = ?", [.text(practice), .text(itkKey)])
            return holder.first?.text("mesh_id") ?? meshID
        }
    }

    public func addWorkflowItem(_ item: WorkflowItem) async throws {
        let record = try RecordCoding.encode(item)
        try await database.write { connection in
            _ = try await connection.query(
                """
                INSERT INTO workflow_items (practice, document_id, received, reviewed, record)
                VALUES (?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING
                """,
                [.text(item.practice), .text(item.documentID), .integer(Self.seconds(item.received)), record])
        }
    }

    public func workflowItems(practice: String, includeReviewed: Bool) async throws -> [WorkflowItem] {
        let filter = includeReviewed ? "" : " AND reviewed IS NULL"
        return try await database.read(
            "SELECT record FROM workflow_items WHERE practice = ?\(filter) ORDER BY received, document_id", [.text(practice)]
        ).map { try RecordCoding.decode(WorkflowItem.self, $0) }
    }

    public func workflowItem(practice: String, documentID: String) async throws -> WorkflowItem? {
        try await database.read(
            "SELECT record FROM workflow_items WHERE practice = ? AND document_id = ?", [.text(practice), .text(documentID)]
        ).first.map { try RecordCoding.decode(WorkflowItem.self, $0) }
    }

    public func markReviewed(practice: String, documentID: String, by user: String, at date: Date) async throws -> Bool {
        guard var item = try await workflowItem(practice: practice, documentID: documentID), item.reviewed == nil else { return false }
        item.reviewed = date
        item.reviewedBy = user
        let record = try RecordCoding.encode(item)
        return try await database.write { connection in
            try await !connection.query(
                """
                UPDATE workflow_items SET reviewed = ?, record = ? WHERE practice = ? AND document_id = ? AND reviewed IS NULL
                RETURNING document_id
                """,
                [.integer(Self.seconds(date)), record, .text(practice), .text(documentID)]
            ).isEmpty
        }
    }
}
