import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import GPConnectPostgres
import GPConnectServer
import GPConnectStorage
import GPConnectTestSupport
import HTTPTypes
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Access Document over HTTP against the seeded reference documents, scenario by scenario as the
/// pack's StructuredDocuments.feature and the migrate-document scenarios of StructuredMigrate.feature
/// walk them, plus the rules the spec adds (GP Connect 1.6.2, access_documents pages).
@Suite("Access Document")
struct DocumentsTests {
    /// Runs `body` with the stores of the server's own database.
    static func withStores(_ client: Client, _ body: (Stores) async throws -> Void) async throws {
        let storage = try await Storage.open(client.databasePath)
        do {
            try await body(storage.stores)
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }

    /// "I Check the returned DocumentReference is Valid" and "… Do Not Include Not In Use Fields".
    static func expectValid(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        let patients = Set(reply.resources("Patient").compactMap { $0["id"]?.string })
        for document in reply.documentReferences {
            #expect(document["id"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
            #expect(
                document["meta"]?["profile"]?.items.map(\.string) == [ClinicalItem.Kind.document.profile], sourceLocation: sourceLocation)
            #expect(document["identifier"]?.items.isEmpty == false, sourceLocation: sourceLocation)
            for identifier in document["identifier"]?.items ?? [] {
                #expect(
                    identifier["system"]?.string?.isEmpty == false && identifier["value"]?.string?.isEmpty == false,
                    sourceLocation: sourceLocation)
            }
            #expect(document["status"]?.string == "current", sourceLocation: sourceLocation)
            let codings = document["type"]?["coding"]?.items ?? []
            if codings.isEmpty {
                #expect(document["type"]?["text"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
            } else {
                #expect(
                    codings.allSatisfy { $0["system"]?.string == "http://snomed.info/sct" && $0["display"] != nil },
                    sourceLocation: sourceLocation)
            }
            let subject = document["subject"]?["reference"]?.string ?? ""
            #expect(
                patients.contains(String(subject.dropFirst("Patient/".count))), "the subject is in the Bundle",
                sourceLocation: sourceLocation)
            #expect(document["indexed"] != nil, sourceLocation: sourceLocation)
            #expect(document.attachment?["size"] != nil && document.attachment?["contentType"] != nil, sourceLocation: sourceLocation)
            for notInUse in ["docStatus", "class", "authenticator", "relatesTo", "securityLabel"] {
                #expect(document[notInUse] == nil, "\(notInUse) is not in use", sourceLocation: sourceLocation)
            }
            #expect(document.attachment?["data"] == nil, sourceLocation: sourceLocation)
        }
    }

    static func expectSearchset(_ reply: Reply, traceID: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 200, "\(reply.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(reply.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        #expect(reply.resource?["type"]?.string == "searchset", sourceLocation: sourceLocation)
        #expect(reply.resource?["meta"]?["profile"]?.items.map(\.string) == [Profile.searchsetBundle], sourceLocation: sourceLocation)
        for entry in reply.resource?["entry"]?.items ?? [] {
            let url = entry["fullUrl"]?.string ?? ""
            let resource = entry["resource"]
            #expect(url.hasPrefix("http://") && url.contains(Docs.root + "/"), "absolute fullUrl: \(url)", sourceLocation: sourceLocation)
            #expect(
                url.hasSuffix("/\(resource?["resourceType"]?.string ?? "")/\(resource?["id"]?.string ?? "")"),
                sourceLocation: sourceLocation)
        }
    }

    // MARK: D2 Find a patient

    @Test(arguments: ["9690937278", Docs.patient2, Docs.patient3, Docs.patient4, "9690937375", "9690937383", "9690938576"])
    func theDocumentsPatientSearchFindsTheRegisteredPatient(_ nhsNumber: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.documentsPatient(nhsNumber)
            Self.expectSearchset(reply)
            let patients = reply.resources("Patient")
            #expect(patients.count == 1 && reply.entries.count == 1)
            #expect(patients.first?.at("identifier.value")?.string == nhsNumber)
            #expect(patients.first?["meta"]?["versionId"] != nil)
            #expect(reply.resource?["id"]?.string?.isEmpty == false, "the Bundle id is the trace id")
        }
    }

    @Test(arguments: [("9690938681", "deceased"), ("9690938533", "sensitive"), ("9690938142", "inactive"), ("9999999999", "not here")])
    func patientsWhoseDocumentsCannotBeSharedAreNotFound(_ nhsNumber: String, _ why: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.documentsPatient(nhsNumber)
            Self.expectSearchset(reply)
            #expect(reply.entries.isEmpty, "\(why)")
        }
    }

    @Test func theBundleIDIsTheTraceIDAndXMLIsServed() async throws {
        try await TestServer.run { client in
            let reply = try await client.request(
                .searchDocumentsPatient, "Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286",
                headers: { headers in
                    headers[HTTPField.Name(HeaderName.traceID)!] = "7e9a1b6c-0d4f-4c1a-9d7e-3b2a1f0e9c8d"
                    headers[.accept] = "application/fhir+xml"
                })
            #expect(reply.contentType?.hasPrefix("application/fhir+xml") == true)
            #expect(reply.resource?["id"]?.string == "7e9a1b6c-0d4f-4c1a-9d7e-3b2a1f0e9c8d")
            #expect(reply.resources("Patient").count == 1)
        }
    }

    @Test(arguments: [
        ("", 400, "BAD_REQUEST"), ("Identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286", 400, "BAD_REQUEST"),
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C", 422, "INVALID_PARAMETER"),
        ("identifier=%7C9690937286", 422, "INVALID_PARAMETER"), ("identifier=9690937286", 422, "INVALID_PARAMETER"),
        ("identifier=https%3A%2F%2Fexample.org%2Fother%7C9690937286", 422, "INVALID_PARAMETER"),
        ("identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C1234567891", 400, "INVALID_NHS_NUMBER"),
        (
            "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286&identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937278",
            400, "BAD_REQUEST"
        ),
    ])
    func badPatientSearchesAreRefused(_ query: String, _ status: Int, _ code: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.request(.searchDocumentsPatient, "Patient" + (query.isEmpty ? "" : "?" + query))
            #expect(reply.status == status && reply.spineCode == code, "\(reply.text.prefix(300))")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    // MARK: D3 Search for a patient's documents

    @Test func patient2sDocumentsAreListedWithEverythingTheyReferTo() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let reply = try await client.documents(patientID: id)
            Self.expectSearchset(reply)
            Self.expectValid(reply)
            let documents = reply.documentReferences
            // The confidential report is withheld; the details-only summary is a placeholder.
            #expect(documents.map { $0["id"]?.string } == ["doc2-4", "doc2-2", "doc2-1", "doc2-5"], "newest first")
            let first = try #require(documents.first)
            #expect(first.attachment?["url"]?.string?.hasPrefix("http://") == true)
            #expect(first.attachment?["url"]?.string?.contains(Docs.root + "/Binary/") == true)
            let placeholder = try #require(documents.last)
            #expect(placeholder.attachment?["url"] == nil)
            #expect(placeholder.attachment?["title"]?.string == DocumentRecord.missingFileTitle)
            let discharge = try #require(documents.first { $0["id"]?.string == "doc2-1" })
            #expect(discharge.at("type.coding.code")?.string == "824331000000106")
            #expect(discharge.at("context.encounter.reference")?.string == "Encounter/e2-1")
            #expect(discharge.at("context.related.ref.reference")?.string == "Condition/pr2-1")
            #expect(discharge.at("author.reference")?.string == "Organization/8")
            #expect(discharge.at("custodian.reference")?.string == "Organization/7")
            // Patient, practice, usual GP and role, and the external author.
            #expect(reply.resources("Patient").count == 1)
            let organizations = Set(reply.resources("Organization").compactMap { $0["id"]?.string })
            #expect(organizations.isSuperset(of: ["7", "8"]))
            #expect(
                reply.danglingReferences.allSatisfy { $0.hasPrefix("Encounter/") || $0.hasPrefix("Condition/") },
                "\(reply.danglingReferences)")
            #expect(reply.resources("Practitioner").compactMap { $0["id"]?.string } == ["1"])
            #expect(reply.resources("PractitionerRole").count == 1)
            #expect(reply.resource?["id"]?.string?.isEmpty == false)
        }
    }

    @Test func aPatientWithoutDocumentsGetsTheBundleWithNone() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient3))
            let reply = try await client.documents(patientID: id)
            Self.expectSearchset(reply)
            #expect(reply.documentReferences.isEmpty)
            #expect(reply.resources("Patient").count == 1)
        }
    }

    @Test func aDocumentOverTheRetrievalLimitIsAPlaceholderAndCannotBeRetrieved() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient4))
            let reply = try await client.documents(patientID: id)
            Self.expectValid(reply)
            let big = try #require(reply.documentReferences.first)
            #expect(reply.documentReferences.count == 1)
            #expect((big.attachment?["size"]?.string).flatMap { Int($0) }.map { $0 > 5 * 1024 * 1024 } == true)
            #expect(big.attachment?["url"] == nil)
            #expect(big.attachment?["title"]?.string?.contains("5 MB") == true)
        }
    }

    @Test(arguments: [
        ("author", "https://fhir.nhs.uk/Id/ods-organization-code|B82617", ["doc2-4", "doc2-5"]),
        ("author", "https://fhir.nhs.uk/Id/ods-organization-code|RVW", ["doc2-2", "doc2-1"]),
        ("author", "https://fhir.nhs.uk/Id/ods-organization-code|X99999", []),
        ("description", "DISCHARGE", ["doc2-1"]),
        ("description", "scanned", ["doc2-2"]),
        ("description", "Letter to patient", ["doc2-4"]),
    ])
    func searchesFilterByAuthorAndKeyword(_ name: String, _ value: String, _ expected: [String]) async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let reply = try await client.documents(patientID: id, [(name, value)])
            Self.expectSearchset(reply)
            Self.expectValid(reply)
            #expect(reply.documentReferences.compactMap { $0["id"]?.string } == expected)
        }
    }

    @Test func createdWindowsSelectByCreatedDate() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            func ids(_ bounds: [(String, String)]) async throws -> [String] {
                let reply = try await client.documents(patientID: id, bounds)
                Self.expectSearchset(reply)
                return reply.documentReferences.compactMap { $0["id"]?.string }
            }
            // The pack's windows (StructuredDocuments.feature "created within a last 365 days", "less than",
            // "greater than"): each must answer 200.
            #expect(try await ids([("created", "ge" + Structured.day(1)), ("created", "le" + Structured.day(366))]).isEmpty)
            #expect(try await ids([("created", "le" + Structured.day(-2))]) == ["doc2-4", "doc2-2", "doc2-1", "doc2-5"])
            #expect(try await ids([("created", "ge" + Structured.day(-365))]) == ["doc2-4", "doc2-2", "doc2-1"])
            #expect(try await ids([("created", "ge" + Structured.day(-150)), ("created", "le" + Structured.day(-60))]) == ["doc2-2"])
            // A dateTime as .NET's FhirDateTime writes it; an unencoded `+` in its offset too.
            #expect(try await ids([("created", "ge" + Structured.day(-35) + "T00:00:00+00:00")]) == ["doc2-4"])
            let raw = try await client.request(
                .searchDocuments,
                "Patient/\(id)/DocumentReference?" + Docs.query() + "&created=ge\(Structured.day(-35))T00:00:00+00:00")
            #expect(raw.documentReferences.compactMap { $0["id"]?.string } == ["doc2-4"])
        }
    }

    @Test(arguments: [
        [("created", "gt2020-01-01")], [("created", "ge2020-13-01")], [("created", "ge2021-01-01"), ("created", "le2020-01-01")],
        [("created", "ge2020-01-01"), ("created", "ge2021-01-01")], [("created", "le2020"), ("created", "le2021"), ("created", "ge2019")],
        [("author", "https://bad-identifier|B82617")], [("author", "B82617")],
        [("author", "https://fhir.nhs.uk/Id/ods-organization-code|")],
        [("BadParameter", "BadParamValue")], [("description", "")], [("_include", "DocumentReference:subject:Practitioner")],
    ])
    func badDocumentSearchesAreInvalidParameters(_ extra: [(String, String)]) async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let reply = try await client.documents(patientID: id, extra)
            #expect(reply.status == 422 && reply.spineCode == "INVALID_PARAMETER", "\(extra): \(reply.text.prefix(300))")
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test func aSearchWithoutTheMandatoryIncludesIsRefused() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let none = try await client.request(.searchDocuments, "Patient/\(id)/DocumentReference")
            #expect(none.status == 422 && none.spineCode == "INVALID_PARAMETER")
            let partial = try await client.request(
                .searchDocuments, "Patient/\(id)/DocumentReference?_include=DocumentReference%3Asubject%3APatient")
            #expect(partial.status == 422 && partial.spineCode == "INVALID_PARAMETER")
        }
    }

    @Test(arguments: ["9999999999999", "aaBA", "1.1.22"])
    func searchingAnUnknownPatientIsPatientNotFound(_ id: String) async throws {
        try await TestServer.run { client in
            let reply = try await client.documents(patientID: id)
            #expect(reply.status == 404 && reply.spineCode == "PATIENT_NOT_FOUND", "\(reply.text.prefix(200))")
        }
    }

    @Test func aTemporaryPatientsDocumentsAreNotFound() async throws {
        try await TestServer.run { client in
            let register = try await client.request(
                .registerPatient, "Patient/$gpc.registerpatient", body: FHIRJSON.encodeString(RegisterPatientTests.body()))
            #expect(register.status == 200)
            let id = try #require(register.resources("Patient").first?["id"]?.string)
            let reply = try await client.documents(patientID: id)
            #expect(reply.status == 404 && reply.spineCode == "PATIENT_NOT_FOUND")
        }
    }

    @Test func aDissentingPatientsDocumentsAreRefusedForConsent() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID("9690938576"))
            let reply = try await client.documents(patientID: id)
            #expect(reply.status == 403 && reply.spineCode == "NO_PATIENT_CONSENT")
        }
    }

    @Test func searchesAreServedInXML() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let reply = try await client.documents(patientID: id, format: .xml)
            #expect(reply.contentType?.hasPrefix("application/fhir+xml") == true)
            Self.expectValid(reply)
            #expect(reply.documentReferences.count == 4)
        }
    }

    // MARK: D4 Retrieve, D5 Migrate

    @Test(arguments: FHIRFormat.allCases)
    func theFirstDocumentIsRetrievedAsABinaryThatOpens(_ format: FHIRFormat) async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let search = try await client.documents(patientID: id)
            let url = try #require(search.documentReferences.first { $0["id"]?.string == "doc2-1" }?.attachment?["url"]?.string)
            let reply = try await client.binary(url, format: format)
            #expect(reply.status == 200 && reply.headers[.cacheControl] == "no-store", "\(reply.text.prefix(300))")
            #expect(reply.contentType?.hasPrefix(format == .json ? "application/fhir+json" : "application/fhir+xml") == true)
            let binary = try #require(reply.resource)
            #expect(binary["resourceType"]?.string == "Binary")
            #expect(binary["contentType"]?.string == "application/pdf")
            #expect(binary["securityContext"] == nil)
            #expect(binary["meta"]?["versionId"]?.string == "1" && reply.headers[.eTag] == "W/\"1\"")
            #expect(binary["id"]?.string == url.split(separator: "/").last.map(String.init))
            let bytes = try #require(reply.binaryContent)
            #expect(Array(bytes.prefix(8)) == Array("%PDF-1.4".utf8))
            #expect(Int(reply.headers[.contentLength] ?? "") == reply.bytes.count)
            #expect(try DocumentFileChecks.pdfText(bytes).contains("discharge summary"), "a PDF a reader opens")
        }
    }

    @Test func unknownWithheldAndOversizedBinariesAreNoRecordFound() async throws {
        try await TestServer.run { client in
            var binaries: [String: String] = [:]
            try await Self.withStores(client) { stores in
                for id in ["doc2-3", "doc4-1"] {
                    binaries[id] = try await stores.documents.document(practice: Client.practice, id: id)?.content.binaryID
                }
            }
            for id in ["07a6483f-732b-461e-86b6-edb665c45510", "1", try #require(binaries["doc2-3"]), try #require(binaries["doc4-1"])] {
                let reply = try await client.binary(id)
                #expect(reply.status == 404 && reply.spineCode == "NO_RECORD_FOUND", "\(id): \(reply.text.prefix(200))")
                #expect(reply.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func migrationHasNoSizeLimitAndNeedsConfRForConfidentialDocuments() async throws {
        try await TestServer.run { client in
            var binaries: [String: String] = [:]
            try await Self.withStores(client) { stores in
                for id in ["doc2-3", "doc4-1"] {
                    binaries[id] = try await stores.documents.document(practice: Client.practice, id: id)?.content.binaryID
                }
            }
            let big = try await client.binary(try #require(binaries["doc4-1"]), migrating: true)
            #expect(big.status == 200)
            let bytes = try #require(big.binaryContent)
            #expect(bytes.count > 5 * 1024 * 1024)
            #expect(try DocumentFileChecks.pdfText(bytes).contains("scanned paper records"))

            let confidential = try #require(binaries["doc2-3"])
            // The pack migrates documents with requested_scope patient/*.read alone (pack: JwtFactory,
            // MigrateDocument): that serves everything but confidential documents.
            #expect(try await client.binary(confidential, migrating: true).status == 404)
            #expect(try await client.binary(confidential, migrating: true, scope: "patient/*.read conf/N").status == 404)
            let released = try await client.binary(confidential, migrating: true, scope: "patient/*.read conf/R")
            #expect(released.status == 200)
            #expect(released.resource?["contentType"]?.string == "application/rtf")
            #expect(String(decoding: released.binaryContent ?? [], as: UTF8.self).hasPrefix("{\\rtf1"))
        }
    }

    // MARK: Documents in the structured record

    @Test func migrateCarriesEveryDocumentWithAFetchableAbsoluteURL() async throws {
        try await TestServer.run { client in
            let withheld = try await client.migrate(Docs.patient2, sensitive: false)
            #expect(withheld.status == 200)
            let shown = withheld.documentReferences
            #expect(Set(shown.compactMap { $0["id"]?.string }) == ["doc2-1", "doc2-2", "doc2-4", "doc2-5"])
            Self.expectValid(withheld)
            let big = try await client.migrate(Docs.patient4, sensitive: false)
            let bigURL = try #require(big.documentReferences.first?.attachment?["url"]?.string, "migration has no size limit")
            #expect(bigURL.contains(Docs.root + "/Binary/"))

            let sensitive = try await client.migrate(Docs.patient2, sensitive: true)
            let all = sensitive.documentReferences
            #expect(all.count == 5)
            let confidential = try #require(all.first { $0["id"]?.string == "doc2-3" })
            #expect(confidential.at("meta.security.code")?.string == "NOPAT")
            #expect(confidential["securityLabel"] == nil)
            // Pack: StructuredMigrate.feature, "Migrate Patient2 With Sensitive and then migrate first document".
            let first = try #require(all.first { $0.attachment?["url"] != nil }?.attachment?["url"]?.string)
            let fetched = try await client.binary(first, migrating: true)
            #expect(fetched.status == 200 && fetched.binaryContent?.isEmpty == false)
        }
    }

    @Test func aProblemsDocumentComesWithTheProblemsArea() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(Docs.patient2, [Structured.parameter("includeProblems")])
            #expect(reply.status == 200)
            let document = try #require(reply.documentReferences.first { $0["id"]?.string == "doc2-1" })
            #expect(document.attachment?["url"]?.string?.hasPrefix("http://") == true)
            #expect(document.attachment?["url"]?.string?.contains(Docs.root + "/Binary/") == true)
        }
    }

    @Test func thePublicBaseURLIsConfigurable() async throws {
        try await TestServer.run(configure: { $0.publicBaseURL = "https://gp.example.nhs.uk" }) { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let reply = try await client.documents(patientID: id)
            #expect(
                reply.documentReferences.first?.attachment?["url"]?.string?.hasPrefix("https://gp.example.nhs.uk" + Docs.root + "/Binary/")
                    == true)
            #expect(reply.resource?["entry"]?.items.first?["fullUrl"]?.string?.hasPrefix("https://gp.example.nhs.uk/") == true)
            let problems = try await client.structured(Docs.patient2, [Structured.parameter("includeProblems")])
            #expect(problems.documentReferences.first?.attachment?["url"]?.string?.hasPrefix("https://gp.example.nhs.uk/") == true)
        }
    }

    @Test func switchingAccessDocumentOffDeniesItAndWithholdsDocumentsFromTheRecord() async throws {
        try await TestServer.run { client in
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            var binary = ""
            try await Self.withStores(client) { stores in
                binary = try await stores.documents.document(practice: Client.practice, id: "doc2-1")?.content.binaryID ?? ""
                try await stores.clinical.setDisabledAreas([.documents], practice: Client.practice)
            }
            for reply in [
                try await client.documentsPatient(Docs.patient2), try await client.documents(patientID: id),
                try await client.binary(binary),
            ] {
                #expect(reply.status == 403 && reply.spineCode == "ACCESS DENIED", "\(reply.text.prefix(200))")
            }
            // Migration is available whatever the switches say.
            #expect(try await client.binary(binary, migrating: true).status == 200)
            let problems = try await client.structured(Docs.patient2, [Structured.parameter("includeProblems")])
            #expect(problems.status == 200)
            #expect(problems.documentReferences.isEmpty, "documents are withheld from the structured record")
        }
    }

    // MARK: Deceased patients

    @Test(arguments: [(10, 28, true), (40, 28, false), (40, 60, true)])
    func aDeceasedPatientsDocumentsStayReachableForTheAccessPeriod(_ daysDead: Int, _ period: Int, _ reachable: Bool) async throws {
        try await TestServer.run(configure: { $0.documents.deceasedAccessDays = period }) { client in
            try await Self.withStores(client) { stores in
                guard var patient = try await stores.patients.patient(practice: Client.practice, id: "3") else { return }
                patient.deceased = ISO8601.instant(Date().addingTimeInterval(-Double(daysDead) * 86_400))
                try await stores.patients.savePatient(patient, practice: Client.practice, expectedVersion: patient.version)
            }
            let found = try await client.documentsPatient(Docs.patient3)
            #expect(found.resources("Patient").count == (reachable ? 1 : 0))
            if reachable { #expect(found.resources("Patient").first?["deceasedDateTime"] != nil) }
            let search = try await client.documents(patientID: "3")
            #expect(search.status == (reachable ? 200 : 404))
            if !reachable { #expect(search.spineCode == "PATIENT_NOT_FOUND") }
        }
    }

    // MARK: Filing

    @Test func aFiledDocumentIsServedByteForByte() async throws {
        try await TestServer.run { client in
            let content = (0..<(DocumentRecord.chunkSize + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            var filed: DocumentRecord?
            try await Self.withStores(client) { stores in
                let practice = try #require(try await stores.directory.practice(ods: Client.practice))
                let documents = Documents(stores: stores)
                filed = try await documents.file(
                    DocumentFiling(
                        nhsNumber: try #require(NHSNumber(Docs.patient3)), contentType: "image/jpeg", size: content.count,
                        typeText: "Photograph"),
                    content: ByteChunks(content), practice: practice, now: Date())
                await #expect(throws: GPConnectError.self, "a size that does not match") {
                    try await documents.file(
                        DocumentFiling(nhsNumber: try #require(NHSNumber(Docs.patient3)), contentType: "image/jpeg", size: 10),
                        content: ByteChunks(content), practice: practice, now: Date())
                }
                await #expect(throws: GPConnectError.self, "a local format") {
                    try await documents.file(
                        DocumentFiling(nhsNumber: try #require(NHSNumber(Docs.patient3)), contentType: "application/x-emis", size: 1),
                        content: ByteChunks([1]), practice: practice, now: Date())
                }
            }
            let document = try #require(filed)
            let search = try await client.documents(patientID: "3")
            #expect(search.documentReferences.map { $0["id"]?.string } == [document.id])
            let reply = try await client.binary(try #require(document.content.binaryID))
            #expect(reply.binaryContent == content)
        }
    }
}

/// Opens generated files with real readers: PyPI's pypdf (strict) for PDFs.
enum DocumentFileChecks {
    /// The text pypdf extracts from every page, lower-cased; throws when pypdf cannot read the file.
    static func pdfText(_ bytes: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, text) = try STU3Validator.python([
            "-c",
            "import sys, pypdf; r = pypdf.PdfReader(sys.argv[1], strict=True); print(''.join(p.extract_text() for p in r.pages).lower())",
            file.path,
        ])
        guard status == 0 else { throw StoreError.corrupt("pypdf could not read the PDF: \(text.suffix(300))") }
        return text
    }
}

/// The consumer library's Access Document calls against a real provider.
@Suite("Access Document, as a consumer")
struct DocumentsConsumerTests {
    @Test(arguments: [FHIRFormat.json, .xml])
    func aConsumerFindsListsAndDownloadsDocuments(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(format)
            let patient = try #require(try await gp.findDocumentsPatient(endpoint, nhsNumber: Docs.patient2).first)
            let list = try await gp.searchDocuments(endpoint, patientID: try #require(patient["id"]?.string))
            #expect(list.documents.map(\.id) == ["doc2-4", "doc2-2", "doc2-1", "doc2-5"])
            let discharge = try #require(list.documents.first { $0.id == "doc2-1" })
            #expect(discharge.type == "Inpatient final discharge letter")
            #expect(discharge.authors == ["NORTH TEES AND HARTLEPOOL NHS FOUNDATION TRUST"])
            #expect(discharge.contentType == "application/pdf" && discharge.size != nil)
            #expect(list.documents.last?.url == nil && list.documents.last?.unavailableReason == DocumentRecord.missingFileTitle)
            let filtered = try await gp.searchDocuments(
                endpoint, patientID: try #require(patient["id"]?.string), search: DocumentSearch(authorODSCode: "RVW"))
            #expect(filtered.documents.map(\.id) == ["doc2-2", "doc2-1"])

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-download-\(UUID().uuidString).pdf")
            defer { try? FileManager.default.removeItem(at: file) }
            let progress = DownloadProgress()
            let downloaded = try await gp.downloadDocument(endpoint, url: try #require(discharge.url), to: file) { received, total in
                progress.record(received, total)
            }
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(downloaded.contentType == "application/pdf" && downloaded.size == bytes.count && bytes.count == discharge.size)
            #expect(try DocumentFileChecks.pdfText(bytes).contains("discharge summary"))
            #expect(progress.last?.total != nil && progress.last?.received == progress.last?.total, "progress reaches the length")

            // Refusals arrive as the provider's Spine code, and leave no partial file behind.
            let missing = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-missing-\(UUID().uuidString)")
            await #expect(
                throws: GPConnectClientError.refused(status: 404, code: "NO_RECORD_FOUND", diagnostics: "No document with that Binary id")
            ) {
                try await gp.downloadDocument(endpoint, url: endpoint.serviceRoot(.documents) + "/Binary/unknown", to: missing)
            }
            #expect(!FileManager.default.fileExists(atPath: missing.path))
        }
    }

    @Test func aLargeDocumentMigratesToAFileByteForByte() async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(.json)
            let migrated = try await gp.migrateStructuredRecord(endpoint, nhsNumber: Docs.patient4, includeSensitive: false)
            let url = try #require(
                (migrated["entry"]?.items ?? []).compactMap { $0["resource"] }.first { $0["resourceType"]?.string == "DocumentReference" }?
                    .attachment?["url"]?
                    .string)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-big-\(UUID().uuidString).pdf")
            defer { try? FileManager.default.removeItem(at: file) }
            let downloaded = try await gp.downloadDocument(endpoint, url: url, to: file, migrating: true)
            #expect(downloaded.size > 5 * 1024 * 1024)
            var stored: [UInt8] = []
            try await DocumentsTests.withStores(server) { stores in
                let document = try #require(try await stores.documents.document(practice: Client.practice, id: "doc4-1"))
                for index in 0..<document.content.chunks {
                    stored +=
                        try await stores.documents.chunk(practice: Client.practice, binaryID: document.content.binaryID ?? "", index: index)
                        ?? []
                }
            }
            #expect(try [UInt8](Data(contentsOf: file)) == stored)
        }
    }
}

