import GPConnectContract

/// How a patient's items link, built from the store's columns (no bodies needed).
struct ClinicalRecordIndex: Sendable {
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

    /// Items of a kind, newest first.
    func items(_ kind: ClinicalItem.Kind) -> [ClinicalItem] { byKind[kind] ?? [] }

    /// Items a problem relates to (related clinical content and context), other problems
    /// excluded: its references to non-problem items of the record, in body order.
    func relatedContent(of problem: ClinicalItem) -> [ClinicalItem] {
        problem.references.compactMap { byReference[$0] }.filter { $0.kind != .problem }
    }

    /// The parts of a consultation-structure List, read from its references, which follow its
    /// body (`extension`, `subject`, `encounter`, `entry`): the problems it is related to
    /// (before the subject), and its entries (after the subject and the encounter).
    func structure(of list: ClinicalItem) -> (relatedProblems: [ClinicalItem], entries: [ClinicalItem]) {
        let references = list.references
        guard let subject = references.firstIndex(where: { $0.hasPrefix("Patient/") }) else {
            return ([], references.compactMap { byReference[$0] })
        }
        let relatedProblems = references[..<subject].compactMap { byReference[$0] }.filter { $0.kind == .problem }
        var rest = references[(subject + 1)...]
        if let first = rest.first, first.hasPrefix("Encounter/") { rest = rest.dropFirst() }
        return (relatedProblems, rest.compactMap { byReference[$0] })
    }
}
