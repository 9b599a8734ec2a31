public import Foundation
public import GPConnectContract

/// How a deployment offers documents.
public struct DocumentSettings: Sendable, Equatable {
    /// How long after death a patient who was registered here stays reachable (GP Connect 1.6.2,
    /// access_documents_development_documents_guidance, "Deceased patients").
    public var deceasedAccessDays: Int
    /// The largest document "Retrieve a document" returns; migration has no limit.
    public var retrievalLimit: Int

    public init(deceasedAccessDays: Int = 28, retrievalLimit: Int = 5 * 1024 * 1024) {
        self.deceasedAccessDays = deceasedAccessDays
        self.retrievalLimit = retrievalLimit
    }
}

/// A document's bytes as a response streams them: one chunk at a time, never the whole file.
public struct BinaryContent: Sendable {
    /// The Binary's logical id.
    public var id: String
    public var version: String
    public var contentType: String
    public var size: Int
    public var chunks: Int
    /// Reads chunk `index` (from 0).
    public var chunk: @Sendable (_ index: Int) async throws -> [UInt8]

    public init(
        id: String, version: String, contentType: String, size: Int, chunks: Int, chunk: @escaping @Sendable (Int) async throws -> [UInt8]
    ) {
        self.id = id
        self.version = version
        self.contentType = contentType
        self.size = size
        self.chunks = chunks
        self.chunk = chunk
    }
}

/// A document to file, as practice staff or an inbound message describe it.
public struct DocumentFiling: Sendable {
    public var nhsNumber: NHSNumber
    public var contentType: String
    public var size: Int
    public var type: Code?
    public var typeText: String?
    public var description: String?
    public var created: String?
    public var authorOrganizationIDs: [String]
    public var authorPractitionerIDs: [String]
    /// Nil: the practice's own organisation.
    public var custodianOrganizationID: String?
    public var encounterID: String?
    public var related: [String]
    public var practiceSetting: Code?
    public var confidentiality: ClinicalItem.Confidentiality
    public var reviewed: Bool
    public var fileName: String?
    /// The id to give the document (seeding); nil: the next one.
    public var id: String?

    public init(
        nhsNumber: NHSNumber, contentType: String, size: Int, type: Code? = nil, typeText: String? = nil, description: String? = nil,
        created: String? = nil, authorOrganizationIDs: [String] = [], authorPractitionerIDs: [String] = [],
        custodianOrganizationID: String? = nil, encounterID: String? = nil, related: [String] = [], practiceSetting: Code? = nil,
        confidentiality: ClinicalItem.Confidentiality = .none, reviewed: Bool = false, fileName: String? = nil, id: String? = nil
    ) {
        self.nhsNumber = nhsNumber
        self.contentType = contentType
        self.size = size
        self.type = type
        self.typeText = typeText
        self.description = description
        self.created = created
        self.authorOrganizationIDs = authorOrganizationIDs
        self.authorPractitionerIDs = authorPractitionerIDs
        self.custodianOrganizationID = custodianOrganizationID
        self.encounterID = encounterID
        self.related = related
        self.practiceSetting = practiceSetting
        self.confidentiality = confidentiality
        self.reviewed = reviewed
        self.fileName = fileName
        self.id = id
    }
}

/// Access Document as use cases that know no channel (GP Connect 1.6.2, access_documents pages):
/// finding a patient, searching their documents, retrieving and migrating a file, and filing one —
/// the way practice staff do it from the command line and Send Document does it from MESH.
/// `Documents+STU3.swift` parses the FHIR requests and renders.
public struct Documents: Sendable {
    let stores: Stores
    public let settings: DocumentSettings

    public init(stores: Stores, settings: DocumentSettings = DocumentSettings()) {
        self.stores = stores
        self.settings = settings
    }

    /// Whether the practice offers Access Document (its "Documents" clinical area is on).
    public func enabled(practice: Practice) async throws -> Bool {
        try await !stores.clinical.disabledAreas(practice: practice.ods).contains(.documents)
    }

    /// - Throws: `403 ACCESS DENIED` when the practice has switched Access Document off.
    func requireEnabled(_ practice: Practice) async throws {
        guard try await enabled(practice: practice) else {
            throw GPConnectError(.accessDenied, "Access Document is not enabled at this practice")
        }
    }

    // MARK: D2 Find a patient

