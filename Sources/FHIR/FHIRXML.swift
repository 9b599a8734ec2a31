import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// FHIR XML (`http://hl7.org/fhir`) for ``FHIRElement``, following the JSON↔XML mapping of the
/// FHIR specification (section 1.6 "XML Representation").
///
/// - Primitives become `<name value="…"/>`; a JSON `_name` companion (id, extensions on a
///   primitive) becomes the children of that element.
/// - `id` of a datatype and `url` of an `extension` / `modifierExtension` are attributes; a
///   resource's own `id` is an element.
/// - An object with `resourceType` is a resource and is wrapped: `<resource><Patient>…</Patient></resource>`.
/// - Narrative `div` is XHTML and is written as is.
///
/// Reading is the inverse. Because XML cannot say whether a single child is a list, a child that
/// occurs once is read as a single value; ``FHIRElement/items`` reads either shape.
public enum FHIRXML {
    public static let namespace = "http://hl7.org/fhir"

    public static func encode(_ resource: FHIRElement) -> [UInt8] {
        var out: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>".utf8)
        if let object = resource.object, case .string(let type)? = object["resourceType"] {
            writeResource(type: type, object: object, namespace: true, into: &out)
        }
        return out
    }

    public static func encodeString(_ element: FHIRElement) -> String {
        String(decoding: encode(element), as: UTF8.self)
    }

