import FHIR
import Foundation

/// The facts of the NHS StructureDefinitions that ``ProfileCheck`` checks against, read from
/// `Tests/ServerTests/Profiles/profiles.json` (compiled by `scripts/compile-profiles.py` from
/// nhsconnect/STU3-FHIR-Assets and nhsconnect/CareConnect-profiles).
struct ProfileFacts: Sendable {
    struct TypeRef: Sendable {
        var code: String
        var profiles: [String]
        /// A Reference's allowed targets.
        var targetProfiles: [String]
    }

    struct Slicing: Sendable {
        /// `[type, path]` pairs, e.g. `["value", "url"]`.
        var discriminators: [(type: String, path: String)]
        var closed: Bool
    }

    struct Element: Sendable {
        var id: String
        /// The last segment's name (`communication`, `value[x]`) and slice (`nhsCommunication`).
        var name: String
        var slice: String?
        /// `value[x]` → `value`.
        var choicePrefix: String?
        var min: Int
        var max: Int?
        var types: [TypeRef]
        var fixed: FHIRElement?
        var pattern: FHIRElement?
        var slicing: Slicing?
        var requiredValueSet: String?
        /// Position in the StructureDefinition.
        var order: Int

        var maxText: String { max.map(String.init) ?? "*" }
    }

    struct Profile: Sendable {
        var url: String
        var type: String
        /// Synthesised from a differential: nested elements list only the children it names.
        var partial: Bool
        var contextType: String?
        var contexts: [String]
        var elements: [String: Element]
        /// Child elements by parent element id, in file order; a slice with few children of its
        /// own also has the unsliced element's (a differential slice inherits them).
        var children: [String: [Element]]

        init(url: String, type: String, partial: Bool, contextType: String?, contexts: [String], elements: [String: Element]) {
            self.url = url
            self.type = type
            self.partial = partial
            self.contextType = contextType
            self.contexts = contexts
            self.elements = elements
            var own: [String: [Element]] = [:]
            for element in elements.values.sorted(by: { $0.order < $1.order }) {
                if let dot = element.id.lastIndex(of: ".") { own[String(element.id[..<dot]), default: []].append(element) }
            }
            var children = own
            for id in elements.keys {
                let plain = Self.plain(id)
                guard plain != id, let inherited = own[plain] else { continue }
                let mine = own[id] ?? []
                let names = Set(mine.map(\.name))
                children[id] = mine + inherited.filter { !names.contains($0.name) }
            }
            self.children = children
            for (id, definitions) in children {
                var group = Groups()
                for definition in definitions {
                    if group.byName[definition.name] == nil { group.order.append(definition.name) }
                    group.byName[definition.name, default: []].append(definition)
                    if let prefix = definition.choicePrefix, !group.choicePrefixes.contains(prefix) { group.choicePrefixes.append(prefix) }
                }
                groups[id] = group
            }
        }

        /// `a.b:slice.c` → `a.b.c`.
        static func plain(_ id: String) -> String {
            id.split(separator: ".").map { $0.split(separator: ":").first.map(String.init) ?? "" }.joined(separator: ".")
        }

        func childDefinitions(of id: String) -> [Element] { children[id] ?? [] }

        /// The children of `id` grouped by element name, in definition order, with the choice
        /// prefixes among them: computed once per element id.
        struct Groups: Sendable {
            var order: [String] = []
            var byName: [String: [Element]] = [:]
            var choicePrefixes: [String] = []
        }

        var groups: [String: Groups] = [:]
    }

    struct ValueSet: Sendable {
        var enumerated: Bool
        var codes: Set<String>
        var systems: Set<String>
        /// `system|code`, or the bare code for a `code` element.
        func contains(system: String?, code: String) -> Bool {
            codes.contains((system ?? "") + "|" + code)
        }
        func contains(code: String) -> Bool { codes.contains { $0.hasSuffix("|" + code) } }
    }

