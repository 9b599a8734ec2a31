import FHIR
import GPConnectContract

/// A `$gpc.getcarerecord` request after validation (GP Connect 0.7.4,
/// accessrecord_use_case_retrieve_a_care_record_section, "Request body"; OperationDefinition
/// `gpconnect-carerecord-operation-1`), with the codes and statuses the 0.7.4 pack expects.
struct CareRecordQuery: Sendable, Equatable {
    var nhsNumber: NHSNumber
    var section: CareRecordSection
    /// The consumer's range as whole days (`yyyy-MM-dd`), either end open.
    var start: String?
    var end: String?

    var hasPeriod: Bool { start != nil || end != nil }

    static let names: Set<String> = ["patientNHSNumber", "recordSection", "timePeriod"]

    /// - Throws: the pack's refusals, in the order it checks them (pack: AccessRecord.feature,
    ///   branch feature/0.7.4): not a Parameters resource → 422 `INVALID_RESOURCE`; an unknown
    ///   parameter name (any case difference) → 422 `INVALID_PARAMETER`; a missing, repeated or
    ///   wrongly typed NHS number or section → 400 `BAD_REQUEST`; the NHS number's system → 400
    ///   `INVALID_IDENTIFIER_SYSTEM`, its value → 400 `INVALID_NHS_NUMBER`; a section system other
    ///   than the record-section value set → 400, an empty system or an unknown code → 422
    ///   `INVALID_PARAMETER`; a bad or reversed period → 422 `INVALID_PARAMETER`; a period for a
    ///   section that takes none → 400 (GP Connect 0.7.4, accessrecord_html_layout, "Per section default time frames").
    static func parse(_ body: FHIRElement) throws(GPConnectError) -> CareRecordQuery {
        guard body["resourceType"]?.string == "Parameters" else {
            throw .invalidResource("The request body must be a Parameters resource")
        }
        let parameters = body["parameter"]?.items ?? []
        for parameter in parameters {
            guard let name = parameter["name"]?.string, names.contains(name) else {
                throw GPConnectError(.invalidParameter, "Unknown parameter \(parameter["name"]?.string ?? "without a name")")
            }
        }
        func single(_ name: String) throws(GPConnectError) -> FHIRElement? {
            let matching = parameters.filter { $0["name"]?.string == name }
            guard matching.count <= 1 else { throw .badRequest("Parameter \(name) may be sent once") }
            return matching.first
        }

        guard let nhsParameter = try single("patientNHSNumber") else { throw .badRequest("Parameter patientNHSNumber is required") }
        guard let identifier = nhsParameter["valueIdentifier"], identifier.object != nil else {
            throw .badRequest("Parameter patientNHSNumber must be an Identifier")
        }
        guard identifier["system"]?.string == DSTU2System.nhsNumber else {
            throw GPConnectError(.invalidIdentifierSystem, "patientNHSNumber must have the system \(DSTU2System.nhsNumber)")
        }
        guard let value = identifier["value"]?.string, let nhsNumber = NHSNumber(value) else {
            throw GPConnectError(.invalidNHSNumber, "patientNHSNumber is not a valid NHS number")
        }

        guard let sectionParameter = try single("recordSection") else { throw .badRequest("Parameter recordSection is required") }
        guard let concept = sectionParameter["valueCodeableConcept"], concept.object != nil else {
            throw .badRequest("Parameter recordSection must be a CodeableConcept")
        }
        let coding = concept["coding"]?.items.first
        let system = coding?["system"]?.string ?? ""
        guard !system.isEmpty else { throw GPConnectError(.invalidParameter, "recordSection must carry a coding system") }
        guard system == DSTU2System.recordSection else {
            // pack: AccessRecord.feature, "Record section with invalid system for codable concept" → 400.
            throw .badRequest("recordSection must be coded in \(DSTU2System.recordSection)")
        }
        guard let code = coding?["code"]?.string, let section = CareRecordSection(rawValue: code) else {
            throw GPConnectError(.invalidParameter, "recordSection is not a care record section code (upper case)")
        }

        var query = CareRecordQuery(nhsNumber: nhsNumber, section: section)
        if let periodParameter = try single("timePeriod") {
            guard let period = periodParameter["valuePeriod"], period.object != nil else {
                throw GPConnectError(.invalidParameter, "timePeriod must be a Period")
            }
            let start = period["start"]?.string
            let end = period["end"]?.string
            // pack: HTML.feature, "check when empty date range supplied a 422 invalid Param error is returned".
            guard start?.isEmpty == false || end?.isEmpty == false else {
                throw GPConnectError(.invalidParameter, "timePeriod needs a start or an end")
            }
            if let start { query.start = try day(start, last: false) }
            if let end { query.end = try day(end, last: true) }
            if let from = query.start, let to = query.end, from > to {
                throw GPConnectError(.invalidParameter, "timePeriod starts after it ends")
            }
            guard section.acceptsTimePeriod else {
                throw .badRequest("The \(section.title) section does not take a time period")
            }
        }
        return query
    }

    /// The first (`last: false`) or last day a FHIR date or dateTime means. A dateTime needs its
    /// offset (pack: AccessRecord.feature, "check invalid dateTime format variations").
    static func day(_ text: String, last: Bool) throws(GPConnectError) -> String {
        if text.contains("T") {
            guard UKTime.parse(text) != nil, let date = FHIRDate(text, dateTime: true) else {
                throw GPConnectError(.invalidParameter, "timePeriod dates must be FHIR dates, or dateTimes with an offset")
            }
            return date.description
        }
        guard let date = FHIRDate(text) else { throw GPConnectError(.invalidParameter, "timePeriod dates must be FHIR dates") }
        return (last ? date.lastDay : date.firstDay).description
    }
}
