/// A refusal: everything needed to answer with an OperationOutcome.
///
/// Thrown by the domain and by the contract's checks, and rendered in exactly one place by the server,
/// as the OperationOutcome of the FHIR version of the route. `diagnostics` is shown to
/// the consumer, so it never carries an NHS number, a name or JWT content.
public struct GPConnectError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: SpineErrorCode
    public var status: Int
    public var diagnostics: String?
    /// Extra response headers (e.g. `Allow` on 405).
    public var headers: [String: String]

    public init(_ code: SpineErrorCode, _ diagnostics: String? = nil, status: Int? = nil, headers: [String: String] = [:]) {
        self.code = code
        self.status = status ?? code.httpStatus
        self.diagnostics = diagnostics
        self.headers = headers
    }

    public var description: String { "\(status) \(code.rawValue)" + (diagnostics.map { ": \($0)" } ?? "") }

    public static func badRequest(_ diagnostics: String) -> Self { .init(.badRequest, diagnostics) }
    public static func invalidParameter(_ diagnostics: String) -> Self { .init(.invalidParameter, diagnostics) }
    public static func invalidResource(_ diagnostics: String) -> Self { .init(.invalidResource, diagnostics) }
}
