import Foundation
import GPConnect
import GPConnectContract
import GPConnectSQL
import Testing

/// `DemographicsStore`: the stand-in for PDS that registration checks (GP Connect
/// `register:patient-1` traces the patient on PDS first; the conformance pack's
/// `RegisterPatient` scenarios use patients on and off PDS).
@Suite("Store contract: demographics")
struct DemographicsStoreContractTests {
    static let bruce = DemographicsRecord(
        nhsNumber: NHSNumber("9651260246")!, name: PersonName(use: "official", family: "BRUCE", given: ["Iain"]), gender: "male",
        birthDate: "1985-05-16", addresses: [Address(use: "home", lines: ["2 Low Street"], city: "Leeds", postalCode: "LS2 7UE")])

    @Test(arguments: Backend.configured)
    func savedDemographicsAreFoundByNHSNumberThroughTheServicePort(_ backend: Backend) async throws {
        try await backend.withInstances(1) { instances in
            let (stores, demographics) = instances[0]
            #expect(try await stores.demographics.lookup(nhsNumber: Self.bruce.nhsNumber) == nil)
            try await demographics.saveDemographics(Self.bruce)
            let gone = DemographicsRecord(
                nhsNumber: NHSNumber("9690937286")!, name: PersonName(family: "GONE"), gender: "female", birthDate: "1930-01-01",
                deceased: "2020-02-02T10:00:00+00:00", sensitive: true, superseded: true)
            try await demographics.saveDemographics(gone)
            #expect(try await stores.demographics.lookup(nhsNumber: Self.bruce.nhsNumber) == Self.bruce)
            #expect(try await demographics.lookup(nhsNumber: gone.nhsNumber) == gone, "every flag registration checks round-trips")
            #expect(try await stores.demographics.lookup(nhsNumber: NHSNumber("9476718943")!) == nil)
        }
    }

    @Test(arguments: Backend.configured)
    func savingDemographicsAgainReplacesThePersonsRecord(_ backend: Backend) async throws {
        try await backend.withInstances(1) { instances in
            let (stores, demographics) = instances[0]
            try await demographics.saveDemographics(Self.bruce)
            var moved = Self.bruce
            moved.addresses = [Address(use: "home", lines: ["3 New Road"], city: "York", postalCode: "YO1 7HH")]
            moved.sensitive = true
            try await demographics.saveDemographics(moved)
            #expect(try await stores.demographics.lookup(nhsNumber: Self.bruce.nhsNumber) == moved)
        }
    }
}
