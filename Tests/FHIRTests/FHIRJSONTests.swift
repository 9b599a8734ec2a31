import FHIR
import Testing

@Suite("FHIR JSON")
struct FHIRJSONTests {
    @Test func roundTripKeepsFieldOrderAndDecimalText() throws {
        let text =
            #"{"resourceType":"Observation","valueQuantity":{"value":0.10,"unit":"mg"},"status":"final","flag":true,"list":[1,-2.5e3]}"#
        let element = try FHIRJSON.decode(Array(text.utf8))
        #expect(element.object?.names == ["resourceType", "valueQuantity", "status", "flag", "list"])
        #expect(element["valueQuantity"]?["value"] == .number("0.10"))
        #expect(FHIRJSON.encodeString(element) == text)
    }

    @Test func stringsAreEscapedAndUnescaped() throws {
        let element: FHIRElement = ["a": "quote \" slash / back \\ newline \n tab \t é 😀 \u{1}"]
        let encoded = FHIRJSON.encodeString(element)
        #expect(encoded.contains("slash /"), "slashes are not escaped")
        #expect(encoded.contains("\\u0001"))
        #expect(try FHIRJSON.decode(Array(encoded.utf8)) == element)
        #expect(try FHIRJSON.decode(Array(#"{"a":"\ud83d\ude00 \u00e9"}"#.utf8))["a"]?.string == "😀 é")
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "{\"a\":null}", "{\"a\":1,\"a\":2}", "[1 2]", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":\"\u{1}\"}",
        "{\"a\":1} x", "{'a':1}", "{\"a\":\"\\ud83d\"}", "{\"a\":tru}", "{\"a\":-}", "{\"a\":1.}",
    ])
    func malformedJSONIsRefused(text: String) {
        #expect(throws: FHIRDecodingError.self) { try FHIRJSON.decode(Array(text.utf8)) }
    }

    @Test func deepNestingIsRefusedRatherThanExhaustingTheStack() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: FHIRDecodingError.self) { try FHIRJSON.decode(Array(deep.utf8)) }
    }

    @Test func emptyElementsAreNeverAppended() {
        var object = FHIRObject()
        object.append("a", .array([]))
        object.append("b", nil)
        object.append("c", .object(FHIRObject()))
        object.append("d", "x")
        #expect(object.names == ["d"])
    }
}

@Suite("FHIR XML")
struct FHIRXMLTests {
    static let patient: FHIRElement = [
        "resourceType": "Patient", "id": "2",
        "meta": ["versionId": "1", "profile": ["https://example.org/Patient"]],
        "extension": [["url": "https://example.org/ext", "extension": [["url": "part", "valueBoolean": true]]]],
        "identifier": [["system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9690937286"]],
        "name": [["use": "official", "family": "O'Brien & <Sons>", "given": ["Ann", "Marie"]]],
        "gender": "female",
    ]

    @Test func encodesFHIRXMLRules() {
        let xml = FHIRXML.encodeString(Self.patient)
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir"><id value="2"/>"#))
        #expect(
            xml.contains(
                #"<extension url="https://example.org/ext"><extension url="part"><valueBoolean value="true"/></extension></extension>"#))
        #expect(xml.contains(#"<family value="O'Brien &amp; &lt;Sons&gt;"/><given value="Ann"/><given value="Marie"/>"#))
        #expect(!xml.contains("resourceType"))
    }

    @Test func roundTripsThroughXML() throws {
        let decoded = try FHIRXML.decode(FHIRXML.encode(Self.patient))
        #expect(decoded["resourceType"]?.string == "Patient")
        #expect(decoded["id"]?.string == "2")
        #expect(decoded["name"]?.items.first?["given"]?.items.compactMap(\.string) == ["Ann", "Marie"])
        #expect(decoded["name"]?.items.first?["family"]?.string == "O'Brien & <Sons>")
        #expect(decoded["extension"]?.items.first?["url"]?.string == "https://example.org/ext")
        #expect(decoded["extension"]?.items.first?["extension"]?.items.first?["valueBoolean"]?.bool == true)
        // Re-encoding what was decoded gives the same document.
        #expect(FHIRXML.encode(decoded) == FHIRXML.encode(Self.patient))
    }

    @Test func nestedResourcesAreWrapped() throws {
        let bundle: FHIRElement = ["resourceType": "Bundle", "type": "searchset", "entry": [["resource": Self.patient]]]
        let xml = FHIRXML.encodeString(bundle)
        #expect(xml.contains("<entry><resource><Patient><id value=\"2\"/>"))
        let decoded = try FHIRXML.decode(Array(xml.utf8))
        #expect(decoded["entry"]?.items.first?["resource"]?["resourceType"]?.string == "Patient")
        #expect(decoded["entry"]?.items.first?["resource"]?["id"]?.string == "2")
    }

    @Test func primitiveExtensionsUseTheJSONCompanion() throws {
        let element: FHIRElement = [
            "resourceType": "Patient", "birthDate": "1970-01-01", "_birthDate": ["extension": [["url": "u", "valueString": "x"]]],
        ]
        let xml = FHIRXML.encodeString(element)
        #expect(xml.contains(#"<birthDate value="1970-01-01"><extension url="u"><valueString value="x"/></extension></birthDate>"#))
        let decoded = try FHIRXML.decode(Array(xml.utf8))
        #expect(decoded["birthDate"]?.string == "1970-01-01")
        #expect(decoded["_birthDate"]?["extension"]?.items.first?["url"]?.string == "u")
    }

    @Test(arguments: [
        "<Patient><id value=\"1\"/></Patient>",  // not in the FHIR namespace
        "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"1\"></Patient>",
        "<Patient xmlns=\"http://hl7.org/fhir\">text</Patient>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&e;\"/></Patient>",
        "",
    ])
    func malformedOrUnsafeXMLIsRefused(text: String) {
        #expect(throws: FHIRDecodingError.self) { try FHIRXML.decode(Array(text.utf8)) }
    }
}
