public import FHIR
public import GPConnectContract

/// One item of a patient's GP record, recorded once.
///
/// Every structured response is a view over these items: the store never holds Lists of areas or
/// Bundles, only the items and the consultation structure; ``StructuredSelector`` selects,
/// filters and links them per request and ``StructuredRecordSTU3`` lists them. The FHIR body is
/// kept as the practice recorded it (in StructureDefinition order, without `meta`); the columns
/// beside it are what the filters need.
public struct ClinicalItem: Sendable, Equatable {
    /// What the item is. The kind fixes the resource type, the profile and the clinical area.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case allergy
        case medication
        case medicationStatement
        /// A MedicationRequest with intent `plan`: an authorisation.
        case medicationPlan
        /// A MedicationRequest with intent `order`: one issue of a plan.
        case medicationIssue
        case problem
        case encounter
        /// A consultation-structure List: the consultation itself, a topic or a heading.
        case consultationList
        case immunization
        /// An uncategorised Observation (including blood pressure).
        case observation
        /// A consultation's narrative Observation.
        case narrative
        case diagnosticReport
        case testGroup
        case testResult
        case filingComment
        case specimen
        /// A test request (ProcedureRequest) behind an investigation.
        case testRequest
        case referral
        /// A diary entry (ProcedureRequest, recall).
        case diaryEntry
        case document

        public var resourceType: String {
            switch self {
            case .allergy: "AllergyIntolerance"
            case .medication: "Medication"
            case .medicationStatement: "MedicationStatement"
            case .medicationPlan, .medicationIssue: "MedicationRequest"
            case .problem: "Condition"
            case .encounter: "Encounter"
            case .consultationList: "List"
            case .immunization: "Immunization"
            case .observation, .narrative, .testGroup, .testResult, .filingComment: "Observation"
            case .diagnosticReport: "DiagnosticReport"
            case .specimen: "Specimen"
            case .testRequest, .diaryEntry: "ProcedureRequest"
            case .referral: "ReferralRequest"
            case .document: "DocumentReference"
            }
        }

        public var profile: String {
            let base = "https://fhir.nhs.uk/STU3/StructureDefinition/"
            return switch self {
            case .allergy: base + "CareConnect-GPC-AllergyIntolerance-1"
            case .medication: base + "CareConnect-GPC-Medication-1"
            case .medicationStatement: base + "CareConnect-GPC-MedicationStatement-1"
            case .medicationPlan, .medicationIssue: base + "CareConnect-GPC-MedicationRequest-1"
            case .problem: base + "CareConnect-GPC-ProblemHeader-Condition-1"
            case .encounter: base + "CareConnect-GPC-Encounter-1"
            case .consultationList: base + "CareConnect-GPC-List-1"
            case .immunization: base + "CareConnect-GPC-Immunization-1"
            case .observation, .narrative, .testGroup, .testResult, .filingComment: base + "CareConnect-GPC-Observation-1"
            case .diagnosticReport: base + "CareConnect-GPC-DiagnosticReport-1"
            case .specimen: base + "CareConnect-GPC-Specimen-1"
            case .testRequest, .diaryEntry: base + "CareConnect-GPC-ProcedureRequest-1"
            case .referral: base + "CareConnect-GPC-ReferralRequest-1"
            case .document: base + "CareConnect-GPC-DocumentReference-1"
            }
        }

