import Foundation

/// A message collected from a MESH inbox: the envelope (`Mex-*` headers) and its content, the
/// chunks joined and any gzip undone.
public struct MESHMessage: Sendable, Equatable {
    /// `Mex-MessageType`.
    public enum Kind: String, Sendable, Equatable, Codable {
        case data = "DATA"
        /// A delivery report: a message of ours that MESH could not deliver (non-delivery).
        case report = "REPORT"
    }

    public var id: String
    public var kind: Kind
    public var from: String?
    public var to: String?
    public var workflowID: String?
    public var subject: String?
    public var localID: String?
    public var fileName: String?
    public var contentType: String?
    /// The chunk count MESH reported (`Mex-Chunk-Range` `1:n`).
    public var chunks: Int
    /// REPORT only: the message it reports on (`Mex-LinkedMsgID`) and the outcome.
    public var linkedMessageID: String?
    public var statusCode: String?
    public var statusDescription: String?
    public var statusSuccess: String?
    public var content: [UInt8]

    public init(
        id: String, kind: Kind = .data, from: String? = nil, to: String? = nil, workflowID: String? = nil, subject: String? = nil,
        localID: String? = nil, fileName: String? = nil, contentType: String? = nil, chunks: Int = 1, linkedMessageID: String? = nil,
        statusCode: String? = nil, statusDescription: String? = nil, statusSuccess: String? = nil, content: [UInt8] = []
    ) {
        self.id = id
        self.kind = kind
        self.from = from
        self.to = to
        self.workflowID = workflowID
        self.subject = subject
        self.localID = localID
        self.fileName = fileName
        self.contentType = contentType
        self.chunks = chunks
        self.linkedMessageID = linkedMessageID
        self.statusCode = statusCode
        self.statusDescription = statusDescription
        self.statusSuccess = statusSuccess
        self.content = content
    }
}

/// A message to send: the envelope and the content (compressed and chunked by the client).
public struct MESHOutgoing: Sendable {
    public var to: String
    public var workflowID: String
    public var subject: String?
    public var localID: String?
    public var fileName: String?
    public var contentType: String?
    public var content: [UInt8]
    /// gzip the content before sending (`Content-Encoding: gzip`, `Mex-Content-Compressed: Y`).
    public var compress: Bool

    public init(
        to: String, workflowID: String, subject: String? = nil, localID: String? = nil, fileName: String? = nil,
        contentType: String? = nil, content: [UInt8], compress: Bool = false
    ) {
        self.to = to
        self.workflowID = workflowID
        self.subject = subject
        self.localID = localID
        self.fileName = fileName
        self.contentType = contentType
        self.content = content
        self.compress = compress
    }
}

/// A sent message's state as MESH tracks it (v2 tracking JSON).
public struct MESHTracking: Sendable, Equatable, Decodable {
    public var messageID: String
    /// `accepted`, `acknowledged`, `undeliverable`, …
    public var status: String?
    public var statusSuccess: Bool?
    public var statusCode: String?
    public var statusDescription: String?

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case status
        case statusSuccess = "status_success"
        case statusCode = "status_code"
        case statusDescription = "status_description"
    }
}
