import GPConnectContract

/// What one structured request returns, independent of the FHIR version it is sent in: the lists
/// in presentation order, the items each holds, the items sent as resources, and the warnings.
///
/// Computed by ``StructuredSelector`` from the record index alone; items are named by their
/// `Type/id` reference, and no FHIR body is held.
struct StructuredSelection: Sendable, Equatable {
    /// One list of the response.
    struct List: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            /// An area's list (and "Ended allergies"): its title, also the display of its SNOMED code.
            case coded(title: String, snomed: String)
            /// A secondary list (`secondary-list-code`).
            case secondary(String)
            /// A consultation, topic or heading List of the record, sent with the entries kept.
            case consultation(String)
        }

        enum Entry: Sendable, Equatable {
            /// An item sent as a resource of its own (or a consultation-structure List).
            case item(String)
            /// An item sent contained in the list.
            case contained(String)
            /// An item of an area switched off at the practice: shown as that area's notice.
            case disabled(ClinicalArea, item: String)
        }

        var kind: Kind
        var entries: [Entry] = []
        /// Items left out for confidentiality (the `confidential-items` warning).
        var withheld: [String] = []
        var warnings: [Warning] = []

        /// Why the list is empty, if it is.
        var emptyReason: EmptyReason? { entries.isEmpty ? .noContentRecorded : nil }
    }

    /// `CareConnect-GPC-ListWarningCode-1`, in the order a list carries them.
    enum Warning: Sendable, Equatable {
        case confidentialItems
        case dataAwaitingFiling
        /// The record is still arriving by GP2GP; the day the patient registered here.
        case dataInTransit(since: String)
    }

    enum EmptyReason: Sendable, Equatable {
        case noContentRecorded
    }

    /// Lists in presentation order: the areas' lists (with their consultation structure and
    /// secondary lists), then linked problems.
    var lists: [List] = []
    /// Items sent as resources of their own, in order.
    var resources: [String] = []
    /// References the resources make outside the record (Practitioners, Organizations, Locations), sorted.
    var directoryReferences: [String] = []
    /// Areas asked for but switched off at the practice.
    var disabledAreas: [ClinicalArea] = []

    /// Every item whose body the response needs: resources, contained items and consultation-structure Lists.
    var itemsNeeded: [String] {
        var seen = Set<String>()
        var needed: [String] = []
        for reference in resources where seen.insert(reference).inserted { needed.append(reference) }
        for list in lists {
            if case .consultation(let reference) = list.kind, seen.insert(reference).inserted { needed.append(reference) }
            for case .contained(let reference) in list.entries where seen.insert(reference).inserted { needed.append(reference) }
        }
        return needed
    }
}
