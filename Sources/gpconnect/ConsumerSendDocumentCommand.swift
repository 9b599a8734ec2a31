import ArgumentParser
import AsyncHTTPClient
import Foundation
import GPConnectContract
import GPConnectMESH

/// `gpconnect consumer send-document`: build a consultation report around a PDF, send it over
/// MESH, wait for the receiver's ITK acknowledgements and print their outcome.
struct ConsumerSendDocument: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-document", abstract: "Send a consultation report over MESH and wait for both acknowledgements.")

    @Option(name: .long, help: "MESH API URL (env GPCONNECT_MESH_URL).") var meshURL: String?
    @Option(name: .long, help: "MESH shared key (env GPCONNECT_MESH_SHARED_KEY).") var meshSharedKey: String?
    @Option(name: .long, help: "This sender's mailbox id.") var fromMailbox: String
    @Option(name: .long, help: "Its password (env GPCONNECT_MESH_PASSWORD).") var fromPassword: String?
    @Option(name: .long, help: "The registered practice's mailbox (default: automatic routing GPPROVIDER_…).") var toMailbox: String?
    @Option(name: .long, help: "The patient's NHS number.") var nhsNumber: String
    @Option(name: .long, help: "The patient's surname.") var family: String
    @Option(name: .long, help: "The patient's given name (repeatable).") var given: [String] = []
    @Option(name: .long, help: "The patient's date of birth (yyyy-mm-dd).") var birthDate: String
    @Option(name: .long, help: "The report (PDF).") var file: String
    @Option(name: .long, help: "This sender's ODS code (Mex-LocalID).") var senderOds: String
    @Option(name: .long, help: "This sender's organisation name.") var senderName = "Out of hours service"
    @Option(name: .long, help: "SDS user id of the clinician.") var practitionerSds = "G13579135"
    @Option(name: .long, help: "The clinician's surname.") var practitionerFamily = "Clinician"
    @Option(name: .long, help: "The practice's name, for the MESH subject.") var practiceName = "the registered practice"
    @Flag(name: .long, help: "Send FHIR XML (default JSON).") var xml = false
    @Flag(name: .long, help: "gzip the message.") var gzip = false
    @Option(name: .long, help: "Seconds to wait for the acknowledgements.") var timeout = 120

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = meshURL ?? environment["GPCONNECT_MESH_URL"] else { throw ValidationError("Give --mesh-url") }
        guard let key = meshSharedKey ?? environment["GPCONNECT_MESH_SHARED_KEY"] else { throw ValidationError("Give --mesh-shared-key") }
        guard let password = fromPassword ?? environment["GPCONNECT_MESH_PASSWORD"] else { throw ValidationError("Give --from-password") }
        let nhs = try DocumentsCommand.nhsNumber(nhsNumber)
        guard FHIRDate(birthDate) != nil, birthDate.count == 10 else { throw ValidationError("--birth-date is yyyy-mm-dd") }
        let pdf = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
        let report = ConsultationReportBuilder(
            senderMailbox: fromMailbox, senderODS: senderOds, senderName: senderName, nhsNumber: nhs, family: family, given: given,
            birthDate: birthDate, practitionerSDSUserID: practitionerSds, practitionerFamily: practitionerFamily, attachment: pdf)
        let http = try MESHSettings(url: url, sharedKey: key).makeHTTPClient()
        do {
            let sender = SendDocumentSender(
                client: MESHClient(url: url, sharedKey: key, httpClient: http), mailbox: MESHMailbox(id: fromMailbox, password: password))
            let meshID = try await sender.send(
                report, to: toMailbox ?? report.automaticRoutingAddress, subject: report.subject(practiceName: practiceName), xml: xml,
                compress: gzip)
            print("Sent MESH message \(meshID) (ITK message \(report.messageHeaderID)); waiting for acknowledgements…")
            let outcome = try await sender.awaitAcknowledgements(
                meshMessageID: meshID, messageHeaderID: report.messageHeaderID, timeout: .seconds(timeout))
            func line(_ name: String, _ response: ITKResponse?) {
                guard let response else { return print("\(name): not received") }
                print("\(name): \(response.code.rawValue) \(response.code.display)\(response.diagnostics.map { " — \($0)" } ?? "")")
            }
            line("Infrastructure acknowledgement", outcome.infrastructure)
            line("Business acknowledgement", outcome.business)
            for report in outcome.reports {
                print("MESH report: \(report.statusCode ?? "") \(report.statusDescription ?? "")")
            }
            try await http.shutdown()
            if !outcome.succeeded { throw ExitCode(1) }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
