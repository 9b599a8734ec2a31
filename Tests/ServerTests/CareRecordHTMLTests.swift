import FHIR
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import HTTPTypes
import Testing

/// Access Record HTML 0.7.4 through the real HTTP stack: the DSTU2 service root, its pipeline and
/// refusals, and each view as the pack's HTML.feature and AccessRecord.feature (branch
/// feature/0.7.4) check it.
@Suite("Access Record HTML 0.7.4 (DSTU2)")
struct CareRecordHTMLTests {
    typealias S = Structured

    /// pack: HTML.feature, "Check html table ids are present and in correct order".
    static let tableIDs: [String: [String]] = [
        "ADM": ["adm-tab"], "MED": ["med-tab-acu-med", "med-tab-curr-rep", "med-tab-dis-rep", "med-tab-all-sum", "med-tab-all-iss"],
        "ALL": ["all-tab-curr", "all-tab-hist"], "CLI": ["cli-tab"], "ENC": ["enc-tab"], "IMM": ["imm-tab"], "OBS": ["obs-tab"],
        "PRB": ["prb-tab-act", "prb-tab-majinact", "prb-tab-othinact"], "REF": ["ref-tab"],
        "SUM": ["cli-tab", "enc-tab", "prb-tab-act", "prb-tab-majinact", "all-tab-curr", "med-tab-acu-med", "med-tab-curr-rep"],
    ]

    /// pack: HTML.feature, "html table headers present and in order that is expected" (a few of them).
    static let headers: [(String, Int, String)] = [
        ("OBS", 1, "Date,Entry,Value,Range,Details"), ("IMM", 1, "Date,Vaccination,Part,Contents,Details"),
        ("REF", 1, "Date,From,To,Priority,Details"), ("ALL", 2, "Start Date,End Date,Details"),
        (
            "MED", 2,
            "Type,Start Date,Medication Item,Dosage Instruction,Quantity,Last Issued Date,Number of Prescriptions Issued,Max Issues,Review Date,Additional Information"
        ),
        ("MED", 5, "Type,Issue Date,Medication Item,Dosage Instruction,Quantity,Days Duration,Additional Information"),
        ("SUM", 1, "Date,Entry,Details,Location of further information"), ("SUM", 2, "Date,Title,Details"),
    ]

    static func headers(of div: String, table index: Int) -> String {
        let heads = div.matches(of: /<thead>(.*?)<\/thead>/).map { String($0.output.1) }
        guard index <= heads.count else { return "" }
        return heads[index - 1].matches(of: /<th>([^<]*)<\/th>/).map { String($0.output.1) }.joined(separator: ",")
    }

    @Test func theDSTU2ConformanceIsServedInBothFormats() async throws {
        try await TestServer.run { client in
            for (accept, type) in [("application/json+fhir", "application/json+fhir"), ("application/xml+fhir", "application/xml+fhir")] {
                let reply = try await client.request(
                    .readCareRecordMetadata, "metadata",
                    headers: {
                        $0[.accept] = accept
                        $0[.authorization] = "Bearer " + HTML.token(.readCareRecordMetadata, nhsNumber: nil)
                    })
                #expect(reply.status == 200, "\(reply.text.prefix(300))")
                #expect(reply.contentType?.hasPrefix(type) == true)
                #expect(reply.headers[.cacheControl] == "no-store")
                let conformance = try #require(reply.resource)
                #expect(conformance["resourceType"]?.string == "Conformance")
                #expect(conformance["fhirVersion"]?.string == "1.0.2")
                #expect(conformance["version"]?.string == "0.7.4")
                #expect(conformance["format"]?.items.compactMap(\.string) == ["application/xml+fhir", "application/json+fhir"])
                #expect(conformance.at("rest.operation.name")?.string == "gpc.getcarerecord")
            }
            #expect(Interaction.readCareRecordMetadata.id == "urn:nhs:names:services:gpconnect:fhir:rest:read:metadata")
            #expect(Client.root(Client.practice, .careRecord) == "/B82617/DSTU2/1/gpconnect")
        }
    }

