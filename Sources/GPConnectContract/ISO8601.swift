public import Foundation

/// FHIR date and instant formatting in UTC.
public enum ISO8601 {
    /// `2026-11-22T01:44:13Z` (an `instant` to the second).
    public static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// `2026-11-22` in UTC.
    public static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash))
    }
}
