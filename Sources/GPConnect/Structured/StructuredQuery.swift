public import FHIR
public import GPConnectContract

/// A whole-day interval for the structured filters (`consultationSearchPeriod` and friends).
/// Either end may be open.
public struct DayPeriod: Sendable, Equatable {
    public var start: String?
    public var end: String?

    public init(start: String? = nil, end: String? = nil) {
        self.start = start
        self.end = end
    }

    /// Whether an item dated by a (possibly partial) FHIR date or dateTime overlaps the period.
    /// Partial dates compare as intervals (year → the whole year, year-month → the whole month);
    /// items without a date always match (GP Connect 1.6.2, accessrecord_structured_development_retrieve_patient_record,
    /// "Unknown and partial date handling in searches").
    public func contains(_ date: String?) -> Bool {
        overlaps(start: date, end: date)
    }

    /// Whether an item running from `start` to `end` (either possibly partial or absent) overlaps.
    public func overlaps(start itemStart: String?, end itemEnd: String?) -> Bool {
        guard itemStart != nil || itemEnd != nil else { return true }
        let first = itemStart.map { ClinicalDate.lowerBound($0) } ?? "0000-01-01"
        let last = itemEnd.map { ClinicalDate.upperBound($0) } ?? "9999-12-31"
        if let start, last < start { return false }
        if let end, first > end { return false }
        return true
    }
}

/// The whole-day view of FHIR partial dates and dateTimes that the structured filters and the
/// seed's relative dates use, as text; the calendar itself is ``FHIRDate``.
public enum ClinicalDate {
    /// The day `days` after a `yyyy-MM-dd` day.
    public static func adding(days: Int, to day: String) -> String {
        guard let date = FHIRDate(day), date.precision == .day else { return day }
        return date.adding(days: days).description
    }

    /// Whole days from one `yyyy-MM-dd` day to another.
    public static func days(from start: String, to end: String) -> Int {
        func number(_ day: String) -> Int {
            guard let date = FHIRDate(day), date.precision == .day else { return 0 }
            return date.dayNumber
        }
        return number(end) - number(start)
    }

    /// The first day a partial date or dateTime can mean: `2019` → `2019-01-01`.
    public static func lowerBound(_ value: String) -> String {
        FHIRDate(value, dateTime: true)?.firstDay.description ?? String(value.prefix(10))
    }

    /// The last day it can mean: `2019` → `2019-12-31`, `2019-02` → `2019-02-28`.
    public static func upperBound(_ value: String) -> String {
        FHIRDate(value, dateTime: true)?.lastDay.description ?? String(value.prefix(10))
    }
}

/// What a `$gpc.getstructuredrecord` or `$gpc.migratestructuredrecord` request asks for, after
/// validation against the OperationDefinition and the rules of GP Connect 1.6.2
/// (accessrecord_structured_development_retrieve_patient_record, accessrecord_structured_development_migrate_patient_record).
public struct StructuredQuery: Sendable, Equatable {
    public struct Allergies: Sendable, Equatable {
        public var includeResolved: Bool
    }
    public struct Medications: Sendable, Equatable {
        public var includeIssues = true
        /// Medications active on or after this day; nil: all.
        public var fromDate: String?
    }
    public struct Consultations: Sendable, Equatable {
        public var period: DayPeriod?
        public var mostRecent: Int?
    }
    public struct Problems: Sendable, Equatable {
        public struct Filter: Sendable, Equatable {
            /// `active` or `inactive`; nil: any.
            public var status: String?
            /// `major` or `minor`; nil: any.
            public var significance: String?
        }
        /// A problem is returned when it matches any filter (each `includeProblems` parameter gives
        /// one); no filters: every problem.
        public var filters: [Filter] = []
    }
    public struct Immunisations: Sendable, Equatable {
        public var includeNotGiven = false
        public var includeStatus = true
    }