/// Progress callbacks, as a download reports them.
final class DownloadProgress: Sendable {
    let entries = Mutex<[(received: Int, total: Int?)]>([])
    func record(_ received: Int, _ total: Int?) { entries.withLock { $0.append((received, total)) } }
    var last: (received: Int, total: Int?)? { entries.withLock { $0.last } }
}

/// Access Document on PostgreSQL, through the real HTTP stack.
@Suite("Access Document on PostgreSQL", .enabled(if: TestPostgres.available, "needs GPCONNECT_TEST_POSTGRES"))
struct DocumentsPostgresTests {
    @Test func searchRetrieveAndMigrateWorkOnPostgreSQL() async throws {
        let (database, url) = try await TestPostgres.freshDatabase()
        await database.close()
        let app = try await buildApplication(configuration: ServerConfiguration(port: 0, databasePath: url, logLevel: .error))
        try await app.test(.live) { live in
            let client = Client(client: live, databasePath: url)
            let id = try #require(try await client.documentsPatientID(Docs.patient2))
            let search = try await client.documents(patientID: id)
            DocumentsTests.expectSearchset(search)
            #expect(search.documentReferences.map { $0["id"]?.string } == ["doc2-4", "doc2-2", "doc2-1", "doc2-5"])
            let first = try #require(search.documentReferences.first?.attachment?["url"]?.string)
            let binary = try await client.binary(first, format: .xml)
            #expect(binary.status == 200 && String(decoding: binary.binaryContent ?? [], as: UTF8.self).hasPrefix("{\\rtf1"))
            let migrated = try await client.migrate(Docs.patient4, sensitive: false)
            let big = try #require(migrated.documentReferences.first?.attachment?["url"]?.string)
            let download = try await client.binary(big, migrating: true)
            #expect(download.status == 200 && (download.binaryContent?.count ?? 0) > 5 * 1024 * 1024)
            #expect(try DocumentFileChecks.pdfText(download.binaryContent ?? []).contains("scanned paper records"))
        }
        try? await TestPostgres.dropDatabase(url: url)
    }
}
