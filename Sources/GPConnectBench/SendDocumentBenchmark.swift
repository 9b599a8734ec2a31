import FHIR
import Foundation
public import GPConnectContract
public import GPConnectMESH

/// Send Document end to end through MESH: reports sent by a sender mailbox, collected, filed and
/// answered by a running receiver, acknowledgements collected by the sender. Two measures: the
/// throughput of a burst (reports per second from the first send to the last business ack) and the
/// latency of single reports from send to business ack (at the receiver's poll interval).
public struct SendDocumentBenchmark: Sendable {
    public struct Result: Sendable {
        public var burst: Int
        public var burstSeconds: Double
        public var latencies: [Double]
        public var reportsPerSecond: Double { burstSeconds > 0 ? Double(burst) / burstSeconds : 0 }

        public func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
        }
    }

    public let client: MESHClient
    public let sender: MESHMailbox
    public let to: String
    /// Builds the report to send (a registered patient of the receiving practice).
    public let report: @Sendable () -> ConsultationReportBuilder

    public init(client: MESHClient, sender: MESHMailbox, to: String, report: @escaping @Sendable () -> ConsultationReportBuilder) {
        self.client = client
        self.sender = sender
        self.to = to
        self.report = report
    }

    public func run(burst: Int, singles: Int, timeout: Duration = .seconds(300)) async throws -> Result {
        for id in try await client.inbox(sender) { try await client.acknowledge(sender, messageID: id) }
        // Burst: send all, then collect business acks.
        let started = ContinuousClock.now
        var waiting: Set<String> = []
        for _ in 0..<burst {
            let report = report()
            waiting.insert(report.messageHeaderID)
            try await send(report)
        }
        try await collect(&waiting, deadline: started + timeout)
        let burstSeconds = Self.seconds(ContinuousClock.now - started)
        // Singles: one report at a time, send → business ack.
        var latencies: [Double] = []
        for _ in 0..<singles {
            let report = report()
            var one: Set<String> = [report.messageHeaderID]
            let sent = ContinuousClock.now
            try await send(report)
            try await collect(&one, deadline: sent + timeout)
            latencies.append(Self.seconds(ContinuousClock.now - sent))
        }
        return Result(burst: burst, burstSeconds: burstSeconds, latencies: latencies)
    }

    func send(_ report: ConsultationReportBuilder) async throws {
        try await client.send(
            sender,
            MESHOutgoing(
                to: to, workflowID: ITK3.reportWorkflow, subject: report.subject(practiceName: "bench"), localID: report.senderODS,
                contentType: "application/fhir+json", content: FHIRJSON.encode(report.fhir)))
    }

    /// Polls the sender's inbox until every id in `waiting` has its business ack.
    func collect(_ waiting: inout Set<String>, deadline: ContinuousClock.Instant) async throws {
        while !waiting.isEmpty {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("business acks not received in time") }
            for id in try await client.inbox(sender) {
                let message = try await client.download(sender, messageID: id)
                try await client.acknowledge(sender, messageID: id)
                guard let response = try? ITKResponse.parse(bytes: message.content), response.kind == .business else { continue }
                guard response.code == .patientKnown else {
                    throw BenchmarkError("business ack \(response.code.rawValue)")
                }
                waiting.remove(response.acknowledgedMessageID)
            }
            if !waiting.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
