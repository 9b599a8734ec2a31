public import GPConnect
import GPConnectContract

/// ``DocumentStore`` on SQL: the record as JSON in `documents`, the bytes in `document_chunks`,
/// written with the document's structured-record item in one transaction.
public struct SQLDocumentStore: DocumentStore {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) { self.database = database }

    public func documents(practice: String, patientID: String) async throws -> [DocumentRecord] {
        try await database.read(
            "SELECT record FROM documents WHERE practice = ? AND patient_id = ? ORDER BY id", [.text(practice), .text(patientID)]
        ).map { try RecordCoding.decode(DocumentRecord.self, $0) }
    }

    public func document(practice: String, id: String) async throws -> DocumentRecord? {
        try await database.read("SELECT record FROM documents WHERE practice = ? AND id = ?", [.text(practice), .text(id)])
            .first.map { try RecordCoding.decode(DocumentRecord.self, $0) }
    }

    public func document(practice: String, binaryID: String) async throws -> DocumentRecord? {
        try await database.read("SELECT record FROM documents WHERE practice = ? AND binary_id = ?", [.text(practice), .text(binaryID)])
            .first.map { try RecordCoding.decode(DocumentRecord.self, $0) }
    }

    /// The bytes go first, a few chunks per transaction, so that filing a large document never
    /// holds the one SQLite writer (and with it every audited request) for long; then the record and
    /// the item in one short transaction, which is the moment the document exists. Chunks of a
    /// filing that failed or was killed belong to no document: they are never served, and are
    /// deleted when the failure is seen.
    public func file(
        _ document: DocumentRecord, item: ClinicalItem, content: any AsyncSequence<[UInt8], any Error>, practice: String,
        expectedVersion: String?
    ) async throws -> DocumentRecord {
        // A lost race shows before any byte is written; the transaction below checks again.
        let current = try await database.read(
            "SELECT version FROM documents WHERE practice = ? AND id = ?", [.text(practice), .text(document.id)]
        ).first?.text("version")
        guard current == expectedVersion else { throw StoreError.conflict }
        if let binaryID = document.content.binaryID {
            let bytesExist = try await chunk(practice: practice, binaryID: binaryID, index: 0) != nil
            let owned = try await database.read(
                "SELECT 1 AS found FROM documents WHERE practice = ? AND binary_id = ?", [.text(practice), .text(binaryID)])
            guard !bytesExist, owned.isEmpty else { throw StoreError.conflict }
        }
        var wroteChunks = false
        do {
            if let binaryID = document.content.binaryID {
                wroteChunks = true
                let (size, chunks) = try await writeChunks(content, binaryID: binaryID, practice: practice)
                guard size == document.content.size, chunks == document.content.chunks else {
                    throw StoreError.invalid("The document's bytes (\(size)) do not match its declared size (\(document.content.size))")
                }
            }
            return try await database.write { connection in
                let current = try await connection.query(
                    "SELECT version FROM documents WHERE practice = ? AND id = ?" + (database.dialect == .postgres ? " FOR UPDATE" : ""),
                    [.text(practice), .text(document.id)]
                ).first?.text("version")
                guard current == expectedVersion else { throw StoreError.conflict }
                _ = try await connection.query(
                    """
                    INSERT INTO documents (practice, id, patient_id, version, binary_id, record) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (practice, id) DO UPDATE SET patient_id = excluded.patient_id, version = excluded.version,
                    binary_id = excluded.binary_id, record = excluded.record
                    """,
                    [
                        .text(practice), .text(document.id), .text(document.patientID), .text(document.version),
                        document.content.binaryID.map(SQLValue.text) ?? .null, try RecordCoding.encode(document),
                    ])
                try await SQLClinicalRecordStore.insert(item, practice: practice, connection: connection)
                return document
            }
        } catch {
            if wroteChunks, let binaryID = document.content.binaryID {
                _ = try? await database.write { connection in
                    try await connection.query(
                        "DELETE FROM document_chunks WHERE practice = ? AND binary_id = ?", [.text(practice), .text(binaryID)])
                }
            }
            throw error
        }
    }

    /// Writes the bytes as they arrive in chunks of ``DocumentRecord/chunkSize``, holding at most
    /// one chunk, committing every few chunks. Returns the total size and the number of chunks.
    func writeChunks(_ content: any AsyncSequence<[UInt8], any Error>, binaryID: String, practice: String) async throws
        -> (size: Int, chunks: Int)
    {
        var pending: [UInt8] = []
        pending.reserveCapacity(DocumentRecord.chunkSize)
        var size = 0
        var index = 0
        func flush() async throws {
            let chunk = pending
            let number = index
            _ = try await database.write { connection in
                try await connection.query(
                    "INSERT INTO document_chunks (practice, binary_id, chunk, data) VALUES (?, ?, ?, ?)",
                    [.text(practice), .text(binaryID), .integer(number), .blob(chunk)])
            }
            index += 1
            pending.removeAll(keepingCapacity: true)
        }
        for try await bytes in content {
            size += bytes.count
            var offset = 0
            while offset < bytes.count {
                let take = min(DocumentRecord.chunkSize - pending.count, bytes.count - offset)
                pending.append(contentsOf: bytes[offset..<offset + take])
                offset += take
                if pending.count == DocumentRecord.chunkSize { try await flush() }
            }
        }
        if !pending.isEmpty { try await flush() }
        return (size, index)
    }

    public func chunk(practice: String, binaryID: String, index: Int) async throws -> [UInt8]? {
        try await database.read(
            "SELECT data FROM document_chunks WHERE practice = ? AND binary_id = ? AND chunk = ?",
            [.text(practice), .text(binaryID), .integer(index)]
        ).first?.blob("data")
    }

    public func nextDocumentID(practice: String) async throws -> String {
        try await database.write { connection in
            try await IDSequence.next("document", table: "documents", practice: practice, connection: connection)
        }
    }
}
