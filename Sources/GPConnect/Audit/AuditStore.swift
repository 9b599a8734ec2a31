/// The append-only, hash-chained audit trail (GP Connect 1.6.2, integration_cross_organisation_audit_and_provenance,
/// "Audit trail").
public protocol AuditStore: Sendable {
    /// Appends an event, giving it the next sequence number and chaining its hash to the previous
    /// entry's. Appends from concurrent requests (and processes) are serialised by the store.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEntry
    /// Entries in sequence order, newest last.
    func entries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]
}
