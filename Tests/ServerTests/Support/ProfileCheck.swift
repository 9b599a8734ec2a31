import FHIR
import Foundation
import GPConnectContract
import Testing

/// Checks emitted resources against the StructureDefinitions their `meta.profile` names.
///
/// Usage, from any test holding a response body (JSON or XML):
///
///     try ProfileCheck.assertConforms(reply.bytes, format: .json)
///
/// records one test issue per violation, e.g. `Practitioner/1 Practitioner.communication: max 0,
/// found 1`; ``violations(in:)`` returns them instead. A Bundle is checked, and so is every entry
/// and contained resource, each against its own `meta.profile`. A resource that names a profile
/// the facts do not know is a violation ("unknown profile"), unless the profile is listed in
/// ``localProfiles`` (add a project-own profile there, with a comment naming its definition).
/// Every reply of `Client.request` and `Client.raw` is checked this way already (`Reply.checkProfiles`).
///
/// What is checked, per element of the profile's snapshot: min/max cardinality (slices included),
/// fixed and pattern values, slicing (value discriminators, closed slicing), required bindings
/// whose value set the assets enumerate, choice types, elements the profile does not define, and
/// extensions: their own definition (value type and cardinality, sub-extensions), where they
/// may appear (context) and NHS-domain URLs no repository defines; the resource types literal
/// references point at. Element order and datatype validity are `validate_stu3.py`'s job.
///
/// The facts are compiled by `scripts/compile-profiles.py` from nhsconnect/STU3-FHIR-Assets
/// (develop) and nhsconnect/CareConnect-profiles (feature/stu3) into `Profiles/profiles.json`.
/// A Swift checker rather than a Python one: it runs in-process on every reply (no process per
/// response), and reads XML with the project's own reader, so both encodings are checked alike.
enum ProfileCheck {
    /// Profiles this project defines itself, not in the NHS assets: resources claiming them are
    /// not checked. Only profiles with no published StructureDefinition belong here: the federation
    /// Task (docs/tasks.md), this project's own, which its own tests and fhir.resources check.
    static let localProfiles: Set<String> = [Profile.federationTask]

    /// Resource types GP Connect emits without a profile (GP Connect 1.6.2, foundations
    /// "CapabilityStatement": the statement names no `meta.profile`; the assets define no Binary
    /// or Parameters profile).
    static let unprofiledTypes: Set<String> = ["CapabilityStatement", "Binary", "Parameters"]

    /// Departures the pack itself expects, each narrow: (profile, element path, why). The path is
    /// the one in the violation text, without slice names.
    static let allowances: [(profile: String, path: String, reason: String)] = []

    /// Records every violation in `body` as a test issue.
    static func assertConforms(_ body: [UInt8], format: FHIRFormat, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let resource = try format.decode(body)
        for violation in try violations(in: resource) {
            Issue.record("profile: \(violation)", sourceLocation: sourceLocation)
        }
    }

    /// The violations of a resource and of every resource inside it.
    static func violations(in resource: FHIRElement) throws -> [String] {
        let facts = try ProfileFacts.shared.get()
        var checker = Checker(facts: facts)
        checker.checkResource(resource)
        var seen: Set<String> = []
        return checker.violations.filter { seen.insert($0).inserted }
    }

    struct Checker {
        let facts: ProfileFacts
        var violations: [String] = []
        /// `Type/id` of the resource being checked.
        var label = ""

        mutating func report(_ profile: ProfileFacts.Profile, _ path: String, _ message: String) {
            if ProfileCheck.allowances.contains(where: { $0.profile == profile.url && $0.path == path }) { return }
            violations.append("\(label) \(path): \(message)")
        }

