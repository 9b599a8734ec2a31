import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import Testing

/// `GPConnectClient.careRecord` against our provider over real HTTP, and the consumer's reading
/// of a view (terminal text and a browser page written afresh, nothing of the provider's markup passed on).
@Suite("Consumer client: Access Record HTML")
struct CareRecordConsumerTests {
    @Test(arguments: [FHIRFormat.json, .xml])
    func careRecordReturnsTheViewReadBack(format: FHIRFormat) async throws {
        try await TestServer.run { server in
            let endpoint = try ConsumerClientTests.endpoint(server)
            let gp = ConsumerClientTests.consumer(format)
            #expect(try await gp.capabilityStatement(endpoint, capability: .careRecord)["resourceType"]?.string == "Conformance")
            let medications = try await gp.careRecord(endpoint, nhsNumber: Structured.patient2, section: .medications)
            let view = medications.view
            #expect(view.sectionCode == "MED" && view.sectionTitle == "Medications")
            #expect(view.nhsNumber == Structured.patient2 && view.patientName == "Mr Horace SKELLY")
            let tables = view.blocks.compactMap { block -> String? in
                if case .table(let id, _, _) = block { return id }
                return nil
            }
            #expect(tables == ["med-tab-acu-med", "med-tab-curr-rep", "med-tab-dis-rep", "med-tab-all-sum", "med-tab-all-iss"])
            #expect(view.blocks.contains(.banner(kind: "content-banner", text: "All repeat medication ended by a clinician action")))
            #expect(view.text.contains("* Ramipril 2.5mg capsules"), "a group row")
            #expect(view.text.contains("Repeat  01-Jul-2015  Ramipril 2.5mg capsules"))
            #expect(view.htmlPage.hasPrefix("<!DOCTYPE html>") && view.htmlPage.contains("<tr class=\"group\">"))

            let encounters = try await gp.careRecord(
                endpoint, nhsNumber: Structured.patient2, section: .encounters, period: ("2015-05-01", "2016-07-01"))
            #expect(encounters.view.text.contains("[For the period '01-May-2015' to '01-Jul-2016']"))
            #expect(encounters.view.text.contains("15-Sep-2015  Annual review"))

            await #expect(throws: GPConnectClientError.self) {
                try await gp.careRecord(endpoint, nhsNumber: Structured.patient15, section: .summary)
            }
            do {
                _ = try await gp.careRecord(endpoint, nhsNumber: Structured.patient2, section: .summary, period: ("2014", "2016"))
                Issue.record("a period for the summary is refused")
            } catch {
                guard case .refused(let status, let code, _)? = error as? GPConnectClientError else { throw error }
                #expect(status == 400 && code == "BAD_REQUEST")
            }
        }
    }

    @Test func aViewIsReadBackAndWrittenAfreshEscaped() {
        let div =
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><h1>Referrals</h1><div class=\"date-banner\"><p>All relevant items</p></div>"
            + "<table id=\"ref-tab\"><thead><tr><th>Date</th><th>Details</th></tr></thead><tbody>"
            + "<tr><td class=\"date-column\">01-Jan-2016</td><td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</td></tr></tbody></table></div>"
        let bundle: FHIRElement = [
            "resourceType": "Bundle",
            "entry": [
                ["resource": ["resourceType": "Composition", "section": [["title": "Referrals", "text": ["div": .string(div)]]]]]
            ],
        ]
        let view = CareRecordSummary(bundle)
        #expect(view.blocks.first == .heading(level: 1, text: "Referrals"))
        #expect(view.blocks.contains(.banner(kind: "date-banner", text: "All relevant items")))
        #expect(view.text.contains("01-Jan-2016  <script>alert(1)</script> & more"))
        #expect(!view.htmlPage.contains("<script>") && view.htmlPage.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        let broken = CareRecordSummary([
            "resourceType": "Bundle", "entry": [["resource": ["resourceType": "Composition", "section": [["text": ["div": "<div><p>"]]]]]],
        ])
        #expect(broken.blocks == [.paragraph("The provider's view could not be read.")])
    }
}
