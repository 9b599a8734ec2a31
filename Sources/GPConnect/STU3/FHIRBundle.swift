public import FHIR
import GPConnectContract

/// Bundles GP Connect returns.
public enum FHIRBundle {
    /// A `searchset` Bundle (`GPConnect-Searchset-Bundle-1`). Providers do not populate `fullUrl`.
    public static func searchset(_ resources: [FHIRElement], id: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Bundle"]
        object.append("id", .optional(id))
        object.append("meta", ["profile": [.string(Profile.searchsetBundle)]])
        object.append("type", "searchset")
        object.append("entry", .array(resources.map { ["resource": $0] }))
        return .object(object)
    }
}