        /// A resource against each profile it claims; then the resources it holds.
        mutating func checkResource(_ resource: FHIRElement) {
            guard let object = resource.object else { return }
            let type = object["resourceType"]?.string ?? "?"
            let saved = label
            label = type + "/" + (object["id"]?.string ?? "-")
            let claimed = object["meta"]?["profile"]?.items.compactMap(\.string) ?? []
            if claimed.isEmpty, !ProfileCheck.unprofiledTypes.contains(type) {
                violations.append("\(label): no meta.profile")
            }
            for url in claimed where !ProfileCheck.localProfiles.contains(url) {
                guard let profile = facts.profiles[url] else {
                    violations.append("\(label): unknown profile \(url) (not in Profiles/profiles.json, not a local profile)")
                    continue
                }
                if profile.type != type {
                    violations.append("\(label): profile \(url) is for \(profile.type), not \(type)")
                    continue
                }
                check(object, id: type, path: type, in: profile, containerType: type)
            }
            label = saved
            for nested in Self.nestedResources(in: resource) { checkResource(nested) }
        }

        /// Bundle entries and contained resources, at any depth below `resource` but not inside
        /// another nested resource.
        static func nestedResources(in resource: FHIRElement) -> [FHIRElement] {
            var found: [FHIRElement] = []
            func walk(_ element: FHIRElement, top: Bool) {
                switch element {
                case .object(let object):
                    if !top, object["resourceType"] != nil {
                        found.append(element)
                        return
                    }
                    for field in object.fields { walk(field.value, top: false) }
                case .array(let items):
                    for item in items { walk(item, top: false) }
                case .string, .number, .bool:
                    break
                }
            }
            walk(resource, top: true)
            return found
        }

        /// One object (a resource, backbone element or datatype value) against the definitions
        /// under element `id`. `path` is the instance path for messages (slice names left out).
        mutating func check(_ node: FHIRObject, id: String, path: String, in profile: ProfileFacts.Profile, containerType: String) {
            for name in ["extension", "modifierExtension"] {
                for url in node[name]?.items.compactMap({ $0["url"]?.string }) ?? [] {
                    checkContext(url, at: path, type: containerType, in: profile)
                }
            }
            guard let grouped = profile.groups[id] else {
                return checkExtensions(node, path: path, in: profile, containerType: containerType)
            }
            let groups = grouped.byName
            // Elements the profile does not define (below the root of a partial profile, only what
            // its differential names is listed, so there the check is left out).
            for field in node.fields where !profile.partial || id == profile.type {
                let name = field.name
                if name == "resourceType" || name.hasPrefix("_") || ["id", "extension", "modifierExtension"].contains(name) { continue }
                let known = groups[name] != nil || grouped.choicePrefixes.contains { name.hasPrefix($0) }
                if known { continue }
                // A choice the definition narrowed to one type and renamed (`valueDateTime:valueDateTime`).
                let narrowed = profile.childDefinitions(of: id).filter {
                    Self.isChoiceOfType($0.name) && Self.choiceBase($0.name) == Self.choiceBase(name)
                }
                if Self.isChoiceOfType(name), !narrowed.isEmpty {
                    report(profile, "\(path).\(name)", "type not allowed (\(narrowed.map(\.name).joined(separator: ", ")))")
                } else {
                    report(profile, "\(path).\(name)", "not defined by \(profile.url.split(separator: "/").last ?? "")")
                }
            }
            for name in grouped.order {
                guard let group = groups[name] else { continue }
                checkGroup(node, name: name, group: group, path: path, in: profile, containerType: containerType)
            }
            if groups["extension"] == nil { checkExtensions(node, path: path, in: profile, containerType: containerType) }
        }

