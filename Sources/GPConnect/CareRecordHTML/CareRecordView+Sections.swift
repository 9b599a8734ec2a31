import FHIR
import GPConnectContract

/// The tables of each view, column for column as the `accessrecord_view_*` pages of GP Connect 0.7.4
/// list them (and, where the pack differs, as the pack expects: the Observations table's `Range`
/// column, pack HTML.feature "html table headers present and in order that is expected").
extension CareRecordView {
    // MARK: Summary and single-table sections

    var emergencyCodes: Table {
        var table = Table(
            title: "Emergency Codes", id: "cli-tab",
            columns: [("Date", true), ("Entry", false), ("Details", false), ("Location of further information", false)], timeFrame: .none)
        var found: [(ClinicalItem, String)] = []
        for (kind, location) in [(ClinicalItem.Kind.observation, "Clinical Items"), (.problem, "Problems and Issues")] {
            let picked = pick(kind, .none) { _ in true }
            for item in picked.items {
                guard let body = body(item), let code = Self.snomed(body["code"]), settings.emergencyCodes.contains(code) else { continue }
                found.append((item, location))
            }
        }
        found.sort { ($0.0.start ?? "", $0.0.id) > ($1.0.start ?? "", $1.0.id) }
        table.rows = found.map { item, location in
            let body = body(item)
            return [Self.day(item.start), Self.display(body?["code"]), detail(body?["code"]), location]
        }
        return table
    }

    /// The concept's text where it says more than its display.
    func detail(_ concept: FHIRElement?) -> String {
        let text = Self.text(concept)
        return text == Self.display(concept) ? "" : text
    }

    func encounters(title: String, limit: Int?, frame: TimeFrame) -> Table {
        var table = Table(title: title, id: "enc-tab", columns: [("Date", true), ("Title", false), ("Details", false)], timeFrame: frame)
        var picked = pick(.encounter, frame)
        if let limit { picked.items = Array(picked.items.prefix(limit)) }
        table.excluded = picked.excluded
        table.rows = picked.items.map { encounter in
            let body = body(encounter)
            return [Self.day(encounter.start), Self.text(body?["type"]?.items.first), consultationDetails(encounter)]
        }
        return table
    }

    /// The topics and headings of the encounter's consultation, from its consultation-structure Lists.
    func consultationDetails(_ encounter: ClinicalItem) -> String {
        guard let consultation = index.consultationOf[encounter.reference] else { return "" }
        var parts: [String] = []
        for topic in index.structure(of: consultation).entries where topic.kind == .consultationList && topic.confidentiality == .none {
            let headings = index.structure(of: topic).entries.filter { $0.kind == .consultationList && $0.confidentiality == .none }
                .compactMap { body($0)?["title"]?.string }
            let title = body(topic)?["title"]?.string ?? ""
            parts.append(headings.isEmpty ? title : title + " (" + headings.joined(separator: ", ") + ")")
        }
        return parts.joined(separator: "; ")
    }

    var referrals: Table {
        var table = Table(
            title: "Referrals", id: "ref-tab",
            columns: [("Date", true), ("From", false), ("To", false), ("Priority", false), ("Details", false)], timeFrame: .consumer)
        let picked = pick(.referral, .consumer)
        table.excluded = picked.excluded
        table.rows = picked.items.map { item in
            let body = body(item)
            let priority = body?["priority"]?.string ?? ""
            return [
                Self.day(item.start), practiceName, Self.display(body?["serviceRequested"]?.items.first),
                priority.prefix(1).uppercased() + priority.dropFirst(), body?["description"]?.string ?? "",
            ]
        }
        return table
    }

    static func hasQuantity(_ body: FHIRElement?) -> Bool { body?["valueQuantity"] != nil }

    var observations: Table {
        var table = Table(
            title: "Observations", id: "obs-tab",
            columns: [("Date", true), ("Entry", false), ("Value", false), ("Range", false), ("Details", false)], timeFrame: .consumer)
        let picked = pick(.observation, .consumer) { Self.hasQuantity(bodies[$0.reference]) }
        table.excluded = picked.excluded
        table.rows = picked.items.map { item in
            let body = body(item)
            let quantity = body?["valueQuantity"]
            let value = [quantity?["value"].map(Self.number), quantity?["unit"]?.string].compactMap { $0 }.joined(separator: " ")
            let range = body?["referenceRange"]?.items.first
            let rangeText =
                range?["text"]?.string
                ?? [range?["low"]?["value"], range?["high"]?["value"]].compactMap { $0.map(Self.number) }.joined(separator: " - ")
            return [Self.day(item.start), Self.display(body?["code"]), value, rangeText, detail(body?["code"])]
        }
        return table
    }

    static func number(_ element: FHIRElement) -> String {
        if case .number(let text) = element { return text }
        return element.string ?? ""
    }

    /// Coded entries that carry no measurement, and investigation reports.
    var clinicalItems: Table {
        var table = Table(
            title: "Clinical Items", id: "cli-tab", columns: [("Date", true), ("Entry", false), ("Details", false)], timeFrame: .consumer)
        let observations = pick(.observation, .consumer) { !Self.hasQuantity(bodies[$0.reference]) }
        let reports = pick(.diagnosticReport, .consumer)
        table.excluded = observations.excluded || reports.excluded
        let items = (observations.items + reports.items).sorted { ($0.start ?? "", $0.id) > ($1.start ?? "", $1.id) }
        table.rows = items.map { item in
            let body = body(item)
            if item.kind == .diagnosticReport {
                return [Self.day(item.start), Self.display(body?["code"]), body?["conclusion"]?.string ?? ""]
            }
            let details = [detail(body?["code"]), body?["valueString"]?.string ?? ""].filter { !$0.isEmpty }
            return [Self.day(item.start), Self.display(body?["code"]), details.joined(separator: "; ")]
        }
        return table
    }