    @Test(arguments: CareRecordSection.allCases)
    func everySectionOfPatient2IsABundleWithTheMandatedTables(section: CareRecordSection) async throws {
        try await TestServer.run { client in
            for format in FHIRFormat.allCases {
                let reply = try await client.careRecord(S.patient2, section.code, format: format)
                #expect(reply.status == 200, "\(section.code) \(format): \(reply.text.prefix(400))")
                #expect(reply.contentType?.hasPrefix(format == .json ? "application/json+fhir" : "application/xml+fhir") == true)
                #expect(reply.headers[.cacheControl] == "no-store")
                let bundle = try #require(reply.resource)
                #expect(bundle["type"]?.string == "searchset")
                #expect(bundle.at("meta.profile")?.string == DSTU2Profile.searchsetBundle)
                let entries = reply.entries
                #expect(entries.first?["resourceType"]?.string == "Composition", "the composition comes first")
                #expect(
                    entries.map { $0["resourceType"]?.string ?? "" } == [
                        "Composition", "Patient", "Practitioner", "Organization", "Device",
                    ])
                let composition = try #require(entries.first)
                #expect(composition["title"]?.string == "Patient Care Record" && composition["status"]?.string == "final")
                #expect(composition.at("type.coding.code")?.string == "425173008")
                #expect(composition.at("class.coding.code")?.string == "700232004")
                #expect(composition.at("section.title")?.string == section.title)
                #expect(composition.at("section.code.coding.code")?.string == section.code)
                #expect(composition.at("section.code.coding.system")?.string == DSTU2System.recordSection)
                #expect(composition.at("section.code.coding.display")?.string == section.title)
                #expect(composition.at("section.text.status")?.string == "generated")
                // The pack resolves a reference by an entry's fullUrl.
                let fullURLs = Set((bundle["entry"]?.items ?? []).compactMap { $0["fullUrl"]?.string })
                #expect(fullURLs.count == entries.count)
                for path in ["subject.reference", "author.reference", "custodian.reference"] {
                    #expect(fullURLs.contains(composition.at(path)?.string ?? "-"), "\(path) resolves in the bundle")
                }
                let practitioner = entries.first { $0["resourceType"]?.string == "Practitioner" }
                for reference in [
                    entries[1].at("careProvider.reference"), entries[1].at("managingOrganization.reference"),
                    practitioner?.at("practitionerRole.managingOrganization.reference"),
                ] {
                    #expect(fullURLs.contains(reference?.string ?? "-"))
                }
                for entry in entries {
                    #expect(entry.at("meta.profile")?.string?.hasPrefix("http://fhir.nhs.net/StructureDefinition/gpconnect-") == true)
                    #expect(entry.at("meta.versionId") != nil, "\(entry["resourceType"]?.string ?? "")")
                }
                let patient = try #require(entries.first { $0["resourceType"]?.string == "Patient" })
                #expect(
                    patient.at("identifier.system")?.string == DSTU2System.nhsNumber && patient.at("identifier.value")?.string == S.patient2
                )
                #expect(patient.at("name.family")?.string == "SKELLY", "DSTU2 family is an array")
                let device = try #require(entries.last)
                #expect(device.at("type.coding.code")?.string == "462240000")
                let div = try #require(reply.div)
                #expect(div.hasPrefix("<div xmlns=\"http://www.w3.org/1999/xhtml\"><h1>\(section.title)</h1>"))
                #expect(reply.tableIDs == Self.tableIDs[section.code], "\(section.code): \(reply.tableIDs)")
                for control in ["\n", "\r", "\t"] { #expect(!div.contains(control)) }
                // Each table with date columns has rows (pack: HTML.feature, "Check html tables have date column class attribute").
                for body in div.matches(of: /<tbody>(.*?)<\/tbody>/) { #expect(body.output.1.contains("<tr>")) }
            }
        }
    }

    @Test func tableHeadersAreThoseThePackExpects() async throws {
        try await TestServer.run { client in
            for (code, index, expected) in Self.headers {
                let reply = try await client.careRecord(S.patient2, code)
                #expect(Self.headers(of: reply.div ?? "", table: index) == expected, "\(code) table \(index)")
            }
            let summary = try await client.careRecord(S.patient2, "SUM").div ?? ""
            for header in [
                "Last 3 Encounters", "Active Problems and Issues", "Major Inactive Problems and Issues",
                "Current Allergies and Adverse Reactions",
                "Acute Medication (Last 12 Months)", "Current Repeat Medication",
            ] {
                #expect(summary.contains("<h2>\(header)</h2>"))
            }
            #expect(!summary.contains("date-banner"), "the summary takes no date filter")
            #expect(summary.contains("<td class=\"date-column\">23-Mar-2020</td><td>High risk category"), "emergency code listed")
            #expect(summary.matches(of: /<tr><td class="date-column">/).count > 0)
        }
    }

