import FHIR
import GPConnectContract

/// One care record section as XHTML, rendered from the same recorded items as the structured
/// record (GP Connect 0.7.4, accessrecord_html_layout and the `accessrecord_view_*` pages): the
/// section title, the GP-transfer banner, then each subsection with its date banner, exclusion
/// banner and table (or the "No '…' data is recorded" fragment), with the table ids, columns and
/// `date-column` / `med-item-column` classes the views mandate.
struct CareRecordView {
    let query: CareRecordQuery
    let index: ClinicalRecordIndex
    /// Bodies by `Type/id`, for the items ``neededItems`` named.
    var bodies: [String: FHIRElement] = [:]
    let state: ClinicalRecordState
    let settings: CareRecordSettings
    let today: String
    /// The practice's name: where a referral is from.
    var practiceName = ""

    /// How a subsection treats dates.
    enum TimeFrame {
        /// Never filtered; no date banner (SUM, ALL, IMM).
        case none
        /// Always every item; "Date filter not applied" when the consumer sent a range.
        case all
        /// Filtered by the consumer's range (or the configured default).
        case consumer
    }

    /// A table: its id, columns (`true`: a `date-column`), and rows of cells.
    struct Table {
        var title: String
        var id: String
        var columns: [(name: String, date: Bool)]
        var rows: [[String]] = []
        /// Rows grouped under a `med-item-column` row naming the medication item.
        var groups: [(item: String, rows: [[String]])]?
        var excluded = false
        var timeFrame: TimeFrame
        var contentBanner: String?
        var isEmpty: Bool { groups.map { $0.isEmpty } ?? rows.isEmpty }
    }

    // MARK: Choosing items

    /// The range applied to "consumer supplied" subsections: the consumer's, else the default.
    var range: (start: String?, end: String?, isDefault: Bool)? {
        if query.hasPeriod { return (query.start, query.end, false) }
        if let months = settings.defaultPeriodMonths[query.section], months > 0 {
            return (Self.day(months: months, before: today), nil, true)
        }
        return nil
    }

    /// The same day `months` calendar months earlier (the last day of a shorter month).
    static func day(months: Int, before day: String) -> String {
        guard let date = FHIRDate(day), date.precision == .day else { return day }
        var year = date.year
        var month = date.month - months
        while month < 1 {
            month += 12
            year -= 1
        }
        return FHIRDate(year: year, month: month, day: min(date.day, FHIRDate.daysIn(month: month, year: year)))?.description ?? day
    }

    func inRange(_ item: ClinicalItem, _ frame: TimeFrame) -> Bool {
        guard frame == .consumer, let range else { return true }
        guard let day = item.start.map(ClinicalDate.lowerBound) else { return range.start == nil && range.end == nil }
        if let start = range.start, day < start { return false }
        if let end = range.end, day > end { return false }
        return true
    }

    /// Items of a kind that the subsection shows, newest first, and whether any were withheld.
    func pick(_ kind: ClinicalItem.Kind, _ frame: TimeFrame, where keep: (ClinicalItem) -> Bool = { _ in true })
        -> (items: [ClinicalItem], excluded: Bool)
    {
        var excluded = false
        var items: [ClinicalItem] = []
        for item in index.items(kind) where keep(item) && inRange(item, frame) {
            if item.confidentiality != .none {
                excluded = true
            } else {
                items.append(item)
            }
        }
        return (items, excluded)
    }

    /// Every item whose body the section reads.
    var neededItems: [ClinicalItem] {
        let kinds: [ClinicalItem.Kind] =
            switch query.section {
            case .summary: [.encounter, .consultationList, .problem, .allergy, .medicationPlan, .medication, .observation]
            case .problems: [.problem]
            case .encounters: [.encounter, .consultationList]
            case .allergies: [.allergy]
            case .medications: [.medicationPlan, .medicationIssue, .medication]
            case .referrals: [.referral]
            case .observations, .clinicalItems: [.observation, .diagnosticReport]
            case .immunisations: [.immunization]
            case .administrative: [.diaryEntry, .document]
            }
        if query.section == .summary {
            // The summary reads three consultations, not the whole consultation history.
            let encounters = Set(lastEncounters.map(\.reference))
            let consultations = encounters.compactMap { index.consultationOf[$0] }
            let topics = consultations.flatMap { index.structure(of: $0).entries }
            let headings = topics.flatMap { index.structure(of: $0).entries }
            let lists = Set((consultations + topics + headings).map(\.reference))
            return kinds.flatMap { kind in
                index.items(kind).filter { item in
                    switch kind {
                    case .encounter: encounters.contains(item.reference)
                    case .consultationList: lists.contains(item.reference)
                    default: true
                    }
                }
            }
        }
        return kinds.flatMap { index.items($0) }
    }

    var lastEncounters: [ClinicalItem] { Array(pick(.encounter, .none).items.prefix(3)) }

