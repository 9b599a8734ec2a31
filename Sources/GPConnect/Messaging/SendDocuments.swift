import FHIR
public import Foundation
public import GPConnectContract

/// Send Document, the receiver's use case (GP Connect Messaging 1.5.1, "Send Document", receiver
/// requirements): a stored inbound message is read and validated (``ConsultationReportMessage``),
/// checked against its MESH envelope, deduplicated on its ITK identity, its patient matched
/// against the practice's registered patients by NHS number, date of birth and surname, its
/// attachments filed through ``Documents/file(_:content:practice:now:)`` with a workflow item, and
/// its acknowledgements built. Knows no MESH client: the receiver service downloads, stores, sends
/// and acknowledges around it.
public struct SendDocuments: Sendable {
    let stores: Stores
    let documents: Documents

    public init(stores: Stores, documents: Documents) {
        self.stores = stores
        self.documents = documents
    }

    /// The caller a MESH message acts as: its sender mailbox, traced by its MESH id.
    public static func caller(_ message: InboundMessage) -> Caller {
        var requester = Requester()
        requester.organizationODS = message.localID
        return Caller(channel: .mesh(mailbox: message.from ?? ""), requester: requester, traceID: message.meshID)
    }

    /// Processes a stored message: returns it `processed`, with its outcome and the acks to send.
    /// Idempotent: run again after a crash it files nothing twice (the ITK claim and the document
    /// id derived from it) and builds the same outcome.
    public func process(
        _ message: InboundMessage, content: [UInt8], practice: Practice, receiverMailbox: String, now: Date
    ) async throws -> InboundMessage {
        var message = message
        let report: ConsultationReportMessage
        do {
            report = try ConsultationReportMessage.parse(bytes: content)
            try Self.checkEnvelope(report, message)
        } catch {
            return reject(message, error, report: nil, receiverMailbox: receiverMailbox, practice: practice, now: now)
        }
        message.messageHeaderID = report.messageHeaderID
        let key = "\(report.messageHeaderID)|\(report.documentIdentifier)"
        message.itkKey = key
        let holder = try await stores.messaging.claim(practice: practice.ods, itkKey: key, meshID: message.meshID)
        if holder != message.meshID {
            message.outcome = .duplicate
            message.reason = "the same ITK message was received as MESH message \(holder)"
            message.responseCode = ITKResponseCode.duplicateMessage.rawValue
            message.acks = Self.acks(
                report, infrastructure: ITKRejection(.duplicateMessage, "This message was already received"), business: nil,
                receiverMailbox: receiverMailbox, practice: practice, now: now)
            message.state = .processed
            return message
        }
        // Patient matching (business outcome).
        let business = try await match(report, practice: practice)
        guard business.code == .patientKnown else {
            message.outcome = .rejected
            message.reason = business.description
            message.responseCode = business.code.rawValue
            message.acks = Self.acks(
                report, infrastructure: nil, business: business, receiverMailbox: receiverMailbox, practice: practice, now: now)
            message.state = .processed
            return message
        }
        message.documentID = try await file(report, message: message, key: key, practice: practice, now: now)
        message.outcome = .filed
        message.responseCode = ITKResponseCode.patientKnown.rawValue
        message.acks = Self.acks(report, infrastructure: nil, business: nil, receiverMailbox: receiverMailbox, practice: practice, now: now)
        message.state = .processed
        return message
    }

    /// A message refused before it could be read as a report (too large, unreadable): the
    /// negative infrastructure acknowledgement names the MESH message id, the only id there is.
    public func reject(
        _ message: InboundMessage, _ error: any Error, report: ConsultationReportMessage?, receiverMailbox: String, practice: Practice,
        now: Date
    ) -> InboundMessage {
        var message = message
        let rejection = error as? ITKRejection ?? ITKRejection(.unreadableMessage, "The message could not be read")
        message.outcome = .rejected
        message.reason = rejection.description
        message.responseCode = rejection.code.rawValue
        let response = ITKResponse(
            kind: .infrastructure, code: rejection.code, diagnostics: rejection.diagnostics,
            acknowledgedMessageID: report?.messageHeaderID ?? message.meshID, senderReference: report?.senderReference ?? message.meshID,
            sourceMailbox: receiverMailbox, senderODS: practice.ods, timestamp: now)
        message.acks = [.init(kind: .infrastructure, code: rejection.code, body: FHIRJSON.encodeString(response.fhir))]
        message.state = .processed
        return message
    }

    /// The MESH envelope must agree with the message: the sender mailbox is `source.endpoint`,
    /// `Mex-LocalID` the sender's ODS code, the workflow `GPFED_CONSULT_REPORT`.
    static func checkEnvelope(_ report: ConsultationReportMessage, _ message: InboundMessage) throws(ITKRejection) {
        if let workflow = message.workflowID, workflow != ITK3.reportWorkflow {
            throw ITKRejection(.headerValidationFailure, "MESH workflow \(workflow) is not \(ITK3.reportWorkflow)")
        }
        if let from = message.from, from.uppercased() != report.sourceMailbox.uppercased() {
            throw ITKRejection(.unrecognisedSender, "MessageHeader.source.endpoint does not match the sending MESH mailbox")
        }
        if let localID = message.localID, localID.uppercased() != report.senderODS.uppercased() {
            throw ITKRejection(.unrecognisedSender, "The sender Organization's ODS code does not match Mex-LocalID")
        }
    }

