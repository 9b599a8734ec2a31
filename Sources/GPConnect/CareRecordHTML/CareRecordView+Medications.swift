import FHIR
import GPConnectContract

/// The five medication tables (GP Connect 0.7.4, accessrecord_view_medications), read from the
/// authorisations (MedicationRequest `plan`), their issues (`order`) and the Medication items.
extension CareRecordView {
    /// One authorisation as the tables show it.
    struct Authorisation {
        var item: ClinicalItem
        var type: String
        var status: String
        var drug: String
        var dosage: String
        var quantity: String
        var maxIssues: String
        var issues: [ClinicalItem]
    }

    func authorisation(_ plan: ClinicalItem) -> Authorisation {
        let body = body(plan)
        return Authorisation(
            item: plan, type: prescriptionType(body), status: body?["status"]?.string ?? "active", drug: drug(body), dosage: dosage(body),
            quantity: quantity(body), maxIssues: repeatInformation(body, "numberOfRepeatPrescriptionsAllowed"),
            issues: (index.referrers[plan.reference] ?? []).compactMap { index.byReference[$0] }.filter { $0.kind == .medicationIssue }
                .sorted { ($0.start ?? "", $0.id) < ($1.start ?? "", $1.id) })
    }

    func prescriptionType(_ body: FHIRElement?) -> String {
        for ext in body?["extension"]?.items ?? [] {
            if let display = ext["valueCodeableConcept"]?["coding"]?.items.first?["display"]?.string,
                ext["url"]?.string?.hasSuffix("PrescriptionType-1") == true
            {
                return display
            }
        }
        return "Acute"
    }

    func repeatInformation(_ body: FHIRElement?, _ name: String) -> String {
        for ext in body?["extension"]?.items ?? [] {
            for part in ext["extension"]?.items ?? [] where part["url"]?.string == name {
                return part["valueUnsignedInt"].map(Self.number) ?? ""
            }
        }
        return ""
    }

    func drug(_ body: FHIRElement?) -> String {
        guard let reference = body?["medicationReference"]?["reference"]?.string, let medication = bodies[reference] else { return "" }
        return Self.display(medication["code"])
    }

    func dosage(_ body: FHIRElement?) -> String { body?["dosageInstruction"]?.items.first?["text"]?.string ?? "" }

    func quantity(_ body: FHIRElement?) -> String {
        guard let quantity = body?["dispenseRequest"]?["quantity"] else { return "" }
        return [quantity["value"].map(Self.number), quantity["unit"]?.string].compactMap { $0 }.joined(separator: " ")
    }

    /// Days from the start to the end of the item's validity, when it has both.
    func daysDuration(_ item: ClinicalItem) -> String {
        guard let start = item.start, let end = item.end, end > start else { return "" }
        return String(ClinicalDate.days(from: start, to: end))
    }

    /// Authorisations of a kind the subsection shows, newest first, and whether any were withheld.
    func authorisations(where keep: (Authorisation) -> Bool) -> (items: [Authorisation], excluded: Bool) {
        var excluded = false
        var items: [Authorisation] = []
        for plan in index.items(.medicationPlan) {
            let authorisation = authorisation(plan)
            guard keep(authorisation) else { continue }
            if plan.confidentiality != .none { excluded = true } else { items.append(authorisation) }
        }
        return (items, excluded)
    }

    static let medicationColumns: [(name: String, date: Bool)] = [
        ("Type", false), ("Start Date", true), ("Medication Item", false), ("Dosage Instruction", false), ("Quantity", false),
    ]

    /// Acute authorisations that started in the last 365 days.
    func acuteMedication(_ frame: TimeFrame) -> Table {
        var table = Table(
            title: "Acute Medication (Last 12 Months)", id: "med-tab-acu-med",
            columns: Self.medicationColumns + [("Scheduled End Date", true), ("Days Duration", false), ("Additional Information", false)],
            timeFrame: frame)
        let since = ClinicalDate.adding(days: -365, to: today)
        let picked = authorisations { $0.type == "Acute" && ($0.item.start.map(ClinicalDate.lowerBound) ?? "") > since }
        table.excluded = picked.excluded
        table.rows = picked.items.map { plan in
            [
                plan.type, Self.day(plan.item.start), plan.drug, plan.dosage, plan.quantity, Self.day(plan.item.end),
                daysDuration(plan.item), "",
            ]
        }
        return table
    }