    public var nhsNumber: NHSNumber
    public var allergies: Allergies?
    public var medications: Medications?
    public var consultations: Consultations?
    public var problems: Problems?
    public var immunisations: Immunisations?
    /// Period filter of uncategorised data (an empty period: all).
    public var uncategorised: DayPeriod?
    public var investigations: DayPeriod?
    public var referrals: DayPeriod?
    /// Diary entries due on or before this day (nil: all).
    public var diary: DiaryFilter?
    /// Migrate: the whole record; `includeSensitive` adds confidential and sensitive items.
    public var fullRecord: FullRecord?
    /// Unsupported parameters, reported as warnings (getstructuredrecord only).
    public var unrecognised: [String] = []

    public struct DiaryFilter: Sendable, Equatable {
        public var onOrBefore: String?
    }
    public struct FullRecord: Sendable, Equatable {
        public var includeSensitive: Bool
    }

    public init(nhsNumber: NHSNumber) { self.nhsNumber = nhsNumber }

    /// The areas asked for, in the order the spec's bundle diagram shows them.
    public var areas: [ClinicalArea] {
        if fullRecord != nil { return ClinicalArea.allCases }
        var areas: [ClinicalArea] = []
        if allergies != nil { areas.append(.allergies) }
        if medications != nil { areas.append(.medications) }
        if consultations != nil { areas.append(.consultations) }
        if problems != nil { areas.append(.problems) }
        if immunisations != nil { areas.append(.immunisations) }
        if uncategorised != nil { areas.append(.uncategorised) }
        if investigations != nil { areas.append(.investigations) }
        if referrals != nil { areas.append(.referrals) }
        if diary != nil { areas.append(.diary) }
        return areas
    }

    /// The migrate operation's view: every area, unfiltered.
    static func fullRecord(nhsNumber: NHSNumber, includeSensitive: Bool) -> StructuredQuery {
        var query = StructuredQuery(nhsNumber: nhsNumber)
        query.fullRecord = FullRecord(includeSensitive: includeSensitive)
        query.allergies = Allergies(includeResolved: true)
        query.medications = Medications()
        query.consultations = Consultations()
        query.problems = Problems()
        query.immunisations = Immunisations(includeNotGiven: true, includeStatus: true)
        query.uncategorised = DayPeriod()
        query.investigations = DayPeriod()
        query.referrals = DayPeriod()
        query.diary = DiaryFilter()
        return query
    }
}