    @Test func dateBannersFollowTheRangeAsked() async throws {
        try await TestServer.run { client in
            let both = try await client.careRecord(S.patient2, "ADM", start: "2014-05-03", end: "2016-09-14").div ?? ""
            #expect(both.contains("<div class=\"date-banner\"><p>For the period '03-May-2014' to '14-Sep-2016'</p></div>"))
            let months = try await client.careRecord(S.patient2, "CLI", start: "2014-02", end: "2016-02").div ?? ""
            #expect(months.contains("<p>For the period '01-Feb-2014' to '29-Feb-2016'</p>"))
            let start = try await client.careRecord(S.patient1, "PRB", start: "2014").div ?? ""
            #expect(start.contains("<p>Data items from '01-Jan-2014'</p>"))
            let end = try await client.careRecord(S.patient2, "REF", end: "2016-11").div ?? ""
            #expect(end.contains("<p>Data items until '30-Nov-2016'</p>"))
            let dateTimes = try await client.careRecord(
                S.patient2, "ENC", start: "2014-04-03T22:03:25+00:00", end: "2016-03-13T17:13:12+00:00")
            #expect(dateTimes.status == 200 && dateTimes.div?.contains("<p>For the period '03-Apr-2014' to '13-Mar-2016'</p>") == true)
            let none = try await client.careRecord(S.patient2, "OBS").div ?? ""
            #expect(none.contains("<div class=\"date-banner\"><p>All relevant items</p></div>"))
            // Subsections that always show everything say the filter was not applied.
            let medications = try await client.careRecord(S.patient2, "MED", start: "2018-04-20", end: "2018-04-30").div ?? ""
            #expect(medications.matches(of: /<div class="date-banner"><p>Date filter not applied<\/p>/).count == 3)
            let problems = try await client.careRecord(S.patient2, "PRB", start: "2018-04-20", end: "2018-04-30").div ?? ""
            #expect(problems.contains("<h2>Active Problems and Issues</h2><div class=\"date-banner\"><p>Date filter not applied</p>"))
        }
    }

    /// pack: HTML.feature, "filtered sections should return no data available html banner".
    @Test(arguments: [
        ("ADM", "2014-05-03", "2015-04-30", "Administrative Items"), ("CLI", "2014-02-03", "2015-01-24", "Clinical Items"),
        ("ENC", "1982-10-05", "2015-04-30", "Encounters"), ("REF", "2014-03-21", "2015-03-14", "Referrals"),
    ])
    func patient2sEmptyWindowsShowTheNoDataText(code: String, start: String, end: String, title: String) async throws {
        try await TestServer.run { client in
            let div = try await client.careRecord(S.patient2, code, start: start, end: end).div ?? ""
            #expect(div.contains("<p>No '\(title)' data is recorded for this patient.</p>"), "\(div)")
            #expect(!div.contains("<table"))
            let window = try await client.careRecord(S.patient2, code, start: "2015-05-01", end: "2016-07-01").div ?? ""
            #expect(window.contains("<table"), "\(code) has data in 2015–2016")
        }
    }

    @Test func patient1HasNoDataInAnyView() async throws {
        try await TestServer.run { client in
            for section in CareRecordSection.allCases {
                let reply = try await client.careRecord(S.patient1, section.code)
                #expect(reply.status == 200)
                let div = reply.div ?? ""
                #expect(!div.contains("<table"), "\(section.code)")
                let titles = div.matches(of: /<h[12]>([^<]+)<\/h[12]>/).map { String($0.output.1) }
                let expected = titles.count == 1 ? titles : Array(titles.dropFirst())
                for title in expected {
                    #expect(div.contains("<p>No '\(title)' data is recorded for this patient.</p>"), "\(section.code) \(title)")
                }
            }
        }
    }

