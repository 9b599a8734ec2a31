import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectSQL
import GPConnectSQLite
import HTTPTypes
import Testing

/// `$gpc.getstructuredrecord` over HTTP against the seeded reference records (the patients the pack's
/// Structured*.feature files expect), area by area, with the checks the conformance pack makes.
@Suite("Access Record Structured")
struct StructuredRecordTests {
    typealias S = Structured

    /// What every successful structured response must be (pack: "the Bundle should be valid").
    static func expectValidBundle(_ reply: Reply, nhsNumber: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 200, "\(reply.text.prefix(400))", sourceLocation: sourceLocation)
        #expect(reply.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        guard let bundle = reply.resource else { return }
        #expect(bundle["type"]?.string == "collection", sourceLocation: sourceLocation)
        #expect(bundle["meta"]?["profile"]?.items.map(\.string) == [Profile.structuredRecordBundle], sourceLocation: sourceLocation)
        #expect(bundle["meta"]?["versionId"] == nil && bundle["meta"]?["lastUpdated"] == nil, sourceLocation: sourceLocation)
        #expect(bundle["entry"]?.items.allSatisfy { $0["fullUrl"] == nil } == true, sourceLocation: sourceLocation)
        let patients = reply.resources("Patient")
        #expect(patients.count == 1, sourceLocation: sourceLocation)
        #expect(patients.first?.at("identifier.value")?.string == nhsNumber, sourceLocation: sourceLocation)
        #expect(reply.danglingReferences == [], "every reference resolves inside the Bundle", sourceLocation: sourceLocation)
        for type in ["Patient", "Practitioner", "Organization"] {
            for resource in reply.resources(type) {
                #expect(resource["meta"]?["versionId"] != nil, "\(type) carries a version", sourceLocation: sourceLocation)
            }
        }
        for list in reply.lists {
            #expect(list.profile == ClinicalItem.Kind.consultationList.profile, sourceLocation: sourceLocation)
            #expect(list["status"]?.string == "current" && list["mode"]?.string == "snapshot", sourceLocation: sourceLocation)
            #expect(list.at("code.coding.code") != nil && list["title"] != nil, sourceLocation: sourceLocation)
            let structural = ["325851000000107", "25851000000105", "24781000000107"].contains(list.at("code.coding.code")?.string ?? "")
            #expect((list["id"] != nil) == structural, "only consultation-structure lists have ids", sourceLocation: sourceLocation)
            if list.entryReferences.isEmpty, !structural {
                #expect(list.notes.contains("Information not available"), sourceLocation: sourceLocation)
                #expect(list.at("emptyReason.coding.code")?.string == "no-content-recorded", sourceLocation: sourceLocation)
            } else {
                #expect(list["emptyReason"] == nil, sourceLocation: sourceLocation)
            }
        }
        // Ids are unique per type (pack: "does not contain any duplicate resources").
        var seen = Set<String>()
        for entry in reply.entries where entry["resourceType"]?.string != "List" || entry["id"] != nil {
            let key = "\(entry["resourceType"]?.string ?? "")/\(entry["id"]?.string ?? "")"
            #expect(seen.insert(key).inserted, "duplicate \(key)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Allergies

    @Test func allergiesWithEndedAllergiesAndTheirLinkedProblem() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(S.patient2, [S.allergies])
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            #expect(reply.resource?["id"]?.string != nil)
            #expect(
                reply.listTitles == [
                    "Allergies and adverse reactions", "Ended allergies", "Problems - linked problems not relating to the primary query",
                ])
            let active = try #require(reply.list("Allergies and adverse reactions"))
            #expect(active.at("code.coding.code")?.string == "886921000000105")
            #expect(active.entryReferences.count == reply.resources("AllergyIntolerance").count)
            let ended = try #require(reply.list("Ended allergies"))
            #expect(ended.at("code.coding.display")?.string == "Ended allergies")
            let contained = ended["contained"]?.items ?? []
            #expect(contained.count == 1 && ended.entryReferences == ["#a2-2"])
            #expect(contained.first?["clinicalStatus"]?.string == "resolved")
            #expect(contained.first?.profile == ClinicalItem.Kind.allergy.profile)
            #expect(contained.first?.at("extension.extension")?["valueDateTime"] != nil)
            for allergy in reply.resources("AllergyIntolerance") + contained {
                #expect(allergy["verificationStatus"]?.string == "unconfirmed")
                #expect(allergy["recorder"] != nil && allergy["assertedDate"] != nil)
            }
            // The linked problem points at an active allergy in the Bundle; its other links are dropped.
            let problem = try #require(reply.resources("Condition").first)
            let links = (problem["extension"]?.items ?? []).compactMap { $0["valueReference"]?["reference"]?.string }
            #expect(links == ["AllergyIntolerance/a2-3"])
            #expect(reply.list("Problems - linked problems not relating to the primary query")?.entryReferences == ["Condition/pr2-3"])
            // The Bundle id is the trace id the request carried.
            let trace = "5d0a8f52-6f46-4a7d-9d6b-7b53c2d8e0aa"
            let traced = try await client.structured(S.patient2, [S.allergies]) { $0[.init(HeaderName.traceID)!] = trace }
            #expect(traced.resource?["id"]?.string == trace)
        }
    }

    @Test func allergyListsForTheReferencePatients() async throws {
        try await TestServer.run { client in
            // patient1: nothing recorded, both lists empty with the note and reason; no problems.
            let empty = try await client.structured(S.patient1, [S.allergies])
            Self.expectValidBundle(empty, nhsNumber: S.patient1)
            #expect(empty.lists.count == 2 && empty.resources("Condition").isEmpty)
            for list in empty.lists {
                #expect(list.notes == ["Information not available"])
                #expect(list.at("emptyReason.coding.display")?.string == "No Content Recorded")
            }
            // patient5: an explicit "no known allergies" entry.
            let nka = try await client.structured(S.patient5, [S.allergiesActiveOnly])
            #expect(nka.lists.count == 1)
            #expect(nka.resources("AllergyIntolerance").map { $0.at("code.coding.code")?.string } == ["716186003"])
            // patient4: active and ended, nothing else.
            let four = try await client.structured(S.patient4, [S.allergies])
            #expect(four.lists.count == 2 && four.resources("AllergyIntolerance").count == 1 && four.resources("Condition").isEmpty)
            // patient16: a confidential allergy is withheld and flagged; legacy ended allergies.
            let sixteen = try await client.structured(S.patient16, [S.allergies])
            Self.expectValidBundle(sixteen, nhsNumber: S.patient16)
            let active = try #require(sixteen.list("Allergies and adverse reactions"))
            #expect(active.warningCodes == ["confidential-items"])
            #expect(active.notes == [StructuredText.confidentialItems])
            #expect(active.entryReferences == ["AllergyIntolerance/a16-1"])
            #expect(sixteen.list("Ended allergies")?.warningCodes == [])
            let endReasons = (sixteen.list("Ended allergies")?["contained"]?.items ?? []).flatMap { allergy in
                (allergy.at("extension")?["extension"]?.items ?? []).compactMap { $0["valueString"]?.string }
            }
            #expect(endReasons == ["No information available", "No information available"])
            // patient13: the record is still in transit: every list says so.
            let thirteen = try await client.structured(S.patient13, [S.allergies])
            for list in thirteen.lists {
                #expect(list.warningCodes == ["data-in-transit"])
                let note = try #require(list.notes.first)
                #expect(
                    note.wholeMatch(
                        of:
                            /Patient record transfer from previous GP practice not yet complete; information recorded before \d{2}-[A-Z][a-z]{2}-\d{4} may be missing\./
                    ) != nil)
            }
        }
    }

    // MARK: Medications

    @Test func medicationsWithAuthorisationsIssuesAndLinkedProblems() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(S.patient2, [S.parameter("includeMedication")])
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            #expect(
                reply.listTitles == ["Medications and medical devices", "Problems - linked problems not relating to the primary query"])
            let list = try #require(reply.list("Medications and medical devices"))
            #expect(list.at("code.coding.code")?.string == "933361000000108")
            #expect(list.warningCodes == ["confidential-items"], "the confidential repeat is withheld")
            let statements = reply.resources("MedicationStatement")
            #expect(Set(list.entryReferences) == Set(statements.map { "MedicationStatement/\($0["id"]?.string ?? "")" }))
            #expect(!statements.contains { $0["id"]?.string == "s2-3" })
            let requests = reply.resources("MedicationRequest")
            for statement in statements {
                let plan = statement.at("basedOn.reference")?.string
                #expect(requests.contains { "MedicationRequest/\($0["id"]?.string ?? "")" == plan && $0["intent"]?.string == "plan" })
            }
            for request in requests where request["intent"]?.string == "order" {
                #expect(request.at("basedOn.reference") != nil)
            }
            #expect(requests.filter { $0["intent"]?.string == "order" }.count == 8)
            let conditions = reply.resources("Condition")
            #expect(
                reply.list("Problems - linked problems not relating to the primary query")?.entryReferences.count == conditions.count)

            // No issues when asked; date filter keeps medications active on or after the date.
            let noIssues = try await client.structured(
                S.patient2,
                [
                    S.parameter(
                        "includeMedication",
                        [
                            S.part("includePrescriptionIssues", "Boolean", false),
                            S.part("medicationSearchFromDate", "Date", .string(S.day(-365))),
                        ])
                ])
            Self.expectValidBundle(noIssues, nhsNumber: S.patient2)
            #expect(noIssues.resources("MedicationRequest").allSatisfy { $0["intent"]?.string == "plan" })
            #expect(
                Set(noIssues.list("Medications and medical devices")?.entryReferences ?? [])
                    == ["MedicationStatement/s2-1", "MedicationStatement/s2-2"])
        }
    }

    @Test func medicationsPrescribedElsewhereAreAlwaysReturned() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(
                S.patient12, [S.parameter("includeMedication", [S.part("medicationSearchFromDate", "Date", .string(S.day(0)))])])
            Self.expectValidBundle(reply, nhsNumber: S.patient12)
            #expect(reply.lists.count == 1 && reply.resources("Condition").isEmpty)
            let statement = try #require(reply.resources("MedicationStatement").first)
            #expect(statement.at("extension.valueCodeableConcept.coding.code")?.string == "prescribed-by-another-organisation")
            #expect(reply.resources("MedicationRequest").first?["intent"]?.string == "plan")
            // patient4 has no medications: an empty list with the note and reason.
            let none = try await client.structured(S.patient4, [S.parameter("includeMedication")])
            Self.expectValidBundle(none, nhsNumber: S.patient4)
            #expect(none.list("Medications and medical devices")?.entryReferences == [])
        }
    }

    // MARK: Problems

    @Test func problemsWithLinkedItemsAndSecondaryLists() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(S.patient2, [S.parameter("includeProblems")])
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            let primary = try #require(reply.list("Problems"))
            #expect(primary.at("code.coding.code")?.string == "717711000000103")
            let conditions = reply.resources("Condition")
            #expect(primary.entryReferences.count == conditions.count && conditions.count == 5)
            for condition in conditions {
                #expect(condition.profile == ClinicalItem.Kind.problem.profile)
                #expect(["active", "inactive"].contains(condition["clinicalStatus"]?.string ?? ""))
                #expect(condition.at("category.coding.code")?.string == "problem-list-item")
                #expect(condition.at("asserter.reference")?.string?.hasPrefix("Practitioner/") == true)
            }
            // A reciprocal problem-to-problem link.
            func related(_ id: String) -> [(String?, String?)] {
                let condition = conditions.first { $0["id"]?.string == id }
                return (condition?["extension"]?.items ?? []).filter { $0["url"]?.string == StructuredURL.relatedProblemHeader }.map {
                    let parts = $0["extension"]?.items ?? []
                    return (
                        parts.first { $0["url"]?.string == "type" }?["valueCode"]?.string,
                        parts.first { $0["url"]?.string == "target" }?["valueReference"]?["reference"]?.string
                    )
                }
            }
            #expect(related("pr2-1").map(\.0) == ["child"] && related("pr2-1").map(\.1) == ["Condition/pr2-2"])
            #expect(related("pr2-2").map(\.0) == ["parent"] && related("pr2-2").map(\.1) == ["Condition/pr2-1"])
            // Linked items come with their own secondary lists.
            let medications = try #require(reply.list("Problems - medications related to problems"))
            #expect(medications.entryReferences.allSatisfy { $0.hasPrefix("MedicationStatement/") })
            #expect(medications.warningCodes == ["confidential-items"], "pr2-4's medication is confidential")
            #expect(reply.list("Problems - uncategorised data related to problems")?.entryReferences.count == 2)
            #expect(reply.list("Problems - investigations related to problems")?.entryReferences == ["DiagnosticReport/dr2-1"])
            // An ended allergy travels contained in its secondary list, as in "Ended allergies".
            let ended = try #require(reply.list("Problems - allergies that have been ended related to problems"))
            #expect(ended.entryReferences == ["#a2-2"] && ended["contained"]?.items.first?["clinicalStatus"]?.string == "resolved")
            #expect(!reply.resources("AllergyIntolerance").contains { $0["id"]?.string == "a2-2" })
            // The consultation a problem arose in is sent, but no consultation lists.
            #expect(reply.resources("Encounter").map { $0["id"]?.string } == ["e2-1"])
            #expect(!reply.listTitles.contains("List of consultations"))
            #expect(reply.lists.allSatisfy { $0["id"] == nil })
        }
    }

    @Test func problemFiltersOnStatusAndSignificance() async throws {
        try await TestServer.run { client in
            func problems(_ parameters: [FHIRElement]) async throws -> [String] {
                let reply = try await client.structured(S.patient2, parameters)
                Self.expectValidBundle(reply, nhsNumber: S.patient2)
                let ids = reply.resources("Condition").compactMap { $0["id"]?.string }.sorted()
                #expect(reply.list("Problems")?.entryReferences.count == ids.count)
                return ids
            }
            let status = { (value: String) in S.part("filterStatus", "Code", .string(value)) }
            let significance = { (value: String) in S.part("filterSignificance", "Code", .string(value)) }
            #expect(try await problems([S.parameter("includeProblems", [status("inactive")])]) == ["pr2-3", "pr2-5"])
            #expect(try await problems([S.parameter("includeProblems", [status("active")])]) == ["pr2-1", "pr2-2", "pr2-4"])
            #expect(try await problems([S.parameter("includeProblems", [significance("major")])]) == ["pr2-1", "pr2-4", "pr2-5"])
            #expect(try await problems([S.parameter("includeProblems", [status("active"), significance("minor")])]) == ["pr2-2"])
            // Repeated includeProblems parameters: either pair matches.
            #expect(
                try await problems([
                    S.parameter("includeProblems", [status("active"), significance("minor")]),
                    S.parameter("includeProblems", [status("inactive"), significance("major")]),
                    S.parameter("includeProblems", [status("inactive"), significance("minor")]),
                ]) == ["pr2-2", "pr2-3", "pr2-5"])
            // patient4 has no problems; patient3 neither.
            let none = try await client.structured(S.patient4, [S.parameter("includeProblems")])
            Self.expectValidBundle(none, nhsNumber: S.patient4)
            #expect(none.list("Problems")?.entryReferences == [])
        }
    }

    // MARK: Consultations

    @Test func consultationsWithTopicsHeadingsAndLinkedItems() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(S.patient2, [S.parameter("includeConsultations")])
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            let consultations = try #require(reply.list("List of consultations"))
            #expect(consultations.at("code.coding.code")?.string == "1149501000000101")
            let encounters = reply.resources("Encounter")
            #expect(consultations.entryReferences.count == encounters.count && encounters.count == 5)
            #expect(
                consultations.entryReferences == [
                    "Encounter/e2-3", "Encounter/e2-1", "Encounter/e2-4", "Encounter/e2-2", "Encounter/e2-5",
                ], "newest first")
            for encounter in encounters {
                #expect(encounter.at("participant.type.coding.code")?.string == "REC")
            }
            let byCode = { (code: String) in reply.lists.filter { $0.at("code.coding.code")?.string == code } }
            let consultationLists = byCode("325851000000107")
            #expect(consultationLists.count == 5)
            for list in consultationLists {
                #expect(list["id"] != nil && list["date"] != nil && list["orderedBy"] != nil)
                #expect(consultations.entryReferences.contains(list.at("encounter.reference")?.string ?? ""))
                #expect(list.entryReferences.allSatisfy { $0.hasPrefix("List/") })
            }
            #expect(byCode("25851000000105").count == 5 && byCode("24781000000107").count == 5)
            // A topic is about a problem, which the Bundle holds.
            let topic = try #require(byCode("25851000000105").first { $0["id"]?.string == "t2-1" })
            #expect(topic.at("extension.extension.valueReference.reference")?.string == "Condition/pr2-1")
            // The confidential observation is left out of its heading, and flagged on the secondary list.
            let plan = try #require(byCode("24781000000107").first { $0["id"]?.string == "h2-3" })
            #expect(plan.entryReferences == ["MedicationRequest/p2-1"])
            let uncategorised = try #require(reply.list("Consultations - uncategorised data contained in consultations"))
            #expect(uncategorised.warningCodes == ["confidential-items"])
            #expect(!reply.resources("Observation").contains { $0["id"]?.string == "o2-3" })
            let medications = try #require(reply.list("Consultations - medications contained in consultations"))
            #expect(medications.at("code.coding.system")?.string == CodeSystemURL.secondaryListValues)
            #expect(medications.entryReferences.allSatisfy { $0.hasPrefix("MedicationStatement/") })
            // Problems reached through consultations are listed as linked problems, every one of them.
            let linked = try #require(reply.list("Problems - linked problems not relating to the primary query"))
            #expect(linked.entryReferences.count == reply.resources("Condition").count)
        }
    }

    @Test func consultationFiltersSelectEncounters() async throws {
        try await TestServer.run { client in
            let recent = try await client.structured(
                S.patient2, [S.parameter("includeConsultations", [S.part("includeNumberOfMostRecent", "PositiveInt", .number("2"))])])
            Self.expectValidBundle(recent, nhsNumber: S.patient2)
            #expect(recent.list("List of consultations")?.entryReferences == ["Encounter/e2-3", "Encounter/e2-1"])
            #expect(recent.resources("Encounter").count == 2)
            let window = try await client.structured(
                S.patient2,
                [S.parameter("includeConsultations", [S.part("consultationSearchPeriod", "Period", S.period(S.day(-100), S.day(-25)))])])
            Self.expectValidBundle(window, nhsNumber: S.patient2)
            #expect(window.list("List of consultations")?.entryReferences == ["Encounter/e2-1", "Encounter/e2-4"])
            let startOnly = try await client.structured(
                S.patient2, [S.parameter("includeConsultations", [S.part("consultationSearchPeriod", "Period", S.period(S.day(-60), nil))])]
            )
            #expect(startOnly.list("List of consultations")?.entryReferences.count == 2)
            let none = try await client.structured(S.patient4, [S.parameter("includeConsultations")])
            Self.expectValidBundle(none, nhsNumber: S.patient4)
            #expect(none.lists.count == 1 && none.list("List of consultations")?.entryReferences == [])
        }
    }

    // MARK: Other areas

    @Test func immunisationsUncategorisedInvestigationsReferralsAndDiary() async throws {
        try await TestServer.run { client in
            // Each area for patient2: its list plus the linked problems list; patient3: its list only.
            let areas: [(FHIRElement, String, String)] = [
                (S.parameter("includeImmunisations"), "Immunisations", "Immunization"),
                (S.parameter("includeUncategorisedData"), "Uncategorised data", "Observation"),
                (S.parameter("includeInvestigations"), "Investigations and results", "DiagnosticReport"),
                (S.parameter("includeReferrals"), "Outbound referral", "ReferralRequest"),
                (S.parameter("includeDiaryEntries"), "Patient recall administration", "ProcedureRequest"),
            ]
            for (parameter, title, type) in areas {
                let rich = try await client.structured(S.patient2, [parameter])
                Self.expectValidBundle(rich, nhsNumber: S.patient2)
                #expect(rich.lists.count == 2, "\(title)")
                let list = try #require(rich.list(title))
                if type != "Observation" || title == "Uncategorised data" {
                    #expect(list.entryReferences.count == rich.resources(type).count, "\(title)")
                }
                let linked = try #require(rich.list("Problems - linked problems not relating to the primary query"))
                #expect(linked.entryReferences.count == rich.resources("Condition").count)
                let anyLink = rich.resources("Condition").flatMap { condition in
                    (condition["extension"]?.items ?? []).compactMap { $0["valueReference"]?["reference"]?.string }
                }
                #expect(anyLink.contains { $0.hasPrefix(type + "/") }, "a problem links to an item of \(title)")

                let plain = try await client.structured(S.patient3, [parameter])
                Self.expectValidBundle(plain, nhsNumber: S.patient3)
                #expect(plain.lists.count == 1 && plain.resources("Condition").isEmpty, "\(title)")
                #expect(plain.list(title)?.entryReferences.isEmpty == false)

                let empty = try await client.structured(S.patient4, [parameter])
                Self.expectValidBundle(empty, nhsNumber: S.patient4)
                #expect(empty.list(title)?.entryReferences == [])
            }
        }
    }

    @Test func areaSpecificFilters() async throws {
        try await TestServer.run { client in
            // Not-given immunisations only when asked.
            let given = try await client.structured(S.patient2, [S.parameter("includeImmunisations")])
            #expect(given.resources("Immunization").map { $0["id"]?.string } == ["im2-1", "im2-3"])
            let notGiven = try await client.structured(
                S.patient2, [S.parameter("includeImmunisations", [S.part("includeNotGiven", "Boolean", true)])])
            #expect(notGiven.resources("Immunization").count == 3)
            // A report brings its request, specimen, test group, results and filing comment.
            let investigations = try await client.structured(S.patient2, [S.parameter("includeInvestigations")])
            let report = try #require(investigations.resources("DiagnosticReport").first)
            #expect(report.at("code.coding.code")?.string == "721981007")
            #expect(investigations.resources("Specimen").count == 1 && investigations.resources("ProcedureRequest").count == 1)
            #expect(investigations.resources("Observation").count == 4)
            #expect(investigations.resources("Observation").contains { $0.at("code.coding.code")?.string == "37331000000100" })
            // Period filters: today only finds nothing.
            let today = S.period(S.day(0), S.day(0))
            for (name, part) in [
                ("includeUncategorisedData", "uncategorisedDataSearchPeriod"), ("includeInvestigations", "investigationSearchPeriod"),
                ("includeReferrals", "referralSearchPeriod"),
            ] {
                let reply = try await client.structured(S.patient2, [S.parameter(name, [S.part(part, "Period", today)])])
                Self.expectValidBundle(reply, nhsNumber: S.patient2)
                #expect(reply.lists.count == 1 && reply.lists[0].entryReferences.isEmpty, "\(name)")
            }
            // Diary entries due on or before the date.
            let dueToday = try await client.structured(
                S.patient2, [S.parameter("includeDiaryEntries", [S.part("diaryEntriesSearchDate", "Date", .string(S.day(0)))])])
            #expect(dueToday.list("Patient recall administration")?.entryReferences == ["ProcedureRequest/d2-2", "ProcedureRequest/d2-3"])
            let tenYears = try await client.structured(
                S.patient2, [S.parameter("includeDiaryEntries", [S.part("diaryEntriesSearchDate", "Date", .string(S.day(3650)))])])
            #expect(tenYears.list("Patient recall administration")?.entryReferences.count == 3)
            // Confidential referral for patient16; the record in transit for patient13.
            let sixteen = try await client.structured(S.patient16, [S.parameter("includeReferrals")])
            #expect(sixteen.lists.count == 1 && sixteen.lists[0].warningCodes == ["confidential-items"])
            #expect(sixteen.lists[0].notes.filter { $0 == StructuredText.confidentialItems }.count == 1)
            let thirteen = try await client.structured(S.patient13, [S.parameter("includeReferrals")])
            #expect(thirteen.lists.count == 1 && thirteen.lists[0].warningCodes == ["data-in-transit"])
            // patient8 has results received but not yet filed: only the investigations list says so.
            let eight = try await client.structured("9690937405", [S.parameter("includeInvestigations"), S.allergiesActiveOnly])
            Self.expectValidBundle(eight, nhsNumber: "9690937405")
            #expect(eight.list("Investigations and results")?.warningCodes == ["data-awaiting-filing"])
            #expect(eight.list("Investigations and results")?.notes == [StructuredText.awaitingFiling, StructuredText.noContent])
            #expect(eight.list("Allergies and adverse reactions")?.warningCodes == [])
        }
    }

    @Test func everyAreaAtOnceHasNoDuplicatesAndNoWarnings() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(S.patient2, S.everyArea)
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            #expect(reply.resources("OperationOutcome").isEmpty)
            // With problems asked for, every problem is on the primary list: no linked-problems list.
            #expect(reply.list("Problems")?.entryReferences.count == reply.resources("Condition").count)
            #expect(reply.list("Problems - linked problems not relating to the primary query") == nil)
            #expect(reply.list("List of consultations")?.entryReferences.count == reply.resources("Encounter").count)
            // The same record in XML.
            let xml = try await client.structured(S.patient2, S.everyArea, format: .xml)
            #expect(xml.status == 200 && xml.contentType?.hasPrefix("application/fhir+xml") == true)
            #expect(xml.entries.count == reply.entries.count)
            #expect(xml.listTitles == reply.listTitles)
            // Nothing but the NHS number: the patient and practice (pack StructuredMultipleRequests).
            let bare = try await client.structured(S.patient1, [])
            Self.expectValidBundle(bare, nhsNumber: S.patient1)
            #expect(bare.lists.isEmpty)
        }
    }

    @Test func parametersInXML() async throws {
        try await TestServer.run { client in
            let body = """
                <Parameters xmlns="http://hl7.org/fhir">
                  <parameter><name value="patientNHSNumber"/><valueIdentifier><system value="https://fhir.nhs.uk/Id/nhs-number"/><value value="9690937286"/></valueIdentifier></parameter>
                  <parameter><name value="includeAllergies"/><part><name value="includeResolvedAllergies"/><valueBoolean value="false"/></part></parameter>
                  <parameter><name value="includeConsultations"/><part><name value="includeNumberOfMostRecent"/><valuePositiveInt value="1"/></part></parameter>
                </Parameters>
                """
            let reply = try await client.request(
                .getStructuredRecord, "Patient/$gpc.getstructuredrecord", headers: { $0[.accept] = "application/fhir+xml" }, body: body,
                contentType: "application/fhir+xml")
            #expect(reply.status == 200 && reply.contentType?.hasPrefix("application/fhir+xml") == true, "\(reply.text.prefix(300))")
            #expect(reply.list("Ended allergies") == nil && reply.list("Allergies and adverse reactions") != nil)
            #expect(reply.list("List of consultations")?.entryReferences == ["Encounter/e2-3"])
            let bad = try await client.request(
                .getStructuredRecord, "Patient/$gpc.getstructuredrecord",
                body: body.replacingOccurrences(of: "valueBoolean value=\"false\"", with: "valueBoolean value=\"maybe\""),
                contentType: "application/fhir+xml")
            #expect(bad.status == 422 && bad.spineCode == "INVALID_PARAMETER")
        }
    }

    // MARK: Parameters

    @Test func invalidParametersAreRefusedWithTheirName() async throws {
        try await TestServer.run { client in
            let cases: [(String, String, [FHIRElement], Int, String, String?)] = [
                ("bad check digit", "1234567891", [S.allergies], 400, "INVALID_NHS_NUMBER", nil),
                ("empty NHS number", "", [S.allergies], 400, "INVALID_NHS_NUMBER", nil),
                (
                    "no includeResolvedAllergies", S.patient1, [S.parameter("includeAllergies")], 422, "INVALID_PARAMETER",
                    "includeAllergies.includeResolvedAllergies"
                ),
                (
                    "valueless part", S.patient1, [S.parameter("includeAllergies", [["name": "includeResolvedAllergies"]])], 422,
                    "INVALID_PARAMETER", "includeResolvedAllergies"
                ),
                (
                    "partial medication date", S.patient1,
                    [S.parameter("includeMedication", [S.part("medicationSearchFromDate", "Date", "2014-02")])], 422, "INVALID_PARAMETER",
                    "medicationSearchFromDate"
                ),
                (
                    "future medication date", S.patient1,
                    [S.parameter("includeMedication", [S.part("medicationSearchFromDate", "Date", .string(S.day(1)))])], 422,
                    "INVALID_PARAMETER", "medicationSearchFromDate"
                ),
                (
                    "future consultation period", S.patient2,
                    [S.parameter("includeConsultations", [S.part("consultationSearchPeriod", "Period", S.period(S.day(1), S.day(1)))])],
                    422, "INVALID_PARAMETER", "consultationSearchPeriod"
                ),
                (
                    "start after end", S.patient2,
                    [S.parameter("includeConsultations", [S.part("consultationSearchPeriod", "Period", S.period(S.day(-5), S.day(-6)))])],
                    422, "INVALID_PARAMETER", "consultationSearchPeriod"
                ),
                (
                    "empty start", S.patient1,
                    [S.parameter("includeConsultations", [S.part("consultationSearchPeriod", "Period", S.period("", "2019-01-01"))])],
                    422, "INVALID_PARAMETER", "consultationSearchPeriod"
                ),
                (
                    "dateTime with offset", S.patient2,
                    [
                        S.parameter(
                            "includeUncategorisedData",
                            [S.part("uncategorisedDataSearchPeriod", "Period", S.period("2015-10-23T11:08:32+00:00", "2019-10-01"))])
                    ], 422, "INVALID_PARAMETER", "uncategorisedDataSearchPeriod"
                ),
                (
                    "both consultation filters", S.patient2,
                    [
                        S.parameter(
                            "includeConsultations",
                            [
                                S.part("includeNumberOfMostRecent", "PositiveInt", .number("4")),
                                S.part("consultationSearchPeriod", "Period", S.period(S.day(-10), S.day(-5))),
                            ])
                    ], 422, "INVALID_RESOURCE", "includeNumberOfMostRecent"
                ),
                (
                    "unknown problem status", S.patient2, [S.parameter("includeProblems", [S.part("filterStatus", "Code", "resolved")])],
                    422, "INVALID_PARAMETER", "filterStatus"
                ),
                (
                    "unknown significance", S.patient2, [S.parameter("includeProblems", [S.part("filterSignificance", "Code", "HIGH")])],
                    422, "INVALID_PARAMETER", "filterSignificance"
                ),
                (
                    "past diary date", S.patient2,
                    [S.parameter("includeDiaryEntries", [S.part("diaryEntriesSearchDate", "Date", .string(S.day(-20)))])], 422,
                    "INVALID_PARAMETER", "diaryEntriesSearchDate"
                ),
                (
                    "consultations with a medication date", S.patient1,
                    [
                        S.parameter("includeConsultations"),
                        S.parameter(
                            "includeMedication",
                            [
                                S.part("includePrescriptionIssues", "Boolean", false),
                                S.part("medicationSearchFromDate", "Date", .string(S.day(-3 * 365))),
                            ]),
                    ], 422, "INVALID_PARAMETER", "medicationSearchFromDate"
                ),
                (
                    "problems with an immunisation filter", S.patient1,
                    [S.parameter("includeProblems"), S.parameter("includeImmunisations", [S.part("includeStatus", "Boolean", true)])],
                    422, "INVALID_PARAMETER", "includeStatus"
                ),
                (
                    "consultations with a problem filter", S.patient1,
                    [S.parameter("includeConsultations"), S.parameter("includeProblems", [S.part("filterStatus", "Code", "active")])],
                    422, "INVALID_PARAMETER", "filterStatus"
                ),
                (
                    "repeated part", S.patient2,
                    [
                        S.parameter(
                            "includeMedication",
                            [S.part("includePrescriptionIssues", "Boolean", true), S.part("includePrescriptionIssues", "Boolean", false)])
                    ], 422, "INVALID_RESOURCE", "includePrescriptionIssues"
                ),
            ]
            for (name, nhsNumber, parameters, status, code, diagnostic) in cases {
                let reply = try await client.structured(nhsNumber, parameters)
                #expect(reply.status == status, "\(name): \(reply.text.prefix(300))")
                #expect(reply.spineCode == code, "\(name)")
                #expect(reply.headers[.cacheControl] == "no-store")
                #expect(reply.resource?["issue"]?.items.allSatisfy { $0["severity"]?.string == "error" } == true)
                if let diagnostic {
                    #expect(reply.resource?.at("issue.diagnostics")?.string?.contains(diagnostic) == true, "\(name)")
                }
            }
            // The predefined search may combine a year of medications with consultations and problems.
            let predefined = try await client.structured(
                S.patient2,
                [
                    S.parameter("includeConsultations", [S.part("includeNumberOfMostRecent", "PositiveInt", .number("3"))]),
                    S.parameter("includeProblems"), S.allergies,
                    S.parameter("includeMedication", [S.part("medicationSearchFromDate", "Date", .string(S.day(-365)))]),
                ])
            Self.expectValidBundle(predefined, nhsNumber: S.patient2)
            // Wrong identifier system, missing NHS number, a body that is not Parameters.
            let system = try await client.request(
                .getStructuredRecord, "Patient/$gpc.getstructuredrecord", body: S.body(S.patient1, [S.allergies], system: "Invalid-System"))
            #expect(system.status == 400 && system.spineCode == "INVALID_NHS_NUMBER")
            let missing = try await client.request(
                .getStructuredRecord, "Patient/$gpc.getstructuredrecord",
                body: FHIRJSON.encodeString([
                    "resourceType": "Parameters",
                    "parameter": [
                        [
                            "name": "invalidNHSNumberParam",
                            "valueIdentifier": ["system": .string(IdentifierSystem.nhsNumber), "value": .string(S.patient1)],
                        ]
                    ],
                ]))
            #expect(missing.status == 422 && missing.spineCode == "INVALID_PARAMETER")
            for body in [#"{"resourceType":"Patient"}"#, #"{"resourceType":"Parameters","parameter":[{"name":"#, "not json"] {
                let reply = try await client.request(.getStructuredRecord, "Patient/$gpc.getstructuredrecord", body: body)
                #expect(reply.status == 422 && reply.spineCode == "INVALID_RESOURCE", "\(body)")
            }
        }
    }

    @Test func unknownParametersAreReportedAsWarnings() async throws {
        try await TestServer.run { client in
            let reply = try await client.structured(
                S.patient1,
                [
                    S.parameter(
                        "includeMadeUpParam",
                        [S.part("madeUpPartParam1", "String", "madeUpValue1"), S.part("madeUpPartParam2", "String", "madeUpValue2")]),
                    S.parameter("madeUpImmunizations"), S.parameter("includeConsults"),
                ])
            Self.expectValidBundle(reply, nhsNumber: S.patient1)
            let outcome = try #require(reply.resources("OperationOutcome").first)
            let issues = outcome["issue"]?.items ?? []
            #expect(issues.map { $0["diagnostics"]?.string } == ["includeMadeUpParam", "madeUpImmunizations", "includeConsults"])
            for issue in issues {
                #expect(issue["severity"]?.string == "warning" && issue["code"]?.string == "not-supported")
                #expect(issue.at("details.coding.code")?.string == "NOT_IMPLEMENTED")
                #expect(issue.at("details.coding.display")?.string == "Not implemented")
                #expect(issue.at("details.text")?.string == "\(issue["diagnostics"]?.string ?? "") is an unrecognised parameter")
            }
            // An unknown part of a known parameter: data for the parameter, one warning naming both.
            let part = try await client.structured(
                S.patient2, [S.parameter("includeProblems", [S.part("madeUpProblems", "Code", "madeUpProblemsValue1")])])
            Self.expectValidBundle(part, nhsNumber: S.patient2)
            #expect(part.list("Problems")?.entryReferences.count == 5)
            #expect(
                part.resources("OperationOutcome").first?.at("issue.details.text")?.string
                    == "includeProblems.madeUpProblems is an unrecognised parameter")
        }
    }

    // MARK: Eligibility

    @Test func patientsWhoseRecordCannotBeShared() async throws {
        try await TestServer.run { client in
            let refused: [(String, String, Int, String)] = [
                ("sensitive", S.patient9, 404, "PATIENT_NOT_FOUND"),
                ("deceased", S.patient18, 404, "PATIENT_NOT_FOUND"),
                ("inactive", S.patient21, 404, "PATIENT_NOT_FOUND"),
                ("not held", "9999999999", 404, "PATIENT_NOT_FOUND"),
                ("dissented", S.patient15, 403, "NO_PATIENT_CONSENT"),
            ]
            for (name, nhsNumber, status, code) in refused {
                let reply = try await client.structured(nhsNumber, [S.parameter("includeReferrals")])
                #expect(reply.status == status && reply.spineCode == code, "\(name): \(reply.text.prefix(200))")
                #expect(reply.resource?.at("issue.details.coding.display")?.string != nil)
                #expect(!reply.text.contains(nhsNumber) || nhsNumber.isEmpty, "diagnostics never echo the NHS number")
            }
            let notFound = try await client.structured(S.patient9, [S.parameter("includeReferrals")])
            #expect(notFound.resource?.at("issue.details.coding.display")?.string == "Patient not found")
        }
    }

    // MARK: Clinical-area configuration

    @Test func disabledAreasAreReportedNotReturned() async throws {
        try await TestServer.run { client in
            let database = try await GPConnectSQLiteDatabase.open(path: client.databasePath)
            try await SQLClinicalRecordStore(database: database).setDisabledAreas([.immunisations], practice: Client.practice)
            await database.close()
            let reply = try await client.structured(S.patient2, [S.parameter("includeImmunisations"), S.parameter("includeConsultations")])
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            #expect(reply.list("Immunisations") == nil && reply.resources("Immunization").isEmpty)
            let issue = try #require(reply.resources("OperationOutcome").first?["issue"]?.items.first)
            #expect(issue["severity"]?.string == "warning" && issue.at("details.coding.code")?.string == "NOT_IMPLEMENTED")
            #expect(issue.at("details.text")?.string == "includeImmunisations has been disabled")
            #expect(issue["diagnostics"]?.string == "includeImmunisations")
            // Inside a consultation the item is replaced by a note of the switch.
            let topic = try #require(reply.lists.first { $0["id"]?.string == "t2-2" })
            #expect(topic["entry"]?.items.first?.at("item.display")?.string == "Immunisations items have been disabled")
            // Migration ignores the switches.
            let migrated = try await client.migrate(S.patient2, sensitive: false)
            #expect(migrated.list("Immunisations")?.entryReferences.isEmpty == false)
        }
    }

    // MARK: Migrate

    @Test func migrateWithoutSensitiveInformationFlagsWhatIsWithheld() async throws {
        try await TestServer.run { client in
            let reply = try await client.migrate(S.patient2, sensitive: false)
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            for title in ["Medications and medical devices", "Uncategorised data", "Problems - medications related to problems"] {
                let list = try #require(reply.list(title), "\(title)")
                #expect(list.warningCodes == ["confidential-items"], "\(title)")
                #expect(list.notes.filter { $0 == StructuredText.confidentialItems }.count == 1, "\(title)")
            }
            #expect(!reply.entries.contains { ["s2-3", "p2-3", "i2-3", "o2-3"].contains($0["id"]?.string ?? "") })
            for title in [
                "Allergies and adverse reactions", "Ended allergies", "List of consultations", "Problems", "Immunisations",
                "Investigations and results", "Outbound referral", "Patient recall administration",
                "Consultations - medications contained in consultations", "Consultations - uncategorised data contained in consultations",
            ] {
                #expect(reply.list(title) != nil, "\(title)")
            }
            // Every document but the confidential report (doc2-3), the details-only one included.
            #expect(Set(reply.resources("DocumentReference").compactMap { $0["id"]?.string }) == ["doc2-1", "doc2-2", "doc2-4", "doc2-5"])
            #expect(reply.resources("Immunization").count == 3, "not-given immunisations travel too")
        }
    }

    @Test func migrateWithSensitiveInformationSendsEverythingLabelled() async throws {
        try await TestServer.run { client in
            let reply = try await client.migrate(S.patient2, sensitive: true)
            Self.expectValidBundle(reply, nhsNumber: S.patient2)
            let withheld = reply.entries.filter { ["s2-3", "p2-3", "i2-3", "o2-3"].contains($0["id"]?.string ?? "") }
            #expect(withheld.count == 4)
            for resource in withheld {
                #expect(resource["meta"]?["security"]?.items.first?["code"]?.string == "NOPAT")
            }
            #expect(reply.lists.allSatisfy { $0.warningCodes.isEmpty })
            #expect(reply.resources("AllergyIntolerance").allSatisfy { $0["meta"]?["security"] == nil })
        }
    }

    @Test func migrateRefusals() async throws {
        try await TestServer.run { client in
            let mismatch = try await client.migrate(S.patient2, sensitive: true, scope: "patient/*.read conf/N")
            #expect(mismatch.status == 400 && mismatch.spineCode == "CONFLICTING_VALUES")
            let reverse = try await client.migrate(S.patient2, sensitive: false, scope: "patient/*.read conf/R")
            #expect(reverse.status == 400 && reverse.spineCode == "CONFLICTING_VALUES")
            let extra = try await client.migrate(S.patient2, sensitive: false, extra: [S.parameter("includeImmunisations")])
            #expect(extra.status == 422 && extra.spineCode == "INVALID_PARAMETER")
            let reason = try await client.migrate(S.patient2, sensitive: false, reason: "directcare")
            #expect(reason.status == 400 && reason.spineCode == "BAD_REQUEST")
            let deceased = try await client.migrate(S.patient18, sensitive: true)
            #expect(deceased.status == 404 && deceased.spineCode == "PATIENT_NOT_FOUND")
            let noPractitioner = try await client.request(
                .migrateStructuredRecord, "Patient/$gpc.migratestructuredrecord",
                headers: { headers in
                    headers[.authorization] =
                        "Bearer "
                        + Client.token(for: .migrateStructuredRecord) { claims in
                            claims["reason_for_request"] = "migration"
                            claims["requested_scope"] = "patient/*.read conf/N"
                            claims["requesting_practitioner"] = nil
                        }
                },
                body: S.body(
                    S.patient2,
                    [S.parameter("includeFullRecord", [S.part("includeSensitiveInformation", "Boolean", false)])]))
            #expect(noPractitioner.status == 200)
        }
    }
}