    static func writeResource(type: String, object: FHIRObject, namespace: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: "<\(type)".utf8)
        if namespace { out.append(contentsOf: " xmlns=\"\(Self.namespace)\"".utf8) }
        out.append(UInt8(ascii: ">"))
        writeChildren(of: object, isResource: true, isExtension: false, into: &out)
        out.append(contentsOf: "</\(type)>".utf8)
    }

    static func writeChildren(of object: FHIRObject, isResource: Bool, isExtension: Bool, into out: inout [UInt8]) {
        for field in object.fields {
            let name = field.name
            if name == "resourceType" || name.hasPrefix("_") { continue }
            if !isResource && name == "id" { continue }  // written as an attribute
            if name == "url" && isExtension { continue }  // written as an attribute
            let companion = object["_" + name]
            switch field.value {
            case .array(let items):
                let companions = companion.map { $0.items } ?? []
                for (index, item) in items.enumerated() {
                    writeElement(name, item, companion: index < companions.count ? companions[index] : nil, into: &out)
                }
            default:
                writeElement(name, field.value, companion: companion, into: &out)
            }
        }
        // A primitive that has only a companion (extensions, no value).
        for field in object.fields where field.name.hasPrefix("_") {
            let base = String(field.name.dropFirst())
            if object[base] == nil {
                for item in field.value.items { writeElement(base, nil, companion: item, into: &out) }
            }
        }
    }

    static func writeElement(_ name: String, _ value: FHIRElement?, companion: FHIRElement?, into out: inout [UInt8]) {
        switch value {
        case .object(let object):
            if case .string(let type)? = object["resourceType"] {
                out.append(contentsOf: "<\(name)>".utf8)
                writeResource(type: type, object: object, namespace: false, into: &out)
                out.append(contentsOf: "</\(name)>".utf8)
                return
            }
            out.append(contentsOf: "<\(name)".utf8)
            if let id = object["id"]?.string { writeAttribute("id", id, into: &out) }
            if (name == "extension" || name == "modifierExtension"), let url = object["url"]?.string {
                writeAttribute("url", url, into: &out)
            }
            let children = object.fields.contains { field in
                !(field.name == "id" || ((name == "extension" || name == "modifierExtension") && field.name == "url"))
            }
            if children {
                out.append(UInt8(ascii: ">"))
                writeChildren(of: object, isResource: false, isExtension: name == "extension" || name == "modifierExtension", into: &out)
                out.append(contentsOf: "</\(name)>".utf8)
            } else {
                out.append(contentsOf: "/>".utf8)
            }
        case .string(let text) where name == "div":
            out.append(contentsOf: text.utf8)
        case .array:
            break  // nested arrays do not occur in FHIR
        case .string, .number, .bool, nil:
            out.append(contentsOf: "<\(name)".utf8)
            if let id = companion?["id"]?.string { writeAttribute("id", id, into: &out) }
            if let text = value?.string { writeAttribute("value", text, into: &out) }
            if let extras = companion?.object, extras.fields.contains(where: { $0.name != "id" }) {
                out.append(UInt8(ascii: ">"))
                writeChildren(of: extras, isResource: false, isExtension: false, into: &out)
                out.append(contentsOf: "</\(name)>".utf8)
            } else {
                out.append(contentsOf: "/>".utf8)
            }
        }
    }

    static func writeAttribute(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: " \(name)=\"".utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case 0x0A: out.append(contentsOf: "&#xA;".utf8)
            case 0x0D: out.append(contentsOf: "&#xD;".utf8)
            case 0x09: out.append(contentsOf: "&#x9;".utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Reading

    public static func decode(_ bytes: some Collection<UInt8>) throws(FHIRDecodingError) -> FHIRElement {
        // FHIR XML is UTF-8 (FHIR STU3, "XML Representation of Resources"). Checked before the
        // parser sees it: Foundation's XMLParser traps on a name libxml2 passes through as
        // invalid UTF-8 (found by the reader property tests), which would take the process down.
        var iterator = bytes.makeIterator()
        var utf8 = Unicode.UTF8()
        decoding: while true {
            switch utf8.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break decoding
            case .error: throw FHIRDecodingError("invalid XML: the document is not UTF-8")
            }
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.failure { throw failure }
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed"
            throw FHIRDecodingError("invalid XML: \(reason)")
        }
        return root
    }

    /// Builds the tree from SAX events.
    final class TreeBuilder: NSObject, XMLParserDelegate {
        final class Node {
            let name: String
            let namespace: String?
            var attributes: [String: String]
            var children: [(String, FHIRElement)] = []
            var xhtml: String?
            init(name: String, namespace: String?, attributes: [String: String]) {
                self.name = name
                self.namespace = namespace
                self.attributes = attributes
            }
        }

        var stack: [Node] = []
        var root: FHIRElement?
        var failure: FHIRDecodingError?
        /// Depth inside a narrative `div`, whose content is kept as XHTML text.
        var xhtmlDepth = 0
        var xhtmlText = ""

        func fail(_ parser: XMLParser, _ message: String) {
            if failure == nil { failure = FHIRDecodingError("invalid FHIR XML: \(message)") }
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            if xhtmlDepth > 0 {
                xhtmlDepth += 1
                xhtmlText +=
                    "<\(elementName)" + attributeDict.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(Self.escape($0.value))\"" }.joined()
                    + ">"
                return
            }
            if stack.count > FHIRJSON.maximumDepth { return fail(parser, "nesting too deep") }
            if stack.isEmpty, namespaceURI != FHIRXML.namespace {
                return fail(parser, "the root element is not in the FHIR namespace")
            }
            if elementName == "div", namespaceURI == "http://www.w3.org/1999/xhtml" {
                xhtmlDepth = 1
                xhtmlText = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
                return
            }
            stack.append(Node(name: elementName, namespace: namespaceURI, attributes: attributeDict))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if xhtmlDepth > 0 {
                xhtmlText += Self.escape(string)
            } else if !string.allSatisfy(\.isWhitespace) {
                fail(parser, "text content is not allowed outside narrative")
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            if xhtmlDepth > 0 {
                xhtmlText += "</\(elementName)>"
                xhtmlDepth -= 1
                if xhtmlDepth == 0 { stack.last?.children.append(("div", .string(xhtmlText))) }
                return
            }
            guard let node = stack.popLast() else { return }
            let isResource = node.name.first?.isUppercase == true
            let element: FHIRElement
            var object = FHIRObject()
            if isResource { object.append("resourceType", .string(node.name)) }
            var primitive: FHIRElement?
            for (key, value) in node.attributes.sorted(by: { $0.key < $1.key }) {
                switch key {
                case "value": primitive = .string(value)
                case "id", "url": object.append(key, .string(value))
                case let other where other.hasPrefix("xmlns"): continue
                default: return fail(parser, "unexpected attribute \(key) on \(node.name)")
                }
            }
            // Group repeated children into arrays, keeping first-seen order.
            var order: [String] = []
            var grouped: [String: [FHIRElement]] = [:]
            for (name, value) in node.children {
                if grouped[name] == nil { order.append(name) }
                grouped[name, default: []].append(value)
            }
            for name in order {
                guard let values = grouped[name] else { continue }
                object.fields.append(.init(name, values.count == 1 ? values[0] : .array(values)))
            }
            if isResource {
                element = .object(object)
            } else if node.children.count == 1, node.attributes.isEmpty, node.children[0].0.first?.isUppercase == true,
                case .object(let inner) = node.children[0].1
            {
                // <resource><Patient/></resource>: the wrapper holds a resource.
                element = .object(inner)
            } else if let primitive {
                if object.isEmpty {
                    element = primitive
                } else {
                    // A primitive with an id or extensions: value plus a JSON-style companion.
                    stack.last?.children.append(("_" + node.name, .object(object)))
                    element = primitive
                }
            } else {
                element = .object(object)
            }
            if let parent = stack.last {
                parent.children.append((node.name, element))
            } else {
                root = element
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failure == nil { failure = FHIRDecodingError("invalid XML: not well-formed") }
        }

        static func escape(_ text: String) -> String {
            var out = ""
            for character in text {
                switch character {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                default: out.append(character)
                }
            }
            return out
        }
    }
}
