/// What can go wrong talking to MESH. Descriptions carry MESH ids and status codes only.
public enum MESHError: Error, Sendable, Equatable, CustomStringConvertible {
    /// MESH answered with an unexpected status (403: the token or mailbox was refused).
    case status(Int, operation: String)
    /// A message (after decompression) is bigger than the configured limit.
    case tooLarge(limit: Int)
    /// The content could not be read (bad gzip, bad chunk headers, unreadable JSON).
    case unreadable(String)

    public var description: String {
        switch self {
        case .status(let code, let operation): "MESH answered \(code) to \(operation)"
        case .tooLarge(let limit): "the message is larger than the limit of \(limit) bytes"
        case .unreadable(let reason): reason
        }
    }
}
