import FHIR
import GPConnectContract

/// One structured response, computed from a patient's recorded items: which items the query
/// selects, what they bring with them (medications, specimens, linked problems), and the Lists
/// that present them (GP Connect 1.6.2, accessrecord_structured_development_retrieve_patient_record,
/// "Payload response body"; accessrecord_structured_development_lists_for_message_structure).
///
/// Pure and synchronous: the service loads the items and the directory; this decides the content.
struct StructuredRecordView {
    let query: StructuredQuery
    let patientID: String
    let state: ClinicalRecordState
    /// Areas the practice has switched off (ignored by migrate).
    let disabled: Set<ClinicalArea>
    /// Migrate with `includeSensitiveInformation=true`: confidential and sensitive items too.
    let includeWithheld: Bool

    /// The record's items, indexed once per request.
    let index: Index
    private var byReference: [String: ClinicalItem] { index.byReference }
    private var referrers: [String: [String]] { index.referrers }
    private var byKind: [ClinicalItem.Kind: [ClinicalItem]] { index.byKind }
    private var consultationOf: [String: ClinicalItem] { index.consultationOf }

    /// How a patient's items link, built from the store's columns (no bodies needed).
    struct Index {
        let byReference: [String: ClinicalItem]
        /// Items that reference each item (reverse links).
        let referrers: [String: [String]]
        /// Items of each kind, newest first.
        let byKind: [ClinicalItem.Kind: [ClinicalItem]]
        /// The consultation List of each encounter.
        let consultationOf: [String: ClinicalItem]

        init(_ items: [ClinicalItem]) {
            // One order whatever the store's collation, so every backend gives the same Bundle.
            let sorted = zip(items, items.dropFirst()).allSatisfy { $0.id < $1.id }
            let items = sorted ? items : items.sorted { $0.id < $1.id }
            var byReference: [String: ClinicalItem] = [:]
            var referrers: [String: [String]] = [:]
            for item in items {
                byReference[item.reference] = item
            }
            for item in items {
                for target in item.references where byReference[target] != nil {
                    referrers[target, default: []].append(item.reference)
                }
            }
            self.byReference = byReference
            self.referrers = referrers
            self.byKind = Dictionary(grouping: items, by: \.kind).mapValues { items in
                items.sorted { ($0.start ?? "", $0.id) > ($1.start ?? "", $1.id) }
            }
            var consultationOf: [String: ClinicalItem] = [:]
            for list in byKind[.consultationList] ?? [] {
                if let encounter = list.references.first(where: { $0.hasPrefix("Encounter/") }) { consultationOf[encounter] = list }
            }
            self.consultationOf = consultationOf
        }
    }

    /// Bodies decoded so far (each item at most once per view).
    private let decoded = DecodedBodies()

    private final class DecodedBodies {
        var bodies: [String: FHIRElement] = [:]
        var failure: (any Error)?
        var missing: Set<String> = []
    }

    /// An item's body, decoded on first use. A body that does not decode is remembered and
    /// `build` throws, so a corrupt row is never served as an empty resource; a body not read yet
    /// is remembered as missing, for the caller to read and build again.
    private func body(_ item: ClinicalItem) -> FHIRElement {
        if let body = decoded.bodies[item.reference] { return body }
        do {
            let body: FHIRElement
            if item.body == .deferred {
                guard let text = loaded[item.id] else {
                    decoded.missing.insert(item.reference)
                    return .object(FHIRObject())
                }
                body = try ClinicalItem.decode(text, id: item.id)
            } else {
                body = try item.resource()
            }
            decoded.bodies[item.reference] = body
            return body
        } catch {
            decoded.failure = error
            return .object(FHIRObject())
        }
    }

    /// Bodies read separately for items the store handed out without one.
    let loaded: [String: String]

    init(
        index: Index, query: StructuredQuery, patientID: String, state: ClinicalRecordState, disabled: Set<ClinicalArea>,
        includeWithheld: Bool, loaded: [String: String] = [:]
    ) {
        self.index = index
        self.loaded = loaded
        self.query = query
        self.patientID = patientID
        self.state = state
        self.disabled = query.fullRecord == nil ? disabled : []
        self.includeWithheld = includeWithheld
    }

