import FHIR
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

@Suite("Patient: find and read")
struct PatientTests {
    static let nhsSystem = "https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number"

    func search(_ client: Client, _ nhsNumber: String, format: String? = nil) async throws -> Reply {
        try await client.request(
            .searchPatient, "Patient?identifier=\(Self.nhsSystem)%7C\(nhsNumber)" + (format.map { "&_format=\($0)" } ?? ""))
    }

    @Test func searchFindsRegisteredPatientWithProfileVersionAndVerifiedNHSNumber() async throws {
        try await TestServer.run { client in
            let reply = try await search(client, "9690937286")
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/fhir+json;charset=utf-8")
            #expect(reply.headers[.cacheControl] == "no-store")
            #expect(reply.resource?["type"]?.string == "searchset")
            #expect(reply.resource?.at("meta.profile")?.string == Profile.searchsetBundle)
            #expect(reply.entries.count == 1)
            let patient = try #require(reply.entries.first)
            #expect(patient["id"]?.string == "2")
            #expect(patient.at("meta.profile")?.string == Profile.patient)
            #expect(patient.at("meta.versionId")?.string == "1")
            #expect(patient["identifier"]?.items.count == 1)
            #expect(patient.at("identifier.value")?.string == "9690937286")
            #expect(patient.at("identifier.extension.valueCodeableConcept.coding.code")?.string == "01")
            #expect(patient["name"]?.items.filter { $0["use"]?.string == "official" }.count == 1)
            #expect(patient.at("managingOrganization.reference")?.string == "Organization/7")
            #expect(patient.at("generalPractitioner.reference")?.string == "Practitioner/1")
            let registration = patient["extension"]?.items.first { $0["url"]?.string == ExtensionURL.registrationDetails }
            let branch = registration?["extension"]?.items.first { $0["url"]?.string == "preferredBranchSurgery" }
            #expect(branch?.at("valueReference.reference")?.string == "Location/1")
            for forbidden in ["maritalStatus", "multipleBirthBoolean", "photo", "link", "animal"] { #expect(patient[forbidden] == nil) }
            // Contacts carry relationship text only (no coding) and a name with a use.
            #expect(patient.at("contact.relationship.text")?.string == "Next of kin")
            #expect(patient.at("contact.relationship.coding") == nil)
            #expect(patient.at("contact.name.use") != nil)
        }
    }

    @Test(arguments: [
        ("9690938533", "sensitive"), ("9690938681", "deceased"), ("9690938142", "inactive"), ("9999999999", "not in system"),
    ])
    func searchHidesPatientsFoundationsMustNotShow(nhsNumber: String, reason: String) async throws {
        try await TestServer.run { client in
            let reply = try await search(client, nhsNumber)
            #expect(reply.status == 200, "\(reason)")
            #expect(reply.resource?["type"]?.string == "searchset")
            #expect(reply.entries.isEmpty, "\(reason) patient must not be returned")
        }
    }

    @Test func searchStillShowsPatientWhoDissentedFromSharing() async throws {
        try await TestServer.run { client in
            let reply = try await search(client, "9690938576")
            #expect(reply.status == 200)
            #expect(reply.entries.count == 1)
        }
    }

    @Test(arguments: [
        ("identifier=9690937278", 422, "INVALID_PARAMETER"),
        ("identifier=%7C9690937286", 422, "INVALID_PARAMETER"),
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C", 422, "INVALID_PARAMETER"),
        ("", 400, "BAD_REQUEST"),
        ("Identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286", 400, "BAD_REQUEST"),
        (
            "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286&identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937278",
            400, "BAD_REQUEST"
        ),
        ("identifier=https%3A%2F%2Fexample.org%2Fmrn%7C123", 400, "INVALID_IDENTIFIER_SYSTEM"),
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C1234567891", 400, "INVALID_NHS_NUMBER"),
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7Chello", 400, "INVALID_NHS_NUMBER"),
    ])
    func searchRefusesMalformedParameters(query: String, status: Int, code: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchPatient, "Patient" + (query.isEmpty ? "" : "?" + query))
            #expect(reply.status == status)
            #expect(reply.spineCode == code)
            #expect(reply.headers[.cacheControl] == "no-store")
            #expect(reply.resource?.at("meta.profile")?.string == Profile.operationOutcome)
            #expect(reply.resource?.at("issue.severity")?.string == "error")
        }
    }

    @Test func searchIgnoresUnknownParameters() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchPatient, "Patient?identifier=\(Self.nhsSystem)%7C9690937286&_count=1&_sort=status")
            #expect(reply.status == 200)
            #expect(reply.entries.count == 1)
        }
    }

    @Test func readReturnsPatientWithETagMatchingVersion() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readPatient, "Patient/1")
            #expect(reply.status == 200)
            #expect(reply.resource?["resourceType"]?.string == "Patient")
            #expect(reply.resource?["id"]?.string == "1")
            #expect(reply.headers[.eTag] == "W/\"\(reply.resource?.at("meta.versionId")?.string ?? "?")\"")
            #expect(reply.resource?["gender"]?.string == "male")
            #expect(reply.resource?["contact"] == nil)
        }
    }

    @Test(arguments: ["SomthingIncorrectWhichIsNotTheOnProviderSystem", "aaBA", "1.1.22", "nd-skdm.mks--s", "9", "18", "21"])
    func readOfUnknownOrHiddenPatientIsPatientNotFound(id: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readPatient, "Patient/\(id)")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "PATIENT_NOT_FOUND")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }
}
