import FHIR
import Foundation
import GPConnectContract

/// Search for free slots (GP Connect 1.2.9, appointments_use_case_search_for_free_slots):
/// `GET /Slot?start=ge…&end=le…&status=free&_include=Slot:schedule`.
struct SlotSearch {
    static let maximumRange: TimeInterval = 14 * 24 * 3600 + 3600  // two weeks (plus a DST hour)

    struct Query {
        var start: Date
        var end: Date
        var organizationType: String?
        var odsCode: String?
        var includePractitioners: Bool
        var includeLocations: Bool
        var includeOrganizations: Bool
    }

    /// Reads the parameters. Missing mandatory ones are `400 BAD_REQUEST`; present but invalid
    /// ones are `422 INVALID_PARAMETER` (pack SearchForFreeSlots.feature).
    static func parse(_ query: SearchQuery) throws(GPConnectError) -> Query {
        let startValues = try query.values("start")
        let endValues = try query.values("end")
        guard startValues.count == 1 else {
            throw startValues.isEmpty ? .badRequest("Parameter start is required") : .badRequest("Parameter start must not be repeated")
        }
        guard endValues.count == 1 else {
            throw endValues.isEmpty ? .badRequest("Parameter end is required") : .badRequest("Parameter end must not be repeated")
        }
        guard let status = try query.single("status") else { throw .badRequest("Parameter status is required") }
        guard status == "free" else { throw .invalidParameter("Parameter status must be free") }
        let includes = try query.values("_include")
        guard includes.contains("Slot:schedule") else { throw .badRequest("Parameter _include=Slot:schedule is required") }
        if let unknown = includes.first(where: { $0 != "Slot:schedule" }) {
            throw .invalidParameter("_include=\(unknown) is not supported; use _include:recurse for Schedule and Location includes")
        }
        let recurse = try query.values("_include:recurse")
        let known = ["Schedule:actor:Practitioner", "Schedule:actor:Location", "Location:managingOrganization"]
        if let unknown = recurse.first(where: { !known.contains($0) }) {
            throw .invalidParameter("_include:recurse=\(unknown) is not supported")
        }

        let start = try bound(startValues[0], prefix: "ge", name: "start", endOfDay: false)
        let end = try bound(endValues[0], prefix: "le", name: "end", endOfDay: true)
        guard end >= start else { throw .invalidParameter("Parameter end must not be before start") }
        guard end.timeIntervalSince(start) <= maximumRange else { throw .invalidParameter("The search range must not exceed 14 days") }

        var organizationType: String?
        var odsCode: String?
        for filter in try query.values("searchFilter") {
            guard let bar = filter.firstIndex(of: "|") else { throw .invalidParameter("Parameter searchFilter must be system|code") }
            let system = String(filter[..<bar])
            let code = String(filter[filter.index(after: bar)...])
            switch system {
            case CodeSystemURL.organisationType:
                guard !code.isEmpty else { throw .invalidParameter("searchFilter organisation type has no code") }
                organizationType = code
            case IdentifierSystem.odsOrganizationCode:
                guard !code.isEmpty else { throw .invalidParameter("searchFilter ODS code has no value") }
                odsCode = code
            default:
                continue  // unknown filters are ignored (GP Connect 1.2.9, appointments_use_case_search_for_free_slots)
            }
        }
        return Query(
            start: start, end: end, organizationType: organizationType, odsCode: odsCode,
            includePractitioners: recurse.contains("Schedule:actor:Practitioner"),
            includeLocations: recurse.contains("Schedule:actor:Location"),
            includeOrganizations: true)
    }

    /// `ge2026-11-23T00:00:00+00:00` or `ge2026-11-23`. A date-only `le` bound includes that day.
    static func bound(_ raw: String, prefix: String, name: String, endOfDay: Bool) throws(GPConnectError) -> Date {
        guard raw.hasPrefix(prefix) else { throw .invalidParameter("Parameter \(name) must use the \(prefix) prefix") }
        guard let parsed = UKTime.parse(String(raw.dropFirst(prefix.count))) else {
            throw .invalidParameter("Parameter \(name) must be a date (yyyy-mm-dd) or a date-time with seconds and an offset")
        }
        return endOfDay && !parsed.hasTime ? UKTime.day(offset: 1, from: parsed.date) : parsed.date
    }
}