    /// The patients with this NHS number whose documents may be shared: active Regular/GMS
    /// registrations, and those who were registered here at death within the access period.
    public func patients(nhsNumber: NHSNumber, practice: Practice, now: Date) async throws -> [PatientRecord] {
        try await requireEnabled(practice)
        let foundations = Foundations(stores: stores)
        let living = try await foundations.patients(nhsNumber: nhsNumber, practice: practice).filter { $0.registrationType == .regular }
        let deceased = try await stores.patients.patients(practice: practice.ods, nhsNumber: nhsNumber).filter {
            $0.deceased != nil && isShareable($0, now: now)
        }
        return living + deceased
    }

    /// The sharing rules of a patient (GP Connect 1.6.2, access_documents_development_search_patient_documents,
    /// "Error handling"): verified NHS number, not sensitive, Regular/GMS here, and alive — or dead
    /// no longer than the access period and registered here at death.
    func isShareable(_ patient: PatientRecord, now: Date) -> Bool {
        guard !patient.sensitive, patient.nhsNumberVerification == "01", patient.registrationType == .regular else { return false }
        guard let deceased = patient.deceased else { return patient.registrationStatus == .active }
        guard let death = DocumentDates.instant(deceased) ?? FHIRDate(deceased, dateTime: true).flatMap(DocumentDates.start(of:))
        else { return false }
        let registeredAtDeath =
            patient.registrationStatus == .active || patient.registrationEnd.map { $0 >= String(deceased.prefix(10)) } == true
        return registeredAtDeath && now.timeIntervalSince(death) <= Double(settings.deceasedAccessDays) * 86_400
    }

    /// The patient by logical id, or the refusal.
    ///
    /// - Throws: `404 PATIENT_NOT_FOUND` (unknown, not shareable); `403 NO_PATIENT_CONSENT` (dissent).
    func shareablePatient(id: String?, practice: Practice, now: Date) async throws -> PatientRecord {
        guard let id, let patient = try await stores.patients.patient(practice: practice.ods, id: id), isShareable(patient, now: now)
        else { throw GPConnectError(.patientNotFound, "No patient with that logical id whose documents can be shared") }
        guard !patient.dissent else { throw GPConnectError(.noPatientConsent, "The patient has dissented from sharing their record") }
        return patient
    }

    // MARK: D3 Search for a patient's documents

    /// The documents a search returns, and the patient they belong to.
    public struct SearchResult: Sendable {
        public var patient: PatientRecord
        /// Newest first (by `created`, else `indexed`).
        public var documents: [DocumentRecord]
    }

    /// The patient's shareable documents matching the query. Confidential and sensitive ones are
    /// withheld (GP Connect 1.6.2, access_documents_development_documents_guidance, "Confidential documents").
    public func search(_ query: DocumentQuery, patientID: String?, practice: Practice, now: Date) async throws -> SearchResult {
        try await requireEnabled(practice)
        let patient = try await shareablePatient(id: patientID, practice: practice, now: now)
        var documents = try await stores.documents.documents(practice: practice.ods, patientID: patient.id).filter {
            $0.confidentiality == .none && query.matches($0)
        }
        if let ods = query.authorODSCode {
            // The organisation a search matches is the one the DocumentReference names as author.
            let ids = Set(documents.compactMap { $0.author?.hasPrefix("Organization/") == true ? $0.authorOrganizationIDs.first : nil })
            let organizations = try await stores.directory.directoryEntries(
                practice: practice.ods, practitionerIDs: [], organizationIDs: Array(ids), locationIDs: []
            ).organizations
            let matching = Set(organizations.filter { $0.ods.caseInsensitiveCompare(ods) == .orderedSame }.map(\.id))
            documents = documents.filter { $0.authorOrganizationIDs.first.map(matching.contains) == true }
        }
        documents.sort { lhs, rhs in
            let (l, r) = (DocumentDates.sortKey(lhs.searchDate), DocumentDates.sortKey(rhs.searchDate))
            return l != r ? l > r : lhs.id < rhs.id
        }
        return SearchResult(patient: patient, documents: documents)
    }

    // MARK: D4 Retrieve, D5 Migrate