    /// The clinical part of the Bundle: Lists and clinical resources, in presentation order.
    struct Result {
        var entries: [FHIRElement] = []
        /// Every reference the entries make, for the service to add Practitioners, Organizations
        /// and Locations from the directory.
        var references: Set<String> = []
        /// Areas asked for but switched off at the practice.
        var disabledAreas: [ClinicalArea] = []
        /// Items whose bodies the view needed but did not have: the result is incomplete until
        /// they are read and the view is built again.
        var missing: Set<String> = []
    }

    // MARK: - Building

    private final class Builder {
        /// Included items, in order of inclusion, and the set for lookups.
        var order: [String] = []
        var included: Set<String> = []
        var lists: [FHIRElement] = []
        /// References of included items whose target was withheld, by the list the warning goes on.
        var withheldFor: Set<String> = []
        /// Ended allergies reached from problems or consultations, by secondary list: like those
        /// of "Ended allergies", they travel contained in their list, never as entries.
        var endedAllergies: [String: [ClinicalItem]] = [:]
    }

    func build() throws -> Result {
        let builder = Builder()
        var result = Result()
        var areaLists: [(ClinicalArea, [FHIRElement])] = []
        var linkedProblems: [String] = []
        let problemsAsked = query.problems != nil && !disabled.contains(.problems)
        var primaryProblems: Set<String> = []

        for area in query.areas {
            if disabled.contains(area) {
                result.disabledAreas.append(area)
                continue
            }
            switch area {
            case .allergies:
                guard let allergies = query.allergies else { continue }
                let all = items(.allergy)
                let active = all.filter { $0.status != "resolved" }
                let (activeShown, activeWithheld) = split(active)
                include(activeShown, into: builder)
                var lists = [
                    list(
                        title: "Allergies and adverse reactions", code: .snomed("886921000000105", "Allergies and adverse reactions"),
                        entries: activeShown.map { .reference($0.reference) }, withheld: activeWithheld, area: area)
                ]
                if allergies.includeResolved {
                    let (ended, endedWithheld) = split(all.filter { $0.status == "resolved" })
                    lists.append(
                        list(
                            title: "Ended allergies", code: .snomed("1103671000000101", "Ended allergies"),
                            entries: ended.map { .reference("#" + $0.id) }, withheld: endedWithheld,
                            contained: ended.map { render($0) }, area: area))
                }
                linkedProblems += problems(linkedTo: activeShown)
                areaLists.append((area, lists))
            case .medications:
                let filter = query.medications ?? .init()
                let statements = items(.medicationStatement).filter { statement in
                    guard let from = filter.fromDate else { return true }
                    // Prescribed elsewhere is always returned; otherwise active on or after the date.
                    return statement.status == "elsewhere" || DayPeriod(start: from).overlaps(start: statement.start, end: statement.end)
                }
                let (shown, withheld) = split(statements)
                for statement in shown { includeWithSupport(statement, into: builder) }
                linkedProblems += problems(linkedTo: shown.flatMap { medicationFamily(of: $0) })
                areaLists.append(
                    (
                        area,
                        [
                            list(
                                title: "Medications and medical devices",
                                code: .snomed("933361000000108", "Medications and medical devices"),
                                entries: shown.map { .reference($0.reference) }, withheld: withheld, area: area)
                        ]
                    ))
            case .consultations:
                let filter = query.consultations ?? .init()
                var encounters = items(.encounter).filter { encounter in
                    filter.period.map { $0.overlaps(start: encounter.start, end: encounter.end ?? encounter.start) } ?? true
                }
                let (shown, withheld) = split(encounters)
                encounters = shown.sorted { ($0.start ?? "") > ($1.start ?? "") }
                if let recent = filter.mostRecent { encounters = Array(encounters.prefix(recent)) }
                let (structure, contained, problemsOfTopics) = consultationStructure(of: encounters, into: builder)
                linkedProblems += problemsOfTopics
                var lists = [
                    list(
                        title: "List of consultations", code: .snomed("1149501000000101", "List of consultations"),
                        entries: encounters.map { .reference($0.reference) }, withheld: withheld, area: area)
                ]
                lists += structure
                lists += secondaryLists(prefix: "consultations", contained, builder: builder)
                areaLists.append((area, lists))
            case .problems:
                let filter = query.problems ?? .init()
                let (shown, withheld) = split(items(.problem).filter { filter.matches($0, body: body($0)) })
                primaryProblems = Set(shown.map(\.reference))
                include(shown, into: builder)
                var related: [String: [String]] = [:]
                for problem in shown {
                    for target in Conditions.relatedContent(of: body(problem)) {
                        // Problems relate to problems through their own extension; only the
                        // problems the filter chose are sent.
                        guard let item = byReference[target], item.kind != .problem else { continue }
                        guard visible(item) else {
                            builder.withheldFor.insert(secondaryCode(prefix: "problems", for: item))
                            continue
                        }
                        if item.kind == .encounter {
                            // Sent as a resource but never listed (pack StructuredProblems "linked via
                            // context to a consultation"); with consultations asked for, only an
                            // encounter the consultation list holds may appear.
                            if query.consultations == nil { include([item], into: builder) }
                            continue
                        }
                        guard let area = listArea(of: item), !disabled.contains(area) || query.fullRecord != nil else { continue }
                        if isEnded(item) {
                            builder.endedAllergies[secondaryCode(prefix: "problems", for: item), default: []].append(item)
                            continue
                        }
                        includeWithSupport(item, into: builder)
                        related[secondaryCode(prefix: "problems", for: item), default: []].append(listedReference(of: item))
                    }
                }
                var lists = [
                    list(
                        title: "Problems", code: .snomed("717711000000103", "Problems"), entries: shown.map { .reference($0.reference) },
                        withheld: withheld, area: area)
                ]
                lists += secondaryLists(prefix: "problems", related, builder: builder)
                areaLists.append((area, lists))
            case .immunisations:
                let filter = query.immunisations ?? .init()
                let selected = items(.immunization).filter { filter.includeNotGiven || $0.status != "not-given" }
                areaLists.append(
                    (area, [simpleArea(selected, area: area, title: "Immunisations", code: "1102181000000102", builder, &linkedProblems)]))
            case .uncategorised:
                let period = query.uncategorised ?? DayPeriod()
                let selected = items(.observation).filter { period.overlaps(start: $0.start, end: $0.end ?? $0.start) }
                areaLists.append(
                    (
                        area,
                        [simpleArea(selected, area: area, title: "Uncategorised data", code: "826501000000100", builder, &linkedProblems)]
                    ))
            case .investigations:
                let period = query.investigations ?? DayPeriod()
                let selected = items(.diagnosticReport).filter { period.contains($0.start) }
                areaLists.append(
                    (
                        area,
                        [
                            simpleArea(
                                selected, area: area, title: "Investigations and results", code: "887191000000108", builder, &linkedProblems
                            )
                        ]
                    ))
            case .referrals:
                let period = query.referrals ?? DayPeriod()
                let selected = items(.referral).filter { period.contains($0.start) }
                areaLists.append(
                    (
                        area,
                        [simpleArea(selected, area: area, title: "Outbound referral", code: "792931000000107", builder, &linkedProblems)]
                    ))
            case .diary:
                let until = query.diary?.onOrBefore
                let selected = items(.diaryEntry).filter { entry in
                    guard let until, let start = entry.start else { return true }
                    return ClinicalDate.lowerBound(start) <= until
                }
                areaLists.append(
                    (
                        area,
                        [
                            simpleArea(
                                selected, area: area, title: "Patient recall administration", code: "714311000000108", builder,
                                &linkedProblems)
                        ]
                    ))
            case .documents:
                // Document metadata travels with migrate (and with consultations and problems);
                // there is no documents list.
                if query.fullRecord != nil {
                    let (shown, _) = split(items(.document))
                    include(shown, into: builder)
                }
            }
        }

        // Problems reached from other areas that the problems list does not already hold.
        var seen = Set<String>()
        let others = linkedProblems.filter { !primaryProblems.contains($0) && seen.insert($0).inserted }
        if !others.isEmpty, !(problemsAsked && query.problems?.isUnfiltered == true) {
            let problems = others.compactMap { byReference[$0] }
            include(problems, into: builder)
            builder.lists.append(
                list(
                    title: "Problems - linked problems not relating to the primary query",
                    code: .secondary("problems-linked-problems-not-relating-to-the-primary-query"),
                    entries: problems.map { .reference($0.reference) }, withheld: false))
        }

        for (_, lists) in areaLists {
            result.entries += lists
        }
        result.entries += builder.lists
        let rendered = builder.order.compactMap { byReference[$0] }.map { item in
            render(item, keeping: builder.included)
        }
        result.entries += rendered
        // Lists refer only to items and the patient; the directory resources come from the items.
        for reference in builder.order {
            for target in byReference[reference]?.references ?? [] where byReference[target] == nil {
                result.references.insert(target)
            }
        }
        if let failure = decoded.failure { throw failure }
        result.missing = decoded.missing
        return result
    }

