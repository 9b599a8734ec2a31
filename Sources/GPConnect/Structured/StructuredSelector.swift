import GPConnectContract

/// Chooses what a structured request returns from the record index: the areas asked for, their
/// filters, confidentiality, problem linkage and containment (nhsconnect/gpconnect feature/1.6.2,
/// accessrecord_structured_development_lists_for_message_structure and the per-area pages).
///
/// Pure and synchronous, and reads no FHIR body: links come from the references the store keeps
/// beside each item.
struct StructuredSelector {
    let index: ClinicalRecordIndex
    let query: StructuredQuery
    let state: ClinicalRecordState
    /// Areas the practice has switched off (ignored by migrate).
    let disabled: Set<ClinicalArea>
    /// Migrate with `includeSensitiveInformation=true`: confidential and sensitive items too.
    let includeWithheld: Bool
    /// Problem significance (`major`/`minor`) by reference, for queries that filter on it.
    let significance: [String: String]

    init(
        index: ClinicalRecordIndex, query: StructuredQuery, state: ClinicalRecordState, disabled: Set<ClinicalArea>,
        includeWithheld: Bool, significance: [String: String] = [:]
    ) {
        self.index = index
        self.query = query
        self.state = state
        self.disabled = query.fullRecord == nil ? disabled : []
        self.includeWithheld = includeWithheld
        self.significance = significance
    }

    /// Whether selecting needs the problems' significance, which only their bodies hold.
    static func needsSignificance(_ query: StructuredQuery, disabled: Set<ClinicalArea>) -> Bool {
        guard let problems = query.problems, query.fullRecord != nil || !disabled.contains(.problems) else { return false }
        return problems.filters.contains { $0.significance != nil }
    }

    private var byReference: [String: ClinicalItem] { index.byReference }
    private var referrers: [String: [String]] { index.referrers }

    private final class Builder {
        /// Included items, in order of inclusion, and the set for lookups.
        var order: [String] = []
        var included: Set<String> = []
        var lists: [StructuredSelection.List] = []
        /// Withheld targets of included items, by the secondary list the warning goes on.
        var withheldFor: [String: [String]] = [:]
        /// Ended allergies reached from problems or consultations, by secondary list: like those
        /// of "Ended allergies", they travel contained in their list, never as entries.
        var endedAllergies: [String: [ClinicalItem]] = [:]
    }