        /// The values of one element name (and its slices).
        mutating func checkGroup(
            _ node: FHIRObject, name: String, group: [ProfileFacts.Element], path: String, in profile: ProfileFacts.Profile,
            containerType: String
        ) {
            let base = group.first { $0.slice == nil }
            let slices = group.filter { $0.slice != nil }
            let choice = group.first?.choicePrefix
            // (field name, value) pairs of this element in the instance.
            var values: [(field: String, value: FHIRElement)] = []
            if let choice {
                for field in node.fields where field.name.hasPrefix(choice) && field.name.count > choice.count {
                    let typeName = String(field.name.dropFirst(choice.count))
                    guard typeName.first?.isUppercase == true else { continue }
                    values += field.value.items.map { (field.name, $0) }
                }
            } else if let value = node[name] {
                values = value.items.map { (name, $0) }
            }
            let elementPath = "\(path).\(choice.map { values.first?.field ?? $0 + "[x]" } ?? name)"
            // A slice standing for the whole element (a choice type narrowed to one type).
            let definition = base ?? (slices.count == 1 ? slices.first : nil)
            if let definition {
                checkCount(values.count, definition, elementPath, profile)
                if let choice {
                    let allowed = Set(definition.types.map { choice + Self.capitalised($0.code) })
                    for value in values where !allowed.isEmpty && !allowed.contains(value.field) {
                        report(
                            profile, elementPath,
                            "type \(value.field.dropFirst(choice.count)) not allowed (\(allowed.sorted().joined(separator: ", ")))")
                    }
                }
            }
            var remaining = Array(values.indices)
            if base != nil || slices.count > 1 {
                for slice in slices {
                    let matched = remaining.filter {
                        matches(values[$0].value, field: values[$0].field, slice: slice, base: base, in: profile)
                    }
                    remaining.removeAll { matched.contains($0) }
                    checkCount(matched.count, slice, "\(elementPath):\(slice.slice ?? "")", profile)
                    for index in matched {
                        checkValue(
                            values[index].value, field: values[index].field, slice, elementPath, profile, containerType: containerType)
                    }
                }
                if let slicing = base?.slicing, slicing.closed, !remaining.isEmpty {
                    let allowed = slices.compactMap {
                        discriminatorValue(for: $0, path: slicing.discriminators.first?.path ?? "", in: profile)?.string
                    }
                    for index in remaining {
                        let found = slicing.discriminators.first.flatMap { values[index].value.at($0.path)?.string } ?? "?"
                        report(profile, elementPath, "\(found) is outside the closed slicing (allowed: \(allowed.joined(separator: ", ")))")
                    }
                    remaining = []
                }
            }
            if let definition {
                for index in remaining {
                    checkValue(
                        values[index].value, field: values[index].field, definition, elementPath, profile, containerType: containerType)
                }
            }
        }

        mutating func checkCount(_ count: Int, _ definition: ProfileFacts.Element, _ path: String, _ profile: ProfileFacts.Profile) {
            if count < definition.min { report(profile, path, "min \(definition.min), found \(count)") }
            if let max = definition.max, count > max { report(profile, path, "max \(max), found \(count)") }
        }

        /// One value against its definition: fixed/pattern, binding, its children, its extension definition.
        mutating func checkValue(
            _ value: FHIRElement, field: String, _ definition: ProfileFacts.Element, _ path: String, _ profile: ProfileFacts.Profile,
            containerType: String
        ) {
            if let fixed = definition.fixed, !Self.contains(value, fixed, exact: true) {
                report(profile, path, "fixed \(Self.text(fixed)), found \(Self.text(value))")
            }
            if let pattern = definition.pattern, !Self.contains(value, pattern, exact: false) {
                report(profile, path, "pattern \(Self.text(pattern)), found \(Self.text(value))")
            }
            let type =
                definition.choicePrefix.map { String(field.dropFirst($0.count)) }.map { $0.prefix(1).lowercased() + $0.dropFirst() }
                ?? definition.types.first?.code ?? ""
            if let url = definition.requiredValueSet { checkBinding(value, type: type, valueSet: url, path, profile) }
            if type == "Reference" { checkTarget(value, definition, path, profile) }
            guard let object = value.object, object["resourceType"] == nil else { return }
            check(object, id: definition.id, path: path, in: profile, containerType: type == "BackboneElement" ? containerType : type)
            // An extension slice: the extension's own definition too.
            if type == "Extension", let url = object["url"]?.string, url != profile.url, let own = facts.profiles[url],
                own.type == "Extension"
            {
                check(object, id: "Extension", path: path, in: own, containerType: "Extension")
            }
        }