    // MARK: - Selection helpers

    private func items(_ kind: ClinicalItem.Kind) -> [ClinicalItem] { byKind[kind] ?? [] }

    private func visible(_ item: ClinicalItem) -> Bool {
        item.confidentiality == .none || includeWithheld
    }

    /// Items shown, and whether any were withheld for confidentiality.
    private func split(_ items: [ClinicalItem]) -> ([ClinicalItem], Bool) {
        let shown = items.filter(visible)
        return (shown, shown.count < items.count)
    }

    private func include(_ items: [ClinicalItem], into builder: Builder) {
        for item in items where builder.included.insert(item.reference).inserted {
            builder.order.append(item.reference)
        }
    }

    /// An item with what it cannot be read without: the medication and authorisation behind a
    /// statement or issue, the issues of an authorisation, a report's specimens, test groups,
    /// results and request.
    private func includeWithSupport(_ item: ClinicalItem, into builder: Builder) {
        var queue = [item]
        while let next = queue.popLast() {
            guard visible(next), builder.included.insert(next.reference).inserted else { continue }
            builder.order.append(next.reference)
            for target in next.references {
                guard let supporting = byReference[target], supporting.kind.area == nil, supporting.kind != .consultationList
                else { continue }
                queue.append(supporting)
            }
            if next.kind == .medicationPlan {
                for referrer in referrers[next.reference, default: []] {
                    guard let other = byReference[referrer] else { continue }
                    if other.kind == .medicationStatement
                        || (other.kind == .medicationIssue && (query.medications?.includeIssues ?? true))
                    {
                        queue.append(other)
                    }
                }
            }
        }
    }

