import FHIR
import GPConnectContract

/// The problem-linking extensions of `CareConnect-GPC-ProblemHeader-Condition-1`.
enum Conditions {
    static func significance(of condition: FHIRElement) -> String? {
        (condition["extension"]?.items ?? []).first { $0["url"]?.string == StructuredURL.problemSignificance }?["valueCode"]?.string
    }

    /// The condition without links to items (or problems) the response does not hold.
    static func pruningLinks(_ condition: FHIRObject, keeping included: Set<String>) -> FHIRObject {
        var condition = condition
        if let extensions = condition["extension"]?.items {
            let kept = extensions.filter { ext in
                switch ext["url"]?.string {
                case StructuredURL.relatedClinicalContent:
                    return ext["valueReference"]?["reference"]?.string.map(included.contains) ?? false
                case StructuredURL.relatedProblemHeader:
                    let target = (ext["extension"]?.items ?? []).first { $0["url"]?.string == "target" }?["valueReference"]?[
                        "reference"]?.string
                    return target.map(included.contains) ?? false
                default:
                    return true
                }
            }
            condition["extension"] = kept.isEmpty ? nil : .array(kept)
        }
        if let context = condition["context"]?["reference"]?.string, !included.contains(context) {
            condition["context"] = nil
        }
        return condition
    }
}
