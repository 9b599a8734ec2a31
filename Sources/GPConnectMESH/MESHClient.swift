public import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1

/// A client of the MESH API (v2 JSON, `Accept: application/vnd.mesh.v2+json`) for one MESH
/// environment: the GP system's receiver and the consumer's `send-document` both use it.
///
/// Behaves as real MESH requires even where the sandbox is lenient: a fresh `NHSMESH` token per
/// request, the client headers on every request, inbox paging (`links.next`, 500 ids a page),
/// chunked downloads (206 + `Mex-Chunk-Range` `n:total`, then `GET …/inbox/{id}/{n}`), chunked
/// sends above ``chunkSize``, gzip both ways (the message compressed whole, then split).
public struct MESHClient: Sendable {
    public static let mediaType = "application/vnd.mesh.v2+json"
    /// MESH's largest chunk is 100 MB; 20 MB is the size NHS England's clients send.
    public static let defaultChunkSize = 20 * 1024 * 1024
    /// Ids per inbox page (MESH's default and largest page).
    public static let pageSize = 500

    public let baseURL: String
    public let sharedKey: String
    public let chunkSize: Int
    /// The HTTP client it sends with (owned by the caller).
    public let http: HTTPClient
    let timeout: TimeAmount

    public init(
        url: String, sharedKey: String, httpClient: HTTPClient, chunkSize: Int = MESHClient.defaultChunkSize,
        timeout: TimeAmount = .seconds(60)
    ) {
        self.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.sharedKey = sharedKey
        self.http = httpClient
        self.chunkSize = max(1, chunkSize)
        self.timeout = timeout
    }

    // MARK: - Mailbox

    /// The handshake ("validate a mailbox"), which MESH expects once a day per mailbox.
    public func handshake(_ mailbox: MESHMailbox) async throws {
        _ = try await call(mailbox, .POST, "/messageexchange/\(mailbox.id)", operation: "handshake", expect: [200])
    }

    /// One page of inbox ids and the path of the next page, if any.
    public func inboxPage(_ mailbox: MESHMailbox, path: String? = nil, maxResults: Int = MESHClient.pageSize) async throws
        -> (ids: [String], next: String?)
    {
        let first = "/messageexchange/\(mailbox.id)/inbox" + (maxResults == Self.pageSize ? "" : "?max_results=\(maxResults)")
        let (_, body) = try await call(mailbox, .GET, path ?? first, operation: "inbox", expect: [200])
        struct Page: Decodable {
            struct Links: Decodable { var next: String? }
            var messages: [String]
            var links: Links?
        }
        guard let page = try? JSONDecoder().decode(Page.self, from: Data(body)) else {
            throw MESHError.unreadable("the inbox answer is not MESH v2 JSON")
        }
        return (page.messages, page.links?.next)
    }

    /// Every id in the inbox, following `links.next`.
    public func inbox(_ mailbox: MESHMailbox, maxResults: Int = MESHClient.pageSize) async throws -> [String] {
        var ids: [String] = []
        var path: String?
        repeat {
            let page = try await inboxPage(mailbox, path: path, maxResults: maxResults)
            ids += page.ids
            path = page.next
        } while path != nil
        return ids
    }