    /// pack: HTML.feature, "Check HTML Medication Views and the Grouping of Entries" — the same checks.
    @Test func allMedicationSummarisesAllMedicationIssues() async throws {
        try await TestServer.run { client in
            let div = try await client.careRecord(S.patient2, "MED").div ?? ""
            func rows(_ id: String) -> [[String]] {
                guard let table = div.firstMatch(of: try! Regex("<table id=\"\(id)\">(.*?)</table>"))?.output[1].substring else {
                    return []
                }
                return String(table).matches(of: /<tr>(.*?)<\/tr>/).map { row in
                    String(row.output.1).matches(of: /<td[^>]*>(?:<strong>)?([^<]*)(?:<\/strong>)?<\/td>/).map { String($0.output.1) }
                }.filter { !$0.isEmpty }
            }
            let issues = rows("med-tab-all-iss")
            let summary = rows("med-tab-all-sum")
            #expect(issues.filter { $0.count > 1 }.count >= 4, "at least four issues")
            var group = ""
            for row in issues + summary {
                if row.count == 1 { group = row[0] } else { #expect(row[2] == group, "a row names its group's medication item") }
            }
            let grouped = Dictionary(grouping: issues.filter { $0.count > 1 }) { [$0[0], $0[2], $0[3], $0[4], $0[5], $0[6]] }
            let expected = grouped.sorted { $0.key[1] < $1.key[1] }
            let summaryRows = summary.filter { $0.count > 1 }
            #expect(summaryRows.count == expected.count)
            func day(_ text: String) -> Int { FHIRDate(Self.iso(text))?.dayNumber ?? 0 }
            for (row, group) in zip(summaryRows, expected) {
                #expect(row[0] == group.key[0] && row[2] == group.key[1] && row[3] == group.key[2] && row[4] == group.key[3])
                #expect(day(row[1]) == group.value.map { day($0[1]) }.min())
                #expect(day(row[5]) == group.value.map { day($0[1]) }.max())
                #expect(Int(row[6]) == group.value.count)
                #expect(row[8] == group.key[5])
            }
            #expect(expected.contains { $0.value.count >= 2 }, "one medication issued at least twice")
            #expect(
                div.contains(
                    "<h2>Discontinued Repeat Medication</h2><div class=\"content-banner\"><p>All repeat medication ended by a clinician action</p></div>"
                ))
            #expect(
                div.contains(
                    "<div class=\"exclusion-banner\"><p>Items excluded due to confidentiality and/or patient preferences</p></div>"))
            #expect(!div.contains("Sertraline"), "the confidential authorisation is withheld")
        }
    }

    static func iso(_ display: String) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = display.split(separator: "-")
        guard parts.count == 3, let month = months.firstIndex(of: String(parts[1])) else { return display }
        return "\(parts[2])-\(month < 9 ? "0" : "")\(month + 1)-\(parts[0])"
    }

    @Test func transitConfidentialityAndDeathShapeTheViews() async throws {
        try await TestServer.run { client in
            for section in CareRecordSection.allCases {
                let transit = try await client.careRecord(S.patient13, section.code).div ?? ""
                #expect(
                    transit.contains(
                        /<h1>[^<]+<\/h1><div class="gptransfer-banner"><p>Patient record transfer from previous GP practice not yet complete; information recorded before \d{2}-[A-Z][a-z]{2}-\d{4} may be missing<\/p><\/div>/
                    ), "\(section.code)")
            }
            let confidential = try await client.careRecord(S.patient16, "ALL").div ?? ""
            #expect(confidential.contains("exclusion-banner") && !confidential.contains("Aspirin"))
            let clinical = try await client.careRecord(S.patient2, "CLI").div ?? ""
            #expect(clinical.contains("exclusion-banner") && !clinical.contains("alcohol"))
            // Died five days ago: shown, with the date of death; died in 1993: not found.
            let recent = try await client.careRecord(HTML.patient22, "SUM")
            #expect(recent.status == 200, "\(recent.text.prefix(300))")
            let patient = try #require(recent.entries.first { $0["resourceType"]?.string == "Patient" })
            let died = try #require(patient["deceasedDateTime"]?.string)
            #expect(ClinicalDate.days(from: String(died.prefix(10)), to: ISO8601.day(Date())) <= 28)
            #expect(recent.div?.contains("Non-small cell lung cancer") == true)
        }
    }

    @Test func theDeceasedAccessPeriodIsConfigurable() async throws {
        try await TestServer.run(configure: { $0.identity.careRecord.deceasedAccessDays = 2 }) { client in
            let reply = try await client.careRecord(HTML.patient22, "SUM")
            #expect(reply.status == 404 && reply.spineCode == "PATIENT_NOT_FOUND")
        }
    }

    @Test func aDefaultTimeFrameAppliesOnlyWithoutAConsumerRange() async throws {
        try await TestServer.run(configure: { $0.identity.careRecord.defaultPeriodMonths = [.encounters: 12, .medications: 12] }) {
            client in
            let encounters = try await client.careRecord(S.patient2, "ENC").div ?? ""
            #expect(encounters.contains("<p>All data items from "))
            #expect(!encounters.contains("Annual review"), "the 2015 encounter is older than the default")
            let asked = try await client.careRecord(S.patient2, "ENC", start: "2015-01-01").div ?? ""
            #expect(asked.contains("Annual review") && asked.contains("Data items from '01-Jan-2015'"))
            let medications = try await client.careRecord(S.patient2, "MED").div ?? ""
            #expect(medications.contains("<h2>Current Repeat Medication</h2><div class=\"date-banner\"><p>Date filter not applied</p>"))
        }
    }

    /// pack: AccessRecord.feature and JWT.feature (branch feature/0.7.4): every refusal, with its status and code.
    @Test func refusalsHaveThePacksStatusesAndCodes() async throws {
        try await TestServer.run { client in
            typealias Case = (String, String?, String?, Int, String?)
            let p2 = S.patient2
            func body(_ edit: (inout [FHIRElement]) -> Void) -> String { HTML.body(p2, "SUM", edit: edit) }
            let cases: [Case] = [
                ("empty body", "", nil, 400, "BAD_REQUEST"),
                ("no section", body { $0.removeLast() }, nil, 400, "BAD_REQUEST"),
                ("unknown section", HTML.body(p2, "ZZZ"), nil, 422, "INVALID_PARAMETER"),
                ("lower-case section", HTML.body(p2, "sum"), nil, 422, "INVALID_PARAMETER"),
                ("empty section code", HTML.body(p2, ""), nil, 422, "INVALID_PARAMETER"),
                ("two sections", body { $0.append($0[1]) }, nil, 400, "BAD_REQUEST"),
                (
                    "section system",
                    body {
                        $0[1] = ["name": "recordSection", "valueCodeableConcept": ["coding": [["system": "http://x/y", "code": "SUM"]]]]
                    },
                    nil, 400, "BAD_REQUEST"
                ),
                (
                    "empty section system",
                    body { $0[1] = ["name": "recordSection", "valueCodeableConcept": ["coding": [["system": "", "code": "SUM"]]]] },
                    nil, 422, "INVALID_PARAMETER"
                ),
                ("section as string", body { $0[1] = ["name": "recordSection", "valueString": "SUM"] }, nil, 400, "BAD_REQUEST"),
                ("no NHS number", body { $0.removeFirst() }, nil, 400, "BAD_REQUEST"),
                ("invalid NHS number", HTML.body("1234567891", "SUM"), "1234567891", 400, "INVALID_NHS_NUMBER"),
                ("empty NHS number", HTML.body("", "SUM"), "", 400, "INVALID_NHS_NUMBER"),
                (
                    "NHS number system",
                    body { $0[0] = ["name": "patientNHSNumber", "valueIdentifier": ["system": "http://x/id", "value": .string(p2)]] },
                    nil, 400, "INVALID_IDENTIFIER_SYSTEM"
                ),
                ("two NHS numbers", body { $0.append($0[0]) }, nil, 400, "BAD_REQUEST"),
                (
                    "NHS number as string", body { $0[0] = ["name": "patientNHSNumber", "valueString": .string(p2)] }, nil, 400,
                    "BAD_REQUEST"
                ),
                (
                    "parameter name case",
                    body { $0[0] = ["name": "patientnhsnumber", "valueIdentifier": $0[0]["valueIdentifier"] ?? [:]] }, nil, 422,
                    "INVALID_PARAMETER"
                ),
                ("not Parameters", "{\"resourceType\":\"Patient\"}", nil, 422, "INVALID_RESOURCE"),
                ("range for SUM", HTML.body(p2, "SUM", start: "2014", end: "2016"), nil, 400, "BAD_REQUEST"),
                ("range for ALL", HTML.body(p2, "ALL", start: "2014", end: "2016"), nil, 400, "BAD_REQUEST"),
                ("range for IMM", HTML.body(p2, "IMM", start: "2014", end: "2016"), nil, 400, "BAD_REQUEST"),
                ("bad start", HTML.body(p2, "ENC", start: "abcd", end: "2016"), nil, 422, "INVALID_PARAMETER"),
                ("bad end", HTML.body(p2, "ENC", start: "2014", end: "abcd"), nil, 422, "INVALID_PARAMETER"),
                ("reversed", HTML.body(p2, "ENC", start: "2016", end: "2014"), nil, 422, "INVALID_PARAMETER"),
                (
                    "no offset", HTML.body(p2, "ENC", start: "2014-04-03T22:03:25", end: "2016-03-13T17:13:12"), nil, 422,
                    "INVALID_PARAMETER"
                ),
                ("empty period", HTML.body(p2, "ENC", start: "", end: ""), nil, 422, "INVALID_PARAMETER"),
                ("not on the system", HTML.body("9999999999", "SUM"), "9999999999", 404, "PATIENT_NOT_FOUND"),
                ("sensitive", HTML.body(S.patient9, "MED"), S.patient9, 404, "PATIENT_NOT_FOUND"),
                ("not on PDS", HTML.body("9476718943", "ENC"), "9476718943", 404, "PATIENT_NOT_FOUND"),
                ("dissent", HTML.body(S.patient15, "ALL"), S.patient15, 403, "NO_PATIENT_CONSENT"),
                ("died in 1993", HTML.body(S.patient18, "SUM"), S.patient18, 404, "PATIENT_NOT_FOUND"),
                ("requested_record names another", HTML.body(p2, "SUM"), S.patient3, 400, "BAD_REQUEST"),
            ]
            for (name, text, tokenPatient, status, code) in cases {
                let token = HTML.token(.getCareRecord, nhsNumber: tokenPatient ?? p2)
                let reply = try await client.careRecord(p2, "SUM", body: text, token: token)
                #expect(reply.status == status, "\(name): \(reply.text.prefix(300))")
                #expect(reply.spineCode == code, "\(name)")
                let outcome = reply.resource
                #expect(outcome?["resourceType"]?.string == "OperationOutcome", "\(name)")
                #expect(outcome?.at("meta.profile")?.string == DSTU2Profile.operationOutcome, "\(name)")
                #expect(outcome?.at("issue.details.coding.system")?.string == DSTU2System.errorCode, "\(name)")
                #expect(reply.contentType?.hasPrefix("application/json+fhir") == true, "\(name)")
            }
        }
    }

    @Test func theJWTIsCheckedByThe07Rules() async throws {
        try await TestServer.run { client in
            let p2 = S.patient2
            let cases: [(String, (inout FHIRObject) -> Void, Int)] = [
                ("aud with a slash", { $0["aud"] = "https://authorize.fhir.nhs.net/token/" }, 400),
                ("no requested_record", { $0["requested_record"] = nil }, 400),
                ("reason", { $0["reason_for_request"] = "secondaryuses" }, 400),
                ("scope", { $0["requested_scope"] = "organization/*.read" }, 400),
                ("device type", { $0["requesting_device"] = ["resourceType": "Organization", "identifier": [["value": "x"]]] }, 400),
                ("invalid device", Self.edit("requesting_device") { $0.append("bogus", "x") }, 422),
                (
                    "organisation without ODS",
                    { $0["requesting_organization"] = ["resourceType": "Organization", "id": "1", "name": "x"] }, 400
                ),
                ("sub is not the practitioner", { $0["sub"] = "2" }, 400),
                (
                    "creation time in the future",
                    { claims in
                        let iat = Int64(Date().timeIntervalSince1970) + 120
                        claims["iat"] = .number(String(iat))
                        claims["exp"] = .number(String(iat + 300))
                    }, 200
                ),
                (
                    "expired",
                    {
                        $0["exp"] = .number(String(Int64(Date().timeIntervalSince1970) - 600));
                        $0["iat"] = .number(String(Int64(Date().timeIntervalSince1970) - 900))
                    }, 400
                ),
            ]
            for (name, edit, status) in cases {
                let token = HTML.token(.getCareRecord, nhsNumber: p2, edit: edit)
                let reply = try await client.careRecord(p2, "IMM", token: token)
                #expect(reply.status == status, "\(name): \(reply.text.prefix(200))")
            }
            // A 1.x token is not a 0.7.x one.
            let stu3 = try await client.careRecord(p2, "IMM", token: Client.token(for: .getCareRecord))
            #expect(stu3.status == 400 && stu3.spineCode == "BAD_REQUEST")
            // The 0.7.x token's practitioner identifier may use the audit page's system, or the /Id/ one.
            let idSystem = HTML.token(
                .getCareRecord, nhsNumber: p2,
                edit: Self.edit("requesting_practitioner") {
                    $0["identifier"] = [["system": .string(DSTU2System.sdsUserID), "value": "UNK"]]
                })
            #expect(try await client.careRecord(p2, "IMM", token: idSystem).status == 200)
        }
    }

    /// Changes one resource claim of a token.
    static func edit(_ claim: String, _ change: @escaping (inout FHIRObject) -> Void) -> (inout FHIRObject) -> Void {
        { claims in
            guard var resource = claims[claim]?.object else { return }
            change(&resource)
            claims[claim] = .object(resource)
        }
    }

    /// Every view of every reference patient the 0.7.4 pack uses, in JSON and XML, read by lxml.
    @Test func everyViewIsValidXHTMLNarrative() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpconnect-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let patients = [S.patient1, S.patient2, S.patient3, S.patient13, S.patient16, HTML.patient22]
        let written = patients.count * CareRecordSection.allCases.count * FHIRFormat.allCases.count
        try await TestServer.run { client in
            for patient in patients {
                for section in CareRecordSection.allCases {
                    for format in FHIRFormat.allCases {
                        let reply = try await client.careRecord(patient, section.code, format: format)
                        #expect(reply.status == 200)
                        let div = try #require(reply.div, "\(patient) \(section.code) \(format)")
                        try Data(div.utf8).write(to: directory.appendingPathComponent("\(patient)-\(section.code)-\(format).xhtml"))
                    }
                }
            }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_xhtml.py").path
        let (status, text) = try STU3Validator.validate(directory, script: script)
        #expect(status == 0, "\(text)")
        #expect(text.contains("\(written) valid, 0 invalid"), "\(text)")
    }
}

