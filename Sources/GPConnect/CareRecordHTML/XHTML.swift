/// Writes the XHTML of a care record view as FHIR narrative allows it (FHIR DSTU2, Narrative:
/// no scripts, forms, event attributes, external references or entities other than XML's own;
/// GP Connect 0.7.4, accessrecord_development_html_implementation_guide): a fixed set of
/// elements and attributes, and every value from the record escaped and kept on one line.
struct XHTML {
    private(set) var text = ""

    /// The elements a view uses; nothing else can be written.
    enum Tag: String {
        case div, h1, h2, p, table, thead, tbody, tr, th, td, strong
    }

    /// The narrative's root `div`, in the XHTML namespace.
    mutating func openRoot() { text += "<div xmlns=\"http://www.w3.org/1999/xhtml\">" }

    mutating func open(_ tag: Tag, id: String? = nil, className: String? = nil, colspan: Int? = nil) {
        text += "<" + tag.rawValue
        if let colspan { text += " colspan=\"\(colspan)\"" }
        if let className { text += " class=\"" + Self.escape(className) + "\"" }
        if let id { text += " id=\"" + Self.escape(id) + "\"" }
        text += ">"
    }

    mutating func close(_ tag: Tag) { text += "</" + tag.rawValue + ">" }

    /// `<tag>value</tag>`, the value escaped.
    mutating func element(_ tag: Tag, _ value: String, className: String? = nil) {
        open(tag, className: className)
        text += Self.escape(value)
        close(tag)
    }

    /// A `div` of a banner class holding one paragraph.
    mutating func banner(_ className: String, _ message: String) {
        open(.div, className: className)
        element(.p, message)
        close(.div)
    }

    /// Escapes markup characters and flattens the whitespace controls the pack refuses
    /// (pack: HTML.feature, "Check html for non html formatting": no `\n`, `\r`, `\t`).
    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n", "\r", "\t": escaped += " "
            default:
                // XML 1.0 forbids the other C0 controls outright.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