    /// A statement with its authorisations and issues: what a problem or topic may link to.
    private func medicationFamily(of statement: ClinicalItem) -> [ClinicalItem] {
        var family = [statement]
        for target in statement.references {
            guard let plan = byReference[target], plan.kind == .medicationPlan else { continue }
            family.append(plan)
            family += referrers[plan.reference, default: []].compactMap { byReference[$0] }.filter { $0.kind == .medicationIssue }
        }
        return family
    }

    /// Problems that link to any of the items by related clinical content.
    private func problems(linkedTo items: [ClinicalItem]) -> [String] {
        var found: [String] = []
        for item in items {
            for referrer in referrers[item.reference, default: []] {
                guard let problem = byReference[referrer], problem.kind == .problem, visible(problem),
                    Conditions.relatedContent(of: body(problem)).contains(item.reference)
                else { continue }
                found.append(problem.reference)
            }
        }
        return found
    }

    private func simpleArea(
        _ selected: [ClinicalItem], area: ClinicalArea, title: String, code: String, _ builder: Builder, _ linked: inout [String]
    ) -> FHIRElement {
        let (shown, withheld) = split(selected)
        for item in shown { includeWithSupport(item, into: builder) }
        linked += problems(linkedTo: shown)
        return list(
            title: title, code: .snomed(code, title), entries: shown.map { .reference($0.reference) }, withheld: withheld,
            area: area)
    }

    /// The area whose list an item appears on.
    private func listArea(of item: ClinicalItem) -> ClinicalArea? {
        switch item.kind {
        case .medicationPlan, .medicationIssue, .medication: .medications
        default: item.kind.area
        }
    }

    /// The reference a list uses for an item: medications are listed by their statement.
    private func listedReference(of item: ClinicalItem) -> String {
        guard item.kind == .medicationPlan || item.kind == .medicationIssue else { return item.reference }
        return medicationStatement(for: item)?.reference ?? item.reference
    }

