public import FHIR
public import GPConnectContract

/// What differs between FHIR versions when a response is written: the MIME types and the
/// OperationOutcome a refusal becomes. One value per version; the HTTP layer picks the one of
/// the route's version.
public protocol FHIRVersionRenderer: Sendable {
    /// `Content-Type` of a response body, with the charset the spec requires.
    func contentType(_ format: FHIRFormat) -> String
    /// The OperationOutcome a refusal is answered with.
    func operationOutcome(_ error: GPConnectError) -> FHIRElement
}
