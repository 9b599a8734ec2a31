public import AsyncHTTPClient
public import CoreMetrics
public import Foundation
public import GPConnect
import GPConnectContract
public import GPConnectMESH
public import Logging
import Metrics
public import ServiceLifecycle

/// The Send Document receiver: for each practice's mailbox, collect → store durably → process →
/// file → send the acknowledgements → acknowledge on MESH, in that order, each step recorded
/// before the next, so a process killed at any point neither loses a message (it stays in the
/// MESH inbox until stored) nor files it twice (the ITK claim and the derived document ids).
/// A bad message is kept with its reason and answered; it never stops the messages behind it.
/// Log lines carry MESH and ITK ids and ITK codes only.
public struct MESHReceiver: Sendable {
    public let client: MESHClient
    public let settings: MESHSettings
    let stores: Stores
    let sendDocuments: SendDocuments
    let logger: Logger
    /// Where the receiver's counters go: the server's own Prometheus registry (`ServerMetrics.factory`),
    /// so they appear on its `/metrics`. Labels are bounded: outcomes, ITK codes, ack kinds.
    let metrics: any MetricsFactory

    public init(
        client: MESHClient, settings: MESHSettings, stores: Stores, documents: Documents, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.client = client
        self.settings = settings
        self.stores = stores
        self.sendDocuments = SendDocuments(stores: stores, documents: documents)
        self.logger = logger
        self.metrics = metrics
    }

    /// One poll of every configured mailbox. Returns how many messages were finished.
    @discardableResult
    public func pollOnce(now: @Sendable () -> Date = { Date() }) async -> Int {
        var finished = 0
        for (ods, mailbox) in settings.mailboxes.sorted(by: { $0.key < $1.key }) {
            do {
                finished += try await poll(ods: ods, mailbox: mailbox, now: now)
                Counter(label: "gpconnect_mesh_polls_total", dimensions: [("outcome", "ok")], factory: metrics).increment()
            } catch {
                Counter(label: "gpconnect_mesh_polls_total", dimensions: [("outcome", "error")], factory: metrics).increment()
                logger.error("MESH poll failed", metadata: ["mailbox": "\(mailbox.id)", "error": "\(Self.describe(error))"])
            }
        }
        return finished
    }

    func poll(ods: String, mailbox: MESHMailbox, now: @Sendable () -> Date) async throws -> Int {
        guard let practice = try await stores.directory.practice(ods: ods) else {
            logger.error("MESH mailbox configured for an unknown practice", metadata: ["mailbox": "\(mailbox.id)", "practice": "\(ods)"])
            return 0
        }
        var finished = 0
        // Messages a previous run stored but did not finish (killed, or MESH unreachable).
        for state in [InboundMessage.State.received, .processed, .answered] {
            for message in try await stores.messaging.messages(practice: ods, state: state, limit: 1000) {
                if try await advance(message, practice: practice, mailbox: mailbox, now: now()) { finished += 1 }
            }
        }
        for id in try await client.inbox(mailbox) {
            do {
                if let known = try await stores.messaging.message(practice: ods, meshID: id) {
                    // Stored already: finish it (a MESH acknowledgement lost before a crash is sent again).
                    if try await advance(known, practice: practice, mailbox: mailbox, now: now()) { finished += 1 }
                    continue
                }
                let message = try await collect(id, practice: practice, mailbox: mailbox, now: now())
                if try await advance(message, practice: practice, mailbox: mailbox, now: now()) { finished += 1 }
            } catch {
                // Never block the queue: the message stays in MESH (or in our store) for the next poll.
                logger.error("MESH message not finished", metadata: ["mesh_id": "\(id)", "error": "\(Self.describe(error))"])
            }
        }
        return finished
    }

    /// Downloads and stores a message (the size limit applies to the chunks, before any parsing).
    public func collect(_ id: String, practice: Practice, mailbox: MESHMailbox, now: Date) async throws -> InboundMessage {
        var content: [UInt8] = []
        var envelope: MESHMessage
        var tooLarge = false
        do {
            envelope = try await client.download(mailbox, messageID: id, maxBytes: settings.maxMessageBytes)
            content = envelope.content
        } catch MESHError.tooLarge {
            envelope = try await client.envelope(mailbox, messageID: id)
            tooLarge = true
        } catch MESHError.unreadable {
            envelope = try await client.envelope(mailbox, messageID: id)
        }
        var message = InboundMessage(
            practice: practice.ods, meshID: id, received: now, from: envelope.from, workflowID: envelope.workflowID,
            subject: envelope.subject, localID: envelope.localID)
        if envelope.kind == .report {
            message.outcome = .report
            message.state = .answered
            message.reason =
                "MESH report \(envelope.statusCode ?? "") \(envelope.statusDescription ?? "") for \(envelope.linkedMessageID ?? "")"
            logger.warning(
                "MESH non-delivery report",
                metadata: [
                    "mesh_id": "\(id)", "linked_mesh_id": "\(envelope.linkedMessageID ?? "")", "status": "\(envelope.statusCode ?? "")",
                ])
        } else if tooLarge {
            Counter(label: "gpconnect_mesh_messages_too_large_total", factory: metrics).increment()
            message = sendDocuments.reject(
                message, ITKRejection(.messageTooLarge, "The message is larger than \(settings.maxMessageBytes) bytes"), report: nil,
                receiverMailbox: mailbox.id, practice: practice, now: now)
        }
        if try await !stores.messaging.store(message, content: content) {
            // Stored by another poller meanwhile.
            return try await stores.messaging.message(practice: practice.ods, meshID: id) ?? message
        }
        logger.info("MESH message stored", metadata: ["mesh_id": "\(id)", "workflow": "\(envelope.workflowID ?? "")"])
        return message
    }

