/// Where a practice's documents live: the metadata and the bytes, in the database that holds the
/// rest of the record, so that a backup is one thing.
///
/// The bytes are kept in chunks of ``DocumentRecord/chunkSize`` and read one chunk at a time, so a
/// download holds one chunk in memory whatever the document's size.
public protocol DocumentStore: Sendable {
    /// The patient's documents, latest versions only.
    func documents(practice: String, patientID: String) async throws -> [DocumentRecord]
    func document(practice: String, id: String) async throws -> DocumentRecord?
    /// The document whose latest version has this `Binary` id.
    func document(practice: String, binaryID: String) async throws -> DocumentRecord?
    /// Files a document, or a new version of one, with its structured-record item, in one
    /// transaction: the bytes from `content` (re-chunked as they arrive; their total must be
    /// `document.content.size`), the record, and the item.
    ///
    /// - Parameter expectedVersion: nil for a new document; the current version for a new version.
    /// - Throws: ``StoreError/conflict`` when the id exists (new) or the version moved on;
    ///   ``StoreError/invalid(_:)`` when the bytes do not add up to the declared size.
    @discardableResult
    func file(
        _ document: DocumentRecord, item: ClinicalItem, content: any AsyncSequence<[UInt8], any Error>, practice: String,
        expectedVersion: String?
    ) async throws -> DocumentRecord
    /// One chunk of a version's bytes, by index from 0.
    func chunk(practice: String, binaryID: String, index: Int) async throws -> [UInt8]?
    /// A new DocumentReference id.
    func nextDocumentID(practice: String) async throws -> String
}
