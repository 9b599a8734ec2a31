public import Foundation

/// Appointment date-times are UK local time with their offset (`+00:00` GMT, `+01:00` BST),
/// as GP Connect 1.2.9 requires (appointments_use_case_search_for_free_slots,
/// appointments_use_case_read_an_appointment, "Payload response body").
public enum UKTime {
    public static let zone = TimeZone(identifier: "Europe/London") ?? .gmt

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }()

    /// `2026-11-23T09:40:00+00:00`. Hot (every slot of every search), so done with integer
    /// arithmetic on the local civil date rather than through `Calendar`.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let offset = zone.secondsFromGMT(for: date)
        let (year, month, day, secondOfDay) = civil(seconds + offset)
        var out = ""
        out.reserveCapacity(25)
        func pad(_ value: Int, _ width: Int) {
            let text = String(value)
            for _ in text.count..<width { out.append("0") }
            out.append(text)
        }
        pad(year, 4)
        out.append("-")
        pad(month, 2)
        out.append("-")
        pad(day, 2)
        out.append("T")
        pad(secondOfDay / 3600, 2)
        out.append(":")
        pad(secondOfDay % 3600 / 60, 2)
        out.append(":")
        pad(secondOfDay % 60, 2)
        out.append(offset < 0 ? "-" : "+")
        pad(abs(offset) / 3600, 2)
        out.append(":")
        pad(abs(offset) % 3600 / 60, 2)
        return out
    }

    /// The local calendar day, `2026-11-23`.
    public static func day(_ date: Date) -> String { String(format(date).prefix(10)) }

    /// Civil date of Unix seconds.
    static func civil(_ seconds: Int) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let date = FHIRDate(dayNumber: days)
        return (date.year, date.month, date.day, secondOfDay)
    }

    /// Midnight (local) at the start of the day `date` falls in.
    public static func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }

    /// Midnight (local) `days` days after the day of `date`.
    public static func day(offset days: Int, from date: Date) -> Date {
        calendar.date(byAdding: .day, value: days, to: startOfDay(date)) ?? date
    }

    /// A local wall-clock time on a day: `at("09:40", on: day)`.
    public static func at(_ time: String, on day: Date) -> Date? {
        let parts = time.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        return calendar.date(bySettingHour: parts[0], minute: parts[1], second: 0, of: day)
    }

    /// ISO weekday of a day: 1 = Monday … 7 = Sunday.
    public static func weekday(_ date: Date) -> Int {
        let sunday1 = calendar.component(.weekday, from: date)
        return sunday1 == 1 ? 7 : sunday1 - 1
    }

    /// Parses a FHIR `date` (`yyyy-mm-dd`, as local midnight) or a `dateTime` with seconds and an
    /// offset (`yyyy-mm-ddThh:mm:ss+hh:mm` or `Z`). Partial dates and offset-less times are refused.
    public static func parse(_ text: String) -> (date: Date, hasTime: Bool)? {
        if text.count == 10 {
            guard FHIRDate.isDate(text) else { return nil }
            let parts = text.split(separator: "-").compactMap { Int($0) }
            var components = DateComponents()
            components.year = parts[0]
            components.month = parts[1]
            components.day = parts[2]
            return calendar.date(from: components).map { ($0, false) }
        }
        let pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
        guard let match = text.wholeMatch(of: pattern), FHIRDate.isDate(String(text.prefix(10))),
            let hour = Int(match.4), let minute = Int(match.5), let second = Int(match.6), hour < 24, minute < 60, second < 60
        else { return nil }
        var offset = 0
        if match.8 != "Z" {
            let sign = match.8.hasPrefix("-") ? -1 : 1
            let digits = match.8.dropFirst().split(separator: ":").compactMap { Int($0) }
            guard digits.count == 2, digits[0] <= 14, digits[1] < 60 else { return nil }
            offset = sign * (digits[0] * 3600 + digits[1] * 60)
        }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        var components = DateComponents()
        components.year = Int(match.1)
        components.month = Int(match.2)
        components.day = Int(match.3)
        components.hour = hour
        components.minute = minute
        components.second = second
        guard let date = utc.date(from: components) else { return nil }
        return (date.addingTimeInterval(TimeInterval(-offset)), true)
    }

    /// Sortable UTC text used in the stores: `2026-11-23T09:40:00Z`.
    public static func storageKey(_ date: Date) -> String { ISO8601.instant(date) }
}
