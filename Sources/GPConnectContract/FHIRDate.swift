/// A FHIR `date`: a year, a year and month, or a whole day — the partial dates clinical records
/// carry — with civil-calendar arithmetic (no time zones).
///
/// The one home of the Gregorian rules (month lengths, leap years, day numbers); UK local time,
/// the structured record's date filters and the seed's relative dates all build on it.
public struct FHIRDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Precision: Int, Sendable, Comparable {
        case year, month, day
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let year: Int
    /// 1–12; 1 when the precision is `.year`.
    public let month: Int
    /// 1–31; 1 when the precision is coarser than `.day`.
    public let day: Int
    public let precision: Precision

    /// A whole day; nil when the month or day does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
        precision = .day
    }

    init(year: Int, month: Int = 1, day: Int = 1, precision: Precision) {
        self.year = year
        self.month = month
        self.day = day
        self.precision = precision
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; with `dateTime: true` also the date part of a
    /// FHIR `dateTime` (`YYYY-MM-DDThh:mm:ss…`).
    public init?(_ text: some StringProtocol, dateTime: Bool = false) {
        var datePart = Substring(text)
        if dateTime, let t = datePart.firstIndex(of: "T") { datePart = datePart[..<t] }
        let parts = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, let year = Int(parts[0])
        else { return nil }
        guard parts.count > 1 else {
            self.init(year: year, precision: .year)
            return
        }
        guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) else { return nil }
        guard parts.count > 2 else {
            self.init(year: year, month: month, precision: .month)
            return
        }
        guard parts[2].count == 2, let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD` with a real month and day.
    public static func isDate(_ text: String) -> Bool {
        FHIRDate(text)?.precision == .day
    }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The first day the date can mean: `2019` → `2019-01-01`.
    public var firstDay: FHIRDate { FHIRDate(year: year, month: month, day: day, precision: .day) }

    /// The last day it can mean: `2019` → `2019-12-31`, `2024-02` → `2024-02-29`.
    public var lastDay: FHIRDate {
        switch precision {
        case .year: FHIRDate(year: year, month: 12, day: 31, precision: .day)
        case .month: FHIRDate(year: year, month: month, day: Self.daysIn(month: month, year: year), precision: .day)
        case .day: self
        }
    }

    /// Days since 1970-01-01 of the first day (Howard Hinnant's `days_from_civil`).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `dayNumber` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day, precision: .day)
    }

    /// The whole day `days` after this one's first day.
    public func adding(days: Int) -> FHIRDate { FHIRDate(dayNumber: dayNumber + days) }

    /// `2019`, `2019-03` or `2019-03-04`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        switch precision {
        case .year: return pad(year, 4)
        case .month: return pad(year, 4) + "-" + pad(month, 2)
        case .day: return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        }
    }

    public static func < (lhs: FHIRDate, rhs: FHIRDate) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.precision) < (rhs.year, rhs.month, rhs.day, rhs.precision)
    }
}
