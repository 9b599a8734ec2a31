import ArgumentParser
import Foundation
import GPConnect
import GPConnectContract
import GPConnectServer
import GPConnectStorage

/// `gpconnect areas`: which clinical areas a practice shares through Access Record Structured.
struct ClinicalAreas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "areas",
        abstract: "Show, or switch off, the clinical areas a practice shares (migration always sends the whole record).")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Practice ODS code.")
    var practice = "B82617"

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Switch these areas off (and every other on): \(ClinicalArea.allCases.map(\.rawValue).joined(separator: ", ")).")
    var disable: [String] = []

    @Flag(name: .long, help: "Switch every area on.")
    var enableAll = false

    func run() async throws {
        let areas = try disable.map { name in
            guard let area = ClinicalArea(rawValue: name) else { throw ValidationError("Unknown clinical area \(name)") }
            return area
        }
        let storage = try await Storage.open(try common.serverConfiguration().databasePath)
        let store = storage.stores.clinical
        do {
            if enableAll || !areas.isEmpty {
                try await store.setDisabledAreas(Set(areas), practice: practice)
            }
            let disabled = try await store.disabledAreas(practice: practice)
            for area in ClinicalArea.allCases {
                print("\(area.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(disabled.contains(area) ? "off" : "on")")
            }
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}
