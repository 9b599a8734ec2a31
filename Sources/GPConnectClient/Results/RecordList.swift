import FHIR

/// One `List` of a structured record Bundle: its title, its warnings and one item per entry
/// (nhsconnect/gpconnect feature/1.6.2, accessrecord_structured_development_list,
/// "List warnings" and "Empty lists").
public struct RecordList: Sendable, Equatable {
    /// One entry: when it happened and what was recorded.
    public struct Item: Sendable, Equatable {
        /// The entry's reference (`AllergyIntolerance/…`, or `#…` for a contained item).
        public var reference: String?
        /// What the entry itself says in place of an item (a disabled or withheld item).
        public var display: String?
        /// The item's clinical date as recorded (a FHIR date or dateTime, possibly partial).
        public var date: String?
        /// The coded display, the text, or the title; the resource type when none is given. Nil
        /// when the reference resolves to nothing in the Bundle.
        public var text: String?
    }

    public var title: String?
    /// The warning codes of the list's `Extension-ListWarningCode` extensions.
    public var warnings: [String]
    public var items: [Item]

    /// A list of a Bundle; `resources` resolves its references (`Type/id`).
    init(_ list: FHIRElement, resolving resources: [String: FHIRElement]) {
        title = list["title"]?.string
        warnings = (list["extension"]?.items ?? []).compactMap { $0["valueCode"]?.string }
        let contained = (list["contained"]?.items ?? []).reduce(into: [String: FHIRElement]()) {
            $0["#" + ($1["id"]?.string ?? "")] = $1
        }
        items = (list["entry"]?.items ?? []).map { entry in
            let reference = entry["item"]?["reference"]?.string
            let resource = reference.flatMap { resources[$0] ?? contained[$0] }
            return Item(
                reference: reference, display: entry["item"]?["display"]?.string, date: resource.flatMap(Self.date),
                text: resource.map { Self.text($0, resolving: resources) })
        }
    }

    /// The first coded display or text of what the item is about (a medication statement's
    /// medication, an immunisation's vaccine, a referral's service, an encounter's type).
    static func text(_ resource: FHIRElement, resolving resources: [String: FHIRElement]) -> String {
        let medication = resource["medicationReference"]?["reference"]?.string.flatMap { resources[$0] }
        let coded =
            (medication ?? resource)["code"] ?? resource["vaccineCode"] ?? resource["serviceRequested"]?.items.first
            ?? resource["type"]?.items.first
        return coded?["coding"]?.items.first?["display"]?.string ?? coded?["text"]?.string ?? resource["title"]?.string
            ?? resource["resourceType"]?.string ?? "?"
    }

    /// The first date element the resource types of the structured record carry.
    static func date(_ resource: FHIRElement) -> String? {
        [
            "assertedDate", "occurrenceDateTime", "authoredOn", "issued", "date", "effectiveDateTime", "onsetDateTime", "created",
        ].lazy.compactMap { resource[$0]?.string }.first
            ?? resource["effectivePeriod"]?["start"]?.string ?? resource["period"]?["start"]?.string
    }
}