    /// Downloads a message whole: every chunk, joined, gunzipped when MESH says it is compressed.
    ///
    /// - Parameter maxBytes: the largest message accepted; checked on the chunks as they arrive and
    ///   on the decompressed content, before anything is parsed (``MESHError/tooLarge``).
    public func download(_ mailbox: MESHMailbox, messageID: String, maxBytes: Int = .max) async throws -> MESHMessage {
        let base = "/messageexchange/\(mailbox.id)/inbox/\(messageID)"
        let (head, first) = try await call(mailbox, .GET, base, operation: "download", expect: [200, 206], gzip: true, limit: maxBytes)
        var message = Self.envelope(id: messageID, head)
        var encoded = head.headers.first(name: "Content-Encoding")?.lowercased().contains("gzip") == true
        var parts = [first]
        var received = first.count
        if head.status == .partialContent {
            guard message.chunks > 1 else { throw MESHError.unreadable("206 without a Mex-Chunk-Range n:total") }
            for number in 2...message.chunks {
                let (chunkHead, chunk) = try await call(
                    mailbox, .GET, "\(base)/\(number)", operation: "download chunk", expect: [200, 206], gzip: true,
                    limit: maxBytes - received)
                encoded = encoded || chunkHead.headers.first(name: "Content-Encoding")?.lowercased().contains("gzip") == true
                received += chunk.count
                if received > maxBytes { throw MESHError.tooLarge(limit: maxBytes) }
                parts.append(chunk)
            }
        }
        let joined = parts.count == 1 ? first : Array(parts.joined())
        message.content = encoded ? try MESHGzip.decompress(joined, maxBytes: maxBytes) : joined
        return message
    }

    /// Only the envelope (`HEAD`): the size check and the REPORT check before a download.
    public func envelope(_ mailbox: MESHMailbox, messageID: String) async throws -> MESHMessage {
        let (head, _) = try await call(
            mailbox, .HEAD, "/messageexchange/\(mailbox.id)/inbox/\(messageID)", operation: "envelope", expect: [200])
        return Self.envelope(id: messageID, head)
    }

    /// Acknowledges (removes from the inbox) a message already stored safely.
    public func acknowledge(_ mailbox: MESHMailbox, messageID: String) async throws {
        _ = try await call(
            mailbox, .PUT, "/messageexchange/\(mailbox.id)/inbox/\(messageID)/status/acknowledged", operation: "acknowledge",
            expect: [200])
    }

    // MARK: - Outbox

    /// Sends a message (chunked above ``chunkSize``); returns its MESH message id.
    @discardableResult
    public func send(_ mailbox: MESHMailbox, _ outgoing: MESHOutgoing) async throws -> String {
        let content = outgoing.compress ? try MESHGzip.compress(outgoing.content) : outgoing.content
        let total = max(1, (content.count + chunkSize - 1) / chunkSize)
        func chunk(_ number: Int) -> ByteBuffer {
            let start = (number - 1) * chunkSize
            return ByteBuffer(bytes: content[start..<min(content.count, start + chunkSize)])
        }
        var headers = HTTPHeaders()
        headers.add(name: "Mex-From", value: mailbox.id)
        headers.add(name: "Mex-To", value: outgoing.to)
        headers.add(name: "Mex-WorkflowID", value: outgoing.workflowID)
        if let subject = outgoing.subject { headers.add(name: "Mex-Subject", value: subject) }
        if let localID = outgoing.localID { headers.add(name: "Mex-LocalID", value: localID) }
        if let fileName = outgoing.fileName { headers.add(name: "Mex-FileName", value: fileName) }
        headers.add(name: "Content-Type", value: outgoing.contentType ?? "application/octet-stream")
        if let contentType = outgoing.contentType { headers.add(name: "Mex-Content-Type", value: contentType) }
        if outgoing.compress {
            headers.add(name: "Content-Encoding", value: "gzip")
            headers.add(name: "Mex-Content-Compressed", value: "Y")
        }
        headers.add(name: "Mex-Chunk-Range", value: "1:\(total)")
        let (_, body) = try await call(
            mailbox, .POST, "/messageexchange/\(mailbox.id)/outbox", operation: "send", expect: [202, 200], headers: headers,
            body: chunk(1))
        struct Sent: Decodable { var message_id: String }
        guard let sent = try? JSONDecoder().decode(Sent.self, from: Data(body)) else {
            throw MESHError.unreadable("the send answer is not MESH v2 JSON")
        }
        if total > 1 {
            for number in 2...total {
                var chunkHeaders = HTTPHeaders()
                chunkHeaders.add(name: "Content-Type", value: "application/octet-stream")
                chunkHeaders.add(name: "Mex-Chunk-Range", value: "\(number):\(total)")
                if outgoing.compress { chunkHeaders.add(name: "Content-Encoding", value: "gzip") }
                _ = try await call(
                    mailbox, .POST, "/messageexchange/\(mailbox.id)/outbox/\(sent.message_id)/\(number)", operation: "send chunk",
                    expect: [202, 200], headers: chunkHeaders, body: chunk(number))
            }
        }
        return sent.message_id
    }