    var immunisations: Table {
        var table = Table(
            title: "Immunisations", id: "imm-tab",
            columns: [("Date", true), ("Vaccination", false), ("Part", false), ("Contents", false), ("Details", false)], timeFrame: .none)
        let picked = pick(.immunization, .none)
        table.excluded = picked.excluded
        table.rows = picked.items.map { item in
            let body = body(item)
            let notGiven = body?["notGiven"] == .bool(true)
            let details = [detail(body?["vaccineCode"]), notGiven ? "Not given" : ""].filter { !$0.isEmpty }
            return [Self.day(item.start), Self.display(body?["vaccineCode"]), "", "", details.joined(separator: "; ")]
        }
        return table
    }

    /// Recalls and other diary entries, and filed documents.
    var administrative: Table {
        var table = Table(
            title: "Administrative Items", id: "adm-tab", columns: [("Date", true), ("Entry", false), ("Details", false)],
            timeFrame: .consumer)
        let diary = pick(.diaryEntry, .consumer)
        let documents = pick(.document, .consumer)
        table.excluded = diary.excluded || documents.excluded
        let items = (diary.items + documents.items).sorted { ($0.start ?? "", $0.id) > ($1.start ?? "", $1.id) }
        table.rows = items.map { item in
            let body = body(item)
            let concept = item.kind == .document ? body?["type"] : body?["code"]
            return [Self.day(item.start), Self.display(concept), body?["description"]?.string ?? detail(concept)]
        }
        return table
    }

    // MARK: Problems and allergies

    func activeProblems(_ frame: TimeFrame) -> Table {
        var table = Table(
            title: "Active Problems and Issues", id: "prb-tab-act",
            columns: [("Start Date", true), ("Entry", false), ("Significance", false), ("Details", false)], timeFrame: frame)
        let picked = pick(.problem, frame) { $0.status != "inactive" }
        table.excluded = picked.excluded
        table.rows = picked.items.map { item in
            let body = body(item)
            return [Self.day(item.start), Self.display(body?["code"]), significance(body), detail(body?["code"])]
        }
        return table
    }

    func significance(_ body: FHIRElement?) -> String {
        guard let body, let value = Conditions.significance(of: body) else { return "" }
        return value.prefix(1).uppercased() + value.dropFirst()
    }

    /// Major inactive problems (significance major), or the others; sorted by end date, newest first.
    func inactiveProblems(major: Bool, frame: TimeFrame) -> Table {
        var table = Table(
            title: major ? "Major Inactive Problems and Issues" : "Other Inactive Problems and Issues",
            id: major ? "prb-tab-majinact" : "prb-tab-othinact",
            columns: [("Start Date", true), ("End Date", true), ("Entry", false), ("Significance", false), ("Details", false)],
            timeFrame: frame)
        let picked = pick(.problem, frame) { item in
            item.status == "inactive" && (bodies[item.reference].flatMap(Conditions.significance(of:)) == "major") == major
        }
        table.excluded = picked.excluded
        table.rows = picked.items.sorted { ($0.end ?? "", $0.id) > ($1.end ?? "", $1.id) }.map { item in
            let body = body(item)
            return [Self.day(item.start), Self.day(item.end), Self.display(body?["code"]), significance(body), detail(body?["code"])]
        }
        return table
    }

    func allergyDetails(_ body: FHIRElement?) -> String {
        var parts = [Self.text(body?["code"])]
        if let reaction = body?["reaction"]?.items.first {
            let manifestation = Self.display(reaction["manifestation"]?.items.first)
            let severity = reaction["severity"]?.string.map { " (\($0))" } ?? ""
            if !manifestation.isEmpty { parts.append("Reaction: " + manifestation + severity) }
        }
        for ended in body?["extension"]?.items ?? [] {
            for part in ended["extension"]?.items ?? [] where part["url"]?.string == "reasonEnded" {
                if let reason = part["valueString"]?.string { parts.append("Ended: " + reason) }
            }
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    var currentAllergies: Table {
        var table = Table(
            title: "Current Allergies and Adverse Reactions", id: "all-tab-curr", columns: [("Start Date", true), ("Details", false)],
            timeFrame: .none)
        let picked = pick(.allergy, .none) { $0.status != "resolved" }
        table.excluded = picked.excluded
        table.rows = picked.items.map { [Self.day($0.start), allergyDetails(body($0))] }
        return table
    }

    var historicalAllergies: Table {
        var table = Table(
            title: "Historical Allergies and Adverse Reactions", id: "all-tab-hist",
            columns: [("Start Date", true), ("End Date", true), ("Details", false)], timeFrame: .none)
        let picked = pick(.allergy, .none) { $0.status == "resolved" }
        table.excluded = picked.excluded
        table.rows = picked.items.map { [Self.day($0.start), Self.day($0.end), allergyDetails(body($0))] }
        return table
    }
}
