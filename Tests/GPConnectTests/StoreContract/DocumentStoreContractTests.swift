import FHIR
import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `DocumentStore`: the documents of Access Document (search, retrieve, migrate) and of Send
/// Document filing — the bytes in chunks beside the metadata, filed atomically with the item that
/// shows the document in the structured record.
@Suite("Store contract: documents")
struct DocumentStoreContractTests {
    /// Bytes of a known pattern, so that any misplaced chunk shows.
    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    static func document(_ id: String, patientID: String = "2", size: Int, binaryID: String?, version: String = "1") -> DocumentRecord {
        DocumentRecord(
            id: id, patientID: patientID, version: version, masterIdentifier: UUID().uuidString, identifier: UUID().uuidString,
            type: Code(system: "http://snomed.info/sct", code: "824331000000106", display: "Inpatient final discharge letter"),
            description: "Discharge summary", created: "2026-01-02T10:00:00+00:00", indexed: "2026-01-05T09:00:00Z",
            authorOrganizationIDs: ["8"], custodianOrganizationID: "7", encounterID: "e1", related: ["Condition/p1"],
            confidentiality: .none, reviewed: false,
            content: .init(
                contentType: "application/pdf", size: size, binaryID: binaryID,
                chunks: binaryID == nil ? 0 : (size + DocumentRecord.chunkSize - 1) / DocumentRecord.chunkSize))
    }

    static func read(_ stores: Stores, binaryID: String, chunks: Int, practice: String = Fixture.practice) async throws -> [UInt8] {
        var all: [UInt8] = []
        for index in 0..<chunks {
            guard let chunk = try await stores.documents.chunk(practice: practice, binaryID: binaryID, index: index) else {
                Issue.record("chunk \(index) missing")
                return all
            }
            all += chunk
        }
        return all
    }

