import GPConnectContract
import Testing

/// The one partial-date type: parsing by precision, the Gregorian rules, day numbers.
@Suite("FHIR dates")
struct FHIRDateTests {
    @Test(arguments: [("2019", FHIRDate.Precision.year), ("2019-03", .month), ("2019-03-04", .day)])
    func partialDatesKeepTheirPrecision(text: String, precision: FHIRDate.Precision) {
        let date = FHIRDate(text)
        #expect(date?.precision == precision)
        #expect(date?.description == text)
    }

    @Test(arguments: ["", "19", "2019-13", "2019-00", "2019-02-29", "2023-02-29", "2019-04-31", "2019-3-04", "2019-03-4", "2019/03/04"])
    func impossibleOrMalformedDatesAreRefused(text: String) {
        #expect(FHIRDate(text) == nil)
        #expect(!FHIRDate.isDate(text))
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(FHIRDate.isDate("2024-02-29") && FHIRDate.isDate("2000-02-29"))
        #expect(!FHIRDate.isDate("1900-02-29") && !FHIRDate.isDate("2023-02-29"))
        #expect(FHIRDate("2024-02")?.lastDay.description == "2024-02-29")
        #expect(FHIRDate("1900-02")?.lastDay.description == "1900-02-28")
        #expect(FHIRDate("2019")?.lastDay.description == "2019-12-31")
        #expect(FHIRDate("2019")?.firstDay.description == "2019-01-01")
    }

    @Test func dayNumbersRoundTrip() {
        #expect(FHIRDate("1970-01-01")?.dayNumber == 0)
        #expect(FHIRDate("1969-12-31")?.dayNumber == -1)
        #expect(FHIRDate("2000-03-01")?.dayNumber == 11_017)
        for number in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(FHIRDate(dayNumber: number).dayNumber == number)
        }
        #expect(FHIRDate("2024-02-28")?.adding(days: 1).description == "2024-02-29")
        #expect(FHIRDate("2019-03-04T10:00:00+00:00", dateTime: true)?.description == "2019-03-04")
    }
}
