import FHIR
import Foundation
import PropertyBased
import Testing

/// Random and mutated input for the two readers every request body, JWT and stored item goes
/// through. The properties: a tree written and read back is the same tree; mutated or random
/// bytes never crash the reader and never loop, they either fail with a ``FHIRDecodingError`` or
/// decode to a tree that reads back the same after writing (so what a reader accepts it can also
/// render). The server turns a ``FHIRDecodingError`` into its Spine code (`ServerTests`'
/// `RequestProperties`).
@Suite(
    "Properties: FHIR JSON and XML readers",
    .enabled(
        if: ProcessInfo.processInfo.environment["GPCONNECT_TEST_ALONE"] == "1",
        "CPU-bound: runs in scripts/test.sh's second pass (GPCONNECT_TEST_ALONE=1), so it cannot starve the live-server suites")
)
struct ReaderProperties {
    // MARK: Generators

    /// Any Unicode scalar, biased to the awkward ones: controls, quotes, escapes, markup, non-ASCII.
    static func scalar(_ rng: inout any SeededRandomNumberGenerator) -> Unicode.Scalar {
        let awkward: [Unicode.Scalar] = [
            "\"", "\\", "/", "<", ">", "&", "'", "\u{0}", "\u{1}", "\n", "\r", "\t", "\u{7F}", "é", "😀", "\u{FEFF}",
        ]
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return awkward[Int.random(in: 0..<awkward.count, using: &rng)]
        case 1: return Unicode.Scalar(UInt32.random(in: 0x20...0x7E, using: &rng)) ?? "a"
        default:
            let value = UInt32.random(in: 0...0x10FFFF, using: &rng)
            return Unicode.Scalar(value) ?? "x"  // surrogates are not scalars
        }
    }

    static func text(_ rng: inout any SeededRandomNumberGenerator, maximum: Int = 12) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maximum, using: &rng) { scalars.append(scalar(&rng)) }
        return String(scalars)
    }

    /// A JSON number literal of every shape the grammar allows.
    static func number(_ rng: inout any SeededRandomNumberGenerator) -> String {
        var literal = Bool.random(using: &rng) ? "-" : ""
        literal += Bool.random(using: &rng) ? "0" : String(UInt64.random(in: 1...UInt64.max, using: &rng))
        if Bool.random(using: &rng) { literal += "." + String(UInt16.random(in: 0...UInt16.max, using: &rng)) }
        if Bool.random(using: &rng) {
            literal += ["e", "E", "e+", "e-"][Int.random(in: 0..<4, using: &rng)] + String(Int.random(in: 0...400, using: &rng))
        }
        return literal
    }

    /// A random tree as JSON allows it in FHIR: no nulls, unique keys, any depth up to `depth`.
    static func element(_ rng: inout any SeededRandomNumberGenerator, depth: Int) -> FHIRElement {
        switch Int.random(in: 0..<(depth > 0 ? 6 : 3), using: &rng) {
        case 0: return .string(text(&rng))
        case 1: return .number(number(&rng))
        case 2: return .bool(Bool.random(using: &rng))
        case 3: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in element(&rng, depth: depth - 1) })
        default:
            var object = FHIRObject()
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let name = text(&rng, maximum: 8)
                if object[name] == nil { object[name] = element(&rng, depth: depth - 1) }
            }
            return .object(object)
        }
    }

    static let trees = Generator<FHIRElement, Shrink.None<FHIRElement>> { rng in element(&rng, depth: 5) }

    /// Edits to make to a valid encoding: each picks a position, an operation and a byte.
    static let edits = Gen.int(in: 0...Int(Int32.max)).array(of: 1...8)

    /// Applies the edits: replace, insert, delete, truncate, or duplicate a span.
    static func mutate(_ bytes: [UInt8], _ edits: [Int]) -> [UInt8] {
        var bytes = bytes
        let interesting: [UInt8] = Array("{}[]<>\"'\\/:,=&;!?- \n0e.".utf8) + [0x00, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        for edit in edits where !bytes.isEmpty {
            let position = (edit / 7) % bytes.count
            let byte = interesting[(edit / 131) % interesting.count]
            switch edit % 7 {
            case 0: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2: bytes.remove(at: position)
            case 3: bytes.removeLast(bytes.count - position)
            case 4: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 16)], at: position)
            case 5: bytes[position] = UInt8(truncatingIfNeeded: edit >> 11)
            default: bytes.swapAt(position, (edit / 13) % bytes.count)
            }
        }
        return bytes
    }

    /// Resources of the shapes GP Connect bodies take, as seeds for the mutations.
    static let samples: [FHIRElement] = [
        [
            "resourceType": "Parameters",
            "parameter": [
                [
                    "name": "patientNHSNumber",
                    "valueIdentifier": ["system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9690937286"],
                ],
                [
                    "name": "includeMedication",
                    "part": [["name": "includePrescriptionIssues", "valueBoolean": true]],
                ],
            ],
        ],
        [
            "resourceType": "Appointment", "id": "1", "status": "booked",
            "meta": ["profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1"]],
            "start": "2026-12-04T10:00:00+00:00", "minutesDuration": .number("10"),
            "participant": [["actor": ["reference": "Patient/2"], "status": "accepted"]],
            "description": "Chest pain & <fever> \"since\" Tuesday",
        ],
    ]

    // MARK: JSON

    @Test func jsonTreesReadBackAsWritten() async {
        await propertyCheck(count: 300, input: Self.trees) { tree in
            let bytes = FHIRJSON.encode(tree)
            #expect((try? FHIRJSON.decode(bytes)) == tree)
        }
    }

    @Test func mutatedJSONFailsCleanlyOrReadsBackTheSame() async {
        let seeds = Self.samples.map(FHIRJSON.encode)
        await propertyCheck(count: 1500, input: Gen.int(in: 0...(seeds.count - 1)), Self.edits) { index, edits in
            let input = Self.mutate(seeds[index], edits)
            guard let decoded = try? FHIRJSON.decode(input) else { return }
            #expect((try? FHIRJSON.decode(FHIRJSON.encode(decoded))) == decoded)
        }
    }

    @Test func randomBytesNeverCrashTheJSONReader() async {
        await propertyCheck(count: 1000, input: Gen<UInt8>.value(in: 0...255).array(of: 0...64)) { bytes in
            if let decoded = try? FHIRJSON.decode(bytes) {
                #expect((try? FHIRJSON.decode(FHIRJSON.encode(decoded))) == decoded)
            }
        }
    }

    // MARK: XML

    @Test func mutatedXMLFailsCleanlyOrReadsBackTheSame() async {
        let seeds = Self.samples.map(FHIRXML.encode)
        await propertyCheck(count: 1500, input: Gen.int(in: 0...(seeds.count - 1)), Self.edits) { index, edits in
            let input = Self.mutate(seeds[index], edits)
            guard let decoded = try? FHIRXML.decode(input) else { return }
            #expect((try? FHIRXML.decode(FHIRXML.encode(decoded))) == decoded)
        }
    }

    @Test func randomBytesNeverCrashTheXMLReader() async {
        let prefix = Array("<Parameters xmlns=\"http://hl7.org/fhir\">".utf8)
        await propertyCheck(count: 1000, input: Gen<UInt8>.value(in: 0...255).array(of: 0...64), Gen.bool) { bytes, prefixed in
            let input = prefixed ? prefix + bytes : bytes
            if let decoded = try? FHIRXML.decode(input) {
                #expect((try? FHIRXML.decode(FHIRXML.encode(decoded))) == decoded)
            }
        }
    }

    @Test func samplesRoundTripInJSONAndReachAFixpointInXML() throws {
        for sample in Self.samples {
            #expect(try FHIRJSON.decode(FHIRJSON.encode(sample)) == sample)
            // XML carries no JSON types (a number reads back as its text), so XML is checked as a fixpoint.
            let once = try FHIRXML.decode(FHIRXML.encode(sample))
            #expect(try FHIRXML.decode(FHIRXML.encode(once)) == once)
        }
    }

    @Test func xmlThatIsNotUTF8IsRefused() {
        // An element name of bytes that are not UTF-8: once a crash in Foundation's XMLParser.
        let bytes = Array("<Parameters xmlns=\"http://hl7.org/fhir\"><".utf8) + [0xDD, 0xF0, 0x34, 0x67] + Array("/></Parameters>".utf8)
        #expect(throws: FHIRDecodingError.self) { try FHIRXML.decode(bytes) }
    }
}