extension StructuredQuery {
    /// Parses and validates a `$gpc.getstructuredrecord` Parameters body.
    ///
    /// - Parameter today: the UK calendar day, `yyyy-MM-dd`, that "today" means in the rules.
    /// - Throws: `422 INVALID_RESOURCE` for a body that is not a Parameters resource,
    ///   `422 INVALID_PARAMETER` (naming the parameter) for a rule broken, `400 INVALID_NHS_NUMBER`.
    public static func parseGet(_ body: FHIRElement, today: String) throws(GPConnectError) -> StructuredQuery {
        let parameters = try ParametersReader(body)
        var query = StructuredQuery(nhsNumber: try parameters.nhsNumber())
        var parts: [String: [String]] = [:]

        for parameter in parameters.all where parameter.name != "patientNHSNumber" {
            guard let area = ClinicalArea.allCases.first(where: { $0.parameter == parameter.name && $0 != .documents }) else {
                query.unrecognised.append(parameter.name)
                continue
            }
            // includeProblems may repeat (0..*, pack StructuredProblems "repeating pair values").
            guard !parts.keys.contains(parameter.name) || area == .problems else {
                throw .invalidParameter("\(parameter.name) is given more than once")
            }
            parts[parameter.name, default: []] += parameter.parts.map(\.name)
            try parameter.requireNoValue()
            switch area {
            case .allergies:
                guard let resolved = try parameter.part("includeResolvedAllergies")?.boolean() else {
                    throw .invalidParameter("includeAllergies.includeResolvedAllergies is required")
                }
                query.allergies = Allergies(includeResolved: resolved)
            case .medications:
                var medications = Medications()
                if let issues = try parameter.part("includePrescriptionIssues")?.boolean() { medications.includeIssues = issues }
                if let from = try parameter.part("medicationSearchFromDate")?.day() {
                    guard from <= today else {
                        throw .invalidParameter("includeMedication.medicationSearchFromDate must not be in the future")
                    }
                    medications.fromDate = from
                }
                query.medications = medications
            case .consultations:
                var consultations = Consultations()
                if let period = try parameter.part("consultationSearchPeriod") {
                    consultations.period = try period.period(today: today)
                }
                if let recent = try parameter.part("includeNumberOfMostRecent") {
                    consultations.mostRecent = try recent.positiveInt()
                }
                if consultations.period != nil, consultations.mostRecent != nil {
                    throw GPConnectError(
                        .invalidResource,
                        "includeConsultations.consultationSearchPeriod and includeConsultations.includeNumberOfMostRecent cannot be used together"
                    )
                }
                query.consultations = consultations
            case .problems:
                var problems = query.problems ?? Problems()
                var filter = Problems.Filter()
                if let status = try parameter.part("filterStatus")?.code() {
                    guard status == "active" || status == "inactive" else {
                        throw .invalidParameter("includeProblems.filterStatus must be active or inactive")
                    }
                    filter.status = status
                }
                // Removed in 1.6.2 but still sent by the 1.6.0 pack (StructuredProblems "significance
                // partParameter"), so it is honoured rather than reported as unrecognised.
                if let significance = try parameter.part("filterSignificance")?.code() {
                    guard significance == "major" || significance == "minor" else {
                        throw .invalidParameter("includeProblems.filterSignificance must be major or minor")
                    }
                    filter.significance = significance
                }
                if filter != Problems.Filter() { problems.filters.append(filter) }
                query.problems = problems
            case .immunisations:
                var immunisations = Immunisations()
                if let notGiven = try parameter.part("includeNotGiven")?.boolean() { immunisations.includeNotGiven = notGiven }
                if let status = try parameter.part("includeStatus")?.boolean() { immunisations.includeStatus = status }
                query.immunisations = immunisations
            case .uncategorised:
                query.uncategorised = try parameter.part("uncategorisedDataSearchPeriod")?.period(today: today) ?? DayPeriod()
            case .investigations:
                query.investigations = try parameter.part("investigationSearchPeriod")?.period(today: today) ?? DayPeriod()
            case .referrals:
                query.referrals = try parameter.part("referralSearchPeriod")?.period(today: today) ?? DayPeriod()
            case .diary:
                var diary = DiaryFilter()
                if let date = try parameter.part("diaryEntriesSearchDate")?.day() {
                    guard date >= today else {
                        throw .invalidParameter("includeDiaryEntries.diaryEntriesSearchDate must not be in the past")
                    }
                    diary.onOrBefore = date
                }
                query.diary = diary
            case .documents:
                break
            }
            // Parts this provider does not know are reported, once each, under their parent.
            for part in parameter.parts where !Self.knownParts[area, default: []].contains(part.name) {
                query.unrecognised.append("\(parameter.name).\(part.name)")
            }
        }
        // No recognised parameter is not refused: the pack expects 200 with just the patient
        // (StructuredMultipleRequests "one parameter and no Clinical information") and 200 with
        // warnings when every parameter is unknown ("… including operation outcomes"); the spec
        // says 422 INVALID_PARAMETER.
        try checkCombinations(parts, query: query, today: today)
        return query
    }

    static let knownParts: [ClinicalArea: Set<String>] = [
        .allergies: ["includeResolvedAllergies"],
        .medications: ["includePrescriptionIssues", "medicationSearchFromDate"],
        .consultations: ["consultationSearchPeriod", "includeNumberOfMostRecent"],
        .problems: ["filterStatus", "filterSignificance"],
        .immunisations: ["includeNotGiven", "includeStatus"],
        .uncategorised: ["uncategorisedDataSearchPeriod"],
        .investigations: ["investigationSearchPeriod"],
        .referrals: ["referralSearchPeriod"],
        .diary: ["diaryEntriesSearchDate"],
    ]

