public import FHIR
public import GPConnectContract

/// STU3: `application/fhir+json` / `application/fhir+xml` and `GPConnect-OperationOutcome-1`
/// (GP Connect 1.6.2, development_general_api_guidance, "Content types";
/// development_fhir_error_handling_guidance).
public struct STU3Renderer: FHIRVersionRenderer {
    public init() {}

    public func contentType(_ format: FHIRFormat) -> String { format.contentType }

    public func operationOutcome(_ error: GPConnectError) -> FHIRElement { error.operationOutcome }
}