    func select() -> StructuredSelection {
        let builder = Builder()
        var selection = StructuredSelection()
        var areaLists: [[StructuredSelection.List]] = []
        var linkedProblems: [String] = []
        let problemsAsked = query.problems != nil && !disabled.contains(.problems)
        var primaryProblems: Set<String> = []

        for area in query.areas {
            if disabled.contains(area) {
                selection.disabledAreas.append(area)
                continue
            }
            switch area {
            case .allergies:
                guard let allergies = query.allergies else { continue }
                let all = index.items(.allergy)
                let (activeShown, activeWithheld) = split(all.filter { $0.status != "resolved" })
                include(activeShown, into: builder)
                var lists = [
                    list(
                        .coded(title: "Allergies and adverse reactions", snomed: "886921000000105"),
                        entries: activeShown.map { .item($0.reference) }, withheld: activeWithheld, area: area)
                ]
                if allergies.includeResolved {
                    let (ended, endedWithheld) = split(all.filter { $0.status == "resolved" })
                    lists.append(
                        list(
                            .coded(title: "Ended allergies", snomed: "1103671000000101"),
                            entries: ended.map { .contained($0.reference) }, withheld: endedWithheld, area: area))
                }
                linkedProblems += problems(linkedTo: activeShown)
                areaLists.append(lists)
            case .medications:
                let filter = query.medications ?? .init()
                let statements = index.items(.medicationStatement).filter { statement in
                    guard let from = filter.fromDate else { return true }
                    // Prescribed elsewhere is always returned; otherwise active on or after the date.
                    return statement.status == "elsewhere" || DayPeriod(start: from).overlaps(start: statement.start, end: statement.end)
                }
                let (shown, withheld) = split(statements)
                for statement in shown { includeWithSupport(statement, into: builder) }
                linkedProblems += problems(linkedTo: shown.flatMap { medicationFamily(of: $0) })
                areaLists.append([
                    list(
                        .coded(title: "Medications and medical devices", snomed: "933361000000108"),
                        entries: shown.map { .item($0.reference) }, withheld: withheld, area: area)
                ])
            case .consultations:
                let filter = query.consultations ?? .init()
                var encounters = index.items(.encounter).filter { encounter in
                    filter.period.map { $0.overlaps(start: encounter.start, end: encounter.end ?? encounter.start) } ?? true
                }
                let (shown, withheld) = split(encounters)
                encounters = shown.sorted { ($0.start ?? "") > ($1.start ?? "") }
                if let recent = filter.mostRecent { encounters = Array(encounters.prefix(recent)) }
                let (structure, contained, problemsOfTopics) = consultationStructure(of: encounters, into: builder)
                linkedProblems += problemsOfTopics
                var lists = [
                    list(
                        .coded(title: "List of consultations", snomed: "1149501000000101"),
                        entries: encounters.map { .item($0.reference) }, withheld: withheld, area: area)
                ]
                lists += structure
                lists += secondaryLists(prefix: "consultations", contained, builder: builder)
                areaLists.append(lists)
            case .problems:
                let filter = query.problems ?? .init()
                let (shown, withheld) = split(
                    index.items(.problem).filter { filter.matches($0, significance: significance[$0.reference]) })
                primaryProblems = Set(shown.map(\.reference))
                include(shown, into: builder)
                var related: [String: [String]] = [:]
                for problem in shown {
                    // Problems relate to problems through their own extension; only the problems
                    // the filter chose are sent.
                    for item in index.relatedContent(of: problem) {
                        guard visible(item) else {
                            builder.withheldFor[secondaryCode(prefix: "problems", for: item), default: []].append(item.reference)
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
                        .coded(title: "Problems", snomed: "717711000000103"), entries: shown.map { .item($0.reference) },
                        withheld: withheld, area: area)
                ]
                lists += secondaryLists(prefix: "problems", related, builder: builder)
                areaLists.append(lists)
            case .immunisations:
                let filter = query.immunisations ?? .init()
                let selected = index.items(.immunization).filter { filter.includeNotGiven || $0.status != "not-given" }
                areaLists.append([
                    simpleArea(selected, area: area, title: "Immunisations", code: "1102181000000102", builder, &linkedProblems)
                ])
            case .uncategorised:
                let period = query.uncategorised ?? DayPeriod()
                let selected = index.items(.observation).filter { period.overlaps(start: $0.start, end: $0.end ?? $0.start) }
                areaLists.append([
                    simpleArea(selected, area: area, title: "Uncategorised data", code: "826501000000100", builder, &linkedProblems)
                ])
            case .investigations:
                let period = query.investigations ?? DayPeriod()
                let selected = index.items(.diagnosticReport).filter { period.contains($0.start) }
                areaLists.append([
                    simpleArea(
                        selected, area: area, title: "Investigations and results", code: "887191000000108", builder, &linkedProblems)
                ])
            case .referrals:
                let period = query.referrals ?? DayPeriod()
                let selected = index.items(.referral).filter { period.contains($0.start) }
                areaLists.append([
                    simpleArea(selected, area: area, title: "Outbound referral", code: "792931000000107", builder, &linkedProblems)
                ])
            case .diary:
                let until = query.diary?.onOrBefore
                let selected = index.items(.diaryEntry).filter { entry in
                    guard let until, let start = entry.start else { return true }
                    return ClinicalDate.lowerBound(start) <= until
                }
                areaLists.append([
                    simpleArea(
                        selected, area: area, title: "Patient recall administration", code: "714311000000108", builder,
                        &linkedProblems)
                ])
            case .documents:
                // Document metadata travels with migrate (and with consultations and problems);
                // there is no documents list.
                if query.fullRecord != nil {
                    let (shown, _) = split(index.items(.document))
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
                    .secondary("problems-linked-problems-not-relating-to-the-primary-query"),
                    entries: problems.map { .item($0.reference) }, withheld: []))
        }

        selection.lists = areaLists.flatMap { $0 } + builder.lists
        selection.resources = builder.order
        // Lists refer only to items and the patient; the directory resources come from the items.
        var directory = Set<String>()
        for reference in builder.order {
            for target in byReference[reference]?.references ?? [] where byReference[target] == nil {
                directory.insert(target)
            }
        }
        selection.directoryReferences = directory.sorted()
        return selection
    }

    // MARK: - Selection helpers

    private func visible(_ item: ClinicalItem) -> Bool {
        item.confidentiality == .none || includeWithheld
    }

    /// Items shown, and the references of those withheld for confidentiality.
    private func split(_ items: [ClinicalItem]) -> ([ClinicalItem], [String]) {
        var shown: [ClinicalItem] = []
        var withheld: [String] = []
        for item in items {
            if visible(item) { shown.append(item) } else { withheld.append(item.reference) }
        }
        return (shown, withheld)
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

    /// Problems that link to any of the (non-problem) items by related clinical content.
    private func problems(linkedTo items: [ClinicalItem]) -> [String] {
        var found: [String] = []
        for item in items where item.kind != .problem {
            for referrer in referrers[item.reference, default: []] {
                guard let problem = byReference[referrer], problem.kind == .problem, visible(problem) else { continue }
                found.append(problem.reference)
            }
        }
        return found
    }

    private func simpleArea(
        _ selected: [ClinicalItem], area: ClinicalArea, title: String, code: String, _ builder: Builder, _ linked: inout [String]
    ) -> StructuredSelection.List {
        let (shown, withheld) = split(selected)
        for item in shown { includeWithSupport(item, into: builder) }
        linked += problems(linkedTo: shown)
        return list(.coded(title: title, snomed: code), entries: shown.map { .item($0.reference) }, withheld: withheld, area: area)
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
            guard let found = item.references.compactMap({ byReference[$0] }).first(where: { $0.kind == .medicationPlan }) else {
                return nil
            }
            plan = found
        }
        return referrers[plan.reference, default: []].compactMap { byReference[$0] }.first { $0.kind == .medicationStatement }
    }

    /// An ended allergy: sent only contained in the list that shows it.
    private func isEnded(_ item: ClinicalItem) -> Bool { item.kind == .allergy && item.status == "resolved" }

    // MARK: - Consultations

    /// The consultation, topic and heading Lists of the encounters, the items they hold (by
    /// secondary list code), and the problems their topics relate to.
    private func consultationStructure(
        of encounters: [ClinicalItem], into builder: Builder
    ) -> ([StructuredSelection.List], [String: [String]], [String]) {
        var lists: [StructuredSelection.List] = []
        var contained: [String: [String]] = [:]
        var problems: [String] = []
        for encounter in encounters {
            include([encounter], into: builder)
            guard let consultation = index.consultationOf[encounter.reference] else { continue }
            var pending = [consultation]
            var seen = Set<String>()
            while let next = pending.popLast() {
                guard seen.insert(next.reference).inserted else { continue }
                let (relatedProblems, targets) = index.structure(of: next)
                var entries: [StructuredSelection.List.Entry] = []
                for item in targets {
                    if item.kind == .consultationList {
                        pending.append(item)
                        entries.append(.item(item.reference))
                        continue
                    }
                    guard visible(item) else {
                        builder.withheldFor[secondaryCode(prefix: "consultations", for: item), default: []].append(item.reference)
                        continue
                    }
                    if let area = listArea(of: item), disabled.contains(area) {
                        entries.append(.disabled(area, item: item.reference))
                        continue
                    }
                    if isEnded(item) {
                        builder.endedAllergies[secondaryCode(prefix: "consultations", for: item), default: []].append(item)
                        continue
                    }
                    includeWithSupport(item, into: builder)
                    entries.append(.item(item.reference))
                    if item.kind == .problem {
                        problems.append(item.reference)
                    } else if item.kind != .narrative {
                        contained[secondaryCode(prefix: "consultations", for: item), default: []].append(listedReference(of: item))
                    }
                }
                // A topic's related problem is returned with it.
                for problem in relatedProblems where visible(problem) { problems.append(problem.reference) }
                // Empty topics and headings are suppressed.
                guard !entries.isEmpty else { continue }
                lists.append(StructuredSelection.List(kind: .consultation(next.reference), entries: entries))
            }
        }
        return (lists, contained, problems)
    }

    // MARK: - Lists

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

    private func secondaryLists(prefix: String, _ groups: [String: [String]], builder: Builder) -> [StructuredSelection.List] {
        var codes = Set(groups.keys)
        // A secondary list is never empty unless it carries a warning.
        let withheld = builder.withheldFor.filter { $0.key.hasPrefix(prefix) }
        codes.formUnion(withheld.keys)
        let ended = builder.endedAllergies.filter { $0.key.hasPrefix(prefix) }
        codes.formUnion(ended.keys)
        return codes.sorted().map { code in
            var seen = Set<String>()
            let references = groups[code, default: []].filter { seen.insert($0).inserted }
            let contained = ended[code, default: []].filter { seen.insert($0.reference).inserted }
            return list(
                .secondary(code), entries: references.map { .item($0) } + contained.map { .contained($0.reference) },
                withheld: withheld[code, default: []])
        }
    }

    private func list(
        _ kind: StructuredSelection.List.Kind, entries: [StructuredSelection.List.Entry], withheld: [String],
        area: ClinicalArea? = nil
    ) -> StructuredSelection.List {
        var warnings: [StructuredSelection.Warning] = []
        if !withheld.isEmpty { warnings.append(.confidentialItems) }
        if let area, state.awaitingFiling.contains(area) { warnings.append(.dataAwaitingFiling) }
        if let since = state.inTransitSince { warnings.append(.dataInTransit(since: since)) }
        return StructuredSelection.List(kind: kind, entries: entries, withheld: withheld, warnings: warnings)
    }
}
