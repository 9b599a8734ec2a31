import GPConnect
import GPConnectContract
import Testing

/// The whole-day arithmetic the structured filters and the seed's relative dates rest on.
@Suite("Clinical dates")
struct ClinicalDateTests {
    @Test func addingDaysCrossesMonthsYearsAndLeapDays() {
        #expect(ClinicalDate.adding(days: 1, to: "2024-02-28") == "2024-02-29")
        #expect(ClinicalDate.adding(days: 1, to: "2023-02-28") == "2023-03-01")
        #expect(ClinicalDate.adding(days: -365, to: "2026-11-22") == "2025-11-22")
        #expect(ClinicalDate.adding(days: 3650, to: "2026-11-22") == "2036-11-19")
        #expect(ClinicalDate.adding(days: -1, to: "2000-01-01") == "1999-12-31")
        #expect(ClinicalDate.days(from: "2026-11-22", to: "2024-02-29") == -997)
        #expect(ClinicalDate.days(from: "1970-01-01", to: "1970-01-01") == 0)
    }

    @Test func partialDatesAreIntervals() {
        #expect(ClinicalDate.lowerBound("2019") == "2019-01-01" && ClinicalDate.upperBound("2019") == "2019-12-31")
        #expect(ClinicalDate.upperBound("2024-02") == "2024-02-29" && ClinicalDate.upperBound("2023-02") == "2023-02-28")
        #expect(ClinicalDate.lowerBound("2019-03-04T10:00:00+00:00") == "2019-03-04")
        let period = DayPeriod(start: "2019-06-01", end: "2019-06-30")
        #expect(period.contains("2019"), "a year overlapping the period is returned")
        #expect(period.contains("2019-06") && !period.contains("2019-07"))
        #expect(period.contains(nil), "undated items are always returned")
        #expect(!period.contains("2019-07-01T00:00:00+01:00"))
        #expect(DayPeriod(start: "2020-01-01").overlaps(start: "2019-05-01", end: nil), "still running")
        #expect(!DayPeriod(start: "2020-01-01").overlaps(start: "2019-05-01", end: "2019-12-31"))
    }
}
