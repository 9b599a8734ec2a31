import FHIR
import GPConnectContract

/// FHIR renderings of the shared datatypes, each in StructureDefinition element order.
extension FHIRElement {
    static func meta(version: String?, profile: String) -> FHIRElement {
        var object = FHIRObject()
        object.append("versionId", version.map { .string($0) })
        object.append("profile", [.string(profile)])
        return .object(object)
    }

    static func reference(_ reference: String, display: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["reference": .string(reference)]
        object.append("display", display.map { .string($0) })
        return .object(object)
    }

    static func coding(_ code: Code) -> FHIRElement {
        var object: FHIRObject = ["system": .string(code.system), "code": .string(code.code)]
        object.append("display", code.display.map { .string($0) })
        return .object(object)
    }

    static func codeableConcept(_ code: Code, text: String? = nil) -> FHIRElement {
        var object: FHIRObject = ["coding": [coding(code)]]
        object.append("text", text.map { .string($0) })
        return .object(object)
    }

    static func identifier(system: String, value: String) -> FHIRElement {
        ["system": .string(system), "value": .string(value)]
    }

    static func period(start: String?, end: String?) -> FHIRElement? {
        var object = FHIRObject()
        object.append("start", start.map { .string($0) })
        object.append("end", end.map { .string($0) })
        return object.isEmpty ? nil : .object(object)
    }

    static func optional(_ value: String?) -> FHIRElement? { value.map { .string($0) } }
}

extension Address {
    var fhir: FHIRElement {
        var object = FHIRObject()
        object.append("use", .optional(use))
        object.append("type", .optional(type))
        object.append("line", .strings(lines))
        object.append("city", .optional(city))
        object.append("district", .optional(district))
        object.append("postalCode", .optional(postalCode))
        object.append("country", .optional(country))
        object.append("period", .period(start: nil, end: periodEnd))
        return .object(object)
    }
}

extension ContactPoint {
    var fhir: FHIRElement {
        var object: FHIRObject = ["system": .string(system), "value": .string(value)]
        object.append("use", .optional(use))
        object.append("period", .period(start: nil, end: periodEnd))
        return .object(object)
    }
}

extension PersonName {
    var fhir: FHIRElement {
        var object = FHIRObject()
        object.append("use", .optional(use))
        // 1.6.2: a structured family name, when known, and then no text; otherwise the full text.
        object.append("text", family == nil ? .optional(text) : nil)
        object.append("family", .optional(family))
        object.append("given", .strings(given))
        object.append("prefix", .strings(prefix))
        return .object(object)
    }
}

/// Display names of `CareConnect-HumanLanguage-1` codes that GP Connect data commonly carries.
enum HumanLanguage {
    static let displays: [String: String] = [
        "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pl": "Polish",
        "pa": "Panjabi", "ur": "Urdu", "bn": "Bengali", "gu": "Gujarati", "ar": "Arabic", "cy": "Welsh",
        "pt": "Portuguese", "ro": "Romanian", "zh": "Chinese", "tr": "Turkish", "so": "Somali", "lt": "Lithuanian",
        "ta": "Tamil", "fa": "Persian", "ru": "Russian", "hi": "Hindi", "el": "Greek", "q4": "British Sign Language",
    ]

    static func code(_ code: String, display: String? = nil) -> Code {
        Code(system: CodeSystemURL.humanLanguage, code: code, display: display ?? displays[code])
    }
}
