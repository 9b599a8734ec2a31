public import FHIR
import Foundation

/// A Send Document message (ITK3 FHIR STU3 message Bundle) as a receiver reads it: what the GP
/// system checks, matches and files. ``parse(_:)`` validates everything GP Connect Messaging 1.5.1
/// requires of a receiver ("Send Document — payload", `GPCM-SD-040`) and refuses with the ITK
/// response code for the failure.
public struct ConsultationReportMessage: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var nhsNumber: NHSNumber
        public var family: String
        public var given: [String]
        /// `YYYY-MM-DD`.
        public var birthDate: String
    }

    public struct Practitioner: Sendable, Equatable {
        public var sdsUserID: String?
        public var name: String?
    }

    public struct Organization: Sendable, Equatable {
        public var odsCode: String
        public var name: String?
    }

    public struct Attachment: Sendable, Equatable {
        public var contentType: String
        public var content: [UInt8]
        /// The Composition section's title, if any.
        public var title: String?
    }

    /// `Bundle.id` and `MessageHeader.id`: with the document identifier, the ITK identity of the
    /// message (the dedupe key; never the MESH id).
    public var bundleID: String
    public var messageHeaderID: String
    public var useCase: SendDocumentUseCase
    public var senderReference: String
    /// `FA` (for action) or `FI` (for information).
    public var recipientType: String
    public var infAckRequested: Bool
    public var busAckRequested: Bool
    /// `MessageHeader.source.endpoint`: the sender's MESH mailbox.
    public var sourceMailbox: String
    /// The header Organization's ODS code (the sender).
    public var senderODS: String
    /// The document bundle's `identifier` (else the Composition's): the document's identity.
    public var documentIdentifier: String
    public var compositionType: (code: String, display: String?)
    public var title: String
    public var date: String?
    /// `N` or `R`.
    public var confidentiality: String
    public var patient: Person
    public var author: Practitioner?
    public var custodian: Organization?
    /// The identifier of the document this one replaces (`relatesTo` `replaces`), if any.
    public var replaces: String?
    /// Primary (PDF) first, as the spec orders them.
    public var attachments: [Attachment]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bundleID == rhs.bundleID && lhs.messageHeaderID == rhs.messageHeaderID && lhs.documentIdentifier == rhs.documentIdentifier
            && lhs.attachments == rhs.attachments && lhs.patient == rhs.patient
    }

    /// Reads the bytes (FHIR JSON or XML, told apart by the first character) and validates them.
    public static func parse(bytes: [UInt8]) throws(ITKRejection) -> ConsultationReportMessage {
        let element: FHIRElement
        do {
            let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }
            element = first == UInt8(ascii: "<") ? try FHIRXML.decode(bytes) : try FHIRJSON.decode(bytes)
        } catch {
            throw ITKRejection(.unreadableMessage, "The message is not a readable FHIR JSON or XML resource")
        }
        return try parse(element)
    }

    public static func parse(_ bundle: FHIRElement) throws(ITKRejection) -> ConsultationReportMessage {
        func header(_ text: String) -> ITKRejection { ITKRejection(.headerValidationFailure, text) }
        func payload(_ text: String) -> ITKRejection { ITKRejection(.payloadValidationFailure, text) }

        guard bundle["resourceType"]?.string == "Bundle" else { throw header("The message is not a Bundle") }
        guard bundle["type"]?.string == "message" else { throw header("Bundle.type must be message") }
        guard let bundleID = bundle["id"]?.string, !bundleID.isEmpty else { throw header("Bundle.id is missing") }
        let entries = bundle["entry"]?.items ?? []
        guard let headerResource = entries.first?["resource"], headerResource["resourceType"]?.string == "MessageHeader" else {
            throw header("The first entry of the Bundle must be the MessageHeader")
        }
        var resources = ResourceIndex()
        resources.add(entries)

        guard let headerID = headerResource["id"]?.string, !headerID.isEmpty else { throw header("MessageHeader.id is missing") }
        guard headerResource["event"]?["system"]?.string == ITK3.messageEventSystem,
            headerResource["event"]?["code"]?.string == ITK3.sendDocumentEvent
        else { throw header("MessageHeader.event must be \(ITK3.sendDocumentEvent) of \(ITK3.messageEventSystem)") }
        if headerResource["destination"] != nil || headerResource["receiver"] != nil {
            throw header("MessageHeader.destination and receiver must not be present (MESH routes the message)")
        }
        guard
            let handling = (headerResource["extension"]?.items ?? []).first(where: {
                $0["url"]?.string == ITK3.messageHandlingExtension
            })
        else { throw ITKRejection(.handlingSpecificationError, "The ITK MessageHandling extension is missing") }
        func part(_ url: String) -> FHIRElement? {
            (handling["extension"]?.items ?? []).first { $0["url"]?.string == url }
        }
        guard let infAck = part("InfAckRequested")?["valueBoolean"]?.bool,
            let busAck = part("BusAckRequested")?["valueBoolean"]?.bool
        else { throw ITKRejection(.handlingSpecificationError, "InfAckRequested and BusAckRequested are required booleans") }
        guard let recipientType = part("RecipientType")?["valueCoding"]?["code"]?.string, ["FA", "FI"].contains(recipientType)
        else { throw ITKRejection(.recipientTypeError, "RecipientType must be FA or FI") }
        guard part("MessageDefinition")?["valueReference"]?["reference"]?.string == ITK3.sendDocumentDefinition else {
            throw ITKRejection(.messageDefinitionError, "MessageDefinition must be \(ITK3.sendDocumentDefinition)")
        }
        guard let senderReference = part("SenderReference")?["valueString"]?.string, !senderReference.isEmpty else {
            throw ITKRejection(.senderReferenceError, "SenderReference is missing")
        }
        guard let localExtension = part("LocalExtension")?["valueString"]?.string,
            let useCase = SendDocumentUseCase(localExtension: localExtension)
        else {
            throw ITKRejection(
                .handlingSpecificationError, "LocalExtension must name a Send Document use case (consultation report, online, generic)")
        }
        guard let sourceMailbox = headerResource["source"]?["endpoint"]?.string, !sourceMailbox.isEmpty else {
            throw header("MessageHeader.source.endpoint (the sender's mailbox) is missing")
        }
        guard let senderOrganization = resources.resolve(headerResource["sender"]?["reference"]?.string),
            senderOrganization["resourceType"]?.string == "Organization",
            let senderODS = Self.identifier(senderOrganization, system: IdentifierSystem.odsOrganizationCode)
        else { throw header("MessageHeader.sender must reference an Organization with an ODS code") }
        guard let document = resources.resolve(headerResource["focus"]?["reference"]?.string),
            document["resourceType"]?.string == "Bundle", document["type"]?.string == "document"
        else { throw payload("MessageHeader.focus must reference the document Bundle") }
        let documentEntries = document["entry"]?.items ?? []
        resources.add(documentEntries)
        guard let composition = documentEntries.first?["resource"], composition["resourceType"]?.string == "Composition" else {
            throw payload("The first entry of the document Bundle must be the Composition")
        }
        guard composition["status"]?.string == "final" else { throw payload("Composition.status must be final") }
        guard let typeCoding = (composition["type"]?["coding"]?.items ?? []).first(where: { $0["system"]?.string == ITK3.snomed }),
            let typeCode = typeCoding["code"]?.string
        else { throw payload("Composition.type must carry a SNOMED CT coding") }
        if let expected = useCase.compositionType, expected.code != typeCode {
            throw payload("Composition.type must be \(expected.code) for \(useCase.rawValue)")
        }
        guard let title = composition["title"]?.string, !title.isEmpty else { throw payload("Composition.title is missing") }
        let confidentiality = composition["confidentiality"]?.string ?? "N"
        guard ["N", "R"].contains(confidentiality) else { throw payload("Composition.confidentiality must be N or R") }
        guard let documentIdentifier = document["identifier"]?["value"]?.string ?? composition["identifier"]?["value"]?.string
        else { throw payload("The document Bundle has no identifier") }

        guard let subject = resources.resolve(composition["subject"]?["reference"]?.string),
            subject["resourceType"]?.string == "Patient"
        else { throw payload("Composition.subject must reference a Patient in the Bundle") }
        guard let nhsText = Self.identifier(subject, system: IdentifierSystem.nhsNumber), let nhsNumber = NHSNumber(nhsText) else {
            throw payload("The Patient has no valid NHS number")
        }
        let names = subject["name"]?.items ?? []
        guard let name = names.first(where: { $0["use"]?.string == "official" }) ?? names.first,
            let family = name["family"]?.string, !family.isEmpty
        else { throw payload("The Patient has no official name with a family name") }
        guard let birthDate = subject["birthDate"]?.string, birthDate.count == 10, FHIRDate(birthDate) != nil else {
            throw payload("Patient.birthDate must be a full date (YYYY-MM-DD)")
        }
        let given = (name["given"]?.items ?? []).compactMap(\.string)

        var author: Practitioner?
        for reference in composition["author"]?.items ?? [] {
            guard let resource = resources.resolve(reference["reference"]?.string) else {
                throw payload("Composition.author must reference a resource in the Bundle")
            }
            if resource["resourceType"]?.string == "Practitioner" {
                author = Practitioner(
                    sdsUserID: Self.identifier(resource, system: IdentifierSystem.sdsUserID), name: Self.displayName(resource))
            }
        }
        var custodian: Organization?
        if let reference = composition["custodian"]?["reference"]?.string {
            guard let resource = resources.resolve(reference), resource["resourceType"]?.string == "Organization",
                let ods = Self.identifier(resource, system: IdentifierSystem.odsOrganizationCode)
            else { throw payload("Composition.custodian must reference an Organization with an ODS code") }
            custodian = Organization(odsCode: ods, name: resource["name"]?.string)
        }
        let replaces = (composition["relatesTo"]?.items ?? []).first { $0["code"]?.string == "replaces" }
            .flatMap { $0["targetIdentifier"]?["value"]?.string }

        var attachments: [Attachment] = []
        for section in composition["section"]?.items ?? [] {
            for entry in section["entry"]?.items ?? [] {
                guard let resource = resources.resolve(entry["reference"]?.string) else {
                    throw payload("A Composition.section entry does not resolve in the Bundle")
                }
                guard resource["resourceType"]?.string == "Binary" else { continue }
                guard let contentType = resource["contentType"]?.string?.lowercased(),
                    let base64 = resource["content"]?.string
                else { throw payload("A Binary has no contentType or content") }
                guard ITK3.attachmentTypes.contains(contentType) else {
                    throw ITKRejection(.unsupportedAttachment, "Attachments of type \(contentType) are not supported")
                }
                guard let bytes = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
                    throw payload("A Binary's content is not base64")
                }
                attachments.append(Attachment(contentType: contentType, content: Array(bytes), title: section["title"]?.string))
            }
        }
        guard let primary = attachments.first else { throw payload("The Composition has no attachment (Binary) section") }
        if useCase != .generic, primary.contentType != "application/pdf" {
            throw ITKRejection(.unsupportedAttachment, "The primary attachment of \(useCase.rawValue) must be a PDF")
        }
        return ConsultationReportMessage(
            bundleID: bundleID, messageHeaderID: headerID, useCase: useCase, senderReference: senderReference,
            recipientType: recipientType, infAckRequested: infAck, busAckRequested: busAck, sourceMailbox: sourceMailbox,
            senderODS: senderODS, documentIdentifier: documentIdentifier, compositionType: (typeCode, typeCoding["display"]?.string),
            title: title, date: composition["date"]?.string, confidentiality: confidentiality,
            patient: Person(nhsNumber: nhsNumber, family: family, given: given, birthDate: birthDate), author: author,
            custodian: custodian, replaces: replaces, attachments: attachments)
    }

    static func identifier(_ resource: FHIRElement, system: String) -> String? {
        (resource["identifier"]?.items ?? []).first { $0["system"]?.string == system }?["value"]?.string
    }

    static func displayName(_ resource: FHIRElement) -> String? {
        guard let name = resource["name"]?.items.first else { return nil }
        let parts =
            (name["prefix"]?.items ?? []).compactMap(\.string) + (name["given"]?.items ?? []).compactMap(\.string)
            + [name["family"]?.string].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}

/// The resources of a Bundle (and of the document Bundle inside it) by `fullUrl` and by
/// `Type/id`, so references of either form resolve.
struct ResourceIndex {
    var byReference: [String: FHIRElement] = [:]

    mutating func add(_ entries: [FHIRElement]) {
        for entry in entries {
            guard let resource = entry["resource"] else { continue }
            if let fullUrl = entry["fullUrl"]?.string { byReference[fullUrl] = resource }
            if let type = resource["resourceType"]?.string, let id = resource["id"]?.string {
                byReference["\(type)/\(id)"] = resource
                if byReference["urn:uuid:\(id)"] == nil { byReference["urn:uuid:\(id)"] = resource }
            }
        }
    }

    func resolve(_ reference: String?) -> FHIRElement? {
        reference.flatMap { byReference[$0] }
    }
}