    private func medicationStatement(for item: ClinicalItem) -> ClinicalItem? {
        var plan = item
        if item.kind == .medicationIssue {
            guard
                let found = item.references.compactMap({ byReference[$0] }).first(where: {
                    $0.kind == .medicationPlan
                })
            else { return nil }
            plan = found
        }
        return referrers[plan.reference, default: []].compactMap { byReference[$0] }.first { $0.kind == .medicationStatement }
    }

    // MARK: - Consultations

    /// The consultation, topic and heading Lists of the encounters, the items they hold (by
    /// secondary list code), and the problems their topics relate to.
    private func consultationStructure(
        of encounters: [ClinicalItem], into builder: Builder
    ) -> ([FHIRElement], [String: [String]], [String]) {
        var lists: [FHIRElement] = []
        var contained: [String: [String]] = [:]
        var problems: [String] = []
        for encounter in encounters {
            include([encounter], into: builder)
            guard let consultation = consultationOf[encounter.reference] else { continue }
            var pending = [consultation]
            var seen = Set<String>()
            while let next = pending.popLast() {
                guard seen.insert(next.reference).inserted else { continue }
                var resource = body(next).object ?? FHIRObject()
                var entries: [FHIRElement] = []
                for entry in resource["entry"]?.items ?? [] {
                    guard let target = entry["item"]?["reference"]?.string, let item = byReference[target] else { continue }
                    if item.kind == .consultationList {
                        pending.append(item)
                        entries.append(entry)
                        continue
                    }
                    guard visible(item) else {
                        builder.withheldFor.insert(secondaryCode(prefix: "consultations", for: item))
                        continue
                    }
                    if let area = listArea(of: item), disabled.contains(area) {
                        entries.append(["item": ["display": .string(area.disabledDisplay)]])
                        continue
                    }
                    if isEnded(item) {
                        builder.endedAllergies[secondaryCode(prefix: "consultations", for: item), default: []].append(item)
                        continue
                    }
                    includeWithSupport(item, into: builder)
                    entries.append(entry)
                    if item.kind == .problem {
                        problems.append(item.reference)
                    } else if item.kind != .narrative {
                        contained[secondaryCode(prefix: "consultations", for: item), default: []].append(listedReference(of: item))
                    }
                }
                // A topic's related problem is returned with it.
                for target in Conditions.relatedProblems(of: body(next)) {
                    if let problem = byReference[target], visible(problem) { problems.append(problem.reference) }
                }
                // Empty topics and headings are suppressed.
                guard !entries.isEmpty else { continue }
                resource["entry"] = .array(entries)
                let rendered = render(next, body: .object(resource))
                lists.append(rendered)
            }
        }
        return (lists, contained, problems)
    }

    // MARK: - Lists

    enum ListCode {
        case snomed(String, String)
        case secondary(String)
    }

    /// `secondary-list-code` for an item reached from consultations or problems.
    private func secondaryCode(prefix: String, for item: ClinicalItem) -> String {
        let noun: String
        switch listArea(of: item) {
        case .allergies: noun = item.status == "resolved" ? "allergies-that-have-been-ended" : "allergies"
        case .medications: noun = "medications"
        case .consultations: noun = "consultations"
        case .problems: noun = "problems"
        case .immunisations: noun = "immunisations"
        case .uncategorised, nil: noun = "uncategorised-data"
        case .investigations: noun = "investigations"
        case .referrals: noun = "outbound-referrals"
        case .diary: noun = "diary-entries"
        case .documents: noun = "documents"
        }
        if prefix == "problems" { return "problems-\(noun)-related-to-problems" }
        if noun == "outbound-referrals" { return "consultations-outbound-referrals-in-consultations" }
        return "consultations-\(noun)-contained-in-consultations"
    }

    private func secondaryLists(prefix: String, _ groups: [String: [String]], builder: Builder) -> [FHIRElement] {
        var codes = Set(groups.keys)
        // A secondary list is never empty unless it carries a warning.
        codes.formUnion(builder.withheldFor.filter { $0.hasPrefix(prefix) })
        let ended = builder.endedAllergies.filter { $0.key.hasPrefix(prefix) }
        codes.formUnion(ended.keys)
        return codes.sorted().map { code in
            var seen = Set<String>()
            let references = groups[code, default: []].filter { seen.insert($0).inserted }
            let contained = ended[code, default: []].filter { seen.insert($0.reference).inserted }
            return list(
                title: Self.secondaryTitle(code), code: .secondary(code),
                entries: references.map { .reference($0) } + contained.map { .reference("#" + $0.id) },
                withheld: builder.withheldFor.contains(code), contained: contained.map { render($0) })
        }
    }

