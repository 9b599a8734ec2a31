import FHIR
import Foundation
import GPConnect
import GPConnectClient
import GPConnectContract
import GPConnectHub
import GPConnectSQL
import GPConnectSQLite
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

/// The federation hub over real HTTP, against a real provider with both reference practices.
@Suite("Federation hub")
struct HubTests {
    static func today() -> String { UKTime.day(Date()) }
    static func inDays(_ days: Int) -> String { UKTime.day(UKTime.day(offset: days, from: Date())) }

    @Test func pagesNeedASignedInUser() async throws {
        try await HubTestServer.run { hub, _ in
            let capacity = try await hub.get("/capacity")
            #expect(capacity.status == 303)
            #expect(capacity.location == "/signin")
            let post = try await hub.post("/patient", [("nhs", "9690937286")])
            #expect(post.status == 401)
            #expect(post.text.contains("Sign in again"))
            let signin = try await hub.get("/signin")
            #expect(signin.status == 200)
            #expect(signin.headers[.cacheControl] == "no-store")
            #expect(signin.headers[.init("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
            #expect(signin.text.contains("<label for=\"password\">"))
            let css = try await hub.get("/static/hub.css")
            #expect(css.status == 200)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test(arguments: [false, true])
    func signInSetsAStrictSessionCookie(secure: Bool) async throws {
        try await HubTestServer.run(configure: { $0.secureCookies = secure }) { hub, _ in
            let wrong = try await hub.signIn(password: "not the password")
            #expect(wrong.status == 401)
            #expect(wrong.text.contains("The username or password is not right."))
            let unknown = try await hub.signIn(username: "nobody")
            #expect(unknown.status == 401)
            // A sign-in form without its token is refused.
            let forged = try await hub.post("/signin", [("username", HubTestServer.username), ("password", HubTestServer.password)])
            #expect(forged.status == 403)
            let signedIn = try await hub.signIn()
            #expect(signedIn.status == 303)
            #expect(signedIn.location == "/capacity")
            let cookie = try #require(signedIn.setCookies.first { $0.hasPrefix("hub_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("; Secure") == secure)
            let page = try await hub.get("/patient")
            #expect(page.status == 200)
            #expect(page.text.contains("Robin Receptionist"))
        }
    }

    @Test func signOutNeedsItsTokenAndEndsTheSession() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            let token = try await hub.csrf()
            let forged = try await hub.post("/signout", [("csrf", "0000")])
            #expect(forged.status == 403)
            #expect(forged.text.contains("did not come from the hub"))
            let session = try #require(hub.cookies.withLock { $0["hub_session"] })
            let out = try await hub.post("/signout", [("csrf", token)])
            #expect(out.status == 303)
            #expect(out.location == "/signin")
            // The old cookie no longer signs anyone in.
            hub.cookies.withLock { $0["hub_session"] = session }
            #expect(try await hub.get("/patient").status == 303)
        }
    }

    @Test(.enabled(if: AlonePass.active, AlonePass.reason)) func sessionsExpire() async throws {
        // Long enough that a loaded machine signs in and reads a page inside it, short enough to wait out.
        try await HubTestServer.run(configure: { $0.sessionLifetime = 4 }) { hub, _ in
            try await hub.signIn()
            #expect(try await hub.get("/patient").status == 200)
            try await Task.sleep(for: .milliseconds(5000))
            let expired = try await hub.get("/patient")
            #expect(expired.status == 303)
            #expect(expired.location == "/signin")
        }
    }