    /// Filters that may not accompany consultations or problems (GP Connect 1.6.2,
    /// accessrecord_structured_development_retrieve_patient_record, "Not permitted parameter combinations"),
    /// except in the two predefined searches, which never carry them.
    static let excludedWithLinkedAreas: [(String, String)] = [
        ("includeMedication", "medicationSearchFromDate"),
        ("includeUncategorisedData", "uncategorisedDataSearchPeriod"),
        ("includeReferrals", "referralSearchPeriod"),
        ("includeDiaryEntries", "diaryEntriesSearchDate"),
        ("includeImmunisations", "includeNotGiven"),
        ("includeImmunisations", "includeStatus"),
    ]

    static func checkCombinations(_ parts: [String: [String]], query: StructuredQuery, today: String) throws(GPConnectError) {
        for anchor in ["includeConsultations", "includeProblems"] where parts[anchor] != nil {
            var excluded = excludedWithLinkedAreas
            if anchor == "includeConsultations" {
                excluded += [("includeProblems", "filterStatus"), ("includeProblems", "filterSignificance")]
            }
            for (parameter, part) in excluded where parts[parameter]?.contains(part) == true {
                if parameter == "includeMedication", part == "medicationSearchFromDate", query.isPredefinedSearch(today: today) {
                    continue
                }
                throw .invalidParameter("\(parameter).\(part) cannot be combined with \(anchor)")
            }
        }
    }

    /// The predefined searches (GP Connect 1.6.2, accessrecord_structured_development_searchMultiAreaSearches,
    /// "Predefined multi area searches for common use cases"): the last 3 consultations, all problems, and
    /// medications from a year ago. The only requests where a medication date may accompany
    /// consultations or problems; any other date is refused, as the pack expects (pack:
    /// StructuredMultipleRequests.feature, "Structured request sent with invalid parameter combination 1
    /// expected failure" sends three years ago).
    func isPredefinedSearch(today: String) -> Bool {
        guard consultations?.mostRecent == 3, consultations?.period == nil, problems?.filters.isEmpty ?? true,
            let from = medications?.fromDate
        else { return false }
        return from == ClinicalDate.adding(days: -365, to: today)
    }

    /// Parses and validates a `$gpc.migratestructuredrecord` Parameters body. Stricter than get:
    /// any unrecognised parameter is refused.
    public static func parseMigrate(_ body: FHIRElement) throws(GPConnectError) -> StructuredQuery {
        let parameters = try ParametersReader(body)
        let nhsNumber = try parameters.nhsNumber()
        var includeSensitive: Bool?
        for parameter in parameters.all where parameter.name != "patientNHSNumber" {
            guard parameter.name == "includeFullRecord" else {
                throw .invalidParameter("\(parameter.name) is an unrecognised parameter")
            }
            guard includeSensitive == nil else { throw .invalidParameter("includeFullRecord is given more than once") }
            try parameter.requireNoValue()
            for part in parameter.parts where part.name != "includeSensitiveInformation" {
                throw .invalidParameter("includeFullRecord.\(part.name) is an unrecognised parameter")
            }
            guard let sensitive = try parameter.part("includeSensitiveInformation")?.boolean() else {
                throw .invalidParameter("includeFullRecord.includeSensitiveInformation is required")
            }
            includeSensitive = sensitive
        }
        guard let includeSensitive else { throw .invalidParameter("includeFullRecord is required") }
        return .fullRecord(nhsNumber: nhsNumber, includeSensitive: includeSensitive)
    }
}

/// Reads the `parameter` array of a Parameters resource, tolerating XML's single-item form.
struct ParametersReader {
    struct Parameter {
        var name: String
        var element: FHIRObject

        var parts: [Parameter] {
            (element["part"]?.items ?? []).compactMap { part in
                guard let object = part.object, let name = object["name"]?.string else { return nil }
                return Parameter(name: name, element: object)
            }
        }

