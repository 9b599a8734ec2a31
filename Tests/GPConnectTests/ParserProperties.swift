import FHIR
import Foundation
import GPConnect
import GPConnectContract
import PropertyBased
import Testing

/// Random and mutated input for the parsers between a request's bytes and a use case: the audit
/// JWT and the `$gpc.getstructuredrecord` Parameters reader. The property: whatever arrives is
/// either accepted or refused with the Spine code the pack expects for that parser — a JWT only
/// ever `400 BAD_REQUEST`, or `422 INVALID_RESOURCE` when an embedded resource is not the one it
/// must be (pack: the JWT scenarios of each capability's feature files), a
/// Parameters body only `422 INVALID_RESOURCE`, `422 INVALID_PARAMETER` or `400 INVALID_NHS_NUMBER`
/// (pack: StructuredRecord*.feature, "… invalid parameter" scenarios) — and never crashes.
@Suite(
    "Properties: JWT and Parameters parsers",
    .enabled(
        if: ProcessInfo.processInfo.environment["GPCONNECT_TEST_ALONE"] == "1",
        "CPU-bound: runs in scripts/test.sh's second pass (GPCONNECT_TEST_ALONE=1), so it cannot starve the live-server suites")
)
struct ParserProperties {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    static let consumer = ConsumerIdentity(organizationODS: "GPCA0001")