/// Mangled Parameters bodies never crash the operation: each gets a Bundle or an error
/// OperationOutcome with a Spine code, in FHIR JSON, with `no-store`.
@Suite("Access Record Structured: mangled requests")
struct StructuredMangledRequestTests {
    /// A small deterministic generator, so a failure names a reproducible case.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let junk: [FHIRElement] = [
        "", "null", "2019", "2019-13-45", "9999-12-31", "today", .number("-1"), .number("1e309"), true, [:], [], ["a": "b"],
        .string(String(repeating: "x", count: 5000)), "Patient/2", "9690937286",
    ]

    static func mangle(_ element: FHIRElement, _ generator: inout Generator, depth: Int = 0) -> FHIRElement {
        switch element {
        case .object(let object):
            var fields = object.fields
            guard !fields.isEmpty else { return element }
            let index = generator.next(fields.count)
            switch generator.next(5) {
            case 0: fields.remove(at: index)
            case 1: fields[index].value = junk[generator.next(junk.count)]
            case 2: fields.append(fields[index])
            case 3: fields[index].name = ["value", "valueString", "part", "name", "valueInteger", "resourceType"][generator.next(6)]
            default: fields[index].value = mangle(fields[index].value, &generator, depth: depth + 1)
            }
            return .object(FHIRObject(fields))
        case .array(var items):
            guard !items.isEmpty else { return [junk[generator.next(junk.count)]] }
            let index = generator.next(items.count)
            switch generator.next(3) {
            case 0: items.remove(at: index)
            case 1: items.append(items[index])
            default: items[index] = mangle(items[index], &generator, depth: depth + 1)
            }
            return .array(items)
        default:
            return junk[generator.next(junk.count)]
        }
    }

    @Test func everyMangledBodyGetsAnAnswer() async throws {
        let valid = try FHIRJSON.decode(Array(Structured.body(Structured.patient2, Structured.everyArea).utf8))
        try await TestServer.run { client in
            var generator = Generator(state: 20_261_122)
            var statuses: [Int: Int] = [:]
            for round in 0..<150 {
                var body = valid
                for _ in 0...(round % 3) { body = Self.mangle(body, &generator) }
                let text = FHIRJSON.encodeString(body)
                let reply = try await client.request(.getStructuredRecord, "Patient/$gpc.getstructuredrecord", body: text)
                statuses[reply.status, default: 0] += 1
                #expect([200, 400, 422].contains(reply.status), "round \(round): \(reply.status) for \(text.prefix(400))")
                #expect(reply.contentType?.hasPrefix("application/fhir+json") == true, "round \(round)")
                #expect(reply.headers[.cacheControl] == "no-store")
                let type = reply.resource?["resourceType"]?.string
                if reply.status == 200 {
                    #expect(type == "Bundle", "round \(round)")
                } else {
                    #expect(type == "OperationOutcome" && reply.spineCode != nil, "round \(round): \(reply.text.prefix(300))")
                }
            }
            // The mutations reach both sides: some requests still succeed, many are refused.
            #expect(statuses[200, default: 0] > 0 && statuses[422, default: 0] > 10, "\(statuses)")
        }
    }
}
