public import FHIR
import GPConnectContract

/// Reading references out of resources.
public enum References {
    /// Every relative `Type/id` reference in an element tree (contained `#id` references excluded).
    public static func all(in element: FHIRElement) -> [String] {
        var found: [String] = []
        collect(element, into: &found)
        return found
    }

    private static func collect(_ element: FHIRElement, into found: inout [String]) {
        switch element {
        case .object(let object):
            for field in object.fields {
                if field.name == "reference", case .string(let reference) = field.value {
                    if !reference.hasPrefix("#") { found.append(reference) }
                } else if field.name != "contained" {
                    collect(field.value, into: &found)
                }
            }
        case .array(let items):
            for item in items { collect(item, into: &found) }
        case .string, .number, .bool:
            break
        }
    }
}