        /// Extensions on an element the snapshot does not expand: each against its own
        /// definition, when the facts have it.
        mutating func checkExtensions(_ node: FHIRObject, path: String, in profile: ProfileFacts.Profile, containerType: String) {
            for name in ["extension", "modifierExtension"] {
                for value in node[name]?.items ?? [] {
                    guard let object = value.object, let url = object["url"]?.string else { continue }
                    if let own = facts.profiles[url], own.type == "Extension" {
                        if own.url != profile.url {
                            check(object, id: "Extension", path: "\(path).\(name)", in: own, containerType: "Extension")
                        }
                    }
                }
            }
        }

        /// Where an extension may appear (its `context`), checked where the extension is met:
        /// `path` is the element holding it (`Practitioner`, `Patient.telecom`).
        mutating func checkContext(_ extensionURL: String, at path: String, type: String, in profile: ProfileFacts.Profile) {
            guard let own = facts.profiles[extensionURL] else {
                // Open slicing lets any extension in, but one on an NHS domain that neither repository
                // defines is a misspelt URL.
                if ["https://fhir.nhs.uk/", "https://fhir.hl7.org.uk/"].contains(where: { extensionURL.hasPrefix($0) }) {
                    report(profile, "\(path).extension", "unknown extension \(extensionURL)")
                }
                return
            }
            guard !own.contexts.isEmpty else { return }
            let plain = ProfileFacts.Profile.plain(path)
            let allowed = own.contexts.contains { context in
                context == plain || context == type || ["Element", "Resource", "DomainResource", "*"].contains(context)
                    || (own.contextType == "extension" && context == profile.url)
            }
            if !allowed {
                report(
                    profile, "\(path).extension",
                    "\(extensionURL.split(separator: "/").last ?? "") may not appear here (contexts: \(own.contexts.joined(separator: ", ")))"
                )
            }
        }

        /// A literal reference (`Patient/2`, or absolute) names a resource type one of the
        /// element's target profiles constrains. Contained (`#id`) and `urn:` references are
        /// left to the Bundle's own rules.
        mutating func checkTarget(_ value: FHIRElement, _ definition: ProfileFacts.Element, _ path: String, _ profile: ProfileFacts.Profile)
        {
            guard let reference = value["reference"]?.string, !reference.hasPrefix("#"), !reference.hasPrefix("urn:") else { return }
            let targets = definition.types.filter { $0.code == "Reference" }.flatMap(\.targetProfiles)
            let allowed = Set(targets.compactMap { facts.resourceType(of: $0) })
            // A target that names no known type (or `Resource`) allows any.
            guard !allowed.isEmpty, targets.allSatisfy({ facts.resourceType(of: $0) != nil }), !allowed.contains("Resource") else { return }
            let parts = reference.split(separator: "/")
            let historyless = parts.count >= 4 && parts[parts.count - 2] == "_history" ? Array(parts.dropLast(2)) : Array(parts)
            guard historyless.count >= 2 else { return }
            let type = String(historyless[historyless.count - 2])
            if !allowed.contains(type) {
                report(profile, path, "reference to \(type) not allowed (\(allowed.sorted().joined(separator: ", ")))")
            }
        }

        /// Whether a value belongs to a slice, by the slicing's discriminators.
        func matches(
            _ value: FHIRElement, field: String, slice: ProfileFacts.Element, base: ProfileFacts.Element?, in profile: ProfileFacts.Profile
        ) -> Bool {
            if slice.choicePrefix != nil || base == nil { return slice.slice == field || base == nil }
            let discriminators = base?.slicing?.discriminators ?? [("value", "url")]
            for discriminator in discriminators {
                switch discriminator.type {
                case "value", "pattern":
                    guard let expected = discriminatorValue(for: slice, path: discriminator.path, in: profile) else { return false }
                    let actual = discriminator.path == "$this" ? value : value.at(discriminator.path)
                    guard let actual, Self.contains(actual, expected, exact: discriminator.type == "value") else { return false }
                case "type":
                    let prefix = slice.choicePrefix ?? ""
                    if !slice.types.contains(where: { field == prefix + Self.capitalised($0.code) }) { return false }
                default:
                    return false
                }
            }
            return true
        }

