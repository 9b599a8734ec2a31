import CompressNIO
import Foundation
import GPConnectContract
import NIOCore

/// The `Content-Encoding` of a request body: none (or `identity`) is read as it is, `gzip` is
/// inflated with the body-size limit applied while inflating (a small bomb stops at the limit, not
/// after filling memory), and any other coding — `deflate`, `br`, `compress`, several codings,
/// junk — is refused 415 rather than read as if it were plain.
enum RequestBodyEncoding {
    /// - Throws: `GPConnectError` 415 for a coding the server does not decode, 413 when the
    ///   inflated body exceeds `maximumSize`, 400 when gzip data is corrupt.
    static func decode(_ body: ByteBuffer, contentEncoding: String?, maximumSize: Int) throws -> [UInt8] {
        let coding = contentEncoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        switch coding {
        case "", "identity":
            return Array(body.readableBytesView)
        case "gzip", "x-gzip":
            guard body.readableBytes > 0 else { return [] }
            var compressed = body
            do {
                return Array(try compressed.decompress(with: .gzip(), maxSize: maximumSize).readableBytesView)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw GPConnectError(.badRequest, "The request body inflates to more than \(maximumSize) bytes", status: 413)
            } catch {
                throw GPConnectError(.badRequest, "The request body is not valid gzip")
            }
        default:
            throw GPConnectError(.badRequest, "The request body's Content-Encoding is not supported (identity or gzip only)", status: 415)
        }
    }
}
