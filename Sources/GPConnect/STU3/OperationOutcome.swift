public import FHIR
public import GPConnectContract

extension GPConnectError {
    /// The `GPConnect-OperationOutcome-1` resource for this error.
    public var operationOutcome: FHIRElement {
        OperationOutcome.resource(issues: [.init(severity: "error", code: code, diagnostics: diagnostics)])
    }
}

/// Builder for `GPConnect-OperationOutcome-1`.
public enum OperationOutcome {
    public struct Issue: Sendable {
        public var severity: String
        public var code: SpineErrorCode
        public var issueType: String
        public var diagnostics: String?
        public var detailsText: String?

        public init(severity: String, code: SpineErrorCode, issueType: String? = nil, diagnostics: String?, detailsText: String? = nil) {
            self.severity = severity
            self.code = code
            self.issueType = issueType ?? code.issueType
            self.diagnostics = diagnostics
            self.detailsText = detailsText
        }
    }

    public static func resource(issues: [Issue], id: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "OperationOutcome"]
        object.append("id", id.map { .string($0) })
        object.append("meta", ["profile": [.string(Profile.operationOutcome)]])
        object.append(
            "issue",
            .array(
                issues.map { issue in
                    var entry: FHIRObject = ["severity": .string(issue.severity), "code": .string(issue.issueType)]
                    var details: FHIRObject = [
                        "coding": [
                            [
                                "system": .string(SpineErrorCode.system),
                                "code": .string(issue.code.rawValue),
                                "display": .string(issue.code.display),
                            ]
                        ]
                    ]
                    details.append("text", issue.detailsText.map { .string($0) })
                    entry.append("details", .object(details))
                    entry.append("diagnostics", issue.diagnostics.map { .string($0) })
                    return .object(entry)
                }))
        return .object(object)
    }
}