    /// A document's bytes, checked against the rules of retrieval or migration.
    ///
    /// Retrieval: Access Document on, shareable patient, not confidential, within the size limit,
    /// latest version. Migration: no size limit and whatever the switches say; confidential and
    /// sensitive documents only with `conf/R` (GP Connect 1.6.2, access_documents_development_migrate_patient_documents).
    ///
    /// - Throws: `404 NO_RECORD_FOUND` for an unknown or withheld Binary; `404 PATIENT_NOT_FOUND`,
    ///   `403 NO_PATIENT_CONSENT`, `403 ACCESS DENIED` as the search does.
    public func binary(id: String?, practice: Practice, caller: Caller, migrating: Bool, now: Date) async throws
        -> (document: DocumentRecord, patient: PatientRecord, content: BinaryContent)
    {
        if !migrating { try await requireEnabled(practice) }
        guard let id, let document = try await stores.documents.document(practice: practice.ods, binaryID: id),
            let binaryID = document.content.binaryID
        else { throw GPConnectError(.noRecordFound, "No document with that Binary id") }
        let patient = try await shareablePatient(id: document.patientID, practice: practice, now: now)
        if document.confidentiality != .none, !(migrating && caller.confidentiality == .restricted) {
            // Withheld documents are not there for this caller, as in the search. The spec's
            // NOT_AUTHORISED is no Spine code; NO_RECORD_FOUND does not disclose that one exists.
            throw GPConnectError(.noRecordFound, "No document with that Binary id")
        }
        if !migrating, document.content.size > settings.retrievalLimit {
            throw GPConnectError(
                .noRecordFound, "The document is larger than the \(settings.retrievalLimit / (1024 * 1024)) MB retrieval limit")
        }
        let store = stores.documents
        let ods = practice.ods
        let content = BinaryContent(
            id: binaryID, version: document.version, contentType: document.content.contentType, size: document.content.size,
            chunks: document.content.chunks
        ) { index in
            guard let bytes = try await store.chunk(practice: ods, binaryID: binaryID, index: index) else {
                throw StoreError.corrupt("document content chunk \(index) is missing")
            }
            return bytes
        }
        return (document, patient, content)
    }

    // MARK: Filing

    /// Files a document in a registered patient's record: the bytes, the metadata and the item
    /// that shows it in the structured record, in one transaction.
    ///
    /// - Throws: `PATIENT_NOT_FOUND` when no active patient here has the NHS number;
    ///   `INVALID_RESOURCE` for an unsupported format or bytes that do not match the size.
    @discardableResult
    public func file(_ filing: DocumentFiling, content: any AsyncSequence<[UInt8], any Error>, practice: Practice, now: Date)
        async throws -> DocumentRecord
    {
        try await file(filing, content: content, holdsFile: true, practice: practice, now: now)
    }

    /// Files a document's details whose file the practice does not hold (a record migrated
    /// without its attachments): served as a placeholder.
    @discardableResult
    public func fileDetailsOnly(_ filing: DocumentFiling, practice: Practice, now: Date) async throws -> DocumentRecord {
        try await file(filing, content: ByteChunks([]), holdsFile: false, practice: practice, now: now)
    }