    /// Moves a stored message on to `done`, saving each state. True when it reached `done` now.
    func advance(_ stored: InboundMessage, practice: Practice, mailbox: MESHMailbox, now: Date) async throws -> Bool {
        var message = stored
        if message.state == .received {
            let content = try await stores.messaging.content(practice: practice.ods, meshID: message.meshID) ?? []
            message = try await sendDocuments.process(message, content: content, practice: practice, receiverMailbox: mailbox.id, now: now)
            try await stores.messaging.update(message)
            Counter(
                label: "gpconnect_mesh_messages_processed_total",
                dimensions: [("outcome", message.outcome?.rawValue ?? "none"), ("itk_code", message.responseCode ?? "")], factory: metrics
            ).increment()
            logger.info(
                "Send Document processed",
                metadata: [
                    "mesh_id": "\(message.meshID)", "itk_id": "\(message.messageHeaderID ?? "")",
                    "outcome": "\(message.outcome?.rawValue ?? "")", "itk_code": "\(message.responseCode ?? "")",
                    "document": "\(message.documentID ?? "")",
                ])
        }
        if message.state == .processed {
            while message.sentAcks.count < message.acks.count {
                let ack = message.acks[message.sentAcks.count]
                guard let to = message.from else { break }
                let sent = try await client.send(
                    mailbox,
                    MESHOutgoing(
                        to: to, workflowID: ITK3.ackWorkflow, subject: "ITK Response \(ack.code.rawValue)", localID: practice.ods,
                        contentType: "application/fhir+json", content: Array(ack.body.utf8)))
                message.sentAcks.append(sent)
                Counter(
                    label: "gpconnect_mesh_acks_sent_total", dimensions: [("kind", ack.kind.rawValue), ("itk_code", ack.code.rawValue)],
                    factory: metrics
                )
                .increment()
                try await stores.messaging.update(message)
                logger.info(
                    "ITK acknowledgement sent",
                    metadata: [
                        "mesh_id": "\(message.meshID)", "ack_mesh_id": "\(sent)", "kind": "\(ack.kind.rawValue)",
                        "itk_code": "\(ack.code.rawValue)",
                    ])
            }
            message.state = .answered
            try await stores.messaging.update(message)
        }
        if message.state == .answered || message.state == .done {
            try await client.acknowledge(mailbox, messageID: message.meshID)
            if message.state != .done {
                message.state = .done
                try await stores.messaging.update(message)
                // Collected → acknowledged on MESH (a restart's wait included).
                Timer(label: "gpconnect_mesh_message_seconds", factory: metrics).recordSeconds(
                    max(0, now.timeIntervalSince(message.received)))
                return true
            }
        }
        return false
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as MESHError: error.description
        case let error as StoreError: "\(error)"
        case let error as GPConnectError: "\(error.code.rawValue)"
        default: String(describing: type(of: error))
        }
    }
}

/// `MESHReceiver` as a service of `gpconnect serve`: the handshake (again every day), then a poll
/// every `pollSeconds` until shutdown.
public struct MESHReceiverService: Service {
    let receiver: MESHReceiver
    let http: HTTPClient

    public init(receiver: MESHReceiver, http: HTTPClient) {
        self.receiver = receiver
        self.http = http
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastHandshake: Date?
            while !Task.isCancelled {
                if lastHandshake.map({ Date().timeIntervalSince($0) > 86_400 }) ?? true {
                    for mailbox in receiver.settings.mailboxes.values {
                        do {
                            try await receiver.client.handshake(mailbox)
                        } catch {
                            receiver.logger.error("MESH handshake failed", metadata: ["mailbox": "\(mailbox.id)"])
                        }
                    }
                    lastHandshake = Date()
                }
                await receiver.pollOnce()
                try? await Task.sleep(for: .milliseconds(Int(receiver.settings.pollSeconds * 1000)))
            }
        }
        try? await http.shutdown()
    }
}
