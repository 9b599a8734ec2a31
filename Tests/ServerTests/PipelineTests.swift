import CompressNIO
import FHIR
import Foundation
import GPConnect
import GPConnectContract
import HTTPTypes
import NIOCore
import Testing

@Suite("Request pipeline: Spine headers, routing, formats, compression")
struct PipelineTests {
    @Test(arguments: [
        (
            Interaction.searchPractitioner, "Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG11111116",
            Interaction.readPractitioner
        ),
        (.readPractitioner, "Practitioner/1", .readLocation),
        (.searchOrganization, "Organization", .readPractitioner),
        (.readOrganization, "Organization/7", .readPractitioner),
        (.readLocation, "Location/1", .readPractitioner),
    ])
    func interactionIDThatDoesNotMatchTheRouteIsBadRequest(interaction: Interaction, path: String, sent: Interaction) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(interaction, path) { headers in
                headers[HTTPField.Name(HeaderName.interactionID)!] = sent.id
            }
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    /// (Leading and trailing blanks of a header value are not part of it in HTTP, so "exact" is
    /// about the characters of the id.)
    @Test func interactionIDIsMatchedExactlyIncludingCase() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata") { headers in
                headers[HTTPField.Name(HeaderName.interactionID)!] = Interaction.readMetadata.id.uppercased()
            }
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
        }
    }

    /// The names as the spec spells them, not the contract's `HeaderName` constants, so a misspelt
    /// constant fails here rather than agreeing with itself.
    @Test(arguments: ["Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID", "Authorization"])
    func missingSpineHeaderIsBadRequest(header: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata") { headers in
                headers[HTTPField.Name(header)!] = nil
            }
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
        }
    }

    @Test func sspToThatIsNotThePracticeASIDIsBadRequest() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata") { headers in
                headers[HTTPField.Name(HeaderName.to)!] = "123456789123"
            }
            #expect(reply.status == 400)
            #expect(reply.spineCode == "BAD_REQUEST")
        }
    }

    @Test func eachPracticeIsServedUnderItsOwnODSCodeAndASID() async throws {
        try await TestServer.run { client in
            let wrongASID = try await client.request(.readMetadata, "metadata", ods: "A20047")
            #expect(wrongASID.status == 400, "Ssp-To is B82617's ASID, not A20047's")
            let reply = try await client.request(.readOrganization, "Organization/7", ods: "A20047") { headers in
                headers[HTTPField.Name(HeaderName.to)!] = "918999198739"
            }
            #expect(reply.status == 200)
            #expect(reply.resource?.at("identifier.value")?.string == "A20047")
        }
    }

    @Test func unknownODSCodeIsAnOperationOutcome() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata", ods: "ZZZ999")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "ORGANISATION_NOT_FOUND")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test(arguments: [
        ("metadatas", HTTPRequest.Method.get), ("metadatas", .post), ("metadatas", .put), ("metadata", .patch), ("metadata", .delete),
        ("metadata", .options), ("Metadata", .get), ("", .get), ("Patient/1/foo", .get),
    ])
    func unknownPathsAndMethodsGetAJSONOperationOutcome(path: String, method: HTTPRequest.Method) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, path, method: method)
            #expect(reply.status != 200)
            #expect([404, 405].contains(reply.status))
            #expect(reply.contentType?.hasPrefix("application/fhir+json") == true)
            #expect(reply.resource?["resourceType"]?.string == "OperationOutcome")
            #expect(reply.resource?.at("issue.severity")?.string == "error")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test func pathsOutsideTheFHIRRootsAreOperationOutcomesToo() async throws {
        try await TestServer.run { client in
            let reply = try await client.raw("/nothing/here")
            #expect(reply.status == 404)
            #expect(reply.spineCode == "NO_RECORD_FOUND")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    /// The pack's FHIR.feature matrix: `_format` wins over `Accept`; the request's Content-Type
    /// decides only when neither is given.
    @Test(
        arguments: [
            ("application/fhir+json", nil, "application/fhir+json"),
            ("application/fhir+xml", nil, "application/fhir+xml"),
            (nil, "application/fhir+json", "application/fhir+json"),
            (nil, "application/fhir+xml", "application/fhir+xml"),
            ("application/fhir+xml", "application/fhir+json", "application/fhir+json"),
            ("application/fhir+json", "application/fhir+xml", "application/fhir+xml"),
            ("application/fhir+xml", "xml", "application/fhir+xml"),
            ("application/fhir+xml", "json", "application/fhir+json"),
        ] as [(String?, String?, String)])
    func formatIsNegotiatedFromFormatParameterThenAccept(accept: String?, format: String?, expected: String) async throws {
        try await TestServer.run { client in
            let query =
                format.map { "?_format=" + $0.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F") } ?? ""
            let reply = try await client.request(.readPractitioner, "Practitioner/1" + query) { headers in
                headers[.accept] = accept
            }
            #expect(reply.status == 200)
            #expect(reply.contentType == expected + ";charset=utf-8")
            #expect(reply.resource?["resourceType"]?.string == "Practitioner")
        }
    }

    @Test func unsupportedFormatIsUnsupportedMediaType() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readMetadata, "metadata") { headers in headers[.accept] = "text/html" }
            #expect(reply.status == 415)
            #expect(reply.contentType?.hasPrefix("application/fhir+json") == true)
            let param = try await client.request(.readMetadata, "metadata?_format=text%2Fhtml")
            #expect(param.status == 415)
        }
    }

    @Test func errorsAreRenderedInTheNegotiatedFormat() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.readPatient, "Patient/unknown?_format=xml")
            #expect(reply.status == 404)
            #expect(reply.contentType == "application/fhir+xml;charset=utf-8")
            #expect(reply.text.contains("<code value=\"PATIENT_NOT_FOUND\"/>"))
            #expect(reply.spineCode == "PATIENT_NOT_FOUND")
        }
    }

    @Test func gzipIsUsedOnlyWhenAsked() async throws {
        try await TestServer.run { client in
            let plain = try await client.request(.readMetadata, "metadata")
            #expect(plain.headers[.contentEncoding] == nil)
            let zipped = try await client.request(.readMetadata, "metadata") { headers in headers[.acceptEncoding] = "gzip" }
            #expect(zipped.status == 200)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.bytes.starts(with: [0x1f, 0x8b]))
            var buffer = ByteBuffer(bytes: zipped.bytes)
            let inflated = try buffer.decompress(with: .gzip())
            #expect(Array(inflated.readableBytesView) == plain.bytes)
        }
    }

    @Test func healthEndpointAnswersWithoutSpineHeaders() async throws {
        try await TestServer.run { client in
            let reply = try await client.raw("/health")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"status":"ok"}"#)
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }
}