    var profiles: [String: Profile]
    var valueSets: [String: ValueSet]
    /// The resource type of every profile in the repositories.
    var profileTypes: [String: String]
    var sources: String

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Profiles/profiles.json")

    /// Loaded once per test run.
    static let shared: Result<ProfileFacts, any Error> = Result {
        try ProfileFacts(json: FHIRJSON.decode(Array(try Data(contentsOf: file))))
    }

    init(json: FHIRElement) throws(FHIRDecodingError) {
        guard let profiles = json["profiles"]?.object else { throw FHIRDecodingError("profiles.json has no profiles") }
        var compiled: [String: Profile] = [:]
        for field in profiles.fields {
            var elements: [String: Element] = [:]
            for (index, item) in (field.value["elements"]?.items ?? []).enumerated() {
                guard let element = Self.element(item, order: index) else { continue }
                elements[element.id] = element
            }
            compiled[field.name] = Profile(
                url: field.name, type: field.value["type"]?.string ?? "", partial: field.value["partial"]?.bool ?? false,
                contextType: field.value["context"]?["type"]?.string,
                contexts: field.value["context"]?["paths"]?.items.compactMap(\.string) ?? [], elements: elements)
        }
        var sets: [String: ValueSet] = [:]
        for field in json["valueSets"]?.object?.fields ?? [] {
            let pairs = (field.value["codes"]?.items ?? []).map { $0.items.compactMap(\.string) }
            sets[field.name] = ValueSet(
                enumerated: field.value["enumerated"]?.bool ?? false, codes: Set(pairs.map { $0.joined(separator: "|") }),
                systems: Set(pairs.compactMap(\.first) + (field.value["systems"]?.items.compactMap(\.string) ?? [])))
        }
        self.profiles = compiled
        self.valueSets = sets
        var types: [String: String] = [:]
        for field in json["profileTypes"]?.object?.fields ?? [] { types[field.name] = field.value.string }
        self.profileTypes = types
        self.sources = json["sources"].map { FHIRJSON.encodeString($0) } ?? ""
    }

    /// The resource type a profile constrains: from the repositories, or the core FHIR name.
    func resourceType(of profile: String) -> String? {
        if let type = profileTypes[profile] { return type }
        let core = "http://hl7.org/fhir/StructureDefinition/"
        return profile.hasPrefix(core) ? String(profile.dropFirst(core.count)) : nil
    }

    static func element(_ item: FHIRElement, order: Int) -> Element? {
        guard let id = item["id"]?.string else { return nil }
        let last = id.split(separator: ".").last.map(String.init) ?? id
        let parts = last.split(separator: ":", maxSplits: 1).map(String.init)
        var slicing: Slicing?
        if let value = item["slicing"] {
            slicing = Slicing(
                discriminators: (value["discriminator"]?.items ?? []).map { pair in
                    let parts = pair.items.compactMap(\.string)
                    return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
                }, closed: value["rules"]?.string == "closed")
        }
        let binding = item["binding"]
        return Element(
            id: id, name: parts[0], slice: parts.count > 1 ? parts[1] : nil,
            choicePrefix: parts[0].hasSuffix("[x]") ? String(parts[0].dropLast(3)) : nil, min: Int(item["min"]?.string ?? "0") ?? 0,
            max: item["max"]?.string == "*" ? nil : Int(item["max"]?.string ?? ""),
            types: (item["types"]?.items ?? []).map {
                TypeRef(
                    code: $0["code"]?.string ?? "", profiles: $0["profile"]?.items.compactMap(\.string) ?? [],
                    targetProfiles: $0["targetProfile"]?.items.compactMap(\.string) ?? [])
            }, fixed: item["fixed"]?["value"], pattern: item["pattern"]?["value"], slicing: slicing,
            requiredValueSet: binding?["strength"]?.string == "required" ? binding?["valueSet"]?.string : nil, order: order)
    }
}
