import ArgumentParser
import FHIR
import Foundation
import GPConnectClient
import GPConnectContract

extension ConsumerCommand {
    /// `gpconnect consumer care-record <nhs-number> --section SUM [--from …] [--to …] [--html FILE]`.
    struct CareRecord: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "care-record",
            abstract: "Fetch one section of a patient's record as the provider's HTML view (Access Record HTML 0.7.4, DSTU2).")
        @OptionGroup var options: Options
        @Argument(help: "NHS number.") var nhsNumber: String
        @Option(name: .long, help: "Section: \(CareRecordSection.allCases.map(\.code).joined(separator: ", ")).") var section = "SUM"
        @Option(name: .long, help: "Start of the period (FHIR date), for sections that take one.") var from: String?
        @Option(name: .long, help: "End of the period (FHIR date).") var to: String?
        @Option(name: .long, help: "Save the view as an HTML page to this file instead of printing it.") var html: String?

        func run() async throws {
            guard let chosen = CareRecordSection(rawValue: section.uppercased()) else {
                throw ValidationError(
                    "Unknown section \(section); one of \(CareRecordSection.allCases.map(\.code).joined(separator: ", "))")
            }
            let period: (start: String?, end: String?)? = from == nil && to == nil ? nil : (from, to)
            let answer = try await ConsumerCommand.run { () async throws(GPConnectClientError) in
                try await options.client.careRecord(options.endpoint, nhsNumber: nhsNumber, section: chosen, period: period)
            }
            if options.raw([answer.bundle]) { return }
            if let html {
                try Data(answer.view.htmlPage.utf8).write(to: URL(fileURLWithPath: html))
                print("Saved \(answer.view.sectionTitle ?? chosen.title) to \(html)")
                return
            }
            let view = answer.view
            print([view.patientName, view.nhsNumber.map { "NHS " + $0 }, view.birthDate].compactMap { $0 }.joined(separator: "  "))
            print(view.text)
        }
    }
}
