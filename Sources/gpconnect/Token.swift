import ArgumentParser
import FHIR
import Foundation
import GPConnect
import GPConnectContract

/// `gpconnect token`: print an audit JWT for trying the API by hand (curl, Postman).
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a GP Connect audit JWT (valid for 300 s) for an interaction, for use with curl.")

    @Argument(help: "Interaction, e.g. searchPatient, readPatient, registerPatient, readMetadata.")
    var interaction: String = "searchPatient"

    @Option(name: .long, help: "ODS code of the requesting organisation.")
    var organization = "GPCA0001"

    @Option(name: .long, help: "SDS user id of the requesting practitioner.")
    var user = "GCASDS0001"

    @Option(name: .long, help: "Confidentiality appended to the scope: conf/N or conf/R (migrating sensitive information needs conf/R).")
    var confidentiality: String?

    @Option(name: .long, help: "Audience: the provider's service root URL.")
    var audience = "http://127.0.0.1:8080/B82617/STU3/1/gpconnect/fhir"

    func run() throws {
        guard let interaction = Interaction(rawValue: interaction) else {
            throw ValidationError("Unknown interaction; one of: \(Interaction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let consumer = ConsumerIdentity(organizationODS: organization, sdsUserID: user)
        let token = AuditToken(for: interaction, consumer: consumer, audience: audience, confidentiality: confidentiality)
        print(token.encode())
    }
}