    /// An ended allergy: sent only contained in the list that shows it.
    private func isEnded(_ item: ClinicalItem) -> Bool { item.kind == .allergy && item.status == "resolved" }

    /// `consultations-medications-contained-in-consultations` → "Consultations - medications contained in consultations".
    static func secondaryTitle(_ code: String) -> String {
        let words = code.split(separator: "-")
        guard let first = words.first else { return code }
        return first.prefix(1).uppercased() + first.dropFirst() + " - " + words.dropFirst().joined(separator: " ")
    }

    private func list(
        title: String, code: ListCode, entries: [FHIRElement], withheld: Bool, contained: [FHIRElement] = [],
        area: ClinicalArea? = nil
    ) -> FHIRElement {
        var object: FHIRObject = ["resourceType": "List", "meta": ["profile": [.string(ClinicalItem.Kind.consultationList.profile)]]]
        object.append("contained", .array(contained))
        var extensions: [FHIRElement] = [
            [
                "url": .string(StructuredURL.clinicalSetting),
                "valueCodeableConcept": .codeableConcept(
                    Code(system: CodeSystemURL.snomed, code: "1060971000000108", display: "General practice service")),
            ]
        ]
        var notes: [FHIRElement] = []
        if withheld {
            extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "confidential-items"])
            notes.append(["text": .string(StructuredText.confidentialItems)])
        }
        if let area, state.awaitingFiling.contains(area) {
            extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "data-awaiting-filing"])
            notes.append(["text": .string(StructuredText.awaitingFiling)])
        }
        if let since = state.inTransitSince {
            extensions.append(["url": .string(StructuredURL.listWarningCode), "valueCode": "data-in-transit"])
            notes.append([
                "text": .string(
                    "Patient record transfer from previous GP practice not yet complete; information recorded before \(ClinicalDate.display(since)) may be missing."
                )
            ])
        }
        object.append("extension", .array(extensions))
        object.append("status", "current")
        object.append("mode", "snapshot")
        object.append("title", .string(title))
        switch code {
        case .snomed(let value, let display):
            object.append("code", .codeableConcept(Code(system: CodeSystemURL.snomed, code: value, display: display)))
        case .secondary(let value):
            object.append(
                "code", .codeableConcept(Code(system: CodeSystemURL.secondaryListValues, code: value, display: Self.secondaryTitle(value))))
        }
        object.append("subject", .reference("Patient/\(patientID)"))
        if entries.isEmpty { notes.append(["text": .string(StructuredText.noContent)]) }
        object.append("note", .array(notes))
        object.append("entry", .array(entries.map { ["item": $0] }))
        if entries.isEmpty {
            object.append(
                "emptyReason",
                .codeableConcept(Code(system: CodeSystemURL.listEmptyReason, code: "no-content-recorded", display: "No Content Recorded")))
        }
        return .object(object)
    }

    // MARK: - Rendering

    /// The item as a resource: its body with `meta` (profile; `NOPAT` on withheld items that
    /// migrate sends). References to related items outside the response are dropped from
    /// problems, so every link in the Bundle resolves.
    private func render(_ item: ClinicalItem, body replacement: FHIRElement? = nil, keeping included: Set<String>? = nil) -> FHIRElement {
        let element = replacement ?? body(item)
        guard var body = element.object else { return element }
        if let included, item.kind == .problem {
            body = Conditions.pruningLinks(body, keeping: included.union([item.reference]))
        }
        var object: FHIRObject = ["resourceType": .string(item.kind.resourceType), "id": .string(item.id)]
        var meta: FHIRObject = ["profile": [.string(item.kind.profile)]]
        if item.confidentiality != .none {
            meta.append(
                "security",
                [
                    [
                        "system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT",
                        "display": "no disclosure to patient, family or caregivers without attending provider's authorization",
                    ]
                ])
        }
        object.append("meta", .object(meta))
        for field in body.fields where field.name != "resourceType" && field.name != "id" && field.name != "meta" {
            object.append(field.name, field.value)
        }
        return .object(object)
    }
}

