import FHIR
import Foundation
import GPConnect
import GPConnectContract
import Testing

/// An independent second opinion: PyPI's `fhir.resources` (STU3) parses what the server emits,
/// in JSON and XML, and the element order is checked against its `elements_sequence()`.
@Suite("STU3 validity, checked by fhir.resources")
struct STU3ValidationTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_stu3.py").path

    @Test func everythingFoundationsEmitsIsValidSTU3() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-stu3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await TestServer.run { client in
            let register = FHIRJSON.encodeString(
                RegisterPatientTests.body(edit: { patient in
                    patient.append("telecom", [["system": "phone", "value": "01234567891", "use": "temp"]])
                    patient.append("address", [["use": "temp", "line": ["1 Trevelyan Square"], "city": "Leeds", "postalCode": "LS1 6AE"]])
                }))
            let samples: [(String, Interaction, String, String?)] = [
                ("metadata", .readMetadata, "metadata", nil),
                ("structured-metadata", .readStructuredMetadata, "metadata", nil),
                ("documents-metadata", .readDocumentsMetadata, "metadata", nil),
                ("patient-search", .searchPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286", nil),
                ("patient-read", .readPatient, "Patient/2", nil),
                (
                    "practitioner-search", .searchPractitioner,
                    "Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG22345655", nil
                ),
                ("organization-read", .readOrganization, "Organization/7", nil),
                ("location-read", .readLocation, "Location/8", nil),
                ("operationoutcome", .readPatient, "Patient/unknown", nil),
                ("register", .registerPatient, "Patient/$gpc.registerpatient", register),
                (
                    "documents-patient-search", .searchDocumentsPatient,
                    "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286", nil
                ),
                ("documents-search", .searchDocuments, "Patient/2/DocumentReference?" + Docs.query(), nil),
                ("documents-search-big", .searchDocuments, "Patient/4/DocumentReference?" + Docs.query(), nil),
                ("documents-outcome", .searchDocuments, "Patient/2/DocumentReference", nil),
            ]
            for (name, interaction, path, body) in samples {
                for format in FHIRFormat.allCases {
                    var reply = try await client.request(
                        interaction, path + (path.contains("?") ? "&" : "?") + "_format=\(format.rawValue)", body: body)
                    if interaction == .registerPatient, reply.status == 409 {
                        // The JSON run registered the person; the XML run shows the duplicate outcome.
                        reply = try await client.request(interaction, path + "?_format=\(format.rawValue)", body: body)
                    }
                    try Data(reply.bytes).write(to: directory.appendingPathComponent("\(name).\(format.rawValue)"))
                }
            }
            // A Binary, retrieved (its content is real base64 of a real file).
            let binary = try #require(
                try await client.request(.searchDocuments, "Patient/2/DocumentReference?" + Docs.query()).documentReferences.first?
                    .attachment?["url"]?.string)
            for format in FHIRFormat.allCases {
                let reply = try await client.binary(binary, format: format)
                try Data(reply.bytes).write(to: directory.appendingPathComponent("binary.\(format.rawValue)"))
            }
        }
        let (status, text) = try STU3Validator.validate(directory)
        #expect(status == 0, "\(text)")
        #expect(text.contains("30 valid"), "\(text)")
    }

    /// Runs `validate_stu3.py` on every file in `directory`: its exit status and what it printed.
    static func validate(_ directory: URL) throws -> (Int32, String) {
        try STU3Validator.validate(directory)
    }
}