    func currentRepeats(_ frame: TimeFrame) -> Table {
        var table = Table(
            title: "Current Repeat Medication", id: "med-tab-curr-rep",
            columns: Self.medicationColumns + [
                ("Last Issued Date", true), ("Number of Prescriptions Issued", false), ("Max Issues", false), ("Review Date", true),
                ("Additional Information", false),
            ], timeFrame: frame)
        let picked = authorisations { $0.type == "Repeat" && $0.status == "active" }
        table.excluded = picked.excluded
        table.rows = picked.items.map { plan in
            [
                plan.type, Self.day(plan.item.start), plan.drug, plan.dosage, plan.quantity, Self.day(plan.issues.last?.start),
                String(plan.issues.count), plan.maxIssues, "", "",
            ]
        }
        return table
    }

    /// Repeat authorisations a clinician stopped.
    var discontinuedRepeats: Table {
        var table = Table(
            title: "Discontinued Repeat Medication", id: "med-tab-dis-rep",
            columns: [
                ("Type", false), ("Last Issued Date", true), ("Medication Item", false), ("Dosage Instruction", false), ("Quantity", false),
                ("Discontinued Date", true), ("Discontinuation Reason", false), ("Additional Information", false),
            ], timeFrame: .all, contentBanner: "All repeat medication ended by a clinician action")
        let picked = authorisations { $0.type == "Repeat" && $0.status == "stopped" }
        table.excluded = picked.excluded
        table.rows = picked.items.map { plan in
            [plan.type, Self.day(plan.issues.last?.start), plan.drug, plan.dosage, plan.quantity, Self.day(plan.item.end), "", ""]
        }
        return table
    }

    /// The issues in the range of every authorisation shown, grouped by medication item (by name).
    func issuesByDrug() -> (groups: [(drug: String, plans: [(Authorisation, [ClinicalItem])])], excluded: Bool) {
        var excluded = false
        var byDrug: [String: [(Authorisation, [ClinicalItem])]] = [:]
        for plan in index.items(.medicationPlan) {
            let authorisation = authorisation(plan)
            var issues: [ClinicalItem] = []
            for issue in authorisation.issues where inRange(issue, .consumer) {
                if issue.confidentiality != .none || plan.confidentiality != .none { excluded = true } else { issues.append(issue) }
            }
            if !issues.isEmpty { byDrug[authorisation.drug, default: []].append((authorisation, issues)) }
        }
        let groups = byDrug.keys.sorted().map { drug in
            (
                drug: drug,
                plans: (byDrug[drug] ?? []).sorted { ($0.0.item.start ?? "", $0.0.item.id) < ($1.0.item.start ?? "", $1.0.item.id) }
            )
        }
        return (groups, excluded)
    }

    /// One row per authorisation: the summary of its issues (first and last issue date, how many)
    /// (pack: HTML.feature, "Check HTML Medication Views and the Grouping of Entries").
    var allMedication: Table {
        var table = Table(
            title: "All Medication", id: "med-tab-all-sum",
            columns: Self.medicationColumns + [
                ("Last Issued Date", true), ("Number of Prescriptions Issued", false), ("Discontinuation Details", false),
                ("Additional Information", false),
            ], timeFrame: .consumer)
        let grouped = issuesByDrug()
        table.excluded = grouped.excluded
        table.groups = grouped.groups.map { group in
            (
                item: group.drug,
                rows: group.plans.map { plan, issues in
                    let discontinued = plan.status == "stopped" ? "Discontinued " + Self.day(plan.item.end) : ""
                    return [
                        plan.type, Self.day(issues.first?.start), plan.drug, plan.dosage, plan.quantity, Self.day(issues.last?.start),
                        String(issues.count), discontinued, "",
                    ]
                }
            )
        }
        return table
    }

    var allMedicationIssues: Table {
        var table = Table(
            title: "All Medication Issues", id: "med-tab-all-iss",
            columns: [
                ("Type", false), ("Issue Date", true), ("Medication Item", false), ("Dosage Instruction", false), ("Quantity", false),
                ("Days Duration", false), ("Additional Information", false),
            ], timeFrame: .consumer)
        let grouped = issuesByDrug()
        table.excluded = grouped.excluded
        table.groups = grouped.groups.map { group in
            (
                item: group.drug,
                rows: group.plans.flatMap { plan, issues in
                    issues.reversed().map { issue in
                        let body = body(issue)
                        return [
                            plan.type, Self.day(issue.start), plan.drug, dosage(body ?? .object([:])), quantity(body), daysDuration(issue),
                            "",
                        ]
                    }
                }
            )
        }
        return table
    }
}