    /// NHS number, then date of birth and surname, against the practice's registered patients.
    func match(_ report: ConsultationReportMessage, practice: Practice) async throws -> ITKRejection {
        let candidates = try await stores.patients.patients(practice: practice.ods, nhsNumber: report.patient.nhsNumber)
        guard !candidates.isEmpty else { return ITKRejection(.patientNotKnown, "No patient with this NHS number is registered here") }
        guard let active = candidates.first(where: { $0.registrationStatus == .active }) else {
            return ITKRejection(.patientNoLongerHere, "The patient is no longer registered at this practice")
        }
        let surname = active.name.family?.lowercased().trimmingCharacters(in: .whitespaces)
        guard active.birthDate == report.patient.birthDate,
            surname == report.patient.family.lowercased().trimmingCharacters(in: .whitespaces)
        else {
            // The spec's business codes for SD1/SD3 are 30001–30003; a patient whose NHS number is
            // registered here but whose date of birth or surname differ is not known here.
            return ITKRejection(.patientNotKnown, "The date of birth or surname do not match the patient registered with this NHS number")
        }
        return ITKRejection(.patientKnown, "Patient known here")
    }

    /// Files the primary attachment (and any others) with ids derived from the ITK identity, so a
    /// second attempt after a crash finds them filed instead of filing them again.
    func file(_ report: ConsultationReportMessage, message: InboundMessage, key: String, practice: Practice, now: Date) async throws
        -> String
    {
        let author = try await senderOrganization(report, practice: practice)
        let base = "sd-" + String(Hashing.sha256Hex(Array("\(practice.ods)/\(key)".utf8)).prefix(24))
        var primaryID = base
        for (index, attachment) in report.attachments.enumerated() {
            let stem = index == 0 ? base : "\(base)-\(index)"
            // Candidate ids in a fixed order: a kill during an earlier attempt's chunk writes leaves
            // chunks that belong to nothing under the first id's Binary, and filing there again
            // conflicts; the next candidate is then used, and found again by the next restart.
            var filedID: String?
            for attempt in 0..<8 where filedID == nil {
                let id = attempt == 0 ? stem : "\(stem)-r\(attempt)"
                // Filed by an earlier attempt at this same MESH message (the ITK claim is ours).
                if try await documents.document(id: id, practice: practice) != nil {
                    filedID = id
                    continue
                }
                let filing = DocumentFiling(
                    nhsNumber: report.patient.nhsNumber, contentType: attachment.contentType, size: attachment.content.count,
                    type: Code(system: ITK3.snomed, code: report.compositionType.code, display: report.compositionType.display),
                    typeText: report.title, description: attachment.title ?? report.title, created: report.date,
                    authorOrganizationIDs: author.map { [$0] } ?? [], custodianOrganizationID: nil,
                    confidentiality: report.confidentiality == "R" ? .confidential : .none, reviewed: false,
                    fileName:
                        "\(report.title).\(DocumentFormat.byExtension.filter { $0.value == attachment.contentType }.keys.sorted().first ?? "bin")",
                    id: id)
                do {
                    _ = try await documents.file(filing, content: ByteChunks(attachment.content), practice: practice, now: now)
                    filedID = id
                } catch let error as GPConnectError where error.code == .duplicateRejected {
                    if try await documents.document(id: id, practice: practice) != nil { filedID = id }
                }
            }
            guard let filedID else { throw StoreError.conflict }
            if index == 0 { primaryID = filedID }
        }
        let subject =
            report.confidentiality == "R"
            ? "\(report.title), NHS Number \(report.patient.nhsNumber.value)" : (message.subject ?? report.title)
        try await stores.messaging.addWorkflowItem(
            WorkflowItem(
                practice: practice.ods, documentID: primaryID, meshID: message.meshID, subject: subject,
                sender: report.custodian?.name ?? report.senderODS, received: message.received))
        return primaryID
    }

    /// The sending organisation in the practice's directory (added when first seen), so the filed
    /// DocumentReference's author resolves in Access Document's searches.
    func senderOrganization(_ report: ConsultationReportMessage, practice: Practice) async throws -> String? {
        let ods = report.custodian?.odsCode ?? report.senderODS
        if let known = try await stores.directory.organizations(practice: practice.ods, odsCode: ods).first { return known.id }
        let id = "mesh-" + ods.lowercased().filter { $0.isLetter || $0.isNumber }
        try await stores.directory.saveOrganization(
            OrganizationRecord(id: id, ods: ods, name: report.custodian?.name ?? ods, version: "1"), practice: practice.ods)
        return id
    }

    /// The acknowledgements a report asks for: infrastructure (positive unless `infrastructure`
    /// says otherwise) and business (when the infrastructure one is positive).
    static func acks(
        _ report: ConsultationReportMessage, infrastructure: ITKRejection?, business: ITKRejection?, receiverMailbox: String,
        practice: Practice, now: Date
    ) -> [InboundMessage.PendingAck] {
        var acks: [InboundMessage.PendingAck] = []
        func response(_ kind: ITKResponse.Kind, _ code: ITKResponseCode, _ diagnostics: String?) -> InboundMessage.PendingAck {
            let ack = ITKResponse(
                kind: kind, code: code, diagnostics: diagnostics, acknowledgedMessageID: report.messageHeaderID,
                senderReference: report.senderReference, sourceMailbox: receiverMailbox, senderODS: practice.ods, timestamp: now)
            return .init(kind: kind, code: code, body: FHIRJSON.encodeString(ack.fhir))
        }
        if let infrastructure {
            // A negative infrastructure ack is sent whether or not one was asked for.
            return [response(.infrastructure, infrastructure.code, infrastructure.diagnostics)]
        }
        if report.infAckRequested { acks.append(response(.infrastructure, .success, nil)) }
        if report.busAckRequested {
            let code = business?.code ?? .patientKnown
            acks.append(response(.business, code, business?.diagnostics))
        }
        return acks
    }
}
