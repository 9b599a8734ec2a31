import FHIR
import Foundation
import GPConnect
import GPConnectContract
import Testing

@Suite("NHS numbers")
struct NHSNumberTests {
    @Test(arguments: ["9690937278", "9690937286", "9651258500", "9999999999", "9476718943"])
    func validNumbersPassModulus11(text: String) { #expect(NHSNumber(text) != nil) }

    @Test(arguments: ["1234567891", "9000000008", "34555##4", "hello", "999999999", "90000000090", "", "969093727８"])
    func invalidNumbersAreRefused(text: String) { #expect(NHSNumber(text) == nil) }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func nistVectors(message: String, digest: String) { #expect(Hashing.sha256Hex(Array(message.utf8)) == digest) }

    @Test func millionAs() {
        #expect(
            Hashing.sha256Hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite("Query strings")
struct SearchQueryTests {
    @Test func formEncodingIsDecoded() throws {
        let query = SearchQuery(
            query: "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286&_format=application%2Ffhir%2Bjson&a=b+c")
        #expect(try query.token("identifier") == ("https://fhir.nhs.uk/Id/nhs-number", "9690937286"))
        #expect(try query.single("_format") == "application/fhir+json")
        #expect(try query.single("a") == "b c")
    }

    @Test func caseAndRepetitionAreRefused() {
        #expect(throws: GPConnectError(.badRequest, "Parameter names are case-sensitive: Identifier is not identifier")) {
            try SearchQuery(query: "Identifier=x%7Cy").token("identifier")
        }
        #expect { try SearchQuery(query: "identifier=a%7Cb&identifier=a%7Cb").token("identifier") } throws: {
            ($0 as? GPConnectError)?.code == .badRequest
        }
        #expect { try SearchQuery(query: "identifier=ab").token("identifier") } throws: {
            ($0 as? GPConnectError)?.code == .invalidParameter
        }
    }
}

@Suite("Format negotiation")
struct FormatNegotiationTests {
    @Test func formatParameterWinsThenAcceptThenContentType() throws {
        #expect(try FormatNegotiation.responseFormat(formatParameter: "xml", accept: "application/fhir+json", contentType: nil) == .xml)
        #expect(
            try FormatNegotiation.responseFormat(formatParameter: nil, accept: "application/fhir+xml", contentType: "application/fhir+json")
                == .xml)
        #expect(
            try FormatNegotiation.responseFormat(formatParameter: nil, accept: nil, contentType: "application/fhir+xml; charset=utf-8")
                == .xml)
        #expect(try FormatNegotiation.responseFormat(formatParameter: nil, accept: "*/*", contentType: nil) == .json)
        #expect(try FormatNegotiation.responseFormat(formatParameter: nil, accept: nil, contentType: nil) == .json)
        #expect { try FormatNegotiation.responseFormat(formatParameter: nil, accept: "text/html", contentType: nil) } throws: {
            ($0 as? GPConnectError)?.status == 415
        }
    }
}

@Suite("PDS verification rules")
struct DemographicsMatchTests {
    let person = DemographicsRecord(
        nhsNumber: NHSNumber("9651258500")!, name: PersonName(family: "REA", given: ["Clive"]), gender: "male", birthDate: "1951-03-10")

    @Test func exactBirthDateVerifies() {
        #expect(DemographicsMatch.verifies(name: PersonName(family: "Other", given: ["X"]), birthDate: "1951-03-10", against: person))
    }

    @Test func twoDatePartsWithNameInitialsVerify() {
        #expect(DemographicsMatch.verifies(name: PersonName(family: "Reardon", given: ["Colin"]), birthDate: "1951-03-11", against: person))
        #expect(!DemographicsMatch.verifies(name: PersonName(family: "Smith", given: ["Clive"]), birthDate: "1951-03-11", against: person))
        #expect(!DemographicsMatch.verifies(name: PersonName(family: "Rea", given: ["Clive"]), birthDate: "1952-04-10", against: person))
    }
}

@Suite("Audit events")
struct AuditEventTests {
    @Test func canonicalBytesAreWhatJSONEncoderWritesWithSortedKeys() throws {
        var requester = AuditEvent.Requester()
        requester.userID = "1"
        requester.sdsUserID = "GCASDS0001"
        requester.name = "Dr \"Q\" Jones/Smith"
        let events = [
            AuditEvent(
                traceID: "t", practice: "B82617", interaction: "urn:x", method: "GET", path: "/a/b", status: 200, spineCode: nil,
                consumerASID: "200000000359", requester: requester, patient: "9690937286", resource: nil),
            AuditEvent(
                traceID: nil, practice: nil, interaction: nil, method: "PUT", path: "/", status: 405, spineCode: "BAD_REQUEST",
                consumerASID: nil, requester: nil, patient: nil),
            AuditEvent(
                traceID: "t2", practice: "A20047", interaction: "urn:y", method: "POST", path: "/p", status: 201, spineCode: "X",
                consumerASID: "1", requester: Self.everyRequesterField, patient: "2", resource: "Patient/2/_history/1",
                clientCertificate: "CN=ssp"),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for event in events {
            #expect(String(decoding: event.canonicalBytes, as: UTF8.self) == String(decoding: try encoder.encode(event), as: UTF8.self))
            #expect(try JSONDecoder().decode(AuditEvent.self, from: Data(event.canonicalBytes)) == event)
        }
    }

    static var everyRequesterField: AuditEvent.Requester {
        var requester = AuditEvent.Requester()
        requester.userID = "u"
        requester.sdsUserID = "s"
        requester.roleProfileID = "r"
        requester.name = "n"
        requester.organizationODS = "o"
        requester.organizationName = "on"
        requester.deviceID = "d"
        requester.deviceModel = "dm"
        requester.deviceVersion = "dv"
        requester.reasonForRequest = "directcare"
        requester.scope = "patient/*.read"
        return requester
    }
}

@Suite("ISO 8601 in UTC")
struct ISO8601Tests {
    /// The hand-written formatter writes what `Date.ISO8601FormatStyle` writes, across leap
    /// days, year ends and fractional seconds.
    @Test(arguments: [
        0, 951_782_400, 951_868_799.999, 1_704_067_199.5, 1_709_164_800, 1_798_761_599, -1, -2_208_988_800, 253_402_300_799,
    ])
    func matchesFoundationsFormatStyle(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(ISO8601.instant(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
        #expect(
            ISO8601.day(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)))
    }
}

@Suite("Diary")
struct DiaryTests {
    static let schedule = ScheduleRecord(
        id: "1", practitionerID: "1", locationID: "16", practitionerRole: Code(system: CodeSystemURL.sdsJobRoleName, code: "R0260"),
        serviceCategory: "General medicine", serviceType: "General medical practice", releaseDays: 14,
        sessions: [
            SessionTemplate(start: "09:00", end: "09:40", deliveryChannel: "In-person", bookable: false),
            SessionTemplate(start: "09:40", end: "14:30", deliveryChannel: "In-person"),
            SessionTemplate(weekdays: [1], start: "17:00", end: "17:30", deliveryChannel: "Video"),
        ])

