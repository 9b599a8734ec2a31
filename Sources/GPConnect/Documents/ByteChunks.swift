/// Bytes already in memory, handed out in pieces as filing reads a document's content (generated
/// reference documents, a decoded MESH attachment, tests).
public struct ByteChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let bytes: [UInt8]
    let piece: Int

    public init(_ bytes: [UInt8], piece: Int = 65_536) {
        self.bytes = bytes
        self.piece = Swift.max(1, piece)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let piece: Int
        var offset = 0

        public mutating func next() async throws -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(bytes.count, offset + piece)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, piece: piece) }
}
