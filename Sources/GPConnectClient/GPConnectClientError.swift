public import GPConnectContract

/// Why a GP Connect call did not give the resource asked for.
public enum GPConnectClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider answered with an error status; `code` is the Spine error code of its
    /// OperationOutcome (nil if it sent none).
    case refused(status: Int, code: String?, diagnostics: String?)
    /// No connection could be made.
    case unreachable(String)
    /// No answer within the timeout.
    case timedOut
    /// An answer that is not the FHIR it should be.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .refused(let status, let code, let diagnostics):
            "refused: HTTP \(status)\(code.map { " \($0)" } ?? "")\(diagnostics.map { ": \($0)" } ?? "")"
        case .unreachable(let reason): "unreachable: \(reason)"
        case .timedOut: "timed out"
        case .invalidResponse(let reason): "invalid response: \(reason)"
        }
    }

    /// The Spine code when the provider refused.
    public var spineCode: SpineErrorCode? {
        if case .refused(_, let code?, _) = self { return SpineErrorCode(rawValue: code) }
        return nil
    }
}