    private func file(
        _ filing: DocumentFiling, content: any AsyncSequence<[UInt8], any Error>, holdsFile: Bool, practice: Practice, now: Date
    ) async throws -> DocumentRecord {
        guard DocumentFormat.isSupported(filing.contentType) else {
            throw GPConnectError(.invalidResource, "\(filing.contentType) is not an industry-standard document format")
        }
        guard filing.size >= 0 else { throw GPConnectError(.invalidResource, "A document size cannot be negative") }
        let candidates = try await stores.patients.patients(practice: practice.ods, nhsNumber: filing.nhsNumber)
        guard let patient = candidates.first(where: { $0.registrationStatus == .active }) ?? candidates.first else {
            throw GPConnectError(.patientNotFound, "No patient with that NHS number is registered at this practice")
        }
        let id: String
        if let given = filing.id { id = given } else { id = try await stores.documents.nextDocumentID(practice: practice.ods) }
        let chunks = holdsFile ? (filing.size + DocumentRecord.chunkSize - 1) / DocumentRecord.chunkSize : 0
        // New UUIDs; a document filed under a given id (the reference data) gets UUIDs derived from
        // practice and id instead, so that every seeded database serves the same ones.
        func uuid(_ purpose: String) -> String {
            guard let given = filing.id else { return UUID().uuidString.lowercased() }
            let chars = Array(Hashing.sha256Hex(Array("\(practice.ods)/\(given)/\(purpose)".utf8)).prefix(32))
            return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
        }
        let document = DocumentRecord(
            id: id, patientID: patient.id, masterIdentifier: uuid("version-1"), identifier: uuid("document"),
            type: filing.type, typeText: filing.typeText, description: filing.description, created: filing.created,
            indexed: ISO8601.instant(now), authorOrganizationIDs: filing.authorOrganizationIDs,
            authorPractitionerIDs: filing.authorPractitionerIDs,
            custodianOrganizationID: filing.custodianOrganizationID ?? practice.organizationID, encounterID: filing.encounterID,
            related: filing.related, practiceSetting: filing.practiceSetting, confidentiality: filing.confidentiality,
            reviewed: filing.reviewed,
            content: .init(
                contentType: filing.contentType, size: filing.size, binaryID: holdsFile ? uuid("binary-1") : nil,
                chunks: chunks),
            fileName: filing.fileName)
        do {
            return try await stores.documents.file(
                document, item: document.clinicalItem, content: content, practice: practice.ods, expectedVersion: nil)
        } catch StoreError.invalid(let reason) {
            throw GPConnectError(.invalidResource, reason)
        } catch StoreError.conflict {
            throw GPConnectError(.duplicateRejected, "A document with id \(id) already exists")
        }
    }

    /// A patient's documents for practice staff (all of them, newest first).
    public func list(nhsNumber: NHSNumber, practice: Practice) async throws -> [DocumentRecord] {
        var found: [DocumentRecord] = []
        for patient in try await stores.patients.patients(practice: practice.ods, nhsNumber: nhsNumber) {
            found += try await stores.documents.documents(practice: practice.ods, patientID: patient.id)
        }
        return found.sorted { DocumentDates.sortKey($0.searchDate) > DocumentDates.sortKey($1.searchDate) }
    }

    public func document(id: String, practice: Practice) async throws -> DocumentRecord? {
        try await stores.documents.document(practice: practice.ods, id: id)
    }
}

/// The filters of a documents search, parsed (``DocumentSearch`` as the domain reads it).
public struct DocumentQuery: Sendable, Equatable {
    /// Inclusive bounds on `created` (else `indexed`).
    public var from: Date?
    public var to: Date?
    public var authorODSCode: String?
    public var keyword: String?

    public init(from: Date? = nil, to: Date? = nil, authorODSCode: String? = nil, keyword: String? = nil) {
        self.from = from
        self.to = to
        self.authorODSCode = authorODSCode
        self.keyword = keyword
    }

    func matches(_ document: DocumentRecord) -> Bool {
        if from != nil || to != nil {
            guard let date = DocumentDates.instant(document.searchDate) ?? FHIRDate(document.searchDate).flatMap(DocumentDates.start(of:))
            else { return false }
            if let from, date < from { return false }
            if let to, date > to { return false }
        }
        if let keyword = keyword?.lowercased(), !keyword.isEmpty {
            let haystack = [document.description, document.typeText, document.type?.display].compactMap { $0?.lowercased() }
            guard haystack.contains(where: { $0.contains(keyword) }) else { return false }
        }
        return true
    }
}

/// Dates as documents and their searches write them.
enum DocumentDates {
    /// A FHIR `dateTime` with a time (`2019-06-24T09:35:00+11:00`, `…Z`, fractional seconds allowed).
    static func instant(_ text: String) -> Date? {
        guard text.count > 10, text.contains("T") else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The first instant of a partial date, in UTC.
    static func start(of date: FHIRDate) -> Date? {
        let first = date.firstDay
        return DateComponents(calendar: utc, timeZone: .gmt, year: first.year, month: first.month, day: first.day).date
    }

    /// The last instant of a partial date, in UTC.
    static func end(of date: FHIRDate) -> Date? {
        let next = date.lastDay.adding(days: 1)
        return DateComponents(calendar: utc, timeZone: .gmt, year: next.year, month: next.month, day: next.day).date
            .map { $0.addingTimeInterval(-0.001) }
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    /// Orders dates and dateTimes of any precision (newest sorts greatest).
    static func sortKey(_ text: String) -> Double {
        (instant(text) ?? FHIRDate(text).flatMap(start(of:)))?.timeIntervalSince1970 ?? 0
    }
}
