import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

/// Building `$gpc.getstructuredrecord` requests and reading their Bundles.
enum Structured {
    static let patient1 = "9690937278"
    static let patient2 = "9690937286"
    static let patient3 = "9690937294"
    static let patient4 = "9690937308"
    static let patient5 = "9690937375"
    static let patient9 = "9690938533"
    static let patient12 = "9690938614"
    static let patient13 = "9690938096"
    static let patient15 = "9690938576"
    static let patient16 = "9690938118"
    static let patient18 = "9690938681"
    static let patient21 = "9690938142"

    /// A Parameters body: the NHS number, then the given parameters.
    static func body(_ nhsNumber: String, _ parameters: [FHIRElement], system: String = IdentifierSystem.nhsNumber) -> String {
        let identifier: FHIRElement = [
            "name": "patientNHSNumber", "valueIdentifier": ["system": .string(system), "value": .string(nhsNumber)],
        ]
        return FHIRJSON.encodeString(["resourceType": "Parameters", "parameter": .array([identifier] + parameters)])
    }

    static func parameter(_ name: String, _ parts: [FHIRElement] = []) -> FHIRElement {
        var object: FHIRObject = ["name": .string(name)]
        object.append("part", .array(parts))
        return .object(object)
    }

    static func part(_ name: String, _ type: String, _ value: FHIRElement) -> FHIRElement {
        ["name": .string(name), "value" + type: value]
    }

    static func period(_ start: String?, _ end: String?) -> FHIRElement {
        var object: FHIRObject = [:]
        object.append("start", start.map { .string($0) })
        object.append("end", end.map { .string($0) })
        return .object(object)
    }

    static let allergies = parameter("includeAllergies", [part("includeResolvedAllergies", "Boolean", true)])
    static let allergiesActiveOnly = parameter("includeAllergies", [part("includeResolvedAllergies", "Boolean", false)])
    static let everyArea: [FHIRElement] = [
        allergies, parameter("includeMedication"), parameter("includeConsultations"), parameter("includeProblems"),
        parameter("includeImmunisations"), parameter("includeUncategorisedData"), parameter("includeInvestigations"),
        parameter("includeReferrals"), parameter("includeDiaryEntries"),
    ]

    /// The UTC day `days` from today, as the pack computes its dates.
    static func day(_ days: Int) -> String {
        ISO8601.day(Date().addingTimeInterval(Double(days) * 86_400))
    }
}

extension Client {
    func structured(
        _ nhsNumber: String, _ parameters: [FHIRElement], format: FHIRFormat = .json, token: String? = nil,
        headers edit: (inout HTTPFields) -> Void = { _ in }
    ) async throws -> Reply {
        try await request(
            .getStructuredRecord, "Patient/$gpc.getstructuredrecord" + (format == .xml ? "?_format=xml" : ""),
            headers: { headers in
                if let token { headers[.authorization] = "Bearer " + token }
                edit(&headers)
            }, body: Structured.body(nhsNumber, parameters))
    }

    /// A migrate request with the pack's migration JWT (`reason_for_request=migration`, the scope's
    /// confidentiality as given).
    func migrate(
        _ nhsNumber: String, sensitive: Bool, scope: String? = nil, extra: [FHIRElement] = [], reason: String = "migration"
    ) async throws -> Reply {
        let token = Client.token(for: .migrateStructuredRecord) { claims in
            claims["reason_for_request"] = .string(reason)
            claims["requested_scope"] = .string(scope ?? "patient/*.read " + (sensitive ? "conf/R" : "conf/N"))
        }
        let parameters =
            [
                Structured.parameter(
                    "includeFullRecord", [Structured.part("includeSensitiveInformation", "Boolean", .bool(sensitive))])
            ] + extra
        return try await request(
            .migrateStructuredRecord, "Patient/$gpc.migratestructuredrecord", headers: { $0[.authorization] = "Bearer " + token },
            body: Structured.body(nhsNumber, parameters))
    }
}

extension Reply {
    func resources(_ type: String) -> [FHIRElement] { entries.filter { $0["resourceType"]?.string == type } }

    var lists: [FHIRElement] { resources("List") }

    func list(_ title: String) -> FHIRElement? {
        let found = lists.filter { $0["title"]?.string == title }
        return found.count == 1 ? found[0] : nil
    }

    var listTitles: [String] { lists.compactMap { $0["title"]?.string } }

    /// Every reference made anywhere in the Bundle that does not resolve to an entry (contained
    /// `#id` references must resolve inside their resource).
    var danglingReferences: [String] {
        var present = Set<String>()
        for entry in entries {
            if let type = entry["resourceType"]?.string, let id = entry["id"]?.string { present.insert("\(type)/\(id)") }
        }
        var dangling: [String] = []
        for entry in entries {
            let contained = Set((entry["contained"]?.items ?? []).compactMap { $0["id"]?.string }.map { "#" + $0 })
            for reference in Self.references(in: entry) where !present.contains(reference) && !contained.contains(reference) {
                dangling.append(reference)
            }
        }
        return dangling
    }

    static func references(in element: FHIRElement) -> [String] {
        switch element {
        case .object(let object):
            return object.fields.flatMap { field -> [String] in
                if field.name == "reference", let text = field.value.string { return [text] }
                return references(in: field.value)
            }
        case .array(let items): return items.flatMap(references(in:))
        default: return []
        }
    }
}

extension FHIRElement {
    var entryReferences: [String] { (self["entry"]?.items ?? []).compactMap { $0["item"]?["reference"]?.string } }
    var warningCodes: [String] {
        (self["extension"]?.items ?? []).filter { $0["url"]?.string == StructuredURL.listWarningCode }.compactMap {
            $0["valueCode"]?.string
        }
    }
    var notes: [String] { (self["note"]?.items ?? []).compactMap { $0["text"]?.string } }
    var profile: String? { self["meta"]?["profile"]?.items.first?.string }
}