        /// The one `value[x]` of a part, by type suffix.
        func value(_ type: String) throws(GPConnectError) -> FHIRElement {
            let values = element.fields.filter { $0.name.hasPrefix("value") }
            guard let value = values.first else { throw .invalidParameter("\(name) has no value") }
            guard values.count == 1, value.name == "value" + type else {
                throw .invalidParameter("\(name) must be a value\(type)")
            }
            return value.value
        }

        func part(_ name: String) throws(GPConnectError) -> Parameter? {
            let found = parts.filter { $0.name == name }
            // A repeated part breaks the OperationDefinition's cardinality: the pack expects
            // INVALID_RESOURCE (StructuredMedications "duplicate includePrescriptionIssues").
            guard found.count <= 1 else { throw .invalidResource("\(self.name).\(name) is given more than once") }
            guard var part = found.first else { return nil }
            part.name = self.name + "." + name
            return part
        }

        func requireNoValue() throws(GPConnectError) {
            if element.fields.contains(where: { $0.name.hasPrefix("value") || $0.name == "resource" }) {
                throw .invalidParameter("\(name) does not take a value")
            }
        }

        func boolean() throws(GPConnectError) -> Bool {
            guard let flag = try value("Boolean").bool else { throw .invalidParameter("\(name) must be true or false") }
            return flag
        }

        func code() throws(GPConnectError) -> String {
            guard let code = try value("Code").string, !code.isEmpty else { throw .invalidParameter("\(name) has no value") }
            return code
        }

        func positiveInt() throws(GPConnectError) -> Int {
            guard let text = try value("PositiveInt").string, let number = Int(text), number > 0 else {
                throw .invalidParameter("\(name) must be a positive integer")
            }
            return number
        }

        /// A whole date, `yyyy-MM-dd`: no partial dates, times or offsets.
        func day() throws(GPConnectError) -> String {
            guard let text = try value("Date").string, FHIRDate.isDate(text) else {
                throw .invalidParameter("\(name) must be a whole date (yyyy-MM-dd)")
            }
            return text
        }

        /// A Period of whole dates, neither end after today, start not after end.
        func period(today: String) throws(GPConnectError) -> DayPeriod {
            guard let object = try value("Period").object else { throw .invalidParameter("\(name) must be a Period") }
            let start = object["start"]?.string
            let end = object["end"]?.string
            guard start != nil || end != nil else { throw .invalidParameter("\(name) has no start or end") }
            for bound in [start, end].compactMap({ $0 }) {
                guard FHIRDate.isDate(bound) else { throw .invalidParameter("\(name) must be whole dates (yyyy-MM-dd)") }
                guard bound <= today else { throw .invalidParameter("\(name) must not be in the future") }
            }
            if let start, let end, start > end { throw .invalidParameter("\(name) start must not be after its end") }
            return DayPeriod(start: start, end: end)
        }
    }

    let all: [Parameter]

    init(_ body: FHIRElement) throws(GPConnectError) {
        guard let object = body.object, object["resourceType"]?.string == "Parameters" else {
            throw .invalidResource("The request body must be a Parameters resource")
        }
        var all: [Parameter] = []
        for item in object["parameter"]?.items ?? [] {
            guard let parameter = item.object, let name = parameter["name"]?.string, !name.isEmpty else {
                throw .invalidResource("Every parameter must have a name")
            }
            all.append(Parameter(name: name, element: parameter))
        }
        self.all = all
    }

    func nhsNumber() throws(GPConnectError) -> NHSNumber {
        let given = all.filter { $0.name == "patientNHSNumber" }
        guard let parameter = given.first else { throw .invalidParameter("patientNHSNumber is required") }
        guard given.count == 1 else { throw .invalidParameter("patientNHSNumber is given more than once") }
        let identifier = try parameter.value("Identifier")
        guard identifier["system"]?.string == IdentifierSystem.nhsNumber else {
            throw GPConnectError(.invalidNHSNumber, "patientNHSNumber must use the system \(IdentifierSystem.nhsNumber)")
        }
        guard let value = identifier["value"]?.string, let number = NHSNumber(value) else {
            throw GPConnectError(.invalidNHSNumber, "patientNHSNumber is not a valid NHS number")
        }
        return number
    }
}
