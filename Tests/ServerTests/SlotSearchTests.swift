import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

@Suite("Search for free slots")
struct SlotSearchTests {
    @Test(arguments: [0, 2, 8, 14])
    func validWindowsReturnFreeSlotsWithTheirSchedules(days: Int) async throws {
        try await TestServer.run { client in
            let reply = try await client.freeSlots(days: days)
            #expect(reply.status == 200)
            #expect(reply.resource?["type"]?.string == "searchset")
            let slots = reply.entries.filter { $0["resourceType"]?.string == "Slot" }
            if days == 0 { #expect(slots.isEmpty) } else { #expect(!slots.isEmpty) }
            for slot in slots.prefix(50) {
                #expect(slot["status"]?.string == "free")
                #expect(slot.at("meta.profile")?.string == Profile.slot)
                #expect(slot["specialty"] == nil && slot["comment"] == nil)
                #expect(slot["extension"]?.items.first?["url"]?.string == ExtensionURL.deliveryChannel)
                #expect(slot.at("serviceType.text")?.string?.isEmpty == false)
                let reference = slot.at("schedule.reference")?.string
                #expect(
                    reply.entries.contains {
                        "Schedule/" + ($0["id"]?.string ?? "") == reference && $0["resourceType"]?.string == "Schedule"
                    })
            }
            for schedule in reply.entries.filter({ $0["resourceType"]?.string == "Schedule" }) {
                #expect(schedule.at("meta.profile")?.string == Profile.schedule)
                #expect(schedule["extension"]?.items.filter { $0["url"]?.string == ExtensionURL.practitionerRole }.count == 1)
                #expect(schedule["actor"]?.items.contains { $0["reference"]?.string?.hasPrefix("Location/") == true } == true)
                #expect(schedule.at("serviceCategory.text")?.string?.isEmpty == false)
            }
            // Only the includes asked for: none here, apart from the practice Organization.
            #expect(!reply.entries.contains { $0["resourceType"]?.string == "Location" || $0["resourceType"]?.string == "Practitioner" })
        }
    }

    @Test func includesAddPractitionersLocationsAndTheirOrganizations() async throws {
        try await TestServer.run { client in
            let reply = try await client.freeSlots(
                days: 3,
                extra: "&_include%3Arecurse=Schedule%3Aactor%3APractitioner&_include%3Arecurse=Schedule%3Aactor%3ALocation"
                    + "&_include%3Arecurse=Location%3AmanagingOrganization")
            #expect(reply.status == 200)
            let types = Set(reply.entries.compactMap { $0["resourceType"]?.string })
            #expect(types == ["Slot", "Schedule", "Practitioner", "Location", "Organization"])
            for location in reply.entries.filter({ $0["resourceType"]?.string == "Location" }) {
                let managing = location.at("managingOrganization.reference")?.string
                #expect(reply.entries.contains { "Organization/" + ($0["id"]?.string ?? "") == managing })
            }
        }
    }

    @Test(arguments: [
        ("searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FSTU3%2FCodeSystem%2FGPConnect-OrganisationType-1%7Concology", true),
        ("searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CA20047", true),
        (
            "searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FSTU3%2FCodeSystem%2FGPConnect-OrganisationType-1%7Cgp-practice&searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CRNR01",
            true
        ),
        ("", true),
        ("searchFilter=TypeCategory%7COtherTypeCategory", true),
    ])
    func everyFilterStillFindsUnrestrictedSlots(filter: String, expectSlots: Bool) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchFreeSlots,
                "Slot?start=\(Client.bound("ge", days: 0))&end=\(Client.bound("le", days: 14))&status=free&_include=Slot%3Aschedule"
                    + (filter.isEmpty ? "" : "&" + filter))
            #expect(reply.status == 200)
            #expect(reply.entries.contains { $0["resourceType"]?.string == "Slot" } == expectSlots)
        }
    }

    @Test func restrictedSlotsAppearOnlyForMatchingFilters() async throws {
        try await TestServer.run { client in
            func restricted(_ filters: String) async throws -> Int {
                let reply = try await client.request(
                    .searchFreeSlots,
                    "Slot?start=\(Client.bound("ge", days: 1))&end=\(Client.bound("le", days: 2))&status=free&_include=Slot%3Aschedule"
                        + filters)
                return reply.entries.filter { ($0["start"]?.string ?? "").contains("T17:") }.count
            }
            let none = try await restricted("")
            let byODS = try await restricted("&" + Client.odsFilter)
            let byType = try await restricted("&" + Client.typeFilter)
            let byBoth = try await restricted("&" + Client.odsFilter + "&" + Client.typeFilter)
            #expect(none == 0)
            #expect(byODS == 2)  // 17:00 and 17:30: ODS only
            #expect(byType == 1)  // 17:10: urgent-care only
            #expect(byBoth == 4)  // plus 17:20
        }
    }

    @Test(arguments: [
        (
            "window of 15 days",
            "start=\(Client.bound("ge", days: 1))&end=\(Client.bound("le", days: 16))&status=free&_include=Slot%3Aschedule", 422,
            "INVALID_PARAMETER"
        ),
        (
            "end before start",
            "start=\(Client.bound("ge", days: 2))&end=\(Client.bound("le", days: 1))&status=free&_include=Slot%3Aschedule", 422,
            "INVALID_PARAMETER"
        ),
        (
            "status busy", "start=\(Client.bound("ge", days: 1))&end=\(Client.bound("le", days: 3))&status=busy&_include=Slot%3Aschedule",
            422, "INVALID_PARAMETER"
        ),
        (
            "wrong prefixes",
            "start=\(Client.bound("gt", days: 1))&end=\(Client.bound("lt", days: 3))&status=free&_include=Slot%3Aschedule", 422,
            "INVALID_PARAMETER"
        ),
        (
            "no offset", "start=ge2030-01-01T00%3A00%3A00&end=le2030-01-03T00%3A00%3A00&status=free&_include=Slot%3Aschedule", 422,
            "INVALID_PARAMETER"
        ),
        ("partial date", "start=ge2030&end=le2030-01&status=free&_include=Slot%3Aschedule", 422, "INVALID_PARAMETER"),
        ("empty start", "start=&end=\(Client.bound("le", days: 3))&status=free&_include=Slot%3Aschedule", 422, "INVALID_PARAMETER"),
        ("no start", "end=\(Client.bound("le", days: 3))&status=free&_include=Slot%3Aschedule", 400, "BAD_REQUEST"),
        (
            "no status", "start=\(Client.bound("ge", days: 1))&end=\(Client.bound("le", days: 3))&_include=Slot%3Aschedule", 400,
            "BAD_REQUEST"
        ),
        ("no schedule include", "start=\(Client.bound("ge", days: 1))&end=\(Client.bound("le", days: 3))&status=free", 400, "BAD_REQUEST"),
    ])
    func invalidSearchesAreRefused(name: String, query: String, status: Int, code: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchFreeSlots, "Slot?" + query)
            #expect(reply.status == status, "\(name)")
            #expect(reply.spineCode == code, "\(name)")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test func dateOnlyBoundsAreAccepted() async throws {
        try await TestServer.run { client in
            let today = UKTime.day(Date())
            let later = UKTime.day(UKTime.day(offset: 3, from: Date()))
            let reply = try await client.request(
                .searchFreeSlots, "Slot?start=ge\(today)&end=le\(later)&status=free&_include=Slot%3Aschedule")
            #expect(reply.status == 200)
            #expect(!reply.entries.isEmpty)
        }
    }
}
