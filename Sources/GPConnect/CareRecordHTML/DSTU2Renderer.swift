public import FHIR
public import GPConnectContract

/// DSTU2: `application/json+fhir` / `application/xml+fhir` and `gpconnect-operationoutcome-1`
/// with the 0.7.4 error code value set (GP Connect 0.7.4, development_fhir_api_guidance, "Content types";
/// development_fhir_error_handling_guidance).
public struct DSTU2Renderer: FHIRVersionRenderer {
    public init() {}

    public func contentType(_ format: FHIRFormat) -> String {
        switch format {
        case .json: "application/json+fhir; charset=utf-8"
        case .xml: "application/xml+fhir; charset=utf-8"
        }
    }

    public func operationOutcome(_ error: GPConnectError) -> FHIRElement {
        var issue: FHIRObject = ["severity": "error", "code": .string(error.code.issueType)]
        issue.append(
            "details",
            [
                "coding": [
                    [
                        "system": .string(DSTU2System.errorCode), "code": .string(error.code.rawValue),
                        "display": .string(error.code.display),
                    ]
                ]
            ])
        issue.append("diagnostics", error.diagnostics.map { .string($0) })
        var object: FHIRObject = ["resourceType": "OperationOutcome"]
        object.append("meta", ["profile": [.string(DSTU2Profile.operationOutcome)]])
        object.append("issue", [.object(issue)])
        return .object(object)
    }
}
