import FHIR
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

@Suite("Practitioner, Organization and Location")
struct DirectoryTests {
    @Test(arguments: [("G13579135", 0), ("G11111116", 1), ("G22345655", 2)])
    func practitionerSearchReturnsOnePractitionerWithItsRoleProfiles(sdsUserID: String, roles: Int) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchPractitioner, "Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7C\(sdsUserID)")
            #expect(reply.status == 200)
            #expect(reply.entries.count == 1)
            let practitioner = try #require(reply.entries.first)
            #expect(practitioner.at("meta.profile")?.string == Profile.practitioner)
            let identifiers = practitioner["identifier"]?.items ?? []
            #expect(identifiers.filter { $0["system"]?.string == IdentifierSystem.sdsUserID }.map { $0["value"]?.string } == [sdsUserID])
            #expect(identifiers.filter { $0["system"]?.string == IdentifierSystem.sdsRoleProfileID }.count == roles)
            #expect(practitioner["name"]?.items.count == 1)
            #expect(practitioner.at("name.family")?.string?.isEmpty == false)
            for forbidden in ["telecom", "address", "birthDate", "photo", "qualification"] { #expect(practitioner[forbidden] == nil) }
            // Languages in the profile's NHS communication extension, never `communication` (max 0).
            #expect(practitioner["communication"] == nil)
            let communication = practitioner["extension"]?.items.first { $0["url"]?.string == ExtensionURL.nhsCommunication }
            #expect(
                communication?.at("extension.valueCodeableConcept.coding.system")?.string
                    == "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1")
        }
    }

    @Test func practitionerSearchForUnknownIdentifierIsEmpty() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchPractitioner, "Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CunknownSDSUserID")
            #expect(reply.status == 200)
            #expect(reply.entries.isEmpty)
        }
    }

    @Test(arguments: [
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7C", 422, "INVALID_PARAMETER"),
        ("identifier=%7CG11111116", 422, "INVALID_PARAMETER"),
        ("Identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG11111116", 400, "BAD_REQUEST"),
        (
            "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG13579135&identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG11111116",
            400, "BAD_REQUEST"
        ),
        ("", 400, "BAD_REQUEST"),
    ])
    func practitionerSearchRefusesMalformedParameters(query: String, status: Int, code: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchPractitioner, "Practitioner" + (query.isEmpty ? "" : "?" + query))
            #expect(reply.status == status)
            #expect(reply.spineCode == code)
        }
    }

    @Test func practitionerReadHasETagAndUnknownIdIsPractitionerNotFound() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readPractitioner, "Practitioner/2")
            #expect(reply.status == 200)
            #expect(reply.resource?["id"]?.string == "2")
            #expect(reply.headers[.eTag] == "W/\"1\"")
            let missing = try await client.request(.readPractitioner, "Practitioner/z.as.dd")
            #expect(missing.status == 404)
            #expect(missing.spineCode == "PRACTITIONER_NOT_FOUND")
        }
    }

    @Test func organizationSearchByODSCodeReturnsThePractice() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchOrganization, "Organization?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617")
            #expect(reply.status == 200)
            #expect(reply.entries.count == 1)
            let organization = try #require(reply.entries.first)
            #expect(organization.at("meta.profile")?.string == Profile.organization)
            #expect(organization.at("meta.versionId")?.string == "1")
            #expect(organization["identifier"]?.items.map { $0["value"]?.string } == ["B82617"])
            #expect(organization["name"]?.string == "COXWOLD SURGERY")
            #expect(organization["contact"] == nil)
            #expect(organization["endpoint"] == nil)
            let unknown = try await client.request(
                .searchOrganization, "Organization?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CINVOC1")
            #expect(unknown.status == 200)
            #expect(unknown.entries.isEmpty)
        }
    }

    @Test func organizationReadAndUnknownIdIsOrganisationNotFound() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readOrganization, "Organization/7")
            #expect(reply.status == 200)
            #expect(reply.headers[.eTag] == "W/\"1\"")
            #expect(reply.resource?.at("identifier.value")?.string == "B82617")
            let missing = try await client.request(.readOrganization, "Organization/1Zcr4")
            #expect(missing.status == 404)
            #expect(missing.spineCode == "ORGANISATION_NOT_FOUND")
        }
    }

    @Test(arguments: [("1", "Z26556"), ("8", "Z33432"), ("3", "Z33433")])
    func locationReadReturnsSiteWithReadableManagingOrganization(id: String, siteCode: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readLocation, "Location/\(id)")
            #expect(reply.status == 200)
            let location = try #require(reply.resource)
            #expect(location["id"]?.string == id)
            #expect(location.at("meta.profile")?.string == Profile.location)
            #expect(location.at("identifier.value")?.string == siteCode)
            #expect(location["name"]?.string?.isEmpty == false)
            #expect(location["address"]?.object != nil, "Location.address is 0..1: an object, not a list")
            #expect(location.at("type.coding.display") != nil)
            #expect(reply.headers[.eTag] == "W/\"1\"")
            let reference = try #require(location.at("managingOrganization.reference")?.string)
            #expect(reference.hasPrefix("Organization/"))
            let organization = try await client.request(.readOrganization, reference)
            #expect(organization.status == 200)
        }
    }

    @Test func locationReadOfUnknownIdIsNoRecordFound() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readLocation, "Location/a-tm.mss..s")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "NO_RECORD_FOUND")
        }
    }
}