extension CareRecordHTMLTests {
    /// pack: Http.feature and FhirBase.feature (branch feature/0.7.4): refusals outside the operation are DSTU2 too,
    /// and the format follows the request's Content-Type when nothing else asks.
    @Test func theDSTU2RootAnswersInDSTU2Everywhere() async throws {
        try await TestServer.run { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "Patient/$gpc.getcarerecords"), (.patch, "Patient/$gpc.getcarerecord"), (.get, "patient"),
            ] {
                let reply = try await client.raw(Client.root(Client.practice, .careRecord) + "/" + path, method: method)
                #expect(reply.status >= 400 && reply.status < 500, "\(path)")
                #expect(reply.resource?.at("meta.profile")?.string == DSTU2Profile.operationOutcome, "\(method) \(path)")
            }
            let xml = try await client.request(
                .getCareRecord, Interaction.getCareRecord.path,
                headers: {
                    $0[.accept] = nil
                    $0[.authorization] = "Bearer " + HTML.token(.getCareRecord, nhsNumber: Structured.patient2)
                }, body: FHIRXML.encodeString(try FHIRJSON.decode(Array(HTML.body(Structured.patient2, "IMM").utf8))),
                contentType: "application/xml+fhir")
            #expect(xml.status == 200 && xml.contentType?.hasPrefix("application/xml+fhir") == true, "\(xml.text.prefix(300))")
            let unsupported = try await client.careRecord(Structured.patient2, "IMM", format: .json, body: nil, token: nil)
            #expect(unsupported.status == 200)
            let refused = try await client.request(
                .getCareRecord, Interaction.getCareRecord.path + "?_format=text/html",
                headers: { $0[.authorization] = "Bearer " + HTML.token(.getCareRecord, nhsNumber: Structured.patient2) },
                body: HTML.body(Structured.patient2, "IMM"), contentType: "application/json+fhir")
            #expect(refused.status == 415)
        }
    }
}
