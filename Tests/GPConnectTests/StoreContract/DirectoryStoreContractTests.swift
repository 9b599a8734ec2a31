import Foundation
import GPConnect
import GPConnectContract
import Testing

/// `DirectoryStore`: the practices a deployment hosts and each one's organisations,
/// practitioners and locations. GP Connect Foundations reads them by logical id
/// (`read:organization-1`, `read:practitioner-1`, `read:location-1`) and searches them by ODS code
/// and SDS user id (`search:organization-1`, `search:practitioner-1`); the conformance pack's
/// `OrganizationRead`, `PractitionerSearch` and `LocationRead` scenarios exercise those reads.
@Suite("Store contract: directory")
struct DirectoryStoreContractTests {
    static let coxwold = Practice(ods: Fixture.practice, asid: "918999198738", name: "COXWOLD SURGERY", organizationID: "7")
    static let legg = Practice(ods: Fixture.otherPractice, asid: "918999198739", name: "Dr Legg's Surgery", organizationID: "7")

    @Test(arguments: Backend.configured)
    func practicesAreSavedReadByODSAndListedEach(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            #expect(try await stores.directory.practice(ods: Fixture.practice) == nil)
            try await stores.directory.savePractice(Self.legg)
            try await stores.directory.savePractice(Self.coxwold)
            #expect(try await stores.directory.practice(ods: Fixture.practice) == Self.coxwold)
            #expect(try await stores.directory.practice(ods: Fixture.otherPractice) == Self.legg)
            #expect(try await stores.directory.practice(ods: "Y99999") == nil)
            let listed = try await stores.directory.practices()
            #expect(listed.sorted { $0.ods < $1.ods } == [Self.legg, Self.coxwold])
        }
    }

    @Test(arguments: Backend.configured)
    func savingAPracticeAgainReplacesIt(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            try await stores.directory.savePractice(Self.coxwold)
            var moved = Self.coxwold
            moved.asid = "918999198999"
            moved.name = "COXWOLD SURGERY (NEW)"
            try await stores.directory.savePractice(moved)
            #expect(try await stores.directory.practice(ods: Fixture.practice) == moved)
            #expect(try await stores.directory.practices() == [moved], "one practice per ODS code")
        }
    }

    @Test(arguments: Backend.configured)
    func organizationsAreReadByIdAndFoundByODSCodeWithinTheirPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let practiceItself = OrganizationRecord(
                id: "7", ods: Fixture.practice, name: "COXWOLD SURGERY",
                addresses: [
                    Address(use: "work", lines: ["NHS NPFIT Test Data Manager", "Princes Exchange"], city: "Leeds", postalCode: "LS1 4HY")
                ],
                telecom: [ContactPoint(system: "phone", value: "0300 303 5678", use: "work")], version: "1")
            let trust = OrganizationRecord(id: "2", ods: "R1A14", name: "Trust site A", partOfID: "7", version: "3")
            let sameTrust = OrganizationRecord(id: "4", ods: "R1A14", name: "Trust site B", version: "1")
            let other = OrganizationRecord(id: "5", ods: "R1A15", name: "Elsewhere", version: "1")
            for organization in [practiceItself, sameTrust, trust, other] {
                try await stores.directory.saveOrganization(organization, practice: Fixture.practice)
            }
            let legg = OrganizationRecord(id: "7", ods: Fixture.otherPractice, name: "Dr Legg's Surgery", version: "1")
            try await stores.directory.saveOrganization(legg, practice: Fixture.otherPractice)

            #expect(try await stores.directory.organization(practice: Fixture.practice, id: "7") == practiceItself)
            #expect(try await stores.directory.organization(practice: Fixture.practice, id: "2") == trust)
            #expect(
                try await stores.directory.organization(practice: Fixture.otherPractice, id: "7") == legg,
                "id 7 means another organisation under another practice")
            #expect(try await stores.directory.organization(practice: Fixture.otherPractice, id: "2") == nil)
            #expect(try await stores.directory.organization(practice: Fixture.practice, id: "99") == nil)

            let byODS = try await stores.directory.organizations(practice: Fixture.practice, odsCode: "R1A14")
            #expect(byODS.sorted { $0.id < $1.id } == [trust, sameTrust], "every organisation with the ODS code, and only those")
            #expect(try await stores.directory.organizations(practice: Fixture.otherPractice, odsCode: "R1A14").isEmpty)
            #expect(try await stores.directory.organizations(practice: Fixture.otherPractice, odsCode: Fixture.otherPractice) == [legg])
            #expect(
                try await stores.directory.organizations(practice: Fixture.practice, odsCode: "R1A1").isEmpty, "the ODS code matches whole")
        }
    }

    @Test(arguments: Backend.configured)
    func savingAnOrganizationAgainReplacesItAndItsODSIndex(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let organization = OrganizationRecord(id: "2", ods: "R1A14", name: "Trust site A", version: "1")
            try await stores.directory.saveOrganization(organization, practice: Fixture.practice)
            var recoded = organization
            recoded.ods = "R1A17"
            recoded.version = "2"
            try await stores.directory.saveOrganization(recoded, practice: Fixture.practice)
            #expect(try await stores.directory.organization(practice: Fixture.practice, id: "2") == recoded)
            #expect(try await stores.directory.organizations(practice: Fixture.practice, odsCode: "R1A14").isEmpty)
            #expect(try await stores.directory.organizations(practice: Fixture.practice, odsCode: "R1A17") == [recoded])
        }
    }

    @Test(arguments: Backend.configured)
    func practitionersAreReadByIdAndFoundBySDSUserIdWithinTheirPractice(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let doctor = PractitionerRecord(
                id: "1", sdsUserID: "G13579135", roleProfileIDs: ["PT1234", "PT1122"],
                name: PersonName(use: "usual", family: "Gilbert", given: ["Nichole"], prefix: ["Dr"]), gender: "female",
                languages: ["de", "en"], version: "1")
            let locum = PractitionerRecord(
                id: "3", sdsUserID: "G13579135", name: PersonName(family: "Gilbert", given: ["N"]), version: "2")
            let nurse = PractitionerRecord(id: "2", sdsUserID: "G22345655", name: PersonName(family: "Parsons"), version: "1")
            for practitioner in [locum, nurse, doctor] {
                try await stores.directory.savePractitioner(practitioner, practice: Fixture.practice)
            }
            let elsewhere = PractitionerRecord(id: "1", sdsUserID: "G11111116", name: PersonName(family: "Slater"), version: "1")
            try await stores.directory.savePractitioner(elsewhere, practice: Fixture.otherPractice)

            #expect(try await stores.directory.practitioner(practice: Fixture.practice, id: "1") == doctor)
            #expect(try await stores.directory.practitioner(practice: Fixture.otherPractice, id: "1") == elsewhere)
            #expect(try await stores.directory.practitioner(practice: Fixture.otherPractice, id: "2") == nil)
            let found = try await stores.directory.practitioners(practice: Fixture.practice, sdsUserID: "G13579135")
            #expect(found.sorted { $0.id < $1.id } == [doctor, locum])
            #expect(try await stores.directory.practitioners(practice: Fixture.otherPractice, sdsUserID: "G13579135").isEmpty)
            #expect(try await stores.directory.practitioners(practice: Fixture.practice, sdsUserID: "G11111116").isEmpty)

            var renamed = nurse
            renamed.name = PersonName(family: "Parsons-Smith")
            renamed.sdsUserID = "G33333333"
            try await stores.directory.savePractitioner(renamed, practice: Fixture.practice)
            #expect(try await stores.directory.practitioner(practice: Fixture.practice, id: "2") == renamed)
            #expect(try await stores.directory.practitioners(practice: Fixture.practice, sdsUserID: "G22345655").isEmpty)
            #expect(try await stores.directory.practitioners(practice: Fixture.practice, sdsUserID: "G33333333") == [renamed])
        }
    }

    @Test(arguments: Backend.configured)
    func locationsAreReadByIdWithinTheirPracticeAndReplacedOnSave(_ backend: Backend) async throws {
        try await backend.withStores { stores in
            let branch = LocationRecord(
                id: "8", siteCode: "Z33432", name: "The Trevelyan Practice", status: "active",
                type: Code(system: "http://hl7.org/fhir/v3/RoleCode", code: "GACH", display: "Hospitals; General Acute Care Hospital"),
                physicalType: Code(system: "http://hl7.org/fhir/location-physical-type", code: "bu", display: "Building"),
                address: Address(use: "work", lines: ["Trevelyan Square", "Boar Lane"], city: "Leeds", postalCode: "LS1 6AE"),
                telecom: [ContactPoint(system: "phone", value: "03003035678", use: "work")], managingOrganizationID: "7",
                partOfID: "1", version: "1")
            try await stores.directory.saveLocation(branch, practice: Fixture.practice)
            let elsewhere = LocationRecord(id: "16", name: "Legg branch", status: "suspended", version: "1")
            try await stores.directory.saveLocation(elsewhere, practice: Fixture.otherPractice)

            #expect(try await stores.directory.location(practice: Fixture.practice, id: "8") == branch)
            #expect(try await stores.directory.location(practice: Fixture.otherPractice, id: "8") == nil)
            #expect(try await stores.directory.location(practice: Fixture.practice, id: "16") == nil)
            #expect(try await stores.directory.location(practice: Fixture.otherPractice, id: "16") == elsewhere)

            var closed = branch
            closed.status = "inactive"
            closed.version = "2"
            try await stores.directory.saveLocation(closed, practice: Fixture.practice)
            #expect(try await stores.directory.location(practice: Fixture.practice, id: "8") == closed)
        }
    }
}
