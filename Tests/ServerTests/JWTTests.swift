import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import Testing

/// The audit JWT rules, following the pack's JWT.feature scenarios on the metadata endpoint.
@Suite("Audit JWT")
struct JWTTests {
    func metadata(_ client: Client, token: String?) async throws -> Reply {
        try await client.request(.readMetadata, "metadata") { headers in
            headers[.authorization] = token.map { "Bearer " + $0 }
        }
    }

    static func edited(_ edit: @escaping @Sendable (inout FHIRObject) -> Void) -> @Sendable () -> String {
        { Client.token(for: .readMetadata, edit: edit) }
    }

    static let now = Int64(Date().timeIntervalSince1970)

    @Test(
        arguments: [
            ("iss missing", edited { $0["iss"] = nil }),
            ("exp missing", edited { $0["exp"] = nil }),
            ("iat missing", edited { $0["iat"] = nil }),
            ("aud missing", edited { $0["aud"] = nil }),
            ("reason missing", edited { $0["reason_for_request"] = nil }),
            ("reason wrong", edited { $0["reason_for_request"] = "secondaryuses" }),
            ("scope missing", edited { $0["requested_scope"] = nil }),
            ("scope bad", edited { $0["requested_scope"] = "badScope" }),
            ("scope of another interaction", edited { $0["requested_scope"] = "patient/*.read" }),
            ("device missing", edited { $0["requesting_device"] = nil }),
            ("practitioner missing", edited { $0["requesting_practitioner"] = nil }),
            ("organization missing", edited { $0["requesting_organization"] = nil }),
            ("organization without ODS code", edited { $0["requesting_organization"] = ["resourceType": "Organization", "name": "X"] }),
            ("sub differs from practitioner id", edited { $0["sub"] = "2" }),
            ("exp is iat + 301", edited { claims in claims["exp"] = .number(String((Int64(claims["iat"]?.string ?? "0") ?? 0) + 301)) }),
            ("exp is iat + 299", edited { claims in claims["exp"] = .number(String((Int64(claims["iat"]?.string ?? "0") ?? 0) + 299)) }),
            ("exp before iat", edited { claims in claims["exp"] = .number(String((Int64(claims["iat"]?.string ?? "0") ?? 0) - 1)) }),
            (
                "expired: consumer clock 600 s slow",
                edited { claims in
                    claims["iat"] = .number(String(now - 600)); claims["exp"] = .number(String(now - 300))
                }
            ),
            ("exp not a number", edited { $0["exp"] = "soon" }),
        ] as [(String, @Sendable () -> String)])
    func claimProblemsAreBadRequest(name: String, token: @Sendable () -> String) async throws {
        try await TestServer.run { client in
            let reply = try await metadata(client, token: token())
            #expect(reply.status == 400, "\(name)")
            #expect(reply.spineCode == "BAD_REQUEST", "\(name)")
            #expect(reply.resource?["resourceType"]?.string == "OperationOutcome")
        }
    }

    @Test(
        arguments: [
            (
                "device with an unknown element",
                edited { claims in
                    claims["requesting_device"] = [
                        "resourceType": "Device", "identifier": [["system": "s", "value": "v"]], "model": "v1", "version": "1.1",
                        "invalidField": "Assurance Testing",
                    ]
                }
            ),
            (
                "device of the wrong resource type",
                edited { claims in
                    claims["requesting_device"] = [
                        "resourceType": "InvalidResourceType", "identifier": [["system": "s", "value": "v"]], "model": "v1",
                        "version": "1.1",
                    ]
                }
            ),
            (
                "practitioner of the wrong resource type",
                edited { claims in
                    claims["requesting_practitioner"] = ["resourceType": "InvalidResourceType", "id": "1"]
                }
            ),
        ] as [(String, @Sendable () -> String)])
    func invalidEmbeddedResourcesAreInvalidResource(name: String, token: @Sendable () -> String) async throws {
        try await TestServer.run { client in
            let reply = try await metadata(client, token: token())
            #expect(reply.status == 422, "\(name)")
            #expect(reply.spineCode == "INVALID_RESOURCE", "\(name)")
        }
    }

    @Test(
        arguments: [
            ("everything normal", edited { _ in }),
            (
                "iat in the future",
                edited { claims in
                    claims["iat"] = .number(String(now + 200)); claims["exp"] = .number(String(now + 500))
                }
            ),
            (
                "UNK identifiers",
                edited { claims in
                    claims["requesting_practitioner"] = [
                        "resourceType": "Practitioner", "id": "1",
                        "identifier": [
                            ["system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "UNK"],
                            ["system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "UNK"],
                        ],
                        "name": [["family": "AssurancePractitioner"]],
                    ]
                }
            ),
            (
                "only an SDS user id",
                edited { claims in
                    claims["requesting_practitioner"] = [
                        "resourceType": "Practitioner", "id": "1",
                        "identifier": [["system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "GCASDS0001"]],
                        "name": [["family": "AssurancePractitioner"]],
                    ]
                }
            ),
            (
                "resources sent as JSON strings",
                edited { claims in
                    for name in ["requesting_device", "requesting_organization", "requesting_practitioner"] {
                        if let value = claims[name] { claims[name] = .string(FHIRJSON.encodeString(value)) }
                    }
                }
            ),
            ("confidentiality in scope", edited { $0["requested_scope"] = "organization/*.read conf/N" }),
        ] as [(String, @Sendable () -> String)])
    func tokensThePackSendsAreAccepted(name: String, token: @Sendable () -> String) async throws {
        try await TestServer.run { client in
            let reply = try await metadata(client, token: token())
            #expect(reply.status == 200, "\(name): \(reply.text)")
            #expect(reply.resource?["resourceType"]?.string == "CapabilityStatement")
        }
    }

    @Test(
        arguments: [
            ("not base64", #"{"alg":"none","typ":"JWT"}.{"iss":"x"}."#),
            ("signed", Client.token(for: .readMetadata).dropLast() + ".c2lnbmF0dXJl"),
            ("two parts", "e30.e30"),
            ("alg HS256", Client.encodeToken(claims: ["iss": "x"], header: ["alg": "HS256", "typ": "JWT"])),
            ("payload not JSON", "e30.bm90IGpzb24."),
            ("payload of a length base64 cannot have", "e30.e30AB."),
            ("payload with a character outside base64url", "e30.e3*0."),
            ("payload padded in the middle", "e30.e3=0."),
            ("empty", ""),
        ] as [(String, String)])
    func malformedTokensAreBadRequest(name: String, token: String) async throws {
        try await TestServer.run { client in
            let reply = try await metadata(client, token: token)
            #expect(reply.status == 400, "\(name)")
            #expect(reply.spineCode == "BAD_REQUEST", "\(name)")
        }
    }

    @Test func diagnosticsNeverEchoTokenContent() async throws {
        try await TestServer.run { client in
            let token = Client.token(for: .readMetadata) { $0["sub"] = "SECRET-USER-42" }
            let reply = try await metadata(client, token: token)
            #expect(reply.status == 400)
            #expect(!reply.text.contains("SECRET-USER-42"))
        }
    }
}