        /// The fixed value a slice gives at a discriminator path (`url`, `system`), or its
        /// extension profile's URL for `url`.
        func discriminatorValue(for slice: ProfileFacts.Element, path: String, in profile: ProfileFacts.Profile) -> FHIRElement? {
            if path == "$this" { return slice.fixed ?? slice.pattern }
            if let element = profile.elements[slice.id + "." + path], let value = element.fixed ?? element.pattern { return value }
            if path == "url", let url = slice.types.first?.profiles.first { return .string(url) }
            return nil
        }

        mutating func checkBinding(
            _ value: FHIRElement, type: String, valueSet url: String, _ path: String, _ profile: ProfileFacts.Profile
        ) {
            guard let set = facts.valueSets[url] else { return }
            let name = url.split(separator: "/").last ?? ""
            guard set.enumerated, !set.codes.isEmpty else {
                // Defined by a filter: the code system at least.
                let codings = type == "CodeableConcept" ? value["coding"]?.items ?? [] : type == "Coding" ? [value] : []
                if !set.systems.isEmpty, !codings.isEmpty, !codings.contains(where: { set.systems.contains($0["system"]?.string ?? "") }) {
                    report(profile, path, "no coding from \(set.systems.sorted().joined(separator: ", ")) (\(name))")
                }
                return
            }
            switch type {
            case "code":
                if let code = value.string, !set.contains(code: code) { report(profile, path, "\(code) is not in \(name)") }
            case "Coding":
                if let code = value["code"]?.string, !set.contains(system: value["system"]?.string, code: code) {
                    report(profile, path, "\(value["system"]?.string ?? "")|\(code) is not in \(name)")
                }
            case "CodeableConcept":
                let codings = value["coding"]?.items ?? []
                if !codings.isEmpty,
                    !codings.contains(where: { set.contains(system: $0["system"]?.string, code: $0["code"]?.string ?? "") })
                {
                    let found = codings.map { "\($0["system"]?.string ?? "")|\($0["code"]?.string ?? "")" }.joined(separator: ", ")
                    report(profile, path, "\(found) is not in \(name)")
                }
            default:
                break
            }
        }

        /// `exact`: primitives equal and objects equal field for field; otherwise (a pattern)
        /// every field of `expected` is present in `value`.
        static func contains(_ value: FHIRElement, _ expected: FHIRElement, exact: Bool) -> Bool {
            switch expected {
            case .object(let fields):
                guard let object = value.object else { return false }
                for field in fields.fields {
                    guard let actual = object[field.name] else { return false }
                    let wanted = field.value.items
                    let present = actual.items
                    for item in wanted where !present.contains(where: { contains($0, item, exact: exact) }) { return false }
                }
                return true
            case .array(let items):
                return items.allSatisfy { item in value.items.contains { contains($0, item, exact: exact) } }
            case .string, .number, .bool:
                return value.string == expected.string
            }
        }

        static func capitalised(_ code: String) -> String { code.prefix(1).uppercased() + code.dropFirst() }

        /// `valueDateTime`, `effectivePeriod`: a choice element named with its type.
        static func isChoiceOfType(_ name: String) -> Bool { choiceBase(name) != name }

        /// `valueDateTime` → `value`; a name without an upper-case letter is its own base.
        static func choiceBase(_ name: String) -> String {
            guard let index = name.firstIndex(where: \.isUppercase), index != name.startIndex else { return name }
            return String(name[..<index])
        }

        static func text(_ element: FHIRElement) -> String {
            element.string ?? String(FHIRJSON.encodeString(element).prefix(160))
        }
    }
}
