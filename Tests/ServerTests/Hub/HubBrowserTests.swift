import Dispatch
import Foundation
import HummingbirdTesting
import Testing

/// The hub in a real headless browser: hub_browser.py drives Debian's chromium through
/// chromium-driver with Selenium, against a provider and a hub on loopback. Skipped (visibly)
/// where chromium, chromium-driver or selenium is missing; `.ci/run` installs them.
@Suite("Federation hub in a browser")
struct HubBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var browserAvailable: Bool {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: "/usr/bin/chromium"), files.isExecutableFile(atPath: "/usr/bin/chromedriver") else {
            return false
        }
        return runBlocking(["python3", "-c", "import selenium"]).status == 0
    }

    /// Runs a command to its end on a Dispatch thread: the browser session takes minutes, and
    /// blocking one of the two cooperative threads that long stalls every other test in the process.
    static func run(_ arguments: [String]) async -> (status: Int32, output: String, error: String) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: runBlocking(arguments)) }
        }
    }

    static func runBlocking(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do { try process.run() } catch { return (-1, "", "\(error)") }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test(.enabled(if: browserAvailable, "needs /usr/bin/chromium, /usr/bin/chromedriver and python3's selenium"), .timeLimit(.minutes(10)))
    func signInCapacityExportsBookingRecordAndTask() async throws {
        try await HubTestServer.run { hub, provider in
            guard let port = hub.client.port else { Issue.record("the hub has no port"); return }
            // Screenshots are test artefacts, in a git-ignored folder of the package.
            let shots = Self.root.appendingPathComponent(".artefacts/hub-browser").path
            try? FileManager.default.removeItem(atPath: shots)
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
            let script = Self.root.appendingPathComponent("Tests/ServerTests/Hub/hub_browser.py").path
            let result = await Self.run([
                "python3", script, "http://127.0.0.1:\(port)", HubTestServer.username, HubTestServer.password, shots,
            ])
            #expect(result.status == 0, "hub_browser.py failed:\n\(result.error)")
            let booked = result.output.split(separator: "\n").first { $0.hasPrefix("BOOKED ") }?.split(separator: " ")
            // (No `#require` in here: a failure must not throw past the servers' shutdown.)
            guard let booked, booked.count == 3 else { Issue.record("the script did not report a booking"); return }
            let appointment = String(booked[1])
            let day = String(booked[2])
            // The booking is in the practice's diary, as `gpconnect diary show` prints it.
            let gpconnect = Self.root.appendingPathComponent(".build/debug/gpconnect").path
            guard FileManager.default.isExecutableFile(atPath: gpconnect) else {
                Issue.record("build the gpconnect executable first"); return
            }
            let diary = await Self.run([
                gpconnect, "diary", "show", "--database", provider.databasePath, "--practice", "B82617", "--date", day,
            ])
            #expect(diary.status == 0, "\(diary.error)")
            #expect(diary.output.contains("Appointment/\(appointment) booked Patient/2 by GPCA0001"), "\(diary.output)")
        }
    }
}