    @Test func formsRefuseAMissingOrWrongToken() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            for path in ["/patient", "/record", "/tasks", "/book/start", "/book/patient", "/book/confirm", "/appointment/cancel"] {
                let page = try await hub.post(path, [("csrf", "forged"), ("nhs", "9690937286")])
                #expect(page.status == 403, "\(path)")
            }
        }
    }

    @Test func capacityShowsEveryPracticeAndItsOutcome() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            let page = try await hub.get("/capacity")
            #expect(page.status == 200)
            #expect(page.headers[.cacheControl] == "no-store")
            let text = page.text
            #expect(text.contains("<li class=\"bar\"><progress max=\"4\" value=\"4\""))
            #expect(text.contains("All practices answered."))
            #expect(text.contains("class=\"heatmap\""))
            #expect(text.contains("class=\"chart\""))
            #expect(text.contains("B82617 COXWOLD SURGERY: ok"))
            #expect(text.contains("A20047 Dr Legg's Surgery: ok"))
            #expect(text.contains("X99999 Practice the provider does not serve: refused: HTTP 404 ORGANISATION_NOT_FOUND"))
            #expect(text.contains("Y00001 Practice that is offline: unreachable"))

            let csv = try await hub.get("/capacity.csv")
            #expect(csv.status == 200)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            let lines = csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 5)
            let header = lines[0].components(separatedBy: ",")
            #expect(Array(header.prefix(4)) == ["ODS code", "Practice", "Outcome", Self.today()])
            #expect(header.count >= 3 + 14 + 1)
            let coxwold = lines[1].components(separatedBy: ",")
            #expect(coxwold[0] == "B82617")
            #expect(coxwold[2] == "ok")
            let total = try #require(Int(coxwold[17]))
            #expect(total > 0)
            #expect(coxwold[3..<17].compactMap { Int($0) }.reduce(0, +) == total)
            #expect(lines[3].hasPrefix("X99999,Practice the provider does not serve,refused: HTTP 404 ORGANISATION_NOT_FOUND,0"))
            #expect(lines[4].hasPrefix("Y00001,Practice that is offline,unreachable,0"))

            let xlsx = try await hub.get("/capacity.xlsx")
            #expect(xlsx.status == 200)
            #expect(xlsx.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let cells = try Self.readSheet(xlsx.bytes)
            #expect(cells.first == header)
            #expect(cells.count == 5)
            #expect(cells[1] == coxwold)
        }
    }

    /// Reads the first sheet of a workbook back with Python's zipfile and XML parser (a reader
    /// that is not ours): the rows of inline strings and numbers.
    static func readSheet(_ bytes: [UInt8]) throws -> [[String]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("capacity.xlsx")
        try Data(bytes).write(to: file)
        let script = """
            import json, sys, zipfile, xml.etree.ElementTree as ET
            ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            ET.fromstring(z.read("[Content_Types].xml")); ET.fromstring(z.read("xl/workbook.xml"))
            sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
            rows = []
            for row in sheet.iter("{%s}row" % ns["m"]):
                cells = []
                for c in row.findall("m:c", ns):
                    t = c.find("m:is/m:t", ns)
                    cells.append(t.text if t is not None else c.find("m:v", ns).text)
                rows.append(cells)
            print(json.dumps(rows))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        #expect(process.terminationStatus == 0)
        return (try? JSONDecoder().decode([[String]].self, from: data)) ?? []
    }

    @Test func slotSearchChecksItsDates() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            let garbage = try await hub.get("/slots?search=1&from=tomorrow&to=\(Self.inDays(3))")
            #expect(garbage.status == 400)
            #expect(garbage.text.contains("Enter the dates as yyyy-mm-dd"))
            let long = try await hub.get("/slots?search=1&from=\(Self.today())&to=\(Self.inDays(20))")
            #expect(long.status == 400)
            #expect(long.text.contains("at most 14 days"))
            let backwards = try await hub.get("/slots?search=1&from=\(Self.inDays(3))&to=\(Self.today())")
            #expect(backwards.status == 400)
            let video = try await hub.get("/slots?search=1&from=\(Self.today())&to=\(Self.inDays(6))&channel=Video")
            #expect(video.status == 200)
            #expect(video.text.contains("<td>Video</td>"))
            #expect(!video.text.contains("<td>Telephone</td>"))
        }
    }

    /// Books the first free slot of a practice through the pages; returns the confirmation page.
    static func book(_ hub: HubBrowser, ods: String, nhs: String, description: String, register: [(String, String)] = []) async throws
        -> HubBrowser.Page
    {
        let search = try await hub.get("/slots?search=1&from=\(today())&to=\(inDays(6))")
        #expect(search.status == 200)
        let marker = "name=\"ods\" value=\"\(ods)\""
        let csrf = try #require(search.hidden("csrf"))
        let slot = try #require(search.hidden("slot", after: marker))
        let day = try #require(search.hidden("day", after: marker))
        let fields = [("csrf", csrf), ("ods", ods), ("slot", slot), ("day", day)]
        let start = try await hub.post("/book/start", fields)
        #expect(start.status == 200)
        #expect(start.text.contains("<label for=\"nhs\">NHS number</label>"))
        let invalid = try await hub.post("/book/patient", fields + [("nhs", "1234567890")])
        #expect(invalid.status == 400)
        #expect(invalid.text.contains("Enter a valid 10-digit NHS number"))
        var found = try await hub.post("/book/patient", fields + [("nhs", nhs)])
        #expect(found.status == 200)
        if !register.isEmpty {
            #expect(found.text.contains("Register as a temporary patient"))
            found = try await hub.post("/book/register", fields + [("nhs", nhs)] + register)
            #expect(found.status == 200)
            #expect(found.text.contains("as a temporary patient"))
        }
        let patient = try #require(found.hidden("patient"))
        return try await hub.post("/book/confirm", fields + [("nhs", nhs), ("patient", patient), ("description", description)])
    }

    @Test func findBookAmendAndCancelAcrossPractices() async throws {
        try await HubTestServer.run { hub, provider in
            try await hub.signIn()
            let booked = try await Self.book(hub, ods: "B82617", nhs: "969 093 7286", description: "Hub booking for a review")
            #expect(booked.status == 200)
            #expect(booked.text.contains("Appointment booked"))
            // The provider has it, booked by the hub's organisation.
            let port = try #require(provider.client.port)
            let gp = GPConnectClient(consumer: ConsumerIdentity(), consumerASID: "200000000359", timeout: .seconds(60), retries: 0)
            let endpoint = ProviderEndpoint(ods: "B82617", baseURL: "http://127.0.0.1:\(port)", asid: "918999198738")
            let appointments = try await gp.patientAppointments(
                endpoint, patientID: "2", from: Date(), through: UKTime.day(offset: 14, from: Date())
            ).map(AppointmentSummary.init)
            let appointment = try #require(appointments.first { $0.description == "Hub booking for a review" })
            #expect(appointment.bookedBy?.contains("Federation hub") == true || appointment.bookedBy?.contains("GPCA0001") == true)
            let id = try #require(appointment.id)

            // At the other practice the patient is not registered: registered as temporary, then booked.
            let temporary = try await Self.book(
                hub, ods: "A20047", nhs: "9651258500", description: "Hub booking at Dr Legg's",
                register: [("family", "REA"), ("given", "Clive"), ("birthDate", "1951-03-10"), ("gender", "male")])
            #expect(temporary.text.contains("Appointment booked"))

            let csrf = try await hub.csrf()
            let list = try await hub.post("/patient", [("csrf", csrf), ("nhs", "9690937286")])
            #expect(list.status == 200)
            #expect(list.text.contains("Hub booking for a review"))
            #expect(list.text.contains("B82617 COXWOLD SURGERY <span class=\"outcome ok\">registered</span>"))
            #expect(list.text.contains("Y00001 Practice that is offline <span class=\"outcome failed\">unreachable</span>"))
            let amended = try await hub.post(
                "/appointment/amend",
                [
                    ("csrf", csrf), ("ods", "B82617"), ("id", id), ("nhs", "9690937286"), ("description", "Hub booking, amended"),
                    ("comment", "Bring a list of medicines"),
                ])
            #expect(amended.text.contains("Appointment/\(id) at COXWOLD SURGERY was amended."))
            #expect(amended.text.contains("Bring a list of medicines"))
            let noReason = try await hub.post(
                "/appointment/cancel", [("csrf", csrf), ("ods", "B82617"), ("id", id), ("nhs", "9690937286")])
            #expect(noReason.text.contains("Give a reason to cancel"))
            let cancelled = try await hub.post(
                "/appointment/cancel",
                [("csrf", csrf), ("ods", "B82617"), ("id", id), ("nhs", "9690937286"), ("reason", "Patient is better")])
            #expect(cancelled.text.contains("Appointment/\(id) at COXWOLD SURGERY was cancelled."))
            #expect(try await gp.readAppointment(endpoint, id: id)["status"]?.string == "cancelled")
            let bad = try await hub.post("/patient", [("csrf", csrf), ("nhs", "96909")])
            #expect(bad.status == 400)
            #expect(bad.text.contains("Enter a valid 10-digit NHS number"))
        }
    }

    @Test func recordIsRenderedWithDocumentsAndHTMLViews() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            let csrf = try await hub.csrf()
            let record = try await hub.post("/record", [("csrf", csrf), ("nhs", "9690937286")])
            #expect(record.status == 200)
            #expect(record.headers[.cacheControl] == "no-store")
            let text = record.text
            #expect(text.contains("From B82617 COXWOLD SURGERY."))
            #expect(text.contains("SKELLY"))
            #expect(text.contains("<h2>Allergies"))
            #expect(text.contains("<h2>Medication") || text.contains("<h2>Medications"))
            #expect(text.contains("<h2>Problems"))
            let link = try #require(
                text.range(of: "href=\"/document/B82617/").map { range -> String in
                    let rest = text[range.lowerBound...].dropFirst(6)
                    return String(rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)])
                })
            let document = try await hub.get(link)
            #expect(document.status == 200)
            #expect(document.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(document.headers[.cacheControl] == "no-store")
            let head = String(decoding: document.bytes.prefix(5), as: UTF8.self)
            #expect(head == "%PDF-" || head == "{\\rtf")
            let view = try await hub.post("/record", [("csrf", csrf), ("nhs", "9690937286"), ("ods", "B82617"), ("section", "ALL")])
            #expect(view.status == 200)
            #expect(view.text.contains("<article class=\"care-record\"><h3>Allergies and Adverse Reactions</h3>"))
            let unknown = try await hub.post("/record", [("csrf", csrf), ("nhs", "9651258500")])
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("No practice of the federation has that patient registered"))
        }
    }

    @Test func tasksAreSentAndFollowedAsTheSignedInUser() async throws {
        try await HubTestServer.run { hub, provider in
            try await hub.signIn()
            let csrf = try await hub.csrf()
            let missing = try await hub.post("/tasks", [("csrf", csrf), ("nhs", "9690937286"), ("type", "blood-test")])
            #expect(missing.status == 400)
            #expect(missing.text.contains("describe what the practice should do"))
            let sent = try await hub.post(
                "/tasks",
                [
                    ("csrf", csrf), ("nhs", "9690937286"), ("type", "blood-test"), ("priority", "urgent"),
                    ("description", "FBC and U&E please"),
                ])
            #expect(sent.status == 200)
            #expect(sent.text.contains("sent to B82617"))
            let list = try await hub.get("/tasks")
            #expect(list.text.contains("FBC and U&amp;E please"))
            #expect(list.text.contains("<td class=\"status\">requested"))
            #expect(list.text.contains("B82617 COXWOLD SURGERY: 1 task"))

            // Every request went out as the signed-in user, and the hub logged who looked at whom.
            let audit = try await hub.get("/audit")
            #expect(audit.text.contains("<td>send task</td><td>B82617</td><td>9690937286</td>"))
            let database = try await GPConnectSQLiteDatabase.open(path: provider.databasePath)
            let entries = try await SQLAuditStore(database: database).entries(after: 0, limit: 10_000)
            await database.close()
            let created = try #require(entries.first { $0.event.interaction == Interaction.createTask.id && $0.event.status == 201 })
            #expect(created.event.requester?.sdsUserID == HubTestServer.sdsUserID)
            #expect(created.event.requester?.roleProfileID == HubTestServer.roleProfileID)
            #expect(created.event.requester?.organizationODS == "GPCA0001")
        }
    }

    @Test func unknownPagesAndBadFormsGetAClearPage() async throws {
        try await HubTestServer.run { hub, _ in
            try await hub.signIn()
            let missing = try await hub.get("/no-such-page")
            #expect(missing.status == 404)
            #expect(missing.text.contains("There is no such page on the hub."))
            let csrf = try await hub.csrf()
            let stale = try await hub.post(
                "/book/start", [("csrf", csrf), ("ods", "B82617"), ("slot", "no-such-slot"), ("day", Self.today())])
            #expect(stale.status == 409)
            #expect(stale.text.contains("That slot has just been taken"))
            let practice = try await hub.post("/book/start", [("csrf", csrf), ("ods", "ZZZ"), ("slot", "1"), ("day", Self.today())])
            #expect(practice.status == 400)
            #expect(practice.text.contains("Choose a practice of the federation."))
            let offline = try await hub.post("/book/start", [("csrf", csrf), ("ods", "Y00001"), ("slot", "1"), ("day", Self.today())])
            #expect(offline.status == 502)
            #expect(offline.text.contains("cannot be reached"))
        }
    }
}