    // MARK: Reading bodies

    func body(_ item: ClinicalItem) -> FHIRElement? { bodies[item.reference] }

    static func text(_ concept: FHIRElement?) -> String {
        guard let concept else { return "" }
        if let text = concept["text"]?.string, !text.isEmpty { return text }
        return concept["coding"]?.items.first?["display"]?.string ?? ""
    }

    static func display(_ concept: FHIRElement?) -> String {
        concept?["coding"]?.items.first?["display"]?.string ?? text(concept)
    }

    static func snomed(_ concept: FHIRElement?) -> String? { concept?["coding"]?.items.first?["code"]?.string }

    static func day(_ value: String?) -> String { value.map { ClinicalDate.display($0) } ?? "" }

    /// `2019-03-04T10:00:00+00:00` or a date → `04-Mar-2019`.
    static func day(of element: FHIRElement?) -> String { element?.string.map { ClinicalDate.display($0) } ?? "" }

    // MARK: The view

    func render() -> String {
        var html = XHTML()
        html.openRoot()
        html.element(.h1, query.section.title)
        if let since = state.inTransitSince {
            html.banner(
                "gptransfer-banner",
                "Patient record transfer from previous GP practice not yet complete; information recorded before "
                    + ClinicalDate.display(since) + " may be missing")
        }
        let tables = self.tables
        if tables.count == 1, let table = tables.first, table.title == query.section.title {
            write(table, into: &html)
        } else {
            for table in tables {
                html.open(.div)
                html.element(.h2, table.title)
                write(table, into: &html)
                html.close(.div)
            }
        }
        html.close(.div)
        return html.text
    }

    func write(_ table: Table, into html: inout XHTML) {
        if let banner = table.contentBanner { html.banner("content-banner", banner) }
        if let text = dateBanner(table.timeFrame) { html.banner("date-banner", text) }
        if table.excluded { html.banner("exclusion-banner", "Items excluded due to confidentiality and/or patient preferences") }
        guard !table.isEmpty else {
            html.element(.p, "No '\(table.title)' data is recorded for this patient.")
            return
        }
        html.open(.table, id: table.id)
        html.open(.thead)
        html.open(.tr)
        for column in table.columns { html.element(.th, column.name) }
        html.close(.tr)
        html.close(.thead)
        html.open(.tbody)
        func row(_ cells: [String]) {
            html.open(.tr)
            for (cell, column) in zip(cells, table.columns) { html.element(.td, cell, className: column.date ? "date-column" : nil) }
            html.close(.tr)
        }
        if let groups = table.groups {
            for group in groups {
                html.open(.tr)
                html.open(.td, className: "med-item-column", colspan: table.columns.count)
                html.element(.strong, group.item)
                html.close(.td)
                html.close(.tr)
                group.rows.forEach(row)
            }
        } else {
            table.rows.forEach(row)
        }
        html.close(.tbody)
        html.close(.table)
    }

    /// The date banner of a subsection (GP Connect 0.7.4, accessrecord_html_layout, "Date banner"), with the
    /// dates quoted as the pack compares them (pack: HtmlSteps.cs, "applied start date banner text").
    func dateBanner(_ frame: TimeFrame) -> String? {
        switch frame {
        case .none: return nil
        case .all: return range == nil ? nil : "Date filter not applied"
        case .consumer:
            guard let range else { return "All relevant items" }
            if range.isDefault, let start = range.start { return "All data items from \(ClinicalDate.display(start))" }
            switch (range.start, range.end) {
            case (let start?, let end?): return "For the period '\(ClinicalDate.display(start))' to '\(ClinicalDate.display(end))'"
            case (let start?, nil): return "Data items from '\(ClinicalDate.display(start))'"
            case (nil, let end?): return "Data items until '\(ClinicalDate.display(end))'"
            case (nil, nil): return "All relevant items"
            }
        }
    }

    var tables: [Table] {
        switch query.section {
        case .summary:
            [
                emergencyCodes, encounters(title: "Last 3 Encounters", limit: 3, frame: .none),
                activeProblems(.none), inactiveProblems(major: true, frame: .none), currentAllergies, acuteMedication(.none),
                currentRepeats(.none),
            ]
        case .problems:
            [activeProblems(.all), inactiveProblems(major: true, frame: .consumer), inactiveProblems(major: false, frame: .consumer)]
        case .encounters: [encounters(title: "Encounters", limit: nil, frame: .consumer)]
        case .allergies: [currentAllergies, historicalAllergies]
        case .medications: [acuteMedication(.all), currentRepeats(.all), discontinuedRepeats, allMedication, allMedicationIssues]
        case .referrals: [referrals]
        case .observations: [observations]
        case .immunisations: [immunisations]
        case .administrative: [administrative]
        case .clinicalItems: [clinicalItems]
        }
    }
}
