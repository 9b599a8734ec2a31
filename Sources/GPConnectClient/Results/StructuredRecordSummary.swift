public import FHIR

/// A structured record Bundle as lists of items, with the warnings of its OperationOutcome
/// (nhsconnect/gpconnect feature/1.6.2, accessrecord_structured_development_retrieve_patient_record,
/// "Response": the Bundle's top-level Lists and its OperationOutcome of partial failures).
public struct StructuredRecordSummary: Sendable, Equatable {
    /// The top-level Lists (those without an id), in Bundle order.
    public var lists: [RecordList]
    /// The details text (or else the diagnostics) of each issue of the Bundle's OperationOutcomes.
    public var warnings: [String]

    public init(_ bundle: FHIRElement) {
        let entries = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }
        var byReference: [String: FHIRElement] = [:]
        for entry in entries {
            if let type = entry["resourceType"]?.string, let id = entry["id"]?.string { byReference["\(type)/\(id)"] = entry }
        }
        lists = entries.filter { $0["resourceType"]?.string == "List" && $0["id"] == nil }.map {
            RecordList($0, resolving: byReference)
        }
        warnings = entries.filter { $0["resourceType"]?.string == "OperationOutcome" }.flatMap { outcome in
            (outcome["issue"]?.items ?? []).map { $0["details"]?["text"]?.string ?? $0["diagnostics"]?.string ?? "" }
        }
    }
}