        /// The area whose query returns this kind of item as a primary item, if any. Supporting
        /// items (a medication, a specimen, an issue) come only with the item they support.
        public var area: ClinicalArea? {
            switch self {
            case .allergy: .allergies
            case .medicationStatement: .medications
            case .problem: .problems
            case .encounter: .consultations
            case .immunization: .immunisations
            case .observation: .uncategorised
            case .diagnosticReport: .investigations
            case .referral: .referrals
            case .diaryEntry: .diary
            case .document: .documents
            case .medication, .medicationPlan, .medicationIssue, .consultationList, .narrative, .testGroup, .testResult,
                .filingComment, .specimen, .testRequest:
                nil
            }
        }
    }

    /// Why an item may be withheld.
    public enum Confidentiality: String, Sendable, Codable {
        case none
        /// Marked private by the practice or at the patient's wish.
        case confidential
        /// In the RCGP sensitive exclusion set.
        case sensitive
    }

    public var id: String
    public var patientID: String
    public var kind: Kind
    /// The status the filters read: `active`/`resolved` (allergy), `active`/`inactive` (problem),
    /// `given`/`not-given` (immunisation), `acute`/`repeat` (medication statement).
    public var status: String?
    /// First and last day of the item's relevant date (FHIR dates, possibly partial); nil: undated.
    public var start: String?
    public var end: String?
    public var confidentiality: Confidentiality
    /// The FHIR body, as built or as stored. A store hands out the stored JSON and a view decodes
    /// only the items it uses, so asking for the last three consultations of a long record does not
    /// parse the whole record.
    public enum Body: Sendable, Equatable {
        case element(FHIRElement)
        case json(String)
        /// Not read from the store yet (``ClinicalRecordStore/itemIndex(practice:patientID:)``).
        case deferred
    }

    public var body: Body
    /// Every `Type/id` reference the body makes, kept beside it so views link items without
    /// reading bodies.
    public var references: [String]

    /// The FHIR body: `resourceType`, `id`, then the elements after `meta`.
    ///
    /// - Throws: ``StoreError/corrupt(_:)`` when stored JSON does not parse.
    public func resource() throws -> FHIRElement {
        switch body {
        case .element(let element): return element
        case .json(let text): return try Self.decode(text, id: id)
        case .deferred: throw StoreError.corrupt("clinical item \(id) was read without its body")
        }
    }

    static func decode(_ text: String, id: String) throws -> FHIRElement {
        do {
            return try DecodedBodies.decode(text)
        } catch {
            throw StoreError.corrupt("clinical item \(id) does not decode")
        }
    }

    /// The body as JSON text, for storage.
    public var json: String {
        switch body {
        case .element(let element): FHIRJSON.encodeString(element)
        case .json(let text): text
        case .deferred: ""
        }
    }

    public init(
        id: String, patientID: String, kind: Kind, status: String? = nil, start: String? = nil, end: String? = nil,
        confidentiality: Confidentiality = .none, resource: FHIRElement, references: [String]? = nil
    ) {
        self.init(
            id: id, patientID: patientID, kind: kind, status: status, start: start, end: end, confidentiality: confidentiality,
            body: .element(resource), references: references ?? References.all(in: resource))
    }

    public init(
        id: String, patientID: String, kind: Kind, status: String?, start: String?, end: String?, confidentiality: Confidentiality,
        body: Body, references: [String]
    ) {
        self.id = id
        self.patientID = patientID
        self.kind = kind
        self.status = status
        self.start = start
        self.end = end
        self.confidentiality = confidentiality
        self.body = body
        self.references = references
    }

    /// `ResourceType/id`, as references name it.
    public var reference: String { kind.resourceType + "/" + id }
}

/// Practice-level state of one patient's record that the lists must warn about.
public struct ClinicalRecordState: Sendable, Equatable, Codable {
    /// The record is still arriving by GP2GP; the date the patient registered here.
    public var inTransitSince: String?
    /// Areas holding received data that is not yet filed.
    public var awaitingFiling: [ClinicalArea]

    public init(inTransitSince: String? = nil, awaitingFiling: [ClinicalArea] = []) {
        self.inTransitSince = inTransitSince
        self.awaitingFiling = awaitingFiling
    }
}

/// Where a practice's clinical records live.
public protocol ClinicalRecordStore: Sendable {
    /// Every item of the patient's record.
    func items(practice: String, patientID: String) async throws -> [ClinicalItem]
    /// Every item of the patient's record without its body (``ClinicalItem/Body/deferred``):
    /// what a view needs to choose items, for records too long to read whole.
    func itemIndex(practice: String, patientID: String) async throws -> [ClinicalItem]
    /// The stored JSON bodies of some of the patient's items, by id.
    func bodies(practice: String, patientID: String, ids: [String]) async throws -> [String: String]
    func recordState(practice: String, patientID: String) async throws -> ClinicalRecordState
    /// Writes items (replacing any with the same id) in one transaction.
    func save(_ items: [ClinicalItem], practice: String) async throws
    func saveRecordState(_ state: ClinicalRecordState, practice: String, patientID: String) async throws
    /// Areas switched off at the practice (GP Connect 1.6.2, accessrecord_structured_development_clinical_area_config).
    func disabledAreas(practice: String) async throws -> Set<ClinicalArea>
    func setDisabledAreas(_ areas: Set<ClinicalArea>, practice: String) async throws
}