    /// A sent message's state (`GET …/outbox/tracking?messageID=`).
    public func track(_ mailbox: MESHMailbox, messageID: String) async throws -> MESHTracking {
        let (_, body) = try await call(
            mailbox, .GET, "/messageexchange/\(mailbox.id)/outbox/tracking?messageID=\(messageID)", operation: "tracking",
            expect: [200])
        guard let tracking = try? JSONDecoder().decode(MESHTracking.self, from: Data(body)) else {
            throw MESHError.unreadable("the tracking answer is not MESH v2 JSON")
        }
        return tracking
    }

    // MARK: - Transport

    static func envelope(id: String, _ response: HTTPClientResponse) -> MESHMessage {
        func header(_ name: String) -> String? {
            response.headers.first(name: name).flatMap { $0.isEmpty ? nil : $0 }
        }
        let range = header("Mex-Chunk-Range")?.split(separator: ":").compactMap { Int($0) } ?? []
        let chunks = range.count == 2 ? range[1] : Int(header("Mex-Total-Chunks") ?? "") ?? 1
        return MESHMessage(
            id: id, kind: header("Mex-MessageType")?.uppercased() == "REPORT" ? .report : .data, from: header("Mex-From"),
            to: header("Mex-To"), workflowID: header("Mex-WorkflowID"), subject: header("Mex-Subject"),
            localID: header("Mex-LocalID"), fileName: header("Mex-FileName"),
            contentType: header("Mex-Content-Type") ?? header("Content-Type"), chunks: max(1, chunks),
            linkedMessageID: header("Mex-LinkedMsgID"), statusCode: header("Mex-StatusCode"),
            statusDescription: header("Mex-StatusDescription"), statusSuccess: header("Mex-StatusSuccess"))
    }

    func call(
        _ mailbox: MESHMailbox, _ method: HTTPMethod, _ path: String, operation: String, expect: Set<Int>,
        headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer? = nil, gzip: Bool = false, limit: Int = 64 * 1024 * 1024
    ) async throws -> (HTTPClientResponse, [UInt8]) {
        // `links.next` may come as a path or as an absolute URL.
        var request = HTTPClientRequest(url: path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + path)
        request.method = method
        request.headers = headers
        request.headers.replaceOrAdd(name: "Authorization", value: MESHAuthorization.token(mailbox: mailbox, sharedKey: sharedKey))
        request.headers.replaceOrAdd(name: "Accept", value: Self.mediaType)
        request.headers.replaceOrAdd(name: "Mex-ClientVersion", value: "gpconnect/1.0")
        request.headers.replaceOrAdd(name: "Mex-OSName", value: "Linux")
        request.headers.replaceOrAdd(name: "Mex-OSVersion", value: "1")
        // Asked for so that a compressed message's chunks arrive as stored, not decompressed one by
        // one (a chunk of a gzip stream is not a gzip stream); undone here, on the whole.
        if gzip { request.headers.replaceOrAdd(name: "Accept-Encoding", value: "gzip") }
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, timeout: timeout)
        guard expect.contains(Int(response.status.code)) else { throw MESHError.status(Int(response.status.code), operation: operation) }
        let collected: ByteBuffer
        do {
            collected = try await response.body.collect(upTo: max(limit, 0))
        } catch is NIOTooManyBytesError {
            throw MESHError.tooLarge(limit: limit)
        }
        return (response, Array(collected.readableBytesView))
    }
}