    @Test(arguments: Backend.configured)
    func aFiledDocumentReadsBackWithItsBytesAndItsStructuredItem(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            // Two chunks and a bit, arriving in pieces that do not line up with chunks.
            let content = Self.bytes(DocumentRecord.chunkSize * 2 + 1001)
            let record = Self.document("d1", size: content.count, binaryID: "b1")
            try await stores.documents.file(
                record, item: record.clinicalItem, content: ByteChunks(content, piece: 100_003), practice: Fixture.practice,
                expectedVersion: nil)

            #expect(try await stores.documents.document(practice: Fixture.practice, id: "d1") == record)
            #expect(try await stores.documents.document(practice: Fixture.practice, binaryID: "b1") == record)
            #expect(try await stores.documents.documents(practice: Fixture.practice, patientID: "2") == [record])
            #expect(record.content.chunks == 3)
            #expect(try await Self.read(stores, binaryID: "b1", chunks: 3) == content, "the bytes are the ones filed, in order")
            #expect(try await stores.documents.chunk(practice: Fixture.practice, binaryID: "b1", index: 3) == nil)
            let first = try await stores.documents.chunk(practice: Fixture.practice, binaryID: "b1", index: 0)
            #expect(first?.count == DocumentRecord.chunkSize)

            // The document joins the structured record in the same filing.
            let items = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            #expect(items.map(\.id) == ["d1"] && items.first?.kind == .document)
            let body = try items.first?.resource()
            #expect(body?["content"]?.items.first?["attachment"]?["url"]?.string == "Binary/b1")

            // A document id, and its Binary, are only meaningful under their practice.
            #expect(try await stores.documents.document(practice: Fixture.otherPractice, id: "d1") == nil)
            #expect(try await stores.documents.document(practice: Fixture.otherPractice, binaryID: "b1") == nil)
            #expect(try await stores.documents.chunk(practice: Fixture.otherPractice, binaryID: "b1", index: 0) == nil)
            #expect(try await stores.documents.documents(practice: Fixture.practice, patientID: "3").isEmpty)
        }
    }

    @Test(arguments: Backend.configured)
    func bytesThatDoNotAddUpToTheSizeAreRefusedAndLeaveNothingBehind(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let content = Self.bytes(5000)
            let record = Self.document("d1", size: 6000, binaryID: "b1")
            await #expect(throws: StoreError.self) {
                try await stores.documents.file(
                    record, item: record.clinicalItem, content: ByteChunks(content, piece: 700), practice: Fixture.practice,
                    expectedVersion: nil)
            }
            let document = try await stores.documents.document(practice: Fixture.practice, id: "d1")
            let chunk = try await stores.documents.chunk(practice: Fixture.practice, binaryID: "b1", index: 0)
            let items = try await stores.clinical.items(practice: Fixture.practice, patientID: "2")
            #expect(document == nil)
            #expect(chunk == nil, "no orphan bytes")
            #expect(items.isEmpty, "no item without its document")
        }
    }

    @Test(arguments: Backend.configured)
    func aNewVersionReplacesTheOldOneAndAStaleVersionLoses(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let first = Self.document("d1", size: 10, binaryID: "b1")
            try await stores.documents.file(
                first, item: first.clinicalItem, content: ByteChunks(Self.bytes(10), piece: 3), practice: Fixture.practice,
                expectedVersion: nil)
            await #expect(throws: StoreError.conflict, "a new document cannot take an existing id") {
                try await stores.documents.file(
                    first, item: first.clinicalItem, content: ByteChunks(Self.bytes(10), piece: 3), practice: Fixture.practice,
                    expectedVersion: nil)
            }
            let second = Self.document("d1", size: 20, binaryID: "b2", version: "2")
            try await stores.documents.file(
                second, item: second.clinicalItem, content: ByteChunks(Self.bytes(20, seed: 9), piece: 20),
                practice: Fixture.practice, expectedVersion: "1")
            #expect(try await stores.documents.document(practice: Fixture.practice, id: "d1")?.version == "2")
            #expect(
                try await stores.documents.document(practice: Fixture.practice, binaryID: "b1") == nil, "only the latest version is served")
            #expect(try await Self.read(stores, binaryID: "b2", chunks: 1) == Self.bytes(20, seed: 9))
            await #expect(throws: StoreError.conflict, "a version that moved on loses") {
                try await stores.documents.file(
                    second, item: second.clinicalItem, content: ByteChunks(Self.bytes(20), piece: 20), practice: Fixture.practice,
                    expectedVersion: "1")
            }
            #expect(try await stores.documents.documents(practice: Fixture.practice, patientID: "2").count == 1)
        }
    }

    @Test(arguments: Backend.configured)
    func detailsWithoutAFileAndEmptyFilesAreKept(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let placeholder = Self.document("d1", size: 48213, binaryID: nil)
            try await stores.documents.file(
                placeholder, item: placeholder.clinicalItem, content: ByteChunks([], piece: 1), practice: Fixture.practice,
                expectedVersion: nil)
            #expect(try await stores.documents.document(practice: Fixture.practice, id: "d1")?.content.binaryID == nil)
            let empty = Self.document("d2", size: 0, binaryID: "b2")
            try await stores.documents.file(
                empty, item: empty.clinicalItem, content: ByteChunks([], piece: 1), practice: Fixture.practice, expectedVersion: nil)
            #expect(try await stores.documents.document(practice: Fixture.practice, binaryID: "b2")?.content.chunks == 0)
            #expect(try await stores.documents.documents(practice: Fixture.practice, patientID: "2").map(\.id) == ["d1", "d2"])
        }
    }

    @Test(arguments: Backend.configured)
    func newDocumentIDsAreUniqueAcrossConcurrentCallers(_ backend: Backend) async throws {
        try await backend.withInstances(2) { instances in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    let stores = instances[index % 2].stores
                    group.addTask { try await stores.documents.nextDocumentID(practice: Fixture.practice) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 20)
        }
    }
}
