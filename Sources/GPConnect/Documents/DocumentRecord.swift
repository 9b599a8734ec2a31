import GPConnectContract

/// A document filed in a patient's GP record: a letter, a scanned page, a report — its metadata as
/// the practice holds it, and where its bytes are (GP Connect 1.6.2, access_documents_development_documents_guidance
/// and access_documents_development_documentreference). Only the latest version is served; a new
/// version replaces the record and points at new content.
public struct DocumentRecord: Sendable, Codable, Equatable {
    /// The file itself.
    public struct Content: Sendable, Codable, Equatable {
        /// MIME type of an industry-standard format (`application/pdf`, `application/rtf`, …).
        public var contentType: String
        /// Size in bytes.
        public var size: Int
        /// The `Binary` id of this version's bytes; nil when the practice holds the document's
        /// details but not the file (a placeholder is served).
        public var binaryID: String?
        /// How many stored chunks hold the bytes (``DocumentRecord/chunkSize`` each, the last shorter).
        public var chunks: Int

        public init(contentType: String, size: Int, binaryID: String?, chunks: Int = 0) {
            self.contentType = contentType
            self.size = size
            self.binaryID = binaryID
            self.chunks = chunks
        }
    }

    /// Logical id of the DocumentReference.
    public var id: String
    public var patientID: String
    /// Incremented by each new version.
    public var version: String
    /// Identifies this version of the document (`masterIdentifier`), a UUID.
    public var masterIdentifier: String
    /// Identifies the document across versions and systems (`identifier`), a UUID.
    public var identifier: String
    /// SNOMED CT, from the record composition type refset (1127551000000109).
    public var type: Code?
    /// The type in words, where no code fits.
    public var typeText: String?
    /// A human-readable title.
    public var description: String?
    /// When the document was written or last edited (a FHIR dateTime).
    public var created: String?
    /// When it was added to this practice's record (an instant).
    public var indexed: String
    /// Logical ids of the authoring organisations and practitioners.
    public var authorOrganizationIDs: [String]
    public var authorPractitionerIDs: [String]
    /// The organisation that keeps the document.
    public var custodianOrganizationID: String?
    /// The consultation it was filed in.
    public var encounterID: String?
    /// Items of the record it relates to (`Condition/…`, `ReferralRequest/…`).
    public var related: [String]
    /// The kind of service that produced it (SNOMED CT).
    public var practiceSetting: Code?
    /// Confidential and sensitive documents are served only by migration with `conf/R`.
    public var confidentiality: ClinicalItem.Confidentiality
    /// Whether a clinician has reviewed it; unreviewed documents are still served.
    public var reviewed: Bool
    public var content: Content
    /// The file name it was filed from (never sent: it can name the patient).
    public var fileName: String?

    public init(
        id: String, patientID: String, version: String = "1", masterIdentifier: String, identifier: String, type: Code? = nil,
        typeText: String? = nil, description: String? = nil, created: String? = nil, indexed: String,
        authorOrganizationIDs: [String] = [], authorPractitionerIDs: [String] = [], custodianOrganizationID: String? = nil,
        encounterID: String? = nil, related: [String] = [], practiceSetting: Code? = nil,
        confidentiality: ClinicalItem.Confidentiality = .none, reviewed: Bool = true, content: Content, fileName: String? = nil
    ) {
        self.id = id
        self.patientID = patientID
        self.version = version
        self.masterIdentifier = masterIdentifier
        self.identifier = identifier
        self.type = type
        self.typeText = typeText
        self.description = description
        self.created = created
        self.indexed = indexed
        self.authorOrganizationIDs = authorOrganizationIDs
        self.authorPractitionerIDs = authorPractitionerIDs
        self.custodianOrganizationID = custodianOrganizationID
        self.encounterID = encounterID
        self.related = related
        self.practiceSetting = practiceSetting
        self.confidentiality = confidentiality
        self.reviewed = reviewed
        self.content = content
        self.fileName = fileName
    }

    /// The size of the stored chunks: 768 KiB, a multiple of 3, so that every chunk but the last
    /// encodes to base64 without padding and a response can encode them one by one.
    public static let chunkSize = 786_432

    /// The date a `created` search compares: `created`, else `indexed`.
    public var searchDate: String { created ?? indexed }
}

/// The MIME types of the industry-standard formats a practice files (GP Connect 1.6.2,
/// access_documents_development_documents_guidance, "Document formats"), by file extension.
public enum DocumentFormat {
    public static let byExtension: [String: String] = [
        "pdf": "application/pdf", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "rtf": "application/rtf",
        "odt": "application/vnd.oasis.opendocument.text", "txt": "text/plain", "htm": "text/html", "html": "text/html",
        "xml": "text/xml", "tif": "image/tiff", "tiff": "image/tiff", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
    ]

    /// Whether a MIME type is one of the accepted formats.
    public static func isSupported(_ contentType: String) -> Bool { Set(byExtension.values).contains(contentType) }
}
