public import FHIR
import GPConnectContract

/// Bundles GP Connect returns.
public enum FHIRBundle {
    /// A `searchset` Bundle (`GPConnect-Searchset-Bundle-1`). Providers do not populate `fullUrl`.
    ///
    /// With `fullUrlBase` (Access Document, which requires absolute `fullUrl`s: GP Connect 1.6.2,
    /// access_documents_development_bundle), each entry gets `{base}/{type}/{id}`.
    public static func searchset(_ resources: [FHIRElement], id: String? = nil, fullUrlBase: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "Bundle"]
        object.append("id", .optional(id))
        object.append("meta", ["profile": [.string(Profile.searchsetBundle)]])
        object.append("type", "searchset")
        object.append(
            "entry",
            .array(
                resources.map { resource in
                    var entry = FHIRObject()
                    if let fullUrlBase, let type = resource["resourceType"]?.string, let id = resource["id"]?.string {
                        entry.append("fullUrl", .string("\(fullUrlBase)/\(type)/\(id)"))
                    }
                    entry.append("resource", resource)
                    return .object(entry)
                }))
        return .object(object)
    }
}
