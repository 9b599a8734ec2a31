import FHIR
import Foundation
import GPConnectContract
import Testing

/// `/openapi.json`: generated from the interaction table, valid OpenAPI 3 by PyPI's
/// openapi-spec-validator, naming every interaction's Spine id under its route.
@Suite("OpenAPI description")
struct OpenAPITests {
    @Test func theDescriptionIsValidOpenAPIAndNamesEveryInteraction() async throws {
        try await TestServer.run { client in
            let reply = try await client.raw("/openapi.json")
            #expect(reply.status == 200)
            let document = try FHIRJSON.decode(reply.bytes)
            #expect(document["openapi"]?.string == "3.0.3")
            let paths = try #require(document["paths"]?.object)
            for interaction in Interaction.allCases {
                let path = "/{ods}/" + interaction.capability.rootPath + "/" + interaction.path
                let operation = paths[path]?[interaction.method.rawValue.lowercased()]
                let header = operation?["parameters"]?.items.first { $0["name"]?.string == "Ssp-InteractionID" }
                #expect(
                    header?["schema"]?["enum"]?.items.contains(.string(interaction.id)) == true, "\(interaction) is not described")
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
            try Data(reply.bytes).write(to: file)
            let (status, output) = try STU3Validator.python([
                "-c",
                "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')",
                file.path,
            ])
            #expect(status == 0, "\(output)")
            #expect(output.contains("valid"))
        }
    }
}