    @Test func sessionsBecomeSlotsOnARollingWindow() throws {
        let now = try #require(UKTime.parse("2026-11-22T12:00:00+00:00")?.date)  // a Sunday
        let slots = Diary.slots(for: Self.schedule, now: now)
        // Days 1…14 each have 4 + 29 slots; the two Mondays add 3; today only what is still ahead.
        let todayLeft = slots.filter { UKTime.day($0.start) == "2026-11-22" }.count
        #expect(todayLeft == 14)  // 12:10 … 14:20
        #expect(slots.count == todayLeft + 14 * 33 + 2 * 3)
        #expect(slots.allSatisfy { $0.start > now })
        #expect(Set(slots.map(\.id)).count == slots.count, "slot ids are unique and stable")
        #expect(slots.first { UKTime.day($0.start) == "2026-11-23" }.map { UKTime.format($0.start) } == "2026-11-23T09:00:00+00:00")
        #expect(!slots.contains { UKTime.day($0.start) > "2026-12-06" })
    }

    @Test func summerTimeSlotsCarryTheBSTOffset() throws {
        let now = try #require(UKTime.parse("2026-06-10T08:00:00+01:00")?.date)
        let slot = try #require(Diary.slots(for: Self.schedule, now: now).first { UKTime.day($0.start) == "2026-06-11" })
        #expect(UKTime.format(slot.start) == "2026-06-11T09:00:00+01:00")
    }

    @Test func searchFiltersFollowTheAvailabilityRules() {
        let unrestricted = BookingRestriction.none
        let odsOnly = BookingRestriction(odsCodes: ["B82617"])
        let typeOnly = BookingRestriction(organizationTypes: ["urgent-care"])
        #expect(unrestricted.matches(searchType: nil, searchODS: nil))
        #expect(!odsOnly.matches(searchType: nil, searchODS: nil))
        #expect(odsOnly.matches(searchType: nil, searchODS: "B82617"))
        #expect(!odsOnly.matches(searchType: "urgent-care", searchODS: nil))
        #expect(typeOnly.matches(searchType: "urgent-care", searchODS: nil))
        #expect(!typeOnly.matches(searchType: nil, searchODS: "B82617"))
        #expect(typeOnly.matches(searchType: "urgent-care", searchODS: "B82617"))
        #expect(odsOnly.admits(type: nil, ods: "B82617") && !odsOnly.admits(type: "urgent-care", ods: "A20047"))
    }

    @Test(arguments: [
        ("2026-11-23", true), ("2026-11-23T09:00:00+00:00", true), ("2026-11-23T09:00:00Z", true), ("2026-11-23T09:00:00.123+01:00", true),
        ("2026-11-23T09:00:00", false), ("2026-11", false), ("2026", false), ("2026-02-30", false), ("2026-11-23T25:00:00+00:00", false),
    ])
    func dateTimesNeedAnOffset(text: String, valid: Bool) {
        #expect((UKTime.parse(text) != nil) == valid)
    }
}

@Suite("Audit tokens a consumer builds")
struct ConsumerTokenTests {
    @Test(arguments: Interaction.allCases)
    func builtTokensPassTheProvidersChecks(interaction: Interaction) throws {
        let consumer = ConsumerIdentity(roleProfileID: "112233445566")
        let token = AuditToken(for: interaction, consumer: consumer, audience: "https://provider.example/B82617/STU3/1/gpconnect/fhir")
        let parsed = try AuditToken.parse(authorization: "Bearer " + token.encode(), interaction: interaction, now: Date())
        #expect(parsed == token)
        #expect(parsed.requester.sdsUserID == "GCASDS0001")
        #expect(parsed.requester.roleProfileID == "112233445566")
        #expect(parsed.expiry - parsed.issuedAt == 300)
    }

    @Test func aTokenForOneInteractionIsRefusedForAnotherScope() {
        let token = AuditToken(for: .readMetadata, consumer: ConsumerIdentity(), audience: "x").encode()
        #expect { try AuditToken.parse(authorization: "Bearer " + token, interaction: .bookAppointment, now: Date()) } throws: {
            ($0 as? GPConnectError)?.code == .badRequest
        }
    }
}
