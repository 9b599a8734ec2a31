import CompressNIO
import NIOCore

/// gzip as MESH carries it: a compressed message is compressed whole and then split into chunks,
/// and a server may also gzip each chunk on the way (`Content-Encoding: gzip`), so the bytes of a
/// download are one or more gzip members back to back (RFC 1952 §2.2) — decoded here member by member.
enum MESHGzip {
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        var compressed = try buffer.compress(with: .gzip())
        return compressed.readBytes(length: compressed.readableBytes) ?? []
    }

    /// - Throws: ``MESHError/tooLarge`` past `maxBytes` of output, ``MESHError/unreadable`` for corrupt data.
    static func decompress(_ bytes: [UInt8], maxBytes: Int) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: bytes)
        var output: [UInt8] = []
        while buffer.readableBytes > 0 {
            let before = buffer.readableBytes
            var member: ByteBuffer
            do {
                let room = maxBytes == .max ? Int.max : max(0, maxBytes - output.count) + 1
                member = try buffer.decompress(with: .gzip(), maxSize: room)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw MESHError.tooLarge(limit: maxBytes)
            } catch {
                throw MESHError.unreadable("the gzip content could not be decompressed")
            }
            output += member.readBytes(length: member.readableBytes) ?? []
            if output.count > maxBytes { throw MESHError.tooLarge(limit: maxBytes) }
            if buffer.readableBytes == before { break }
        }
        return output
    }
}