    static func token(_ interaction: Interaction) -> String {
        AuditToken(for: interaction, consumer: consumer, audience: "https://provider.example/", now: now).encode()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Edits for a byte string: position, operation and byte, from one integer each.
    static let edits = Gen.int(in: 0...Int(Int32.max)).array(of: 1...6)

    static func mutate(_ bytes: [UInt8], _ edits: [Int]) -> [UInt8] {
        var bytes = bytes
        let interesting: [UInt8] = Array("{}[]\":,.=-_+/ 0aZ".utf8) + [0x00, 0x80, 0xFF]
        for edit in edits where !bytes.isEmpty {
            let position = (edit / 5) % bytes.count
            switch edit % 5 {
            case 0: bytes[position] = interesting[(edit / 97) % interesting.count]
            case 1: bytes.insert(interesting[(edit / 97) % interesting.count], at: position)
            case 2: bytes.remove(at: position)
            case 3: bytes.removeLast(bytes.count - position)
            default: bytes[position] = UInt8(truncatingIfNeeded: edit >> 9)
            }
        }
        return bytes
    }

    static func expectJWTAnswer(_ authorization: String, _ interaction: Interaction) {
        do {
            _ = try AuditToken.parse(authorization: authorization, interaction: interaction, now: now)
        } catch {
            let answer = "\(error.status) \(error.code.rawValue)"
            #expect(answer == "400 BAD_REQUEST" || answer == "422 INVALID_RESOURCE", "\(error)")
        }
    }

    @Test func aValidTokenParses() throws {
        let parsed = try AuditToken.parse(authorization: "Bearer " + Self.token(.readPatient), interaction: .readPatient, now: Self.now)
        #expect(parsed.requestedScope == Interaction.readPatient.scope.rawValue)
    }

    @Test func mutatedTokensAreAcceptedOrRefusedWithTheirSpineCode() async {
        let interactions: [Interaction] = [.readPatient, .getStructuredRecord, .bookAppointment]
        await propertyCheck(count: 1500, input: Gen.int(in: 0...2), Self.edits) { which, edits in
            let interaction = interactions[which]
            let token = Array(Self.token(interaction).utf8)
            Self.expectJWTAnswer("Bearer " + String(decoding: Self.mutate(token, edits), as: UTF8.self), interaction)
        }
    }

    @Test func tokensWithMutatedClaimsAreAcceptedOrRefusedWithTheirSpineCode() async {
        // The payload's JSON mutated and then validly base64url-encoded: the claim checks, not the transport, are reached.
        let parts = Self.token(.getStructuredRecord).split(separator: ".", omittingEmptySubsequences: false)
        let payload = Array(
            Data(
                base64Encoded: String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                    + String(repeating: "=", count: (4 - parts[1].count % 4) % 4)) ?? Data())
        #expect(!payload.isEmpty)
        await propertyCheck(count: 1500, input: Self.edits, Gen.bool) { edits, keepHeader in
            let header = keepHeader ? String(parts[0]) : Self.base64URL(Self.mutate(Array(#"{"alg":"none","typ":"JWT"}"#.utf8), edits))
            let token = header + "." + Self.base64URL(Self.mutate(payload, edits)) + "."
            Self.expectJWTAnswer("Bearer " + token, .getStructuredRecord)
        }
    }

    @Test func randomAuthorizationHeadersAreRefused() async {
        let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...80)
        await propertyCheck(count: 800, input: bytes) { bytes in
            Self.expectRefusal(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Random text is never a valid token: refused, with its Spine code.
    static func expectRefusal(_ header: String) {
        let parsed = try? AuditToken.parse(authorization: header, interaction: .readPatient, now: now)
        #expect(parsed == nil)
        expectJWTAnswer(header, .readPatient)
    }

    // MARK: The structured record's Parameters

    // Every area but consultations, and without the parts that cannot be combined with problems
    // (GP Connect 1.6.2, "Retrieve the structured record"): the mutations reach those by renaming.
    static let full: FHIRElement = [
        "resourceType": "Parameters",
        "parameter": [
            ["name": "patientNHSNumber", "valueIdentifier": ["system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9690937286"]],
            ["name": "includeAllergies", "part": [["name": "includeResolvedAllergies", "valueBoolean": true]]],
            [
                "name": "includeMedication",
                "part": [["name": "includePrescriptionIssues", "valueBoolean": false]],
            ],
            ["name": "includeProblems", "part": [["name": "filterStatus", "valueCode": "active"]]],
            ["name": "includeImmunisations"],
            ["name": "includeUncategorisedData"],
            ["name": "includeInvestigations"], ["name": "includeReferrals"],
            ["name": "includeDiaryEntries"],
        ],
    ]

    /// Values of every type a Parameters body may wrongly carry.
    static let values: [FHIRElement] = [
        "true", .bool(false), .number("1"), .number("-3"), "", "2026-13-40", "2019", "9690937286", "9690937287",
        ["start": "2026-01-01", "end": "2019-01-01"], ["system": "urn:x", "value": "1"], .array([]), ["resourceType": "Patient"],
    ]
    static let names = [
        "patientNHSNumber", "includeAllergies", "includeResolvedAllergies", "includeMedication", "includePrescriptionIssues",
        "medicationSearchFromDate", "includeConsultations", "consultationSearchPeriod", "includeNumberOfMostRecent", "includeProblems",
        "filterStatus", "filterSignificance", "includeImmunisations", "includeNotGiven", "includeDissentConsent",
        "includeUncategorisedData", "uncategorisedDataSearchPeriod", "includeDiaryEntries", "diarySearchDate", "name", "part",
        "valueBoolean", "valueDate", "valuePeriod", "valueIdentifier", "valueCode", "valueInteger", "resourceType", "parameter", "",
    ]

    /// One structural edit of the tree, at a path chosen by `choice`: replace a value, drop, rename,
    /// duplicate a field, or turn an object into an array.
    static func edit(_ element: FHIRElement, _ choice: Int, depth: Int = 0) -> FHIRElement {
        switch element {
        case .object(var object) where !object.fields.isEmpty:
            let index = (choice / 3) % object.fields.count
            let name = object.fields[index].name
            let action = choice % 9
            if action < 4, depth < 6 {
                object[name] = edit(object.fields[index].value, choice / 7 + 1, depth: depth + 1)
                return .object(object)
            }
            switch action {
            case 4: object[name] = nil
            case 5: object[name] = values[(choice / 11) % values.count]
            case 6:
                let value = object.fields[index].value
                object[name] = nil
                let renamed = names[(choice / 11) % names.count]
                if object[renamed] == nil { object[renamed] = value }
            case 7: return .array([.object(object)])
            default:
                let added = names[(choice / 13) % names.count]
                if object[added] == nil { object[added] = values[(choice / 17) % values.count] }
            }
            return .object(object)
        case .array(var items) where !items.isEmpty:
            let index = (choice / 3) % items.count
            switch choice % 4 {
            case 0: items.remove(at: index)
            case 1: items.append(items[index])
            default: items[index] = edit(items[index], choice / 5 + 1, depth: depth + 1)
            }
            return .array(items)
        default:
            return values[choice % values.count]
        }
    }

    @Test func aFullBodyParses() throws {
        let query = try StructuredQuery.parseGet(Self.full, today: "2026-12-04")
        #expect(query.nhsNumber.value == "9690937286")
    }

    @Test func mutatedParametersAreAcceptedOrRefusedWithTheirSpineCode() async {
        let allowed: Set<String> = ["422 INVALID_RESOURCE", "422 INVALID_PARAMETER", "400 INVALID_NHS_NUMBER"]
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int(Int32.max)).array(of: 1...5)) { choices in
            let body = choices.reduce(Self.full) { Self.edit($0, $1) }
            do {
                _ = try StructuredQuery.parseGet(body, today: "2026-12-04")
            } catch let error as GPConnectError {
                #expect(allowed.contains("\(error.status) \(error.code.rawValue)"), "\(error)")
            } catch {
                Issue.record("not a GPConnectError: \(error)")
            }
        }
    }
}
