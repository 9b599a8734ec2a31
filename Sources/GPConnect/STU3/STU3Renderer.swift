import FHIR
import GPConnectContract

/// What differs between FHIR versions when a response is written: the MIME types and the
/// OperationOutcome a refusal becomes. One value per version; the HTTP layer picks the one of
/// the route's version.
public protocol FHIRVersionRenderer: Sendable {
    var version: FHIRVersion { get }
    /// `Content-Type` of a response body, with the charset the spec requires.
    func contentType(_ format: FHIRFormat) -> String
    /// The OperationOutcome a refusal is answered with.
    func operationOutcome(_ error: GPConnectError) -> FHIRElement
}

/// STU3: `application/fhir+json` / `application/fhir+xml` and `GPConnect-OperationOutcome-1`
/// (GP Connect 1.6.2, development_general_api_guidance, "Content types";
/// development_fhir_error_handling_guidance).
public struct STU3Renderer: FHIRVersionRenderer {
    public init() {}

    public var version: FHIRVersion { .stu3 }

    public func contentType(_ format: FHIRFormat) -> String { format.contentType }

    public func operationOutcome(_ error: GPConnectError) -> FHIRElement { error.operationOutcome }
}
