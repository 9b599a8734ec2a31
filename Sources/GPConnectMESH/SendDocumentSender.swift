import FHIR
import Foundation
public import GPConnectContract

/// The sender's side of Send Document: sends a consultation report over MESH and waits for the
/// receiver's ITK acknowledgements (GP Connect Messaging 1.5.1: senders must alert a person when
/// acks do not arrive or are negative, `GPCM-SD-044`/`-045` — this returns what arrived, the caller alerts).
public struct SendDocumentSender: Sendable {
    public struct Outcome: Sendable {
        public var meshMessageID: String
        public var messageHeaderID: String
        public var infrastructure: ITKResponse?
        public var business: ITKResponse?
        /// Non-delivery reports MESH returned for the report.
        public var reports: [MESHMessage]

        /// Both acknowledgements arrived and are positive.
        public var succeeded: Bool { infrastructure?.code == .success && business?.code == .patientKnown }
    }

    public let client: MESHClient
    public let mailbox: MESHMailbox

    public init(client: MESHClient, mailbox: MESHMailbox) {
        self.client = client
        self.mailbox = mailbox
    }

    /// Sends the report (JSON, or XML when `xml`; gzipped when `compress`) to `to` (a mailbox id or
    /// the automatic routing address).
    public func send(_ report: ConsultationReportBuilder, to: String, subject: String, xml: Bool = false, compress: Bool = false)
        async throws -> String
    {
        let body = xml ? FHIRXML.encode(report.fhir) : FHIRJSON.encode(report.fhir)
        return try await client.send(
            mailbox,
            MESHOutgoing(
                to: to, workflowID: ITK3.reportWorkflow, subject: subject, localID: report.senderODS,
                fileName: "consultation-report.\(xml ? "xml" : "json")",
                contentType: xml ? "application/fhir+xml" : "application/fhir+json",
                content: body, compress: compress))
    }

    /// Polls the sender's inbox until both acknowledgements for `messageHeaderID` arrived (or a
    /// negative infrastructure one, after which no business ack comes), or `timeout` passes.
    /// Acknowledges on MESH only the messages it consumed.
    public func awaitAcknowledgements(
        meshMessageID: String, messageHeaderID: String, timeout: Duration, poll: Duration = .seconds(1)
    ) async throws -> Outcome {
        var outcome = Outcome(meshMessageID: meshMessageID, messageHeaderID: messageHeaderID, reports: [])
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for id in try await client.inbox(mailbox) {
                let message = try await client.download(mailbox, messageID: id)
                if message.kind == .report {
                    guard message.linkedMessageID == meshMessageID else { continue }
                    outcome.reports.append(message)
                    try await client.acknowledge(mailbox, messageID: id)
                    continue
                }
                guard message.workflowID == ITK3.ackWorkflow, let response = try? ITKResponse.parse(bytes: message.content),
                    response.acknowledgedMessageID == messageHeaderID || response.acknowledgedMessageID == meshMessageID
                else { continue }
                if response.kind == .business { outcome.business = response } else { outcome.infrastructure = response }
                try await client.acknowledge(mailbox, messageID: id)
            }
            if outcome.business != nil && outcome.infrastructure != nil { return outcome }
            if let infrastructure = outcome.infrastructure, !infrastructure.code.isPositive { return outcome }
            if !outcome.reports.isEmpty { return outcome }
            try await Task.sleep(for: poll)
        }
        return outcome
    }
}