extension StructuredQuery.Problems {
    func matches(_ problem: ClinicalItem, body: FHIRElement) -> Bool {
        guard !filters.isEmpty else { return true }
        let significance = Conditions.significance(of: body)
        return filters.contains { filter in
            (filter.status == nil || filter.status == problem.status)
                && (filter.significance == nil || filter.significance == significance)
        }
    }

    var isUnfiltered: Bool { filters.isEmpty }
}

/// Fixed texts of the structured lists (GP Connect 1.6.2, accessrecord_structured_development_list, "emptyReason";
/// the warning texts are the definitions in CodeSystem `CareConnect-ListWarningCode-1`).
public enum StructuredText {
    public static let confidentialItems = "Items excluded due to confidentiality and/or patient preferences."
    public static let noContent = "Information not available"
    public static let awaitingFiling =
        "Patient data may be incomplete as there is data supplied by a third party awaiting review before becoming available."
}

/// Extension URLs and code systems of Access Record Structured.
public enum StructuredURL {
    public static let clinicalSetting = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ClinicalSetting-1"
    public static let listWarningCode = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1"
    public static let relatedClinicalContent =
        "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedClinicalContent-1"
    public static let relatedProblemHeader = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedProblemHeader-1"
    public static let problemSignificance = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-ProblemSignificance-1"
}

extension CodeSystemURL {
    public static let snomed = "http://snomed.info/sct"
    public static let secondaryListValues = "https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1"
    public static let listEmptyReason = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1"
}

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

/// The problem-linking extensions of `CareConnect-GPC-ProblemHeader-Condition-1`.
enum Conditions {
    /// Items the problem relates to: its related clinical content and context.
    static func relatedContent(of condition: FHIRElement) -> [String] {
        var found: [String] = []
        for ext in condition["extension"]?.items ?? [] {
            let url = ext["url"]?.string
            if url == StructuredURL.relatedClinicalContent,
                let reference = ext["valueReference"]?["reference"]?.string
            {
                found.append(reference)
            }
        }
        if let context = condition["context"]?["reference"]?.string { found.append(context) }
        return found
    }

    /// Problems a problem (or a consultation topic) is related to.
    static func relatedProblems(of resource: FHIRElement) -> [String] {
        (resource["extension"]?.items ?? []).compactMap { ext in
            guard ext["url"]?.string == StructuredURL.relatedProblemHeader else { return nil }
            return (ext["extension"]?.items ?? []).first { $0["url"]?.string == "target" }?["valueReference"]?["reference"]?.string
        }
    }

    static func significance(of condition: FHIRElement) -> String? {
        (condition["extension"]?.items ?? []).first { $0["url"]?.string == StructuredURL.problemSignificance }?["valueCode"]?.string
    }

    /// The condition without links to items (or problems) the response does not hold.
    static func pruningLinks(_ condition: FHIRObject, keeping included: Set<String>) -> FHIRObject {
        var condition = condition
        if let extensions = condition["extension"]?.items {
            let kept = extensions.filter { ext in
                switch ext["url"]?.string {
                case StructuredURL.relatedClinicalContent:
                    return ext["valueReference"]?["reference"]?.string.map(included.contains) ?? false
                case StructuredURL.relatedProblemHeader:
                    let target = (ext["extension"]?.items ?? []).first { $0["url"]?.string == "target" }?["valueReference"]?[
                        "reference"]?.string
                    return target.map(included.contains) ?? false
                default:
                    return true
                }
            }
            condition["extension"] = kept.isEmpty ? nil : .array(kept)
        }
        if let context = condition["context"]?["reference"]?.string, !included.contains(context) {
            condition["context"] = nil
        }
        return condition
    }
}

extension ClinicalDate {
    /// `dd-Mmm-yyyy`, as the data-in-transit warning writes a date.
    static func display(_ date: String) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = lowerBound(date)
        let parts = day.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return day }
        return "\(parts[2])-\(months[month - 1])-\(parts[0])"
    }
}
