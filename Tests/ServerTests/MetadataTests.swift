import FHIR
import GPConnect
import GPConnectContract
import GPConnectServer
import HTTPTypes
import Testing

@Suite("CapabilityStatements")
struct MetadataTests {
    @Test(arguments: [FHIRFormat.json, .xml])
    func foundationsStatementDeclaresFormatsOperationsAndProfiles(format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata?_format=\(format.rawValue)")
            #expect(reply.status == 200)
            #expect(reply.contentType == format.contentType)
            let statement = try #require(reply.resource)
            #expect(statement["resourceType"]?.string == "CapabilityStatement")
            #expect(statement["fhirVersion"]?.string == "3.0.1")
            #expect(statement["version"]?.string == "1.5.0")
            #expect(statement["kind"]?.string == "capability")
            #expect(statement["acceptUnknown"]?.string == "both")
            #expect(statement.at("software.name")?.string?.isEmpty == false)
            #expect(statement.at("software.version")?.string?.isEmpty == false)
            #expect(Set(statement["format"]?.items.compactMap(\.string) ?? []) == ["application/fhir+json", "application/fhir+xml"])
            let operations = statement.at("rest")?["operation"]?.items ?? []
            #expect(operations.contains { $0["name"]?.string == "gpc.registerpatient" })
            #expect(
                operations.first { $0["name"]?.string == "gpc.getstructuredrecord" }?.at("definition.reference")?.string
                    == "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1/_history/1.15")
            let profiles = statement["profile"]?.items.compactMap { $0["reference"]?.string } ?? []
            for profile in [
                Profile.patient, Profile.organization, Profile.practitioner, Profile.location, Profile.operationOutcome, Profile.slot,
            ] {
                #expect(profiles.filter { $0 == profile }.count == 1, "\(profile)")
            }
            let resources = statement.at("rest")?["resource"]?.items ?? []
            for type in ["Patient", "Organization", "Practitioner", "Location", "Appointment", "Slot"] {
                #expect(resources.contains { $0["type"]?.string == type }, "\(type)")
            }
            #expect(
                resources.first { $0["type"]?.string == "Slot" }?["searchInclude"]?.items.contains {
                    $0.string == "Location:managingOrganization"
                } == true)
        }
    }

    @Test func structuredAndDocumentsStatementsAreServedOnTheirOwnRoots() async throws {
        try await TestServer.run { client in
            let structured = try await client.request(.readStructuredMetadata, "metadata")
            #expect(structured.status == 200)
            #expect(structured.resource?["version"]?.string == "1.6.0")
            let operations = structured.resource?.at("rest")?["operation"]?.items.compactMap { $0["name"]?.string } ?? []
            #expect(operations.contains("gpc.getstructuredrecord") && operations.contains("gpc.migratestructuredrecord"))
            let documents = try await client.request(.readDocumentsMetadata, "metadata")
            #expect(documents.status == 200)
            let profiles = documents.resource?["profile"]?.items.compactMap { $0["reference"]?.string } ?? []
            #expect(profiles.contains("https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1/_history/1.3"))
            // The foundations interaction id is not valid on the structured root.
            let wrong = try await client.request(.readStructuredMetadata, "metadata") { headers in
                headers[HTTPField.Name(HeaderName.interactionID)!] = Interaction.readMetadata.id
            }
            #expect(wrong.status == 400)
        }
    }

    @Test func versionsAreConfigurable() async throws {
        try await TestServer.run(configure: { $0.identity.versions[.foundations] = "1.2.9" }) { client in
            let reply = try await client.request(.readMetadata, "metadata")
            #expect(reply.resource?["version"]?.string == "1.2.9")
        }
    }
}
