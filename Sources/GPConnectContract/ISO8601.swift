public import Foundation

/// FHIR date and instant formatting in UTC.
///
/// Written from the calendar fields directly (`gmtime_r`): `instant` runs for every audited
/// request, and `Date.ISO8601FormatStyle` cost several microseconds per call. The output is the
/// same as `Date.ISO8601FormatStyle(timeZone: .gmt)` for the years 0000–9999.
public enum ISO8601 {
    /// `2026-11-22T01:44:13Z` (an `instant` to the second).
    public static func instant(_ date: Date) -> String {
        guard let fields = utc(date) else { return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)) }
        var text = day(fields)
        text.reserveCapacity(20)
        text += "T"
        text += twoDigits(fields.tm_hour) + ":" + twoDigits(fields.tm_min) + ":" + twoDigits(fields.tm_sec) + "Z"
        return text
    }

    /// `2026-11-22` in UTC.
    public static func day(_ date: Date) -> String {
        guard let fields = utc(date) else {
            return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash))
        }
        return day(fields)
    }

    /// The UTC calendar fields of a date within the years 0000–9999, or nil outside them.
    static func utc(_ date: Date) -> tm? {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // 0000-01-01 … 9999-12-31 in seconds since 1970.
        guard seconds >= -62_167_219_200, seconds < 253_402_300_800 else { return nil }
        var time = time_t(seconds)
        var fields = tm()
        guard gmtime_r(&time, &fields) != nil else { return nil }
        return fields
    }

    static func day(_ fields: tm) -> String {
        let year = Int(fields.tm_year) + 1900
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + twoDigits(fields.tm_mon + 1) + "-"
            + twoDigits(fields.tm_mday)
    }

    static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
