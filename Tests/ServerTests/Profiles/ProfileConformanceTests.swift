import FHIR
import Foundation
import GPConnect
import GPConnectContract
import Testing

/// The profile checker (``ProfileCheck``) against the NHS StructureDefinitions: every reply of
/// `Client.request` is checked already; these tests show that each kind of check can fail, on
/// real responses broken on purpose, and check what the other suites do not reach (every
/// reference patient's whole record, in both encodings).
@Suite("Profile conformance")
struct ProfileConformanceTests {
    typealias S = Structured

    static func violations(_ resource: FHIRElement) throws -> [String] { try ProfileCheck.violations(in: resource) }

    static func expect(_ resource: FHIRElement, reports fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = try violations(resource)
        #expect(
            found.contains { $0.contains(fragment) }, "expected a violation containing \"\(fragment)\", got \(found)",
            sourceLocation: sourceLocation)
    }

    /// `resource` with `edit` applied to its object.
    static func edited(_ resource: FHIRElement, _ edit: (inout FHIRObject) -> Void) -> FHIRElement {
        var object = resource.object ?? FHIRObject()
        edit(&object)
        return .object(object)
    }

    @Test func theFactsKnowEveryProfileTheServerClaims() throws {
        let facts = try ProfileFacts.shared.get()
        let claimed =
            [
                Profile.patient, Profile.organization, Profile.practitioner, Profile.practitionerRole, Profile.location,
                Profile.operationOutcome, Profile.searchsetBundle, Profile.appointment, Profile.schedule, Profile.slot,
                Profile.structuredRecordBundle, "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-DocumentReference-1",
            ] + ClinicalItem.Kind.allCases.map(\.profile)
        for url in claimed { #expect(facts.profiles[url] != nil, "\(url) is not in Profiles/profiles.json") }
        let extensions = [
            ExtensionURL.registrationDetails, ExtensionURL.nhsCommunication, ExtensionURL.nhsNumberVerificationStatus,
            ExtensionURL.practitionerRole, ExtensionURL.deliveryChannel, ExtensionURL.bookingOrganisation, ExtensionURL.cancellationReason,
            StructuredURL.clinicalSetting, StructuredURL.listWarningCode, StructuredURL.relatedClinicalContent,
            StructuredURL.relatedProblemHeader, StructuredURL.problemSignificance, StructuredURL.vaccinationProcedure,
        ]
        for url in extensions { #expect(facts.profiles[url]?.type == "Extension", "\(url) is not in Profiles/profiles.json") }
    }

    /// Each check, on a real response broken one way, in JSON and XML and inside a Bundle.
    @Test func everyKindOfDepartureIsReported() async throws {
        try await TestServer.run { client in
            let search = try await client.request(
                .searchPractitioner, "Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG13579135")
            let practitioner = try #require(search.entries.first)
            let location = try #require(try await client.request(.readLocation, "Location/1").resource)
            let organization = try #require(try await client.request(.readOrganization, "Organization/7").resource)
            let record = try await client.structured(S.patient2, [S.parameter("includeImmunisations"), S.parameter("includeProblems")])
            let immunization = try #require(record.resources("Immunization").first)
            #expect(try Self.violations(practitioner).isEmpty)
            #expect(try Self.violations(immunization).isEmpty)

            // Cardinality: an element the profile forbids (max 0).
            let communicating = Self.edited(practitioner) {
                $0.append("communication", [["coding": [["system": .string(CodeSystemURL.humanLanguage), "code": "en"]]]])
            }
            try Self.expect(communicating, reports: "Practitioner/1 Practitioner.communication: max 0, found 1")
            // Closed slicing on coding.system.
            let hl7Coded = Self.edited(location) {
                $0["physicalType"] = [
                    "coding": [["system": "http://hl7.org/fhir/location-physical-type", "code": "bu", "display": "Building"]]
                ]
            }
            try Self.expect(
                hl7Coded, reports: "Location.physicalType.coding: http://hl7.org/fhir/location-physical-type is outside the closed slicing")
            // A required extension slice missing (min 1).
            let noProcedure = Self.edited(immunization) { object in
                object["extension"] = .array(
                    (object["extension"]?.items ?? []).filter { $0["url"]?.string != StructuredURL.vaccinationProcedure })
            }
            try Self.expect(noProcedure, reports: "Immunization.extension:vaccinationProcedure: min 1, found 0")
            // A fixed value.
            try Self.expect(
                Self.edited(immunization) { $0["status"] = "entered-in-error" },
                reports: "Immunization.status: fixed completed, found entered-in-error")
            // An extension's own definition: a sub-extension it requires.
            let noLanguage = Self.edited(practitioner) {
                $0["extension"] = [
                    ["url": .string(ExtensionURL.nhsCommunication), "extension": [["url": "preferred", "valueBoolean": true]]]
                ]
            }
            try Self.expect(noLanguage, reports: "extension:language: min 1, found 0")
            // An extension's value type.
            let wrongType = Self.edited(immunization) { object in
                object["extension"] = .array(
                    (object["extension"]?.items ?? []).map { item in
                        item["url"]?.string == StructuredURL.vaccinationProcedure
                            ? ["url": .string(StructuredURL.vaccinationProcedure), "valueString": "flu jab"] : item
                    })
            }
            try Self.expect(wrongType, reports: "Immunization.extension.valueString: type not allowed")
            // A reference to a resource type the element's target profiles do not allow.
            try Self.expect(
                Self.edited(immunization) { $0["patient"] = ["reference": "Practitioner/1"] },
                reports: "Immunization.patient: reference to Practitioner not allowed (Patient)")
            // A value set defined by a SNOMED CT expression: the code system, at least.
            let readCoded = Self.edited(immunization) { object in
                object["extension"] = .array(
                    (object["extension"]?.items ?? []).map { item in
                        item["url"]?.string == StructuredURL.vaccinationProcedure
                            ? [
                                "url": .string(StructuredURL.vaccinationProcedure),
                                "valueCodeableConcept": [
                                    "coding": [["system": "http://read.info/ctv3", "code": "65E..", "display": "Flu"]]
                                ],
                            ] : item
                    })
            }
            try Self.expect(readCoded, reports: "no coding from http://snomed.info/sct (CareConnect-VaccinationProcedure-1)")
            // An extension where its context does not allow it.
            let misplaced = Self.edited(organization) {
                $0["extension"] = [
                    [
                        "url": .string(ExtensionURL.nhsCommunication),
                        "extension": [["url": "language", "valueCodeableConcept": ["text": "English"]]],
                    ]
                ]
            }
            try Self.expect(misplaced, reports: "Extension-CareConnect-GPC-NHSCommunication-1 may not appear here")
            // An extension URL on an NHS domain that no repository defines (a misspelling).
            let misspelt = Self.edited(location) {
                $0["extension"] = [
                    ["url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-Misspelt-1", "valueString": "x"]
                ]
            }
            try Self.expect(
                misspelt,
                reports: "Location.extension: unknown extension https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-Misspelt-1"
            )
            // An element the resource type does not have.
            try Self.expect(
                Self.edited(practitioner) { $0.append("favouriteColour", "blue") }, reports: "Practitioner.favouriteColour: not defined")
            // A required binding whose value set the assets enumerate (CareConnect-ConditionCategory-1).
            let problem = try #require(record.resources("Condition").first)
            let badCategory = Self.edited(problem) {
                $0["category"] = [
                    ["coding": [["system": "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-ConditionCategory-1", "code": "bogus"]]]
                ]
            }
            try Self.expect(badCategory, reports: "CareConnect-ConditionCategory-1|bogus is not in CareConnect-ConditionCategory-1")
            let badList = try #require(record.lists.first)
            try Self.expect(Self.edited(badList) { $0["status"] = "wrong" }, reports: "List.status")
            // Profiles the facts do not know, or none.
            let local = Self.edited(practitioner) { $0["meta"] = ["profile": ["https://example.org/StructureDefinition/Local-Task-1"]] }
            try Self.expect(local, reports: "unknown profile https://example.org/StructureDefinition/Local-Task-1")
            try Self.expect(Self.edited(practitioner) { $0["meta"] = nil }, reports: "Practitioner/1: no meta.profile")

            // Inside a Bundle, and read back from XML.
            var bundle = try #require(search.resource?.object)
            bundle["entry"] = [["fullUrl": "https://example.org/Practitioner/1", "resource": communicating]]
            let xml = FHIRXML.encode(.object(bundle))
            let fromXML = try ProfileCheck.violations(in: FHIRFormat.xml.decode(xml))
            #expect(fromXML.contains { $0.contains("Practitioner/1 Practitioner.communication: max 0, found 1") }, "\(fromXML)")
            // The helper other tests call records the violations as issues.
            try withKnownIssue {
                try ProfileCheck.assertConforms(xml, format: .xml)
            } matching: { issue in
                issue.description.contains("Practitioner.communication: max 0, found 1")
            }
        }
    }

    /// Every reference patient's whole record, as `$gpc.getstructuredrecord` returns it in JSON
    /// and XML, and as migrate returns it (each reply is also checked by `Client.request`).
    @Test func everyReferencePatientsRecordConforms() async throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../Sources/GPConnectSeed/Data/patients-B82617.json")
        let patients = try FHIRJSON.decode(Array(Data(contentsOf: seed))).items.compactMap { $0["nhsNumber"]?.string }
        #expect(patients.count >= 21)
        try await TestServer.run { client in
            for patient in patients {
                for format in FHIRFormat.allCases {
                    let reply = try await client.structured(patient, S.everyArea, format: format)
                    #expect([200, 403, 404].contains(reply.status), "\(patient) \(format): \(reply.status)")
                    let resource = try #require(reply.resource)
                    #expect(try Self.violations(resource).isEmpty)
                }
            }
            for patient in patients {
                let migrate = try await client.migrate(patient, sensitive: true)
                #expect([200, 403, 404].contains(migrate.status), "\(patient) migrate: \(migrate.status)")
                #expect(try Self.violations(try #require(migrate.resource)).isEmpty)
            }
            #expect(try await client.migrate(S.patient2, sensitive: true).entries.count > 10)
        }
    }
}
